"""What evidence tells a company's event stream: a photo attached to a job (``core.events``)."""

from core.events import EventType, field, register
from evidence.models import Photo


@register
class PhotoAdded(EventType):
    type = "photo.added"
    audience = "every company that may see the photo: the job's SME and the share's factory (or every share's)"
    description = "A photo was attached to a job or one of its shares (GET /jobs/{id}/photos lists them)."
    photo_id: int = field("The photo.")
    job_id: int = field("Its job.")
    assignment_id: int | None = field("The share it belongs to; null for a photo of the whole job.")
    kind: str = field("What it shows.", enum=Photo.Kind.values)
