"""Writes for participants: registration (user, company and membership together), company
details, and the notifications a company's app reads. Only these functions write the
accounts tables."""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from accounts import seams
from accounts.models import Company, Membership, Notification
from core.errors import InvalidInputError

User = get_user_model()


@transaction.atomic
def company_register(
    *,
    username: str,
    password: str,
    company_name: str,
    kind: str,
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
) -> tuple:
    """Create the user, its company and the membership in one transaction.

    Returns ``(user, company)``. A taken username is a field error, also when two
    registrations race for it (the unique index decides). The apps above add what a new
    company needs (a factory's profile) through the ``company_registered`` seam.
    """
    if kind not in Company.Kind.values:
        raise InvalidInputError("Unknown company kind.", fields={"company": {"kind": ["Must be sme or factory."]}})
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, password=password)
    except IntegrityError:
        raise InvalidInputError(
            "A user with that username already exists.",
            code="username_taken",
            fields={"username": ["A user with that username already exists."]},
        ) from None
    company = Company.objects.create(name=company_name, kind=kind, lat=lat, lng=lng, address=address or "")
    Membership.objects.create(user=user, company=company, role=Membership.Role.OWNER)
    seams.company_registered(company=company)
    return user, company


@transaction.atomic
def company_update(*, company_id: int, **fields) -> Company:
    """Change a company's name, location or address (the admin's edits come here)."""
    allowed = {"name", "lat", "lng", "address"}
    unknown = set(fields) - allowed
    if unknown:
        raise InvalidInputError("Read-only or unknown fields.", fields={name: ["Read-only."] for name in unknown})
    company = Company.objects.select_for_update().get(id=company_id)
    for name, value in fields.items():
        setattr(company, name, value)
    if fields:
        company.save(update_fields=list(fields))
    return company


def notification_send(*, company_id: int, kind: str, message: str, data: dict | None = None) -> Notification:
    """A message for the company's app, in the caller's transaction (it exists iff the
    change it tells of committed)."""
    return Notification.objects.create(company_id=company_id, kind=kind, message=message[:500], data=data or {})
