"""A dispatch offer's life after the batch made it: accepted (the factory takes the job or
its share), declined, expired, or withdrawn (the job was taken, cancelled or expired, or the
factory went offline). A declined or expired offer is a miss: the job goes back to the
next batch without that factory, and after DISPATCH_MISSES_TO_BOARD misses it also joins
the grab board. The factory's record (acceptances, expiries in a row, being switched
offline) is kept by ``factories.services``."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ConflictError, InvalidInputError, NotFoundError
from factories import services as factory_services
from orders import events
from orders.models import Assignment, Job, Offer
from orders.services.assignments import assignment_create
from orders.services.board import board_job_publish
from orders.services.locking import job_event, job_lock

OS = Offer.Status


def _offer_for_factory(offer_id, factory) -> Offer:
    offer = Offer.objects.filter(id=offer_id, factory_id=factory.id).first() if factory else None
    if offer is None:
        raise NotFoundError(_("No such offer."))
    return offer


def _offer_conflict(offer: Offer) -> ConflictError:
    return ConflictError(
        _("This offer is %(status)s.") % {"status": offer.get_status_display()},
        code=f"offer_{offer.status}",
        fields={"status": [offer.status]},
    )


def _answer(offer: Offer, to: str, *, now=None, **fields) -> None:
    """Close a pending offer (caller holds the job lock, then the offer's); the factory's
    stream hears of it (its other phones too)."""
    offer.status = to
    offer.responded_at = now or timezone.now()
    for name, value in fields.items():
        setattr(offer, name, value)
    offer.save(update_fields=["status", "responded_at", *fields])
    events.offer_closed(offer_id=offer.id, job_id=offer.job_id, factory_id=offer.factory_id, status=to)


def _record_miss(job: Job, *, user=None, action: str, data: dict) -> None:
    """A declined or expired offer: the job goes back to the next batch without that
    factory, and after DISPATCH_MISSES_TO_BOARD misses it joins the grab board too."""
    job.dispatch_misses += 1
    fields = ["dispatch_misses", "updated_at"]
    if job.dispatch_misses >= settings.DISPATCH_MISSES_TO_BOARD and not job.on_board:
        job.on_board = True
        fields.append("on_board")
        data = {**data, "on_board": True}
    job.save(update_fields=fields)
    job_event(job, action=action, user=user, data=data)
    if "on_board" in fields:
        board_job_publish(job)


@transaction.atomic
def offer_accept(*, offer_id: int, factory, user) -> Assignment:
    """The factory takes the offered job (or share): 201 assignment, 409 if it is gone."""
    offer = _offer_for_factory(offer_id, factory)
    job = job_lock(offer.job_id)
    offer = Offer.objects.select_for_update().get(id=offer.id)
    if offer.status == OS.ACCEPTED:
        return offer.assignment  # a retry
    if offer.status != OS.PENDING:
        raise _offer_conflict(offer)
    if offer.expires_at <= timezone.now():
        raise ConflictError(_("This offer has expired."), code="offer_expired", fields={"status": ["expired"]})
    if job.status != Job.Status.OPEN:
        raise ConflictError(_("This job is no longer open."), code="already_taken")
    try:
        assignment = assignment_create(
            job=job,
            factory=factory,
            user=user,
            quantity=offer.quantity,
            via="offer",
            offer_id=offer.id,
            as_of=offer.planned_at,
        )
    except (NotFoundError, InvalidInputError):
        # The offer exists, but the factory went offline, lost its verification or its
        # capability, or the job changed since: the offer is gone, not unknown, and an
        # accept (which has no body) is never a 400.
        raise ConflictError(
            _("You can no longer take this offer (offline, unverified, capability or job changed)."),
            code="offer_not_eligible",
        ) from None
    _answer(offer, OS.ACCEPTED, assignment=assignment)
    factory_services.factory_record_offer_accepted(company_id=factory.id)
    return assignment


@transaction.atomic
def offer_decline(*, offer_id: int, factory, user, reason: str = "") -> Offer:
    offer = _offer_for_factory(offer_id, factory)
    job = job_lock(offer.job_id)
    offer = Offer.objects.select_for_update().get(id=offer.id)
    if offer.status == OS.DECLINED:
        return offer
    if offer.status != OS.PENDING:
        raise _offer_conflict(offer)
    _answer(offer, OS.DECLINED, decline_reason=reason)
    factory_services.factory_record_offer_declined(company_id=factory.id)
    _record_miss(
        job, user=user, action="offer_declined", data={"offer_id": offer.id, "factory_id": factory.id, "reason": reason}
    )
    return offer


def offers_expire(*, now=None) -> int:
    """Expire pending offers past their time, one transaction each; returns how many."""
    now = now or timezone.now()
    expired = 0
    for offer_id, job_id in Offer.objects.filter(status=OS.PENDING, expires_at__lte=now).values_list("id", "job_id"):
        expired += _offer_expire(offer_id=offer_id, job_id=job_id, now=now)
    return expired


@transaction.atomic
def _offer_expire(*, offer_id: int, job_id: int, now) -> int:
    job = job_lock(job_id)
    offer = Offer.objects.select_for_update().get(id=offer_id)
    if offer.status != OS.PENDING or offer.expires_at > now:
        return 0
    _answer(offer, OS.EXPIRED, now=now)
    _record_miss(job, action="offer_expired", data={"offer_id": offer.id, "factory_id": offer.factory_id})
    factory_services.factory_record_offer_expired(company_id=offer.factory_id, offer_id=offer.id)
    return 1


def offers_withdraw_for_factory(*, company_id: int, reason: str) -> int:
    """Take back a factory's pending offers (it went offline or was suspended), one job
    lock at a time in the usual order; not counted as misses. Returns how many.
    Registered on ``factories.seams.factory_unavailable``."""
    withdrawn = 0
    for offer_id, job_id in Offer.objects.filter(factory_id=company_id, status=OS.PENDING).values_list("id", "job_id"):
        with transaction.atomic():
            job = job_lock(job_id)
            updated = Offer.objects.filter(id=offer_id, status=OS.PENDING).update(
                status=OS.WITHDRAWN, responded_at=timezone.now(), decline_reason=reason[:500]
            )
            if updated:
                job_event(job, action="offer_withdrawn", data={"offer_id": offer_id, "reason": reason})
                events.offer_closed(
                    offer_id=offer_id, job_id=job_id, factory_id=company_id, status=OS.WITHDRAWN, reason=reason
                )
                withdrawn += 1
    return withdrawn
