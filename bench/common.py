"""What the benchmarks share: a database of their own made anew, and factories registered
and verified through the services (a benchmark measures the real write paths' results)."""

import os
from urllib.parse import urlparse, urlunparse


def fresh_database(suffix: str) -> str:
    """``<DATABASE_URL name>_<suffix>``, dropped and created empty; returns its URL."""
    import psycopg

    url = urlparse(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/marketplace")
    url = url._replace(path=url.path.rstrip("/") + f"_{suffix}")
    admin = psycopg.connect(
        host=url.hostname, port=url.port or 5432, user=url.username or "postgres", dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{url.path.lstrip("/")}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{url.path.lstrip("/")}"')
    admin.close()
    return urlunparse(url)


def setup_django(suffix: str) -> str:
    """Django on a fresh ``<DATABASE_URL name>_<suffix>`` database, migrated, with the settings
    a plain-HTTP bench needs; returns the database's URL."""
    url = fresh_database(suffix)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-0123456789")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    os.environ.setdefault("PAYMENT_PROVIDER", "sandbox")
    for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        os.environ.setdefault(name, "0")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return url


def fast_passwords() -> None:
    """Set-up speed only: the benchmark's users log in by token."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def bench_admin(username: str = "bench-admin"):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser(username, password="bench-admin-pass")


def verified_factory(
    admin, *, username: str, name: str, lat: float, lng: float, radius_km: int, per_day: int, minimum=1
):
    """A verified, online factory sewing velcro at 12 fen: ``(user, company)``."""
    from accounts.services import company_register
    from catalogue.models import Process
    from factories import services as factory_services

    user, company = company_register(
        username=username, password="bench-pass-2026", company_name=name, kind="factory", lat=lat, lng=lng
    )
    factory_services.capability_create(
        company=company,
        process=Process.objects.get(code="velcro_sewing"),
        unit_price_fen=12,
        daily_capacity=per_day,
        min_quantity=minimum,
    )
    factory_services.factory_verify(company_id=company.id, admin=admin)
    factory_services.factory_profile_update(company=company, service_radius_km=radius_km, online=True)
    return user, company
