"""What a factory sees of a job before it takes it, declared once (``core.shapes``): the job
card, an offer of it, and a board entry of it. The HTTP serializers
(``orders.api.serializers``), the SQL that writes a dispatch batch's offers to the outbox
(``orders.events``), the events' payloads and their schemas, the board's values read
(``orders.selectors.BoardJob``) and the examples of the API's documents all derive from these
classes; no other module names their fields (tests/orders/test_cards.py holds it)."""

from core.shapes import Shape, field
from orders.models import Offer

TIME = " (ISO 8601 with the offset, +08:00)"


class JobCard(Shape):
    """The job as an offer or a board entry shows it: enough to decide before accepting."""

    description = "The job as an offer or a board entry shows it: enough to decide before accepting."
    id: int = field("The job's id.")
    process: str = field("The process's code in the catalogue (GET /api/v1/processes).", source="process.code")
    process_name: str = field("The process's name in English.", source="process.name")
    process_name_zh: str = field("The process's name in Chinese.", source="process.name_zh")
    spec: dict = field("What exactly to make: the process's parameters, checked against its spec_schema.")
    quantity: int = field("Pieces of the whole job.")
    unit_price_fen: int = field("Price per piece in fen (integer; 100 fen = 1 yuan).")
    total_fen: int = field("Price of the whole job: quantity x unit price, in fen.")
    currency: str = field("ISO 4217 currency code (CNY).")
    deadline: str = field("By when the work must be delivered" + TIME + ".", format="date-time")
    lat: float = field("Hand-off latitude (WGS 84).")
    lng: float = field("Hand-off longitude (WGS 84).")
    address: str = field("Where the material is handed over.")
    allow_split: bool = field("Whether several factories may each take part of the job.")
    example = {
        "id": 17,
        "process": "velcro_sewing",
        "process_name": "Velcro closure sewing",
        "process_name_zh": "魔术贴缝制",
        "spec": {"width_mm": 25, "color": "black", "stitch": "box_x"},
        "quantity": 2000,
        "unit_price_fen": 15,
        "total_fen": 30000,
        "currency": "CNY",
        "deadline": "2026-06-12T18:00:00+08:00",
        "lat": 36.2853,
        "lng": 120.0097,
        "address": "Capco Hats, 18 Lanzhou East Road, Jiaozhou",
        "allow_split": False,
    }


class OfferCard(Shape):
    """A dispatch offer as its factory sees it, in the stream (``offer.created``) and over HTTP."""

    description = "Everything a factory needs to decide before it accepts an offer."
    id: int = field("The offer's id.")
    job: JobCard = field("The job offered, as much as is needed to decide.")
    quantity: int = field("Pieces offered to this factory.")
    amount_fen: int = field(
        "What the offered pieces earn: quantity x unit price, in fen.",
        sql="{self}.quantity::bigint * {job}.unit_price_fen",
    )
    distance_km: float = field("Distance from the factory to the hand-off place, in km.")
    expires_at: str = field("When the offer lapses unless accepted" + TIME + ".", format="date-time")
    status: str = field(
        "pending until answered or expired; then accepted, declined, expired or withdrawn.", enum=Offer.Status.values
    )
    example = {
        "id": 88,
        "job": JobCard.example,
        "quantity": 2000,
        "amount_fen": 30000,
        "distance_km": 6.4,
        "expires_at": "2026-06-09T10:01:00+08:00",
        "status": "pending",
    }


class BoardCard(JobCard.at("job")):
    """A job on a factory's grab board: its card, and what this factory may take of it."""

    description = "A job on the factory's grab board: its card, the distance and the share the factory may take."
    distance_km: float = field("Distance from the factory to the hand-off place, in km.", source="pair.distance_km")
    free_capacity: int = field(
        "Pieces the factory can still make for this process before the deadline.", source="pair.free_capacity"
    )
    min_share: int = field(
        "The fewest pieces of this job the factory may take (the whole job unless it may be split).",
        source="pair.min_share",
    )
    max_share: int = field("The most pieces of this job the factory may take now.", source="pair.max_share")
    example = {**JobCard.example, "distance_km": 6.4, "free_capacity": 9000, "min_share": 2000, "max_share": 2000}
