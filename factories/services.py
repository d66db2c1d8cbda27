"""Writes for factories: profile, capabilities, verification and track record."""

from collections import Counter

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import notification_send
from catalogue.models import Process
from core.errors import ConflictError, InvalidInputError, NotFoundError
from core.sql import id_in
from factories import seams
from factories.models import OFFERS_EXPIRED_REASON, SUSPENDED_REASON, Capability, FactoryProfile


def factory_profile_create(*, company) -> FactoryProfile | None:
    """A new factory starts offline and unverified, at its company's location. Registered
    on ``accounts.seams.company_registered``: every factory company gets one."""
    if not company.is_factory:
        return None
    profile, _created = FactoryProfile.objects.get_or_create(
        company=company, defaults={"lat": company.lat, "lng": company.lng}
    )
    return profile


@transaction.atomic
def factory_profile_update(*, company, **fields) -> FactoryProfile:
    """Change location, radius or the online flag. Going online needs a location; going
    offline takes back the factory's pending offers (after commit, through the seam)."""
    profile = FactoryProfile.objects.select_for_update().get(company=company)
    allowed = {"lat", "lng", "service_radius_km", "online"}
    unknown = set(fields) - allowed
    if unknown:
        raise InvalidInputError(_("Read-only or unknown fields."), fields={name: [_("Read-only.")] for name in unknown})
    for name, value in fields.items():
        setattr(profile, name, value)
    if profile.online and (profile.lat is None or profile.lng is None):
        raise InvalidInputError(_("Set lat and lng before going online."), fields={"online": [_("Location required.")]})
    changed = [*fields, "updated_at"]
    if fields.get("online"):
        profile.offline_reason = ""
        profile.consecutive_offer_expiries = 0
        changed += ["offline_reason", "consecutive_offer_expiries"]
    profile.save(update_fields=changed)
    seams.factory_changed(company_id=company.id)
    if not profile.online:
        _unavailable_after_commit(company.id, "the factory went offline")
    return profile


@transaction.atomic
def factory_availability_set(*, company_id: int, online: bool, reason: str) -> FactoryProfile:
    """An admin takes a factory offline or brings it back, saying why (the admin's history
    keeps who: ``FactoryProfileAdmin``). Offline, the reason
    is the profile's ``offline_reason`` (the factory's app shows it); either way the rules
    of ``factory_profile_update`` hold (a location to go online; offers taken back)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInputError(_("Say why."), fields={"reason": [_("Required.")]})
    profile = FactoryProfile.objects.select_related("company").filter(company_id=company_id).first()
    if profile is None:
        raise NotFoundError(_("No such factory."))
    profile = factory_profile_update(company=profile.company, online=online)
    if not online:
        profile.offline_reason = reason[:200]
        profile.save(update_fields=["offline_reason", "updated_at"])
    return profile


def _unavailable_after_commit(company_id: int, reason: str) -> None:
    """Tell the apps above (orders withdraws pending offers) once this change commits.

    After commit, in their own transactions: an offer is locked after its job, and this
    transaction holds the factory profile, which comes after both in the lock order.
    """
    transaction.on_commit(lambda: seams.factory_unavailable(company_id=company_id, reason=reason))


@transaction.atomic
def factory_verify(*, company_id: int, admin, status: str = FactoryProfile.Verification.VERIFIED) -> FactoryProfile:
    profile = FactoryProfile.objects.select_for_update().filter(company_id=company_id).first()
    if profile is None:
        raise NotFoundError(_("No such factory."))
    if status not in FactoryProfile.Verification.values:
        raise InvalidInputError(_("Unknown verification status."), fields={"status": [_("Unknown value.")]})
    profile.verification = status
    profile.verified_at = timezone.now() if status == FactoryProfile.Verification.VERIFIED else profile.verified_at
    profile.verified_by = admin
    if status == FactoryProfile.Verification.SUSPENDED:
        profile.online = False
        profile.offline_reason = SUSPENDED_REASON
    profile.save(update_fields=["verification", "verified_at", "verified_by", "online", "offline_reason", "updated_at"])
    seams.factory_changed(company_id=company_id)
    if status != FactoryProfile.Verification.VERIFIED:
        _unavailable_after_commit(company_id, f"the factory is {status}")
    return profile


@transaction.atomic
def capability_create(*, company, process, unit_price_fen, daily_capacity, min_quantity=1, lead_time_days=0):
    try:
        with transaction.atomic():
            capability = Capability.objects.create(
                factory_id=company.id,
                process=process,
                unit_price_fen=unit_price_fen,
                daily_capacity=daily_capacity,
                min_quantity=min_quantity,
                lead_time_days=lead_time_days,
            )
    except IntegrityError:
        raise ConflictError(
            _("This factory already has a capability for that process; change it instead."),
            code="capability_exists",
            fields={"process": [_("Already offered.")]},
        ) from None
    seams.factory_changed(company_id=company.id)
    return capability


@transaction.atomic
def capability_update(*, capability: Capability, **fields) -> Capability:
    for name, value in fields.items():
        if name not in {"unit_price_fen", "daily_capacity", "min_quantity", "lead_time_days"}:
            raise InvalidInputError(_("Unknown field."), fields={name: [_("Unknown field.")]})
        setattr(capability, name, value)
    capability.save(update_fields=list(fields) or None)
    seams.factory_changed(company_id=capability.factory_id)
    return capability


@transaction.atomic
def capability_delete(*, capability: Capability) -> None:
    # Live assignments keep their price and quantity on the assignment itself; deleting
    # the capability only stops new matches.
    capability.delete()
    seams.factory_changed(company_id=capability.factory_id)


# Locks, for the order services that book a factory's capacity (lock order everywhere:
# job, then its assignments, then factory profiles by company id, then ledger accounts).
def factory_profile_lock(*, company_id: int) -> FactoryProfile:
    return FactoryProfile.objects.select_for_update().get(company_id=company_id)


def factory_profiles_lock(*, company_ids) -> list[int]:
    """Lock several profiles in company id order; returns the ids locked."""
    return list(
        FactoryProfile.objects.select_for_update()
        .filter(company_id__in=set(company_ids))
        .order_by("company_id")
        .values_list("company_id", flat=True)
    )


def factory_profiles_available(*, company_ids=None) -> list[FactoryProfile]:
    """Verified, online factories with a location (of ``company_ids``, if given), for a
    dispatch batch to plan with. Read, not locked: a batch's transaction runs for a second or
    more, and a factory's own request (a grab accept books capacity under its profile's lock)
    must never wait for it. An offer is a proposal: its accept checks the factory's capacity
    and availability again under that lock, so a factory that booked work or went offline
    while a batch planned at worst gets an offer its accept refuses."""
    profiles = FactoryProfile.objects.filter(
        verification=FactoryProfile.Verification.VERIFIED, online=True, lat__isnull=False
    )
    if company_ids is not None:
        profiles = profiles.filter(company_id__in=id_in(company_ids))
    return list(profiles.order_by("company_id"))


# Track record: called by the order services that cause each change (caller holds the
# job lock; F() keeps concurrent updates of one factory exact).
def factory_record_taken(*, company_id: int) -> None:
    FactoryProfile.objects.filter(company_id=company_id).update(jobs_taken=F("jobs_taken") + 1)


def factory_record_withdrawal(*, company_id: int) -> None:
    FactoryProfile.objects.filter(company_id=company_id).update(cancellations=F("cancellations") + 1)


def factory_record_completion(*, company_id: int, rating: int | None, on_time: bool) -> None:
    updates = {"jobs_completed": F("jobs_completed") + 1, "jobs_on_time": F("jobs_on_time") + int(on_time)}
    if rating is not None:
        updates.update(rating_sum=F("rating_sum") + rating, rating_count=F("rating_count") + 1)
    FactoryProfile.objects.filter(company_id=company_id).update(**updates)


# A batch's counts in one statement, whatever its size.
_ADD_OFFERS_RECEIVED_SQL = """
UPDATE factories_factoryprofile p SET offers_received = p.offers_received + r.n
FROM unnest(%s::bigint[], %s::integer[]) AS r(company_id, n) WHERE p.company_id = r.company_id
"""


def factory_record_offers_received(*, company_ids) -> None:
    """Count the offers a batch made: ``company_ids`` names each offer's factory (a factory
    given three jobs in a batch received three offers, and its acceptance rate divides by
    three). One statement (10,000 offers over 2,000 factories took about 0.1 s as one update
    per distinct count)."""
    counts = Counter(company_ids)
    if not counts:
        return
    with connection.cursor() as cursor:
        cursor.execute(_ADD_OFFERS_RECEIVED_SQL, [list(counts), list(counts.values())])


def factory_record_offer_accepted(*, company_id: int) -> None:
    FactoryProfile.objects.filter(company_id=company_id).update(
        offers_accepted=F("offers_accepted") + 1, consecutive_offer_expiries=0
    )


def factory_record_offer_declined(*, company_id: int) -> None:
    """An answer, if a no: the run of unanswered offers is broken."""
    FactoryProfile.objects.filter(company_id=company_id).update(consecutive_offer_expiries=0)


def factory_record_offer_expired(*, company_id: int, offer_id: int) -> FactoryProfile:
    """An offer went unanswered. After DISPATCH_EXPIRIES_TO_OFFLINE in a row the factory is
    switched offline and told why; its other pending offers are taken back after commit."""
    profile = factory_profile_lock(company_id=company_id)
    profile.consecutive_offer_expiries += 1
    fields = ["consecutive_offer_expiries", "updated_at"]
    if profile.consecutive_offer_expiries >= settings.DISPATCH_EXPIRIES_TO_OFFLINE and profile.online:
        profile.online = False
        profile.offline_reason = OFFERS_EXPIRED_REASON.format(count=profile.consecutive_offer_expiries)
        fields += ["online", "offline_reason"]
        notification_send(
            company_id=company_id,
            kind="switched_offline",
            message=(
                f"连续 {profile.consecutive_offer_expiries} 个派单邀约未应答，已将您切换为离线；能接单时请重新上线。"
                f" You were switched offline because {profile.consecutive_offer_expiries} offers in a row expired "
                "without an answer. Go online again when you can take work."
            ),
            data={"offer_id": offer_id},
        )
    profile.save(update_fields=fields)
    if "online" in fields:
        seams.factory_changed(company_id=company_id)
    if not profile.online:
        # Also when it was offline already: offers a failed withdrawal left behind go now.
        _unavailable_after_commit(company_id, "the factory was switched offline")
    return profile


def factory_demo_setup(*, company, radius_km: int, capabilities, verified_by) -> FactoryProfile:
    """Seed helper: a verified, online factory with the given capabilities."""
    factory_profile_create(company=company)
    factory_verify(company_id=company.id, admin=verified_by)
    for code, price, capacity, min_qty, lead in capabilities:
        capability_create(
            company=company,
            process=Process.objects.get(code=code),
            unit_price_fen=price,
            daily_capacity=capacity,
            min_quantity=min_qty,
            lead_time_days=lead,
        )
    return factory_profile_update(company=company, service_radius_km=radius_km, online=True)
