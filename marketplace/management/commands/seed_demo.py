"""Demo data: an admin, SMEs and factories around Jiaozhou. Safe to run again."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from factories import services as factory_services
from marketplace.models import Company
from marketplace.services import company_register

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
    help = "Create demo SMEs, factories around Jiaozhou and an admin; prints the logins."

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
        self.stdout.write(f"Demo logins (password for all but admin: {DEMO_PASSWORD})")
        self.stdout.write(f"  admin (Django admin at /admin/ and the admin API): {ADMIN[0]} / {ADMIN[1]}")
        for username, name, *_ in SMES:
            self.stdout.write(f"  SME     {username:<16} {name}")
        for username, name, *_ in FACTORIES:
            self.stdout.write(f"  factory {username:<16} {name}")
