"""Quoting and posting a job: the terms are checked, the spec is validated against the
process's schema, and the job is created awaiting payment together with its payment."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.models import Process
from catalogue.selectors import process_get_by_code
from catalogue.specs import spec_validate
from core.errors import InvalidInputError
from factories import selectors as factory_selectors
from orders.models import Job
from orders.transitions import JOB
from payments import services as payment_services

MAX_QUANTITY = 10_000_000
MAX_UNIT_PRICE_FEN = 100_000_00  # 100,000 yuan a piece is far beyond any sub-process
MAX_DEADLINE_DAYS = 365
MIN_LEAD_MINUTES = 60


def _validate_job_terms(*, quantity, deadline, unit_price_fen=None, now=None) -> None:
    now = now or timezone.now()
    fields = {}
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 < quantity <= MAX_QUANTITY:
        fields["quantity"] = [f"A whole number from 1 to {MAX_QUANTITY}."]
    if deadline is None or deadline < now + timedelta(minutes=MIN_LEAD_MINUTES):
        fields["deadline"] = [f"Must be at least {MIN_LEAD_MINUTES} minutes in the future."]
    elif deadline > now + timedelta(days=MAX_DEADLINE_DAYS):
        fields["deadline"] = [f"Must be within {MAX_DEADLINE_DAYS} days."]
    if unit_price_fen is not None and not 0 < unit_price_fen <= MAX_UNIT_PRICE_FEN:
        fields["unit_price_fen"] = [f"From 1 to {MAX_UNIT_PRICE_FEN} fen."]
    if fields:
        raise InvalidInputError(_("The job's terms are not valid."), fields=fields)


def _process_or_400(code) -> Process:
    process = process_get_by_code(code) if isinstance(code, str) else None
    if process is None:
        raise InvalidInputError(
            _("Unknown process."), code="unknown_process", fields={"process": [_("Unknown process.")]}
        )
    return process


def job_quote(*, process_code: str, quantity: int, deadline, spec: dict | None = None, now=None) -> dict:
    """A fair unit price: the larger of the catalogue's reference price and the median live
    price of verified factories for the process, plus an urgency surcharge when the
    deadline is near (URGENCY_SURCHARGE), rounded up to the fen. The spec is optional (the
    price does not depend on it) but checked when given."""
    now = now or timezone.now()
    process = _process_or_400(process_code)
    if spec is not None:
        spec_validate(process.spec_schema, spec)
    _validate_job_terms(quantity=quantity, deadline=deadline, now=now)
    prices = factory_selectors.verified_prices(process_id=process.id)
    median = prices[len(prices) // 2] if prices else 0
    base = max(process.reference_unit_price_fen, median)
    hours = (deadline - now).total_seconds() / 3600
    surcharge_bps = next((bps for limit, bps in settings.URGENCY_SURCHARGE if hours < limit), 0)
    unit_price = -(-base * (10000 + surcharge_bps) // 10000)
    return {
        "unit_price_fen": unit_price,
        "total_fen": unit_price * quantity,
        "currency": settings.CURRENCY,
        "reference_unit_price_fen": process.reference_unit_price_fen,
        "market_unit_price_fen": median or None,
        "urgency_surcharge_bps": surcharge_bps,
    }


@transaction.atomic
def job_post(
    *,
    sme,
    user,
    process_code: str,
    quantity: int,
    spec: dict,
    deadline,
    unit_price_fen: int,
    mode: str = Job.Mode.GRAB,
    allow_split: bool = False,
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
) -> Job:
    """Create the job awaiting payment, and its payment. It opens when the payment succeeds."""
    process = _process_or_400(process_code)
    spec_validate(process.spec_schema, spec)
    _validate_job_terms(quantity=quantity, deadline=deadline, unit_price_fen=unit_price_fen)
    if mode not in Job.Mode.values:
        raise InvalidInputError(_("Unknown mode."), fields={"mode": [_("grab or dispatch.")]})
    lat = sme.lat if lat is None else lat
    lng = sme.lng if lng is None else lng
    if lat is None or lng is None:
        raise InvalidInputError(
            _("Where is the material handed over? Give lat and lng (or set your company's location)."),
            fields={"lat": [_("Required.")], "lng": [_("Required.")]},
        )
    job = Job.objects.create(
        sme=sme,
        created_by=user,
        process=process,
        spec=spec,
        quantity=quantity,
        unit_price_fen=unit_price_fen,
        total_fen=quantity * unit_price_fen,
        currency=settings.CURRENCY,
        deadline=deadline,
        lat=lat,
        lng=lng,
        address=address or sme.address,
        mode=mode,
        allow_split=allow_split,
    )
    JOB.record(job, action="posted", actor=user, new=job.status, data={"total_fen": job.total_fen})
    job.payment = payment_services.payment_create(
        job_id=job.id, sme_id=sme.id, amount_fen=job.total_fen, currency=job.currency
    )
    return job
