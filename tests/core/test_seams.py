"""core.seams.Seam, and the seams the apps register at start-up (docs/architecture.md)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.seams import Seam


def test_seam_required_refuses_to_be_called_with_no_handler():
    seam = Seam("test.required")
    with pytest.raises(ImproperlyConfigured, match="nothing is registered for seam test.required"):
        seam(x=1)


def test_seam_optional_with_no_handler_does_nothing():
    assert Seam("test.optional", required=False)(x=1) is None


def test_seam_calls_every_handler_with_keywords_in_registration_order():
    seen = []
    seam = Seam("test.many")
    seam.register(lambda *, x: seen.append(("first", x)))
    seam.register(lambda *, x: seen.append(("second", x)))
    seam(x=7)
    assert seen == [("first", 7), ("second", 7)]


def test_seam_single_returns_its_handlers_result_and_refuses_a_second_handler():
    seam = Seam("test.single", single=True)

    def handler(*, x):
        return x * 2

    seam.register(handler)
    seam.register(handler)  # the same handler again (ready() twice) is harmless
    assert seam(x=21) == 42
    with pytest.raises(ImproperlyConfigured, match="already has a handler"):
        seam.register(lambda *, x: x)


def test_apps_register_their_seams_at_start_up():
    # The upward effects of the layering, each wired by the upper app's AppConfig.ready().
    from accounts.seams import company_registered
    from evidence import selectors as evidence_selectors
    from factories.seams import factory_unavailable
    from factories.services import factory_profile_create
    from orders import seams as order_seams
    from orders import selectors as order_selectors
    from orders.services.jobs import job_payment_captured
    from orders.services.offers import offers_withdraw_for_factory
    from payments import seams as payment_seams

    assert payment_seams.job_payment_captured.handlers == (job_payment_captured,)
    assert payment_seams.finished_job_ids.handlers == (order_selectors.finished_job_ids,)
    assert factory_unavailable.handlers == (offers_withdraw_for_factory,)
    assert company_registered.handlers == (factory_profile_create,)
    assert order_seams.photos_owned.handlers == (evidence_selectors.photos_owned,)
    assert order_seams.job_photos.handlers == (evidence_selectors.job_photos,)
