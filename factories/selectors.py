from django.utils.translation import gettext as _

from core.errors import NotFoundError
from factories.models import Capability, FactoryProfile


def factory_profile_get(*, company) -> FactoryProfile:
    return FactoryProfile.objects.select_related("company").get(company=company)


def capability_list_for_factory(*, company):
    return Capability.objects.filter(factory_id=company.id).select_related("process").order_by("id")


def capability_get_for_factory(*, company, capability_id) -> Capability:
    capability = Capability.objects.filter(factory_id=company.id, id=capability_id).select_related("process").first()
    if capability is None:
        raise NotFoundError(_("No such capability."))
    return capability


def verified_prices(*, process_id: int) -> list[int]:
    """Unit prices (fen) of verified factories' capabilities for a process, ascending."""
    return sorted(
        Capability.objects.filter(
            process_id=process_id, factory__verification=FactoryProfile.Verification.VERIFIED
        ).values_list("unit_price_fen", flat=True)
    )


def factory_profiles_available(*, process_id: int) -> list[FactoryProfile]:
    """Verified, online factories with a location and a capability for the process: who may
    see a job of that process on their board (eligibility narrows it further)."""
    return list(
        FactoryProfile.objects.filter(
            verification=FactoryProfile.Verification.VERIFIED,
            online=True,
            lat__isnull=False,
            capabilities__process_id=process_id,
        )
        .distinct()
        .order_by("company_id")
    )


def factory_lines_available() -> list[tuple[int, int, float, float, float]]:
    """(factory id, process id, lat, lng, service radius km) of every capability of a verified,
    online, located factory: where each factory's lines can work (dispatch shards by it)."""
    return list(
        Capability.objects.filter(
            factory__verification=FactoryProfile.Verification.VERIFIED,
            factory__online=True,
            factory__lat__isnull=False,
        ).values_list(
            "factory_id",
            "process_id",
            "factory__lat",
            "factory__lng",
            "factory__service_radius_km",
        )
    )
