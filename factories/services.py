"""Writes for factories: profile, capabilities, verification and track record."""

from factories.models import FactoryProfile


def factory_profile_create(*, company) -> FactoryProfile:
    """A new factory starts offline and unverified, at its company's location."""
    profile, _ = FactoryProfile.objects.get_or_create(
        company=company, defaults={"lat": company.lat, "lng": company.lng}
    )
    return profile


def factory_demo_setup(*, company, radius_km: int, capabilities, verified_by) -> FactoryProfile:
    """Seed helper: a verified, online factory with the given capabilities."""
    from django.utils import timezone

    from factories.models import Capability
    from orders.models import Process

    profile = factory_profile_create(company=company)
    profile.service_radius_km = radius_km
    profile.online = True
    profile.verification = FactoryProfile.Verification.VERIFIED
    profile.verified_at = timezone.now()
    profile.verified_by = verified_by
    profile.save()
    for code, price, capacity, min_qty, lead in capabilities:
        Capability.objects.update_or_create(
            factory=profile,
            process=Process.objects.get(code=code),
            defaults={
                "unit_price_fen": price,
                "daily_capacity": capacity,
                "min_quantity": min_qty,
                "lead_time_days": lead,
            },
        )
    return profile
