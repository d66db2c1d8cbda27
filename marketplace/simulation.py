"""A day of the cluster, compressed: SMEs post and pay jobs, dispatch batches and the grab
board match them, factories produce and deliver, SMEs inspect each lot by its GB/T 2828.1
plan (each factory makes defects at its own rate) and accept it or send it back for rework,
settlement runs.

Everything goes through the real services (the same ones the API, the beat tasks and the
webhook handler call); only time is compressed: one tick stands for one hour, and the
payment webhook is applied directly instead of travelling through the gateway. Used by
``python manage.py simulate``.
"""

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import Company
from accounts.services import company_register
from catalogue.models import Process
from core.errors import ApplicationError
from factories import services as factory_services
from factories.models import FactoryProfile
from orders import services as order_services
from orders.models import Assignment, Inspection, Job, Offer
from orders.selectors import assignment_inspection, board_list_for_factory
from payments import selectors as payment_selectors
from payments import services as payment_services
from payments.services import settlement

CENTRE = (36.264, 120.033)
SIM_PASSWORD = "sim-pass-2026"  # noqa: S105 - simulated accounts only
PROCESSES = {
    "velcro_sewing": {"width_mm": 25, "color": "black", "stitch": "box_x"},
    "webbing_cutting": {"width_mm": 25, "length_mm": 300, "material": "polyester"},
    "embroidery": {"stitch_count": 6000, "colors": 4, "position": "front"},
}


@dataclass
class Report:
    """What the run did. Its figures (posted, matched, time to match, utilisation) are read
    back from the database by ``marketplace.report.run_figures``, as the dashboard reads them;
    the run keeps what only it knows: which simulated hour each job was posted in and when
    each simulated hour began."""

    posted: int = 0
    completed: int = 0
    cancelled: int = 0
    posted_hour: dict = field(default_factory=dict)  # job id -> the simulated hour it was posted in
    hour_started: list = field(default_factory=list)  # simulated hour -> when it began (real time)
    factory_ids: list = field(default_factory=list)
    steps: Counter = field(default_factory=Counter)
    batches: int = 0
    lots_inspected: int = 0  # original inspections (a lot's first)
    lots_accepted_first: int = 0
    reinspections: int = 0
    defect_rates: dict = field(default_factory=dict)  # factory id -> defects per piece
    started_at: object = None  # when the run began: the report counts the dashboard from here


def _near(rng, km):
    return CENTRE[0] + rng.uniform(-km, km) / 111, CENTRE[1] + rng.uniform(-km, km) / 90


def _member(rng, username, name, kind):
    lat, lng = _near(rng, 15)
    return company_register(username=username, password=SIM_PASSWORD, company_name=name, kind=kind, lat=lat, lng=lng)


def _cast(rng, tag, n_smes, n_factories):
    smes = [_member(rng, f"sim{tag}_sme{i}", f"Sim SME {tag}-{i}", Company.Kind.SME) for i in range(n_smes)]
    # A platform admin acts for no company, as in seed_demo.
    admin = get_user_model().objects.create_user(username=f"sim{tag}_ops", password=SIM_PASSWORD, is_staff=True)
    factories = []
    for i in range(n_factories):
        user, company = _member(rng, f"sim{tag}_factory{i}", f"Sim Factory {tag}-{i}", Company.Kind.FACTORY)
        capabilities = [
            (
                code,
                Process.objects.get(code=code).reference_unit_price_fen - rng.randint(0, 2),
                rng.choice([3000, 5000, 8000]),
                100,
                0,
            )
            for code in rng.sample(sorted(PROCESSES), rng.randint(1, 3))
        ]
        factory_services.factory_demo_setup(company=company, radius_km=35, capabilities=capabilities, verified_by=admin)
        factories.append((user, company))
    return smes, factories, admin


def _try(report, name, call, **kwargs):
    try:
        result = call(**kwargs)
        report.steps[name] += 1
        return result
    except ApplicationError:
        report.steps[f"{name} refused"] += 1
        return None


def simulate(*, hours=24, smes=8, factories=6, jobs_per_hour=3, seed=1, echo=print, progress=None) -> Report:
    """``progress(hour, hours, line)``, when given, is told of each simulated hour instead of ``echo``."""
    started_at = timezone.now()
    rng = random.Random(seed)  # noqa: S311 - a reproducible simulation, not security
    tag = f"{seed}_{timezone.now():%H%M%S}"
    sme_pairs, factory_pairs, admin = _cast(rng, tag, smes, factories)
    factory_users = {company.id: user for user, company in factory_pairs}
    report = Report(started_at=started_at, factory_ids=[company.id for _, company in factory_pairs])
    # Each factory's workmanship: the chance a piece has a major defect (minor twice that,
    # critical a twentieth); the SMEs' inspections find them in the sample.
    report.defect_rates = {company.id: rng.choice([0.005, 0.02, 0.08]) for _, company in factory_pairs}
    for hour in range(hours):
        report.hour_started.append(timezone.now())
        for _ in range(rng.randint(0, 2 * jobs_per_hour)):
            _post_and_pay(rng, report, sme_pairs, hour)
        order_services.dispatch_run_batch()
        _answer_offers(rng, report, factory_users)
        _grab_from_boards(rng, report, factory_pairs)
        # production moves one step an hour
        for assignment in Assignment.objects.filter(factory_id__in=factory_users, status__in=Assignment.LIVE):
            _advance(rng, report, assignment, factory_users[assignment.factory_id])
        # matched as the dashboard counts it: a job of the run that a factory has taken a share of
        matched = Assignment.objects.filter(job_id__in=report.posted_hour).values("job_id").distinct().count()
        line = (
            f"hour {hour + 1:>2}: {report.posted} posted, {matched} matched, "
            f"{Assignment.objects.filter(factory_id__in=factory_users, status='completed').count()} completed"
        )
        if progress:
            progress(hour + 1, hours, line)
        else:
            echo(line)
    # settlement: the system builds, a second admin approves
    batches = settlement.settlement_build(cutoff=timezone.now() + timedelta(seconds=1))
    mine = [b for b in batches if b.factory_id in factory_users]
    for batch in mine:
        _try(report, "settlement approved", settlement.settlement_approve, batch_id=batch.id, admin=admin)
    report.batches = len(mine)
    _count_inspections(report, factory_users)
    report.completed = Assignment.objects.filter(factory_id__in=factory_users, status="completed").count()
    report.cancelled = Job.objects.filter(sme__in=[c for _, c in sme_pairs], status="cancelled").count()
    return report


def _post_and_pay(rng, report, sme_pairs, hour) -> None:
    """An SME quotes, posts and pays a job (the webhook applied directly); a few cancel."""
    user, company = rng.choice(sme_pairs)
    code = rng.choice(sorted(PROCESSES))
    quantity = rng.choice([500, 1000, 2000, 5000, 8000])
    deadline = timezone.now() + timedelta(days=rng.randint(2, 6))
    quote = order_services.job_quote(process_code=code, quantity=quantity, spec=PROCESSES[code], deadline=deadline)
    job = _try(
        report,
        "post",
        order_services.job_post,
        sme=company,
        user=user,
        process_code=code,
        quantity=quantity,
        spec=PROCESSES[code],
        deadline=timezone.now() + timedelta(days=rng.randint(2, 6)),
        unit_price_fen=quote["unit_price_fen"],
        mode=rng.choice(["grab", "dispatch"]),
        allow_split=quantity >= 5000 and rng.random() < 0.5,
    )
    if job is None:
        return
    report.posted += 1
    payment_services.payment_captured(payment_id=job.payment.id, provider_ref=f"sim-{job.id}")
    report.posted_hour[job.id] = hour
    if rng.random() < 0.05:
        _try(report, "cancel", order_services.job_cancel, job_id=job.id, sme=company, user=user, reason="plans changed")


def _answer_offers(rng, report, factory_users) -> None:
    """Each pending offer of a simulated factory is accepted (85%) or declined."""
    for offer in Offer.objects.filter(status="pending", factory_id__in=factory_users):
        factory_user = factory_users[offer.factory_id]
        if rng.random() < 0.85:
            _try(
                report,
                "offer accepted",
                order_services.offer_accept,
                offer_id=offer.id,
                factory=offer.factory,
                user=factory_user,
            )
        else:
            _try(
                report,
                "offer declined",
                order_services.offer_decline,
                offer_id=offer.id,
                factory=offer.factory,
                user=factory_user,
                reason="busy",
            )


def _grab_from_boards(rng, report, factory_pairs) -> None:
    """Each factory may take the nearest job its board shows."""
    for user, company in factory_pairs:
        nearest = board_list_for_factory(profile=FactoryProfile.objects.get(company=company))[0:1]
        if nearest and rng.random() < 0.7:
            _try(report, "grab", order_services.board_accept, job_id=nearest[0].job.id, factory=company, user=user)


def _advance(rng, report, assignment, factory_user):
    job = assignment.job
    sme_user = job.sme.memberships.first().user
    if assignment.status == "assigned":
        _try(
            report,
            "materials sent",
            order_services.assignment_materials_sent,
            assignment_id=assignment.id,
            company=job.sme,
            user=sme_user,
        )
    elif assignment.status == "materials_sent":
        received = assignment.quantity - (rng.randint(0, assignment.quantity // 100) if rng.random() < 0.2 else 0)
        _try(
            report,
            "materials received",
            order_services.assignment_materials_received,
            assignment_id=assignment.id,
            company=assignment.factory,
            user=factory_user,
            quantity_received=received,
        )
    elif assignment.status == "in_production":
        received = assignment.quantity_received or 0
        lost = min(order_services.material_loss_allowance(assignment), rng.randint(0, 5))
        delivered, lost = max(1, received - lost), lost if received - lost >= 1 else 0
        if assignment.quantity_delivered is not None:  # reworked after a rejected inspection: the whole lot
            delivered, lost = assignment.quantity_delivered, 0
        _try(
            report,
            "delivered",
            order_services.assignment_deliver,
            assignment_id=assignment.id,
            company=assignment.factory,
            user=factory_user,
            quantity_delivered=delivered,
            quantity_lost=lost,
        )
    elif assignment.status == "delivered" and _inspect(rng, report, assignment, job, sme_user):
        pass  # inspected this hour; a lot accepted is accepted the next
    elif assignment.status == "delivered":
        delivered = assignment.quantity_delivered or 0
        rejects = rng.randint(0, delivered // 50) if rng.random() < 0.3 else 0
        _try(
            report,
            "accepted",
            order_services.assignment_accept,
            assignment_id=assignment.id,
            company=job.sme,
            user=sme_user,
            quantity_accepted=delivered - rejects,
            rating=rng.randint(3, 5),
        )


def _inspect(rng, report, assignment, job, sme_user) -> bool:
    """The SME inspects the delivered lot by its plan if it has not yet: each sampled piece
    of each class is defective at the factory's rate; the found defects go on the class's
    first checklist item. True when it inspected."""
    page = assignment_inspection(assignment_id=assignment.id, company=job.sme)
    plan = page["plan"]
    if plan is None:
        return False
    # a reworked lot comes back better: a fifth of the defects each time
    rate = report.defect_rates.get(assignment.factory_id, 0.02) / 5 ** len(page["inspections"])
    rates = {"critical": rate / 20, "major": rate, "minor": 2 * rate}
    first_item = {}
    for item in page["standard"].inspection_items.all():
        first_item.setdefault(item.defect_class, item.code)
    defects = {}
    for defect_class, entry in plan["classes"].items():
        found = sum(rng.random() < rates[defect_class] for _ in range(entry["sample_size"]))
        if found and defect_class in first_item:
            defects[first_item[defect_class]] = defects.get(first_item[defect_class], 0) + found
    _try(
        report,
        "inspected",
        order_services.inspection_record,
        assignment_id=assignment.id,
        company=job.sme,
        user=sme_user,
        sample_inspected=plan["sample_size"],
        defects=defects,
    )
    return True


def _count_inspections(report, factory_users) -> None:
    inspections = Inspection.objects.filter(assignment__factory_id__in=factory_users)
    report.lots_inspected = inspections.filter(round=1).count()
    report.lots_accepted_first = inspections.filter(round=1, accepted=True).count()
    report.reinspections = inspections.filter(round__gt=1).count()


def money_checks() -> tuple[bool, list[str], dict]:
    report = payment_selectors.ledger_check_report()
    reconciliation = payment_selectors.reconciliation_by_day()
    return report.balanced and reconciliation["totals"]["ties_out"], report.problems, reconciliation["totals"]
