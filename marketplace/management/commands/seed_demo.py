"""Demo data: an admin, SMEs and factories around Jiaozhou. Safe to run again."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Company
from accounts.services import company_register
from factories import services as factory_services
from orders import services as order_services
from orders.models import Job
from payments import services as payment_services

User = get_user_model()

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 (printed for the newcomer on purpose)
ADMIN = ("admin", "admin-pass-2026")

# Jiaozhou city centre is about 36.264 N, 120.033 E.
SMES = [
    ("sme_capco", "Jiaozhou CapCo", 36.2700, 120.0100, "Lanzhou East Rd 18, Jiaozhou"),
    ("sme_sunhat", "Sunhat Works", 36.2450, 120.0550, "Fuzhou South Rd 7, Jiaozhou"),
]
FACTORIES = [
    # username, name, lat, lng, radius, capabilities: (process, price fen, capacity/day, min qty, lead days)
    (
        "factory_hongda",
        "Hongda Shared Sewing",
        36.2800,
        120.0200,
        30,
        [("velcro_sewing", 12, 4000, 500, 0), ("webbing_sewing", 9, 3000, 300, 0)],
    ),
    (
        "factory_jinyu",
        "Jinyu Cutting & Embroidery",
        36.2300,
        120.0700,
        25,
        [("webbing_cutting", 2, 10000, 1000, 0), ("embroidery", 70, 1500, 200, 1), ("velcro_sewing", 14, 2500, 300, 0)],
    ),
]


class Command(BaseCommand):
    help = "Create demo SMEs, factories around Jiaozhou, an admin and jobs in every state; prints the logins."

    @transaction.atomic
    def handle(self, *args, **options):
        admin_user, created = User.objects.get_or_create(
            username=ADMIN[0], defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            admin_user.set_password(ADMIN[1])
            admin_user.save(update_fields=["password"])
        for username, name, lat, lng, address in SMES:
            if not User.objects.filter(username=username).exists():
                company_register(
                    username=username,
                    password=DEMO_PASSWORD,
                    company_name=name,
                    kind=Company.Kind.SME,
                    lat=lat,
                    lng=lng,
                    address=address,
                )
        for username, name, lat, lng, radius, capabilities in FACTORIES:
            if User.objects.filter(username=username).exists():
                continue
            _, company = company_register(
                username=username,
                password=DEMO_PASSWORD,
                company_name=name,
                kind=Company.Kind.FACTORY,
                lat=lat,
                lng=lng,
            )
            factory_services.factory_demo_setup(
                company=company, radius_km=radius, capabilities=capabilities, verified_by=admin_user
            )
        if not Job.objects.exists():
            self._jobs(admin_user)
        self.stdout.write(f"Demo logins (password for all but admin: {DEMO_PASSWORD})")
        self.stdout.write(f"  admin (Django admin at /admin/ and the admin API): {ADMIN[0]} / {ADMIN[1]}")
        for username, name, *_ in SMES:
            self.stdout.write(f"  SME     {username:<16} {name}")
        for username, name, *_ in FACTORIES:
            self.stdout.write(f"  factory {username:<16} {name}")

    def _jobs(self, admin_user):
        """A few jobs in every state, made through the real services."""
        capco = User.objects.get(username="sme_capco")
        sunhat = User.objects.get(username="sme_sunhat")
        hongda = User.objects.get(username="factory_hongda")
        jinyu = User.objects.get(username="factory_jinyu")
        velcro = {"width_mm": 25, "color": "black", "stitch": "box_x"}
        webbing = {"width_mm": 25, "length_mm": 300, "material": "polyester"}

        _post(capco, "velcro_sewing", velcro, 3000, 15, paid=False)  # awaiting_payment
        _post(capco, "velcro_sewing", velcro, 8000, 15)  # open, on the board
        _post(sunhat, "webbing_cutting", webbing, 20000, 3, mode="dispatch")  # open, dispatch offers it
        _take(_post(sunhat, "velcro_sewing", velcro, 2000, 15), hongda, 0)  # assigned
        _take(_post(capco, "webbing_cutting", webbing, 5000, 3), jinyu, 1)  # materials_sent
        _take(_post(sunhat, "velcro_sewing", velcro, 1500, 16), jinyu, 2)  # in_production
        _take(_post(capco, "velcro_sewing", velcro, 1200, 15), hongda, 3)  # delivered
        disputed = _post(sunhat, "velcro_sewing", velcro, 1000, 15)
        _take(disputed, hongda, 3)
        order_services.job_dispute(job_id=disputed.id, sme=disputed.sme, user=sunhat, reason="loose stitching")
        _take(_post(capco, "velcro_sewing", velcro, 2500, 15), hongda, 4)  # completed
        _take(_post(sunhat, "webbing_cutting", webbing, 10000, 3), jinyu, 4)  # completed
        cancelled = _post(capco, "velcro_sewing", velcro, 600, 15)
        order_services.job_cancel(job_id=cancelled.id, sme=cancelled.sme, user=capco, reason="order fell through")
        order_services.job_expire(job_id=_post(sunhat, "velcro_sewing", velcro, 700, 15).id)  # expired


def _post(user, code, spec, quantity, price, days=4, mode="grab", paid=True):
    company = user.membership.company
    job = order_services.job_post(
        sme=company,
        user=user,
        process_code=code,
        quantity=quantity,
        spec=spec,
        deadline=timezone.now() + timedelta(days=days),
        unit_price_fen=price,
        mode=mode,
    )
    if paid:  # as the gateway's webhook would
        payment_services.payment_captured(payment_id=job.payment.id, provider_ref=f"demo-{job.id}")
    return job


def _take(job, factory_user, steps):
    """The factory takes the job from the board and ``steps`` of production follow."""
    factory = factory_user.membership.company
    owner = job.sme.memberships.first().user
    a = order_services.board_accept(job_id=job.id, factory=factory, user=factory_user)
    flow = [
        lambda: order_services.assignment_materials_sent(assignment_id=a.id, company=job.sme, user=owner),
        lambda: order_services.assignment_materials_received(
            assignment_id=a.id, company=factory, user=factory_user, quantity_received=a.quantity - 10
        ),
        lambda: order_services.assignment_deliver(
            assignment_id=a.id,
            company=factory,
            user=factory_user,
            quantity_delivered=a.quantity - 20,
            quantity_lost=10,
        ),
        lambda: order_services.assignment_accept(
            assignment_id=a.id, company=job.sme, user=owner, quantity_accepted=a.quantity - 30, rating=4
        ),
    ]
    for step in flow[:steps]:
        step()
    return a
