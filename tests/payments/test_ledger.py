import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from core.errors import ApplicationError
from payments.ledger import (
    account_balance,
    account_get_or_create,
    clearing_account,
    commission_account,
    escrow_account,
    in_transit_account,
    ledger_check,
    ledger_post,
    ledger_reverse,
    paid_out_account,
    payable_account,
    refunds_account,
)
from payments.models import LedgerAccount, LedgerLeg, LedgerTransaction

pytestmark = pytest.mark.django_db

JOB = 42
FACTORY = 7


def _state():
    """Everything a refused write must leave as it was."""
    return (
        dict(LedgerAccount.objects.values_list("code", "balance_fen")),
        list(LedgerTransaction.objects.values_list("key", flat=True)),
        list(LedgerLeg.objects.values_list("transaction__key", "account__code", "amount_fen")),
    )


def _capture(amount, job_id=JOB, payment_id=12):
    """The SME's payment lands in the job's escrow."""
    return ledger_post(
        key=f"payment:{payment_id}:captured",
        kind="payment_captured",
        legs=[(clearing_account(), -amount), (escrow_account(job_id), amount)],
        job_id=job_id,
    )


def _release_legs(total=10_000, commission=500, rejected=1_000):
    return [
        (escrow_account(JOB), -total),
        (payable_account(FACTORY), total - commission - rejected),
        (commission_account(), commission),
        (refunds_account(), rejected),
    ]


# accounts ------------------------------------------------------------------------------


def test_account_helpers_build_codes_and_only_clearing_may_go_negative():
    # when
    accounts = [
        clearing_account(),
        escrow_account(JOB),
        payable_account(FACTORY),
        commission_account(),
        refunds_account(),
        in_transit_account(FACTORY),
        paid_out_account(FACTORY),
    ]
    # then
    assert [(a.code, a.kind, a.job_id, a.company_id, a.allow_negative, a.currency) for a in accounts] == [
        ("gateway_clearing", "gateway_clearing", None, None, True, "CNY"),
        ("escrow:job:42", "escrow", 42, None, False, "CNY"),
        ("payable:factory:7", "factory_payable", None, 7, False, "CNY"),
        ("commission_revenue", "commission_revenue", None, None, False, "CNY"),
        ("sme_refunds", "sme_refunds", None, None, False, "CNY"),
        ("payouts_in_transit:factory:7", "payouts_in_transit", None, 7, False, "CNY"),
        ("paid_out:factory:7", "paid_out", None, 7, False, "CNY"),
    ]


def test_account_get_or_create_returns_the_same_account_twice():
    # given
    first = escrow_account(JOB)
    # when
    second = escrow_account(JOB)
    # then
    assert second.id == first.id
    assert LedgerAccount.objects.count() == 1


def test_account_get_or_create_other_kind_for_existing_code_is_conflict():
    # given
    escrow_account(JOB)
    # when
    with pytest.raises(ApplicationError) as exc:
        account_get_or_create(code="escrow:job:42", kind="factory_payable", company_id=7)
    # then
    assert (exc.value.code, exc.value.status_code) == ("ledger_account_conflict", 409)
    assert list(LedgerAccount.objects.values_list("code", "kind")) == [("escrow:job:42", "escrow")]


def test_account_balance_of_absent_account_is_zero():
    assert account_balance("escrow:job:999") == 0
    assert LedgerAccount.objects.count() == 0


# posting -------------------------------------------------------------------------------


def test_ledger_post_moves_balances_exactly():
    # given
    _capture(10_000)
    # when
    posted, created = ledger_post(key="release:assignment:42", kind="release", legs=_release_legs(), job_id=JOB)
    # then
    assert created is True
    assert (posted.key, posted.kind, posted.job_id, posted.reverses_id) == (
        "release:assignment:42",
        "release",
        42,
        None,
    )
    assert sorted(posted.legs.values_list("account__code", "amount_fen")) == [
        ("commission_revenue", 500),
        ("escrow:job:42", -10_000),
        ("payable:factory:7", 8_500),
        ("sme_refunds", 1_000),
    ]
    assert dict(LedgerAccount.objects.values_list("code", "balance_fen")) == {
        "gateway_clearing": -10_000,
        "escrow:job:42": 0,
        "payable:factory:7": 8_500,
        "commission_revenue": 500,
        "sme_refunds": 1_000,
    }


def test_ledger_post_same_key_twice_has_one_effect():
    # given
    first, _ = _capture(10_000)
    before = _state()
    # when
    again, created = _capture(10_000)
    # then
    assert created is False
    assert again.id == first.id
    assert _state() == before
    assert account_balance("escrow:job:42") == 10_000
    assert LedgerTransaction.objects.count() == 1


def test_ledger_post_same_key_other_legs_is_409_and_changes_nothing():
    # given
    _capture(10_000)
    before = _state()
    # when
    with pytest.raises(ApplicationError) as exc:
        _capture(9_999)
    # then
    assert (exc.value.code, exc.value.status_code) == ("ledger_key_conflict", 409)
    assert _state() == before


def test_ledger_post_same_key_other_kind_is_409():
    # given
    _capture(10_000)
    before = _state()
    # when
    with pytest.raises(ApplicationError) as exc:
        ledger_post(
            key="payment:12:captured",
            kind="refund",
            legs=[(clearing_account(), -10_000), (escrow_account(JOB), 10_000)],
        )
    # then
    assert exc.value.code == "ledger_key_conflict"
    assert _state() == before


def test_ledger_post_unbalanced_legs_is_refused_and_writes_nothing():
    # given
    _capture(10_000)
    legs = [(escrow_account(JOB), -10_000), (payable_account(FACTORY), 9_999)]
    before = _state()
    # when
    with pytest.raises(ApplicationError) as exc:
        ledger_post(key="release:assignment:42", kind="release", legs=legs)
    # then
    assert (exc.value.code, exc.value.status_code) == ("unbalanced", 400)
    assert exc.value.message == "legs sum to -1, not 0"
    assert _state() == before


@pytest.mark.parametrize("amount", [0, True, 1.0, Decimal("100"), "100", None])
def test_ledger_post_amount_that_is_not_a_nonzero_int_is_refused(amount):
    # given
    _capture(10_000)
    escrow, payable = escrow_account(JOB), payable_account(FACTORY)
    before = _state()
    # when
    with pytest.raises(ApplicationError) as exc:
        ledger_post(key="bad", kind="release", legs=[(escrow, amount), (payable, amount)])
    # then
    assert (exc.value.code, exc.value.status_code) == ("invalid", 400)
    assert _state() == before


def test_ledger_post_empty_legs_is_refused():
    # when
    with pytest.raises(ApplicationError) as exc:
        ledger_post(key="nothing", kind="release", legs=[])
    # then
    assert exc.value.code == "invalid"
    assert LedgerTransaction.objects.count() == 0


def test_ledger_post_overdrawing_escrow_is_insufficient_funds_and_writes_nothing():
    # given
    _capture(10_000)
    legs = _release_legs(total=10_001)
    before = _state()
    # when
    with pytest.raises(ApplicationError) as exc:
        ledger_post(key="release:assignment:42", kind="release", legs=legs)
    # then
    assert (exc.value.code, exc.value.status_code) == ("insufficient_funds", 409)
    assert exc.value.message == "insufficient funds: escrow:job:42 has 10000, needs 10001"
    assert _state() == before


def test_ledger_post_refusal_leaves_the_callers_transaction_usable():
    # given
    _capture(10_000)
    # when
    with transaction.atomic():
        with pytest.raises(ApplicationError):
            ledger_post(key="release:assignment:42", kind="release", legs=_release_legs(total=20_000))
        ledger_post(key="release:assignment:43", kind="release", legs=_release_legs())
    # then
    assert list(LedgerTransaction.objects.values_list("key", flat=True)) == [
        "payment:12:captured",
        "release:assignment:43",
    ]
    assert account_balance("payable:factory:7") == 8_500


def test_ledger_post_same_account_twice_nets_its_legs():
    # given
    _capture(10_000)
    # when
    ledger_post(
        key="split",
        kind="release",
        legs=[(escrow_account(JOB), -3_000), (escrow_account(JOB), -2_000), (payable_account(FACTORY), 5_000)],
    )
    # then
    assert account_balance("escrow:job:42") == 5_000
    assert account_balance("payable:factory:7") == 5_000
    assert ledger_check().balanced is True


# reversal ------------------------------------------------------------------------------


def test_ledger_reverse_restores_balances():
    # given
    _capture(10_000)
    ledger_post(key="release:assignment:42", kind="release", legs=_release_legs())
    # when
    reversal, created = ledger_reverse(transaction_key="release:assignment:42", key="correction:release:42")
    # then
    assert created is True
    assert reversal.kind == "reversal"
    assert reversal.reverses.key == "release:assignment:42"
    assert dict(LedgerAccount.objects.values_list("code", "balance_fen")) == {
        "gateway_clearing": -10_000,
        "escrow:job:42": 10_000,
        "payable:factory:7": 0,
        "commission_revenue": 0,
        "sme_refunds": 0,
    }
    assert ledger_check().balanced is True


def test_ledger_reverse_same_key_twice_has_one_effect():
    # given
    _capture(10_000)
    first, _ = ledger_reverse(transaction_key="payment:12:captured", key="correction:payment:12")
    before = _state()
    # when
    again, created = ledger_reverse(transaction_key="payment:12:captured", key="correction:payment:12")
    # then
    assert (again.id, created) == (first.id, False)
    assert _state() == before


def test_ledger_reverse_under_another_key_is_already_reversed():
    # given
    _capture(10_000)
    ledger_reverse(transaction_key="payment:12:captured", key="correction:payment:12")
    before = _state()
    # when
    with pytest.raises(ApplicationError) as exc:
        ledger_reverse(transaction_key="payment:12:captured", key="correction:payment:12:again")
    # then
    assert (exc.value.code, exc.value.status_code) == ("ledger_already_reversed", 409)
    assert _state() == before


def test_ledger_reverse_after_the_money_moved_on_is_insufficient_funds():
    # given
    _capture(10_000)
    ledger_post(key="release:assignment:42", kind="release", legs=_release_legs())
    before = _state()
    # when: the escrow is empty, so the payment cannot be taken back out of it
    with pytest.raises(ApplicationError) as exc:
        ledger_reverse(transaction_key="payment:12:captured", key="correction:payment:12")
    # then
    assert exc.value.code == "insufficient_funds"
    assert _state() == before


def test_ledger_reverse_unknown_transaction_is_404():
    with pytest.raises(ApplicationError) as exc:
        ledger_reverse(transaction_key="payment:404:captured", key="correction:404")
    assert (exc.value.code, exc.value.status_code) == ("ledger_transaction_not_found", 404)


# database enforcement ------------------------------------------------------------------


_RAW_TWO_LEGS = """
    INSERT INTO payments_ledgerleg (transaction_id, account_id, amount_fen) VALUES (%s, %s, %s), (%s, %s, %s)
"""


def _raw_transaction(cursor, key):
    cursor.execute(
        "INSERT INTO payments_ledgertransaction (key, kind, memo, created_at)"
        " VALUES (%s, 'raw', '', now()) RETURNING id",
        [key],
    )
    return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_database_refuses_unbalanced_transaction_at_commit():
    # given
    clearing, escrow = clearing_account(), escrow_account(JOB)
    # when: the service is bypassed, so only the deferred trigger stands in the way
    with pytest.raises(IntegrityError) as exc, transaction.atomic(), connection.cursor() as cursor:
        tx_id = _raw_transaction(cursor, "raw:unbalanced")
        cursor.execute(
            _RAW_TWO_LEGS,
            [tx_id, clearing.id, -100, tx_id, escrow.id, 99],
        )
    # then
    assert "legs sum to -1" in str(exc.value)
    assert LedgerTransaction.objects.count() == 0
    assert LedgerLeg.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_database_refuses_transaction_without_legs_at_commit():
    # when
    with pytest.raises(IntegrityError) as exc, transaction.atomic(), connection.cursor() as cursor:
        _raw_transaction(cursor, "raw:empty")
    # then
    assert "has no legs" in str(exc.value)
    assert LedgerTransaction.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_database_accepts_balanced_raw_transaction_and_teardown_truncates():
    # given: TRUNCATE at the end of this test fires no row triggers, so the teardown works
    clearing, escrow = clearing_account(), escrow_account(JOB)
    # when
    with transaction.atomic(), connection.cursor() as cursor:
        tx_id = _raw_transaction(cursor, "raw:balanced")
        cursor.execute(
            _RAW_TWO_LEGS,
            [tx_id, clearing.id, -100, tx_id, escrow.id, 100],
        )
    # then
    assert sorted(LedgerLeg.objects.values_list("account__code", "amount_fen")) == [
        ("escrow:job:42", 100),
        ("gateway_clearing", -100),
    ]


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE payments_ledgerleg SET amount_fen = amount_fen * 2",
        "DELETE FROM payments_ledgerleg",
        "UPDATE payments_ledgertransaction SET memo = 'edited'",
        "DELETE FROM payments_ledgertransaction",
    ],
)
def test_database_refuses_changing_ledger_rows(sql):
    # given
    _capture(10_000)
    before = _state()
    # when
    with pytest.raises(IntegrityError) as exc, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    # then
    assert "ledger rows are immutable" in str(exc.value)
    assert _state() == before
    assert LedgerTransaction.objects.get().memo == ""


def test_database_refuses_negative_escrow_balance():
    # given
    _capture(10_000)
    # when
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.filter(code="escrow:job:42").update(balance_fen=-1)
    # then
    assert account_balance("escrow:job:42") == 10_000


# invariant check -----------------------------------------------------------------------


def test_ledger_check_reports_balanced_on_clean_ledger():
    # given
    _capture(10_000)
    ledger_post(key="release:assignment:42", kind="release", legs=_release_legs())
    # when
    report = ledger_check(finished_job_ids=[JOB])
    # then
    assert (report.balanced, report.problems, report.accounts, report.transactions) == (True, [], 5, 2)


def test_ledger_check_names_account_with_tampered_cached_balance():
    # given
    _capture(10_000)
    LedgerAccount.objects.filter(code="escrow:job:42").update(balance_fen=9_000)
    # when
    report = ledger_check()
    # then
    assert report.balanced is False
    assert report.problems == ["account escrow:job:42 cached balance 9000 != legs sum 10000"]


def test_ledger_check_finds_escrow_left_on_finished_job():
    # given
    _capture(10_000, job_id=42, payment_id=12)
    _capture(3_000, job_id=43, payment_id=13)
    # when
    report = ledger_check(finished_job_ids=[42, 44])
    # then
    assert report.balanced is False
    assert report.problems == ["account escrow:job:42 holds 10000 on finished job 42"]


def test_ledger_check_runs_a_fixed_number_of_queries(django_assert_num_queries):
    # given: many accounts and transactions
    for job_id in range(1, 21):
        _capture(100 * job_id, job_id=job_id, payment_id=job_id)
    # when / then
    with django_assert_num_queries(7):
        report = ledger_check(finished_job_ids=[1, 2, 3])
    assert (report.accounts, report.transactions) == (21, 20)
    assert len(report.problems) == 3


# concurrency ---------------------------------------------------------------------------


def _run_concurrently(n, work):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(work())
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_ledger_post_concurrent_same_key_posts_once():
    # given
    clearing, escrow = clearing_account(), escrow_account(JOB)

    def capture():
        return ledger_post(
            key="payment:12:captured", kind="payment_captured", legs=[(clearing, -10_000), (escrow, 10_000)]
        )

    # when
    results, errors = _run_concurrently(8, capture)
    # then
    assert errors == []
    assert sorted(created for _, created in results) == [False] * 7 + [True]
    assert len({posted.id for posted, _ in results}) == 1
    assert LedgerTransaction.objects.count() == 1
    assert LedgerLeg.objects.count() == 2
    assert account_balance("escrow:job:42") == 10_000
    assert account_balance("gateway_clearing") == -10_000


@pytest.mark.django_db(transaction=True)
def test_ledger_post_concurrent_withdrawals_never_overdraw_escrow():
    # given: 2000 in escrow and ten releases of 300 racing for it
    _capture(2_000)
    keys = iter(range(10))
    lock = threading.Lock()

    def release():
        with lock:
            n = next(keys)
        return ledger_post(
            key=f"release:{n}", kind="release", legs=[(escrow_account(JOB), -300), (payable_account(FACTORY), 300)]
        )

    # when
    results, errors = _run_concurrently(10, release)
    # then
    assert len(results) == 6
    assert [e.code for e in errors] == ["insufficient_funds"] * 4
    assert account_balance("escrow:job:42") == 200
    assert account_balance("payable:factory:7") == 1_800
    assert LedgerTransaction.objects.filter(kind="release").count() == 6
    assert ledger_check().balanced is True


# property: random sequences of posts keep the invariants ---------------------------------


class LedgerMachine(RuleBasedStateMachine):
    """Random posts, replays and reversals; after every step the books must add up."""

    posted = Bundle("posted")

    def __init__(self):
        super().__init__()
        # Each run starts from an empty ledger and is rolled back at teardown.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.accounts = [
            clearing_account(),
            escrow_account(1),
            escrow_account(2),
            payable_account(FACTORY),
            commission_account(),
            refunds_account(),
        ]
        self.expected = {a.code: 0 for a in self.accounts}
        self.legs_by_key = {}
        self.reversed = set()
        self.serial = 0

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _apply(self, key, legs, post):
        """Run ``post``; expect it to succeed exactly when no guarded account overdraws."""
        net = {}
        for account, amount in legs:
            net[account.code] = net.get(account.code, 0) + amount
        overdrawn = any(self.expected[code] + amount < 0 and code != "gateway_clearing" for code, amount in net.items())
        before = _state()
        if overdrawn:
            with pytest.raises(ApplicationError) as exc:
                post()
            assert exc.value.code == "insufficient_funds"
            assert _state() == before
            return False
        _, created = post()
        assert created is True
        for code, amount in net.items():
            self.expected[code] += amount
        return True

    @rule(
        target=posted,
        data=st.data(),
        amounts=st.lists(st.integers(min_value=1, max_value=5_000), min_size=1, max_size=3),
    )
    def post(self, data, amounts):
        source = data.draw(st.sampled_from(self.accounts), label="source")
        sinks = [data.draw(st.sampled_from(self.accounts), label="sink") for _ in amounts]
        legs = [(source, -sum(amounts)), *zip(sinks, amounts, strict=True)]
        self.serial += 1
        key = f"move:{self.serial}"
        self._apply(key, legs, lambda: ledger_post(key=key, kind="move", legs=legs))
        self.legs_by_key[key] = legs
        return key

    @rule(key=posted)
    def replay(self, key):
        before = _state()
        stored = LedgerTransaction.objects.filter(key=key).first()
        if stored is None:  # it was refused; a replay is refused the same way
            return
        again, created = ledger_post(key=key, kind="move", legs=self.legs_by_key[key])
        assert (again.id, created) == (stored.id, False)
        assert _state() == before

    @rule(key=posted)
    def reverse(self, key):
        if not LedgerTransaction.objects.filter(key=key).exists():
            return
        if key in self.reversed:
            with pytest.raises(ApplicationError) as exc:
                ledger_reverse(transaction_key=key, key=f"reverse:{key}:again")
            assert exc.value.code == "ledger_already_reversed"
            return
        legs = [(account, -amount) for account, amount in self.legs_by_key[key]]
        if self._apply(key, legs, lambda: ledger_reverse(transaction_key=key, key=f"reverse:{key}")):
            self.reversed.add(key)

    @invariant()
    def books_add_up(self):
        report = ledger_check()
        assert report.problems == []
        assert report.balanced is True
        balances = dict(LedgerAccount.objects.values_list("code", "balance_fen"))
        assert balances == self.expected
        assert sum(balances.values()) == 0
        # Fire the deferred triggers now: the database agrees the transactions balance.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS payments_ledgerleg_balanced, payments_ledgertransaction_has_legs IMMEDIATE")
            cursor.execute("SET CONSTRAINTS payments_ledgerleg_balanced, payments_ledgertransaction_has_legs DEFERRED")


def test_ledger_random_sequences_keep_the_books_balanced():
    run_state_machine_as_test(LedgerMachine, settings=settings(max_examples=50, stateful_step_count=15, deadline=None))
