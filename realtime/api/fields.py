"""What each property of the event stream, tickets and devices means, for the OpenAPI schema: applied to every
component that has the property (``marketplace.docs.describe_properties``). A key is a
property's name, or ``Component.name`` where one component means something else by it."""

FIELDS = {
    "ticket": "A ticket for one WebSocket handshake: `/ws/v1/events?ticket=...`; good once.",
    "Ticket.expires_at": "When the ticket lapses unless used (60 s after it was issued; ISO 8601, `+08:00`).",
    "Event.seq": "The event's place in the company's stream: increasing by 1 per company; `after=<seq>` resumes.",
    "type": "What happened: one of the `EventType` component's values, e.g. `offer.created`, "
    "`job.status_changed`, `notification` (more may be added, and an app ignores those it does not know).",
    "at": "When it happened (ISO 8601 with the offset, `+08:00`).",
    "Event.data": "The event's payload: the `<Type>EventData` component of its `type` (e.g. `OfferCreatedEventData`).",
    "platform": "`android`, `ios` or `wechat` (a WeChat mini program).",
    "token": "The phone's push token from its push service (8 to 512 characters).",
    "Device.id": "The registration's id (`DELETE /devices/{device_id}` takes it).",
    "Device.created_at": "When the phone was registered" + " (ISO 8601 with the offset, `+08:00`).",
}
