"""After the outbox numbers events (``core.outbox.events_sequenced``), wherever that ran
(web, worker or beat): send each company's events to the web processes that hold its
sockets, through the Redis channel layer, and queue a mobile push for the ones that deserve
one.

Delivery is by company: each company has its own channel-layer group (``company_group``),
which a web process's hub joins while it holds a socket of that company, and news goes only
to the groups of companies with a live socket (``realtime.models.Connection``), so a web
process decodes its own companies' events and no others, and adding web processes spreads
the work instead of repeating it.

Without Redis (the embedded default of ``make run``) nothing is sent here: each web
process's hub tails the outbox table for its companies instead (``realtime.hub``). Either
way the table is the truth and the channel layer only makes delivery fast: a socket that
sees a jump in its company's ``seq`` reads the gap from the table, and the hub's tail finds
what a lost message carried.
"""

import json
import logging
from collections import defaultdict

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from core import queue
from core.readable import iso_time
from core.sql import id_in
from realtime import selectors
from realtime.models import Device
from realtime.services import push_message_for
from realtime.tasks import push_for_events_task

logger = logging.getLogger(__name__)

CHUNK = 200


def company_group(company_id: int) -> str:
    """The channel-layer group of one company's news (the hubs holding its sockets are in it)."""
    return f"realtime.company.{int(company_id)}"


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
    return {"company_id": event.company_id, "seq": event.seq, "text": event_text(event)}


async def _send(layer, messages) -> None:
    for group, message in messages:
        await layer.group_send(group, message)


def events_announce(*, events) -> None:
    if settings.REALTIME_FANOUT == "redis":
        live = selectors.companies_live(company_ids={e.company_id for e in events})
        by_company: dict[int, list[dict]] = defaultdict(list)
        for event in events:
            if event.company_id in live:
                by_company[event.company_id].append(event_wire(event))
        messages = [
            (company_group(company), {"type": "events.batch", "events": wires[i : i + CHUNK]})
            for company, wires in by_company.items()
            for i in range(0, len(wires), CHUNK)
        ]
        try:
            if messages:
                async_to_sync(_send)(get_channel_layer(), messages)
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
