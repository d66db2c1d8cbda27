"""core.seams.Seam, and the seams the apps register at start-up (docs/architecture.md)."""

from types import UnionType

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


def test_every_seam_of_the_apps_declares_its_arguments_and_when_it_runs():
    # given every seam the apps declare
    from accounts import seams as account_seams
    from core import outbox
    from core.seams import WHEN
    from factories import seams as factory_seams
    from orders import seams as order_seams
    from payments import seams as payment_seams

    declared = [
        value
        for module in (account_seams, factory_seams, payment_seams, order_seams, outbox)
        for value in vars(module).values()
        if isinstance(value, Seam)
    ]
    # then each names its keywords with their types, and one of the four moments
    assert len(declared) == 9
    for seam in declared:
        assert seam.args is not None and all(isinstance(t, type | tuple | UnionType) for t in seam.args.values()), seam
        assert seam.runs in WHEN, seam


def test_a_seam_refuses_other_keywords_and_under_the_check_other_types(settings):
    # given a declared seam with a handler
    from core.seams import READ

    seen = []
    seam = Seam("test.typed", args={"company_id": int}, runs=READ)
    seam.register(lambda *, company_id: seen.append(company_id))
    # when it is called with the wrong keyword, or the wrong type while SEAMS_CHECK is on
    with pytest.raises(TypeError, match="takes \\['company_id'\\]"):
        seam(company=1)
    settings.SEAMS_CHECK = True
    with pytest.raises(TypeError, match="company_id must be"):
        seam(company_id="1")
    # then no handler ran; a good call reaches it
    assert seen == []
    seam(company_id=1)
    assert seen == [1]


@pytest.mark.django_db(transaction=True)
def test_a_seam_that_runs_in_the_transaction_refuses_a_call_outside_one(settings):
    # given a seam declared to run inside the caller's transaction
    from django.db import transaction

    from core.seams import IN_TRANSACTION

    settings.SEAMS_CHECK = True
    seam = Seam("test.inside", args={}, runs=IN_TRANSACTION)
    seam.register(lambda: None)
    # when it is called outside any transaction, it refuses; inside one, it runs
    with pytest.raises(ImproperlyConfigured, match="none is open"):
        seam()
    with transaction.atomic():
        seam()
