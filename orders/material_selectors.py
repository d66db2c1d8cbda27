"""Reads of the customer material the SMEs sent: where every piece is, per SME and per
factory (the admin's materials page and the desk's figure)."""

from django.db.models import Count, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce

from orders.models import Assignment, MaterialMovement

# The customer material's figures, in pieces' worth (``materials_by_company``).
MATERIAL_FIGURES = (
    "sent",
    "received",
    "short",
    "consumed",
    "lost",
    "written_off",
    "returned",
    "to_confirm",
    "in_work",
    "left_over",
)


def _material_share(row: dict) -> dict:
    """One share's material from its movements. What was received and not yet consumed,
    lost, written off or returned is still at the factory: in work while the share holds the
    factory's line, left over once it does not (delivery and withdrawal account for every
    piece, so that is a share to look into)."""
    returned = row["returned_confirmed"] + row["to_confirm"]
    at_factory = max(0, row["received"] - row["consumed"] - row["lost"] - row["written_off"] - returned)
    working = row["status"] in Assignment.RESERVING
    return {
        "sent": row["sent"],
        "received": row["received"],
        "short": max(0, row["sent"] - row["received"]) if row["received"] else 0,
        "consumed": row["consumed"],
        "lost": row["lost"],
        "written_off": row["written_off"],
        "returned": row["returned_confirmed"],
        "to_confirm": row["to_confirm"],
        "in_work": at_factory if working else 0,
        "left_over": 0 if working else at_factory,
    }


def material_returned_unconfirmed() -> int:
    """Pieces' worth factories have returned that their SMEs have not yet confirmed (one
    sum, for the desk; ``materials_by_company`` has the whole picture)."""
    return (
        MaterialMovement.objects.filter(kind=MaterialMovement.Kind.RETURNED, confirmed_at__isnull=True).aggregate(
            n=Sum("quantity")
        )["n"]
        or 0
    )


def _material_rows():
    """Each share that moved material, with its movements summed per kind (one query)."""

    def moved(kind: str, **more):
        return Coalesce(
            Sum("material_movements__quantity", filter=Q(material_movements__kind=kind, **more)),
            Value(0),
            output_field=IntegerField(),
        )

    kinds = MaterialMovement.Kind
    return (
        Assignment.objects.annotate(movements=Count("material_movements"))
        .filter(movements__gt=0)
        .annotate(
            sent=moved(kinds.SENT),
            received=moved(kinds.RECEIVED),
            consumed=moved(kinds.CONSUMED),
            lost=moved(kinds.LOSS),
            written_off=moved(kinds.WRITTEN_OFF),
            returned_confirmed=moved(kinds.RETURNED, material_movements__confirmed_at__isnull=False),
            to_confirm=moved(kinds.RETURNED, material_movements__confirmed_at__isnull=True),
        )
        .values(
            "status",
            "job__sme_id",
            "job__sme__name",
            "factory_id",
            "factory__name",
            "sent",
            "received",
            "consumed",
            "lost",
            "written_off",
            "returned_confirmed",
            "to_confirm",
        )
    )


def materials_by_company() -> dict:
    """The SMEs' material at the factories, per SME and per factory, in pieces' worth: sent;
    received; short (sent but not received, of the shares whose receipt was reported);
    consumed; lost (process loss); written off; returned and confirmed by the SME; returned
    but not yet confirmed (``to_confirm``); still at the factory, in work (``in_work``) or
    left over on a share that no longer holds its line (``left_over``). Still to be returned
    to the SME: ``owed`` = ``to_confirm`` + ``left_over``.
    ``{"smes": [...], "factories": [...], "totals": {...}}``, most owed first; each row has
    ``id``, ``name``, ``shares`` and the figures."""
    shares = _material_rows()
    groups = {"smes": {}, "factories": {}}
    totals = {"shares": 0, **dict.fromkeys(MATERIAL_FIGURES, 0)}
    for row in shares:
        share = _material_share(row)
        for side, key, name in (
            ("smes", row["job__sme_id"], row["job__sme__name"]),
            ("factories", row["factory_id"], row["factory__name"]),
        ):
            group = groups[side].setdefault(key, {"id": key, "name": name, "shares": 0, **dict.fromkeys(share, 0)})
            group["shares"] += 1
            for figure, value in share.items():
                group[figure] += value
        totals["shares"] += 1
        for figure, value in share.items():
            totals[figure] += value

    def owed(rows):
        for row in rows:
            row["owed"] = row["to_confirm"] + row["left_over"]
        return sorted(rows, key=lambda row: (-row["owed"], -row["in_work"], row["name"]))

    [totals] = owed([totals | {"name": ""}])
    del totals["name"]
    return {"smes": owed(groups["smes"].values()), "factories": owed(groups["factories"].values()), "totals": totals}
