"""After the outbox numbers events (``core.outbox.events_sequenced``), wherever that ran
(web, worker or beat): send them to every web process through the Redis channel layer,
and queue a mobile push for the ones that deserve one.

Without Redis (the embedded default of ``make run``) nothing is sent here: each web
process's hub tails the outbox table instead (``realtime.hub``), which reaches the sockets
whichever process made the change. Either way the table is the truth and the channel
layer only makes delivery fast: a web process that misses a message finds the gap by the
events' global ``position`` and reads it from the table.
"""

import json
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from core import queue
from core.readable import iso_time
from core.sql import id_in
from realtime.models import Device
from realtime.services import push_message_for
from realtime.tasks import push_for_events_task

logger = logging.getLogger(__name__)

GROUP = "realtime.events"  # every web process's hub listens here
CHUNK = 200


def event_text(event) -> str:
    """The event as the stream sends it (API.md: seq, type, at, data), as JSON text. Data the
    outbox still holds as the database's text goes in as it is: a dispatch batch announces
    thousands of offers, which are then never decoded and encoded again."""
    raw = getattr(event, "raw_data", None)
    if raw is None:
        return json.dumps(event.as_message(), cls=DjangoJSONEncoder)
    # The message json.dumps would give (a test holds the two equal), put together without
    # it: a batch's 10,000 small encodes cost a twentieth of a second.
    seq = "null" if event.seq is None else int(event.seq)
    return f'{{"seq": {seq}, "type": {json.dumps(event.type)}, "at": "{iso_time(event.created_at)}", "data": {raw}}}'


def event_wire(event) -> dict:
    """What travels to the hubs: where the event goes, its number, and its text for the socket."""
    return {"company_id": event.company_id, "position": event.position, "seq": event.seq, "text": event_text(event)}


async def _broadcast(layer, messages) -> None:
    for message in messages:
        await layer.group_send(GROUP, message)


def events_announce(*, events) -> None:
    if settings.REALTIME_FANOUT == "redis":
        wires = [event_wire(e) for e in events]
        messages = [{"type": "events.batch", "events": wires[i : i + CHUNK]} for i in range(0, len(wires), CHUNK)]
        try:
            async_to_sync(_broadcast)(get_channel_layer(), messages)
        except Exception:  # Redis down: the hubs' tail of the table delivers them a little later
            logger.warning("channel layer unreachable; %d events go by the table", len(events), exc_info=True)
    # Which companies have phones first: a dispatch batch announces thousands of offers, and
    # only those whose factory has a phone need their push message worked out.
    with_phones = set(
        Device.objects.filter(company_id__in=id_in({e.company_id for e in events})).values_list("company_id", flat=True)
    )
    pushable = [e.id for e in events if e.company_id in with_phones and push_message_for(e) is not None]
    if pushable:
        queue.send(push_for_events_task, pushable)
