"""Writes for participants: registration (user, company and membership together), company
details, and the notifications a company's app reads (events of type ``notification`` in
its stream). Only these functions write the accounts tables."""

from django.contrib.auth import authenticate, get_user_model, password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import seams
from accounts.events import Notification
from accounts.identity import canonical_username, username_problem
from accounts.lockout import (
    LockedOutError,
    locked_out_message,
    password_failure_record,
    password_failures_check,
    password_failures_clear,
)
from accounts.models import Company, Identity, Membership
from core.errors import InvalidInputError
from core.models import StreamEvent

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
    registrations race for it, and when it differs from a taken one only by case or Unicode
    form (the unique indexes on the username and its canonical form decide). The apps above add what a new
    company needs (a factory's profile) through the ``company_registered`` seam.
    """
    if kind not in Company.Kind.values:
        raise InvalidInputError(
            _("Unknown company kind."), fields={"company": {"kind": [_("Must be sme or factory.")]}}
        )
    problem = username_problem(username)
    if problem:
        raise InvalidInputError(problem, code="username_confusable", fields={"username": [problem]})
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, password=password)
    except IntegrityError:
        raise InvalidInputError(
            _("A user with that username already exists."),
            code="username_taken",
            fields={"username": [_("A user with that username already exists.")]},
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
        raise InvalidInputError(_("Read-only or unknown fields."), fields={name: [_("Read-only.")] for name in unknown})
    company = Company.objects.select_for_update().get(id=company_id)
    for name, value in fields.items():
        setattr(company, name, value)
    if fields:
        company.save(update_fields=list(fields))
    return company


def notification_send(*, company_id: int, kind: str, message: str, data: dict | None = None) -> StreamEvent:
    """A message for the company's people: an event of type ``notification`` in its stream
    (pushed to its phones, listed by ``GET /api/v1/notifications``), written in the caller's
    transaction, so it exists iff the change it tells of committed. ``message`` is what a
    person reads: Chinese and English."""
    return Notification.emit_one(company_id, {"kind": kind, "message": message[:500], "data": data or {}})


def identity_sync(*, user) -> None:
    """Keep the user's canonical username (``accounts.identity``) unique and current. Called
    for every save of a user (``post_save`` receiver, registered in AccountsConfig.ready), so
    a user made anywhere, ``createsuperuser`` included, claims its name; a clash is an
    IntegrityError the caller's transaction refuses."""
    canonical = canonical_username(user.get_username())
    Identity.objects.update_or_create(user=user, defaults={"canonical_username": canonical})


def password_change(*, user, old_password: str, new_password: str, request=None):
    """Check the old password, validate the new one, and revoke every token issued before:
    access tokens by the password hash they carry, refresh tokens by the blacklist.

    A wrong old password counts against the account (``accounts.lockout``: 429 ``locked_out``
    after LOGIN_FAILURE_LIMIT) and, given the ``request``, as a failed login of this username
    from its address in django-axes, whose lockout then refuses this and the login alike.
    """
    password_failures_check(user_id=user.pk)
    if request is not None:
        # Through the authentication backends, so axes counts (and may refuse) the attempt.
        checked = authenticate(request, username=user.get_username(), password=old_password)
        if getattr(request, "axes_locked_out", False):
            raise LockedOutError(locked_out_message())
        right = checked is not None and checked.pk == user.pk
    else:
        right = user.check_password(old_password)
    if not right:
        password_failure_record(user_id=user.pk)
        raise InvalidInputError(_("The old password is wrong."), fields={"old_password": [_("Wrong password.")]})
    try:
        password_validation.validate_password(new_password, user=user)
    except DjangoValidationError as exc:
        raise InvalidInputError(_("Choose another password."), fields={"new_password": list(exc.messages)}) from None
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        for token in OutstandingToken.objects.filter(user=user):
            BlacklistedToken.objects.get_or_create(token=token)
    password_failures_clear(user_id=user.pk)
    return user


def refresh_token_revoke(*, user, refresh: str) -> None:
    """Log out: the refresh token (which must be the caller's own) is refused from now on."""
    try:
        token = RefreshToken(refresh)
    except TokenError:
        raise InvalidInputError(
            _("Not a valid refresh token."), fields={"refresh": [_("Invalid or expired.")]}
        ) from None
    if str(token.get(jwt_settings.USER_ID_CLAIM)) != str(user.pk):
        raise InvalidInputError(_("Not your refresh token."), fields={"refresh": [_("Not yours.")]})
    token.blacklist()
