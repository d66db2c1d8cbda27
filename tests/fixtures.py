"""Shared helpers for tests: factory-boy model factories (users, companies, memberships)
and builders of whole situations (companies, factories with capabilities, paid jobs,
delivered shares)."""

import threading
from datetime import timedelta

import factory as factory_boy  # `factory` below is the builder of a factory company
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from accounts.models import Company, Membership
from accounts.services import company_register
from catalogue.models import Process
from factories import services as factory_services
from orders import services as order_services
from payments.services.settlement import settlement_build

JIAOZHOU = (36.264, 120.033)
_counter = iter(range(1, 10**9))


# --- model factories (factory-boy) ----------------------------------------------------


class UserFactory(factory_boy.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory_boy.Sequence(lambda n: f"user{n}")
    password = factory_boy.django.Password("pw-Secret-123")


class CompanyFactory(factory_boy.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory_boy.Sequence(lambda n: f"Company {n}")
    kind = Company.Kind.SME
    lat = 36.264
    lng = 120.033
    address = "Jiaozhou"


class MembershipFactory(factory_boy.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory_boy.SubFactory(UserFactory)
    company = factory_boy.SubFactory(CompanyFactory)


def user_checkable_by_a_web_process(username: str, password: str):
    """A user whose password a real web process can check (``start_web``): hashed as
    production hashes it, not with the fast hasher the tests' own process uses."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    user = UserFactory(username=username)
    user.password = PBKDF2PasswordHasher().encode(password, PBKDF2PasswordHasher().salt())
    user.save(update_fields=["password"])
    return user


def sme_user(**company_fields):
    """A user acting for a new SME company."""
    return MembershipFactory(company=CompanyFactory(kind=Company.Kind.SME, **company_fields)).user


def staff_user():
    return UserFactory(is_staff=True)


# --- builders -------------------------------------------------------------------------


def _name(prefix):
    return f"{prefix}{next(_counter)}"


def admin_user():
    return UserFactory(username=_name("admin"), is_staff=True)


def admin_browser():
    """A test client logged in to the admin as a new superuser (the desk's operator)."""
    from django.test import Client

    operator = UserFactory(username=_name("admin"), is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(operator)
    return browser


def sme(lat=JIAOZHOU[0], lng=JIAOZHOU[1]):
    """(user, company) of a new SME."""
    return company_register(
        username=_name("sme"),
        password="pw-Secret-123",
        company_name=_name("SME "),
        kind=Company.Kind.SME,
        lat=lat,
        lng=lng,
        address="Jiaozhou",
    )


def factory(*, lat=JIAOZHOU[0] + 0.05, lng=JIAOZHOU[1], radius_km=30, capabilities=None, verified=True, online=True):
    """(user, company) of a new factory; capabilities are (process, price fen, per day, min qty, lead days)."""
    user, company = company_register(
        username=_name("factory"),
        password="pw-Secret-123",
        company_name=_name("Factory "),
        kind=Company.Kind.FACTORY,
        lat=lat,
        lng=lng,
    )
    for code, price, per_day, min_qty, lead in capabilities or [("velcro_sewing", 12, 4000, 100, 0)]:
        factory_services.capability_create(
            company=company,
            process=Process.objects.get(code=code),
            unit_price_fen=price,
            daily_capacity=per_day,
            min_quantity=min_qty,
            lead_time_days=lead,
        )
    if verified:
        factory_services.factory_verify(company_id=company.id, admin=admin_user())
    factory_services.factory_profile_update(company=company, service_radius_km=radius_km, online=online)
    return user, company


VELCRO_SPEC = {"width_mm": 25, "color": "black", "stitch": "box_x"}


def job(
    sme_pair=None,
    *,
    quantity=1000,
    unit_price_fen=15,
    days=5,
    mode="grab",
    allow_split=False,
    paid=True,
    process="velcro_sewing",
    spec=None,
    lat=None,
    lng=None,
):
    user, company = sme_pair or sme()
    posted = order_services.job_post(
        sme=company,
        user=user,
        process_code=process,
        quantity=quantity,
        spec=spec or dict(VELCRO_SPEC),
        deadline=timezone.now() + timedelta(days=days),
        unit_price_fen=unit_price_fen,
        mode=mode,
        allow_split=allow_split,
        lat=lat,
        lng=lng,
    )
    if paid:
        pay(posted)
    posted.refresh_from_db()
    return posted


def pay_path(payment) -> str:
    """The path of a payment's sandbox pay page (its pay_url, token included)."""
    from payments.gateways.sandbox.signing import pay_token

    return f"/sandbox/pay/{payment.id}/{pay_token(payment.id)}"


def pay(job_obj):
    """Capture the job's payment as the gateway's webhook would."""
    from payments import services as payment_services

    payment = job_obj.payment
    payment_services.payment_captured(payment_id=payment.id, provider_ref=f"test-{payment.id}")


def world_for_battery() -> dict:
    """Users of every role and ids of real objects, so a malformed request reaches its parser."""
    sme_pair = sme()
    factory_pair = factory()
    posted = job(sme_pair)
    assignment = order_services.board_accept(job_id=posted.id, factory=factory_pair[1], user=factory_pair[0])
    dispatched = job(sme_pair, mode="dispatch")
    order_services.dispatch_run_batch()
    offer = dispatched.offers.get()
    completed_assignment(factory_pair)
    batch = settlement_build(cutoff=timezone.now() + timedelta(seconds=1))[0]
    users = {"anonymous": None, "sme": sme_pair[0], "factory": factory_pair[0], "admin": admin_user()}
    ids = {
        "job_id": posted.id,
        "assignment_id": assignment.id,
        "capability_id": factory_pair[1].factory_profile.capabilities.first().id,
        "company_id": factory_pair[1].id,
        "payment_id": posted.payment.id,
        "offer_id": offer.id,
        "batch_id": batch.id,
        "provider": "sandbox",
        "id": posted.id,
    }
    return {"users": users, "ids": ids}


def completed_assignment(factory_pair=None, *, quantity=1000, unit_price_fen=15, accepted=None):
    """A job taken, produced, delivered and accepted: its payable is in the ledger."""
    owner = sme()
    user, company = factory_pair or factory()
    posted = job(owner, quantity=quantity, unit_price_fen=unit_price_fen)
    assignment = order_services.board_accept(job_id=posted.id, factory=company, user=user)
    order_services.assignment_materials_sent(assignment_id=assignment.id, company=owner[1], user=owner[0])
    order_services.assignment_materials_received(
        assignment_id=assignment.id, company=company, user=user, quantity_received=quantity
    )
    order_services.assignment_deliver(
        assignment_id=assignment.id, company=company, user=user, quantity_delivered=quantity
    )
    return order_services.assignment_accept(
        assignment_id=assignment.id,
        company=owner[1],
        user=owner[0],
        quantity_accepted=quantity if accepted is None else accepted,
        rating=5,
    )


def share_in_production(job_obj, owner, factory_pair, quantity):
    """``factory_pair`` takes ``quantity`` of the job from the board; the owner sends the
    material and the factory receives all of it; returns the assignment, in production."""
    user, company = factory_pair
    assignment = order_services.board_accept(job_id=job_obj.id, factory=company, user=user, quantity=quantity)
    order_services.assignment_materials_sent(assignment_id=assignment.id, company=owner[1], user=owner[0])
    order_services.assignment_materials_received(
        assignment_id=assignment.id, company=company, user=user, quantity_received=quantity
    )
    return assignment


def delivered_share(job_obj, owner, factory_pair, quantity):
    """``share_in_production``, then delivered whole; returns the assignment."""
    user, company = factory_pair
    assignment = share_in_production(job_obj, owner, factory_pair, quantity)
    order_services.assignment_deliver(
        assignment_id=assignment.id, company=company, user=user, quantity_delivered=quantity
    )
    return assignment


def concurrently(call, times: int) -> list:
    """Run ``call()`` in ``times`` threads released at the same instant; returns their results
    (each thread closes its own database connection)."""
    barrier = threading.Barrier(times)
    results = []

    def run():
        barrier.wait()
        try:
            results.append(call())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
