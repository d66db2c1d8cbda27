"""What accounts tells a company's event stream: messages for its people (``core.events``)."""

from core.events import EventType, field, register


@register
class Notification(EventType):
    type = "notification"
    audience = "the company"
    description = (
        "A message for the company's people, in Chinese and English (e.g. switched offline, a phone moved to "
        "another account); GET /api/v1/notifications lists them."
    )
    kind: str = field("What the message is about, for the app (e.g. switched_offline, device_moved).")
    message: str = field("What a person reads, Chinese and English (at most 500 characters).")
    data: dict = field("Details for the app; their fields depend on `kind`.")

    @classmethod
    def push(cls, data):
        return ("平台通知 Notice", str(data["message"])[:500])
