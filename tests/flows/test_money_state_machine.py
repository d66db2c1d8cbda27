"""Random sequences of everything that moves money, with the ledger checked after every step."""

import json
import time
from collections import Counter

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, rule

from core.errors import ApplicationError
from orders import services as order_services
from orders.models import Assignment, Job
from orders.services import assignments as order_assignments
from payments import ledger
from payments import services as payment_services
from payments.gateways.sandbox.signing import sign
from payments.models import LedgerAccount, Payment, Refund
from tests import fixtures

FINISHED = ("completed", "cancelled", "expired")
REACHED: Counter = Counter()


class MoneyMachine(RuleBasedStateMachine):
    jobs = Bundle("jobs")
    assignments = Bundle("assignments")
    events = Bundle("events")

    def __init__(self):
        super().__init__()
        self.smes = [fixtures.sme() for _ in range(2)]
        self.factories = [fixtures.factory(capabilities=[("velcro_sewing", 10, 100000, 1, 0)]) for _ in range(3)]
        self.job_ids = []

    # --- SMEs ---------------------------------------------------------------------
    @rule(
        target=jobs,
        sme=st.integers(0, 1),
        quantity=st.integers(1, 5000),
        price=st.integers(10, 40),
        split=st.booleans(),
        paid=st.booleans(),
    )
    def post(self, sme, quantity, price, split, paid):
        job = fixtures.job(self.smes[sme], quantity=quantity, unit_price_fen=price, allow_split=split, paid=False)
        self.job_ids.append(job.id)
        if paid:
            self.pay(job.id)
        return job.id

    @rule(target=events, job_id=jobs)
    def pay(self, job_id):
        payment = Payment.objects.get(job_id=job_id)
        body = json.dumps(
            {
                "id": f"evt_{payment.id}_{time.monotonic_ns()}",
                "type": "payment.succeeded",
                "created": int(time.time()),
                "data": {"payment_id": payment.id},
            }
        ).encode()
        self._deliver(body)
        return body

    @rule(body=events)
    def replay_webhook(self, body):
        self._deliver(body)

    def _deliver(self, body):
        event, _ = payment_services.webhook_receive(
            provider="sandbox", raw_body=body, headers={"X-Signature": sign(body)}
        )
        payment_services.webhook_process(event_id=event.id)

    @rule(job_id=jobs, dice=st.integers(0, 2))
    def cancel(self, job_id, dice):
        if dice:
            return  # cancel one time in three, so jobs live long enough to be produced
        job = Job.objects.get(id=job_id)
        sme_user = job.sme.memberships.get().user
        self._try(order_services.job_cancel, job_id=job_id, sme=job.sme, user=sme_user, reason="random")

    # --- factories ----------------------------------------------------------------
    @rule(
        target=assignments,
        job_id=jobs,
        factory=st.integers(0, 2),
        share=st.one_of(st.none(), st.none(), st.integers(1, 5000)),
    )
    def grab(self, job_id, factory, share):
        user, company = self.factories[factory]
        assignment = self._try(order_services.board_accept, job_id=job_id, factory=company, user=user, quantity=share)
        return assignment.id if assignment else None

    @rule(assignment_id=assignments, delivered_share=st.floats(0.01, 1.0), lost_share=st.floats(0, 0.02))
    def produce_and_deliver(self, assignment_id, delivered_share, lost_share):
        if assignment_id is None:
            return
        a = Assignment.objects.select_related("job__sme", "factory").get(id=assignment_id)
        sme_user = a.job.sme.memberships.get().user
        factory_user = a.factory.memberships.get().user
        self._try(order_services.assignment_materials_sent, assignment_id=a.id, company=a.job.sme, user=sme_user)
        self._try(
            order_services.assignment_materials_received,
            assignment_id=a.id,
            company=a.factory,
            user=factory_user,
            quantity_received=a.quantity,
        )
        delivered = max(1, int(a.quantity * delivered_share))
        lost = min(int(a.quantity * lost_share), a.quantity - delivered, a.quantity * 200 // 10000)
        self._try(
            order_services.assignment_deliver,
            assignment_id=a.id,
            company=a.factory,
            user=factory_user,
            quantity_delivered=delivered,
            quantity_lost=lost,
        )

    @rule(assignment_id=consumes(assignments), accepted_share=st.floats(0, 1.0), rating=st.integers(1, 5))
    def accept_delivery(self, assignment_id, accepted_share, rating):
        if assignment_id is None:
            return
        a = Assignment.objects.select_related("job__sme").get(id=assignment_id)
        accepted = int((a.quantity_delivered or 0) * accepted_share)
        self._try(
            order_services.assignment_accept,
            assignment_id=a.id,
            company=a.job.sme,
            user=a.job.sme.memberships.get().user,
            quantity_accepted=accepted,
            rating=rating,
        )

    @rule(job_id=jobs, factory=st.integers(0, 2), accepted_share=st.floats(0, 1.0))
    def produce_a_whole_job(self, job_id, factory, accepted_share):
        """One factory runs a job from grab to accepted delivery in one go."""
        assignment_id = self.grab(job_id, factory, None)
        if assignment_id is not None:
            self.produce_and_deliver(assignment_id, 1.0, 0.0)
            self.accept_delivery(assignment_id, accepted_share, 4)

    @rule(job_id=jobs, factory=st.integers(0, 2), send_first=st.booleans())
    def take_and_give_back(self, job_id, factory, send_first):
        """A factory takes a job and withdraws before production (after the material came, or not)."""
        assignment_id = self.grab(job_id, factory, None)
        if assignment_id is not None:
            if send_first:
                a = Assignment.objects.select_related("job__sme").get(id=assignment_id)
                self._try(
                    order_services.assignment_materials_sent,
                    assignment_id=a.id,
                    company=a.job.sme,
                    user=a.job.sme.memberships.get().user,
                )
            self.withdraw(assignment_id)

    @rule(assignment_id=assignments)
    def withdraw(self, assignment_id):
        if assignment_id is None:
            return
        a = Assignment.objects.select_related("factory").get(id=assignment_id)
        self._try(
            order_services.assignment_withdraw,
            assignment_id=a.id,
            company=a.factory,
            user=a.factory.memberships.get().user,
        )

    @rule(assignment_id=assignments)
    def rerun_release(self, assignment_id):
        a = Assignment.objects.filter(id=assignment_id, status="completed").first() if assignment_id else None
        if a is not None:
            order_assignments.payment_release(a)

    # --- the gateway --------------------------------------------------------------
    @rule()
    def gateway_sends_refunds(self):
        for refund_id in Refund.objects.filter(status="pending").values_list("id", flat=True):
            payment_services.refund_execute(refund_id=refund_id)

    def _try(self, call, **kwargs):
        try:
            result = call(**kwargs)
            REACHED[f"{call.__name__} ok"] += 1
            return result
        except ApplicationError as error:
            REACHED[f"{call.__name__} refused: {error.code}"] += 1
            return None  # refused steps must change nothing; the invariants below check it

    # --- invariants ---------------------------------------------------------------
    @invariant()
    def ledger_is_sound(self):
        finished = Job.objects.filter(id__in=self.job_ids, status__in=FINISHED).values_list("id", flat=True)
        report = ledger.ledger_check(finished_job_ids=finished)
        assert report.balanced, report.problems
        assert (LedgerAccount.objects.aggregate(total=Sum("balance_fen"))["total"] or 0) == 0

    @invariant()
    def escrow_matches_the_jobs(self):
        for job in Job.objects.filter(id__in=self.job_ids):
            held = ledger.account_balance(f"escrow:job:{job.id}")
            paid = job.payment.status != "requires_payment" and job.payment.status != "failed"
            if job.status in ("awaiting_payment",) or not paid:
                assert held == 0
                continue
            released = sum(a.quantity * a.unit_price_fen for a in job.assignments.filter(status="completed"))
            expected = 0 if job.status in ("cancelled", "expired") else job.total_fen - released
            assert held == expected, (job.id, job.status, held, expected)

    @invariant()
    def refunds_never_exceed_payments(self):
        for payment in Payment.objects.filter(job_id__in=self.job_ids):
            assert payment.refunded_fen <= payment.amount_fen
            owed = payment.refunds.filter(status="succeeded").aggregate(t=Sum("amount_fen"))["t"] or 0
            assert owed == payment.refunded_fen


MoneyMachine.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=30,
    deadline=None,
    derandomize=True,  # same runs in every CI
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture
def _no_local_constants(monkeypatch):
    """Hypothesis biases its draws with constants it finds in every module loaded so far, so
    the same derandomized run took another path when other test modules had been imported
    first (and once reached no withdrawal at all). Without them, the run is the same whatever
    ran before it in the process."""
    from hypothesis.internal.conjecture import providers

    monkeypatch.setattr(providers, "_get_local_constants", providers.Constants)
    providers.CONSTANTS_CACHE.cache.clear()
    yield
    providers.CONSTANTS_CACHE.cache.clear()


@pytest.mark.django_db
def test_money_state_machine_keeps_the_ledger_sound(_no_local_constants):
    REACHED.clear()
    MoneyMachine.TestCase("runTest").runTest()
    # the random runs did reach every money path, not only refusals
    for step in (
        "board_accept ok",
        "assignment_deliver ok",
        "assignment_accept ok",
        "job_cancel ok",
        "assignment_withdraw ok",
    ):
        assert REACHED[step] > 0, (step, dict(REACHED))
