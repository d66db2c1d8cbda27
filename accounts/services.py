"""Writes for participants: registration creates user, company and membership together."""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from accounts.models import Company, Membership
from core.errors import InvalidInputError
from factories.services import factory_profile_create

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
    registrations race for it (the unique index decides).
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
    if company.is_factory:
        factory_profile_create(company=company)
    return user, company
