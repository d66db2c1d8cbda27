"""Ledger services: the one write path for ledger accounts, transactions and legs.

Amounts are integer fen; a leg's ``amount_fen`` is added to its account's balance (see
``payments.models`` for the sign convention). Money comes in as a negative amount on
gateway clearing, so the sum of all balances is always zero.

The account codes and transaction kinds are in ``payments.chart``.

Every post carries an idempotency key derived from what the movement is
("payment:12:captured", "release:assignment:42"): posting it again returns the first
transaction and moves nothing.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from core.errors import ApplicationError, ConflictError, InvalidInputError, NotFoundError
from payments import chart
from payments.models import LedgerAccount, LedgerLeg, LedgerTransaction

Kind = LedgerAccount.Kind

_BALANCE_CONSTRAINT = "ledgeraccount_balance_not_negative"
_REVERSED_ONCE_CONSTRAINT = "ledgertransaction_reversed_once"
_KEY_MAX_LENGTH = LedgerTransaction._meta.get_field("key").max_length
_KIND_MAX_LENGTH = LedgerTransaction._meta.get_field("kind").max_length


class UnbalancedError(ApplicationError):
    code = "unbalanced"


class InsufficientFundsError(ConflictError):
    code = "insufficient_funds"


class LedgerKeyConflictError(ConflictError):
    """The key was already posted with different legs: a bug in the caller, not a retry."""

    code = "ledger_key_conflict"


# Accounts ---------------------------------------------------------------------------


def account_get_or_create(
    *, code: str, kind: str, job_id: int | None = None, company_id: int | None = None
) -> LedgerAccount:
    """The account with ``code``, created on first use; safe under concurrent first use."""
    if kind not in Kind.values:
        raise InvalidInputError(f"unknown ledger account kind {kind!r}")
    if not code:
        raise InvalidInputError(_("a ledger account needs a code"))
    account, created = LedgerAccount.objects.get_or_create(
        code=code,
        defaults={
            "kind": kind,
            "job_id": job_id,
            "company_id": company_id,
            "allow_negative": kind == Kind.GATEWAY_CLEARING,
        },
    )
    if not created and (account.kind, account.job_id, account.company_id) != (kind, job_id, company_id):
        raise ConflictError(
            f"ledger account {code} exists as {account.kind} (job {account.job_id}, company {account.company_id})",
            code="ledger_account_conflict",
        )
    return account


def _positive_id(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidInputError(f"{name} must be a positive integer, got {value!r}")
    return value


def clearing_account() -> LedgerAccount:
    return account_get_or_create(code=chart.CLEARING, kind=Kind.GATEWAY_CLEARING)


def escrow_account(job_id: int) -> LedgerAccount:
    job_id = _positive_id(job_id, "job_id")
    return account_get_or_create(code=chart.escrow(job_id), kind=Kind.ESCROW, job_id=job_id)


def payable_account(company_id: int) -> LedgerAccount:
    company_id = _positive_id(company_id, "company_id")
    return account_get_or_create(code=chart.payable(company_id), kind=Kind.FACTORY_PAYABLE, company_id=company_id)


def commission_account() -> LedgerAccount:
    return account_get_or_create(code=chart.COMMISSION, kind=Kind.COMMISSION_REVENUE)


def refunds_account() -> LedgerAccount:
    return account_get_or_create(code=chart.SME_REFUNDS, kind=Kind.SME_REFUNDS)


def in_transit_account(company_id: int) -> LedgerAccount:
    company_id = _positive_id(company_id, "company_id")
    return account_get_or_create(code=chart.in_transit(company_id), kind=Kind.PAYOUTS_IN_TRANSIT, company_id=company_id)


def paid_out_account(company_id: int) -> LedgerAccount:
    company_id = _positive_id(company_id, "company_id")
    return account_get_or_create(code=chart.paid_out(company_id), kind=Kind.PAID_OUT, company_id=company_id)


def account_balance(code: str) -> int:
    """The cached balance of the account with ``code`` in fen; 0 if it does not exist yet."""
    balance = LedgerAccount.objects.filter(code=code).values_list("balance_fen", flat=True).first()
    return balance or 0


def account_balances(codes: Sequence[str]) -> dict[str, int]:
    """``account_balance`` of each code, in one query: ``{code: fen}``, 0 for those not yet made."""
    found = dict(LedgerAccount.objects.filter(code__in=list(codes)).values_list("code", "balance_fen"))
    return {code: found.get(code) or 0 for code in codes}


# Posting ----------------------------------------------------------------------------


def _checked_legs(legs: Sequence[tuple[LedgerAccount, int]]) -> list[tuple[LedgerAccount, int]]:
    """Refuse what must never reach the database; the triggers are the last line of defence."""
    legs = list(legs)
    if not legs:
        raise InvalidInputError(_("a ledger transaction needs legs"))
    currencies = set()
    for account, amount in legs:
        if not isinstance(account, LedgerAccount) or account.pk is None:
            raise InvalidInputError(f"a leg needs a saved ledger account, got {account!r}")
        # bool is an int subclass; True fen is a bug, not an amount.
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise InvalidInputError(f"leg amount on {account.code} must be an integer of fen, got {amount!r}")
        if amount == 0:
            raise InvalidInputError(f"leg amount on {account.code} is zero")
        currencies.add(account.currency)
    if len(currencies) > 1:
        raise InvalidInputError(f"legs mix currencies {sorted(currencies)}")
    total = sum(amount for _, amount in legs)
    if total != 0:
        raise UnbalancedError(f"legs sum to {total}, not 0")
    return legs


def _existing_or_conflict(
    key: str, kind: str, legs: list[tuple[LedgerAccount, int]], reverses: LedgerTransaction | None
) -> LedgerTransaction | None:
    """The transaction already posted under ``key``, if it is the same movement; else 409."""
    existing = LedgerTransaction.objects.filter(key=key).first()
    if existing is None:
        return None
    stored = Counter(existing.legs.values_list("account_id", "amount_fen"))
    wanted = Counter((account.id, amount) for account, amount in legs)
    same_reverses = existing.reverses_id == (reverses.id if reverses else None)
    if existing.kind != kind or stored != wanted or not same_reverses:
        raise LedgerKeyConflictError(f"ledger key {key} was already posted with different legs")
    return existing


def ledger_post(
    *,
    key: str,
    kind: str,
    legs: Sequence[tuple[LedgerAccount, int]],
    memo: str = "",
    job_id: int | None = None,
    reverses: LedgerTransaction | None = None,
) -> tuple[LedgerTransaction, bool]:
    """Post a balanced transaction once; returns ``(transaction, created)``.

    A key posted before returns the stored transaction with ``created=False`` and no
    effect, provided it is the same movement (409 ``ledger_key_conflict`` otherwise). A
    leg that would take an account below zero where that is not allowed raises 409
    ``insufficient_funds`` and writes nothing. Runs in its own savepoint, so a caller's
    surrounding transaction survives a refusal.
    """
    if not key or len(key) > _KEY_MAX_LENGTH:
        raise InvalidInputError(f"ledger key must be 1-{_KEY_MAX_LENGTH} characters")
    if not kind or len(kind) > _KIND_MAX_LENGTH:
        raise InvalidInputError(f"ledger transaction kind must be 1-{_KIND_MAX_LENGTH} characters")
    legs = _checked_legs(legs)
    deltas: dict[int, int] = {}
    for account, amount in legs:
        deltas[account.id] = deltas.get(account.id, 0) + amount

    locked: dict[int, LedgerAccount] = {}
    try:
        with transaction.atomic():
            existing = _existing_or_conflict(key, kind, legs, reverses)
            if existing is not None:
                return existing, False
            # Lock in id order so two posts touching the same accounts cannot deadlock.
            locked = {a.id: a for a in LedgerAccount.objects.select_for_update().filter(id__in=deltas).order_by("id")}
            if len(locked) != len(deltas):
                raise NotFoundError(_("ledger account not found"), code="ledger_account_not_found")
            posted, created = _insert_transaction(
                key=key, kind=kind, memo=memo, job_id=job_id, reverses=reverses, legs=legs
            )
            if not created:
                return posted, False
            LedgerLeg.objects.bulk_create(
                LedgerLeg(transaction=posted, account_id=account.id, amount_fen=amount) for account, amount in legs
            )
            for account_id in sorted(deltas):
                if deltas[account_id]:
                    LedgerAccount.objects.filter(id=account_id).update(
                        balance_fen=F("balance_fen") + deltas[account_id]
                    )
            return posted, True
    except IntegrityError as exc:
        if _BALANCE_CONSTRAINT not in str(exc):
            raise
        raise _insufficient_funds(locked, deltas) from exc


def _insert_transaction(*, key, kind, memo, job_id, reverses, legs) -> tuple[LedgerTransaction, bool]:
    """The transaction row, in its own savepoint; ``(row, created)``. If a concurrent post
    of the same key committed first, that one is ours and is returned with False."""
    try:
        with transaction.atomic():
            posted = LedgerTransaction.objects.create(key=key, kind=kind, memo=memo, job_id=job_id, reverses=reverses)
    except IntegrityError as exc:
        existing = _existing_or_conflict(key, kind, legs, reverses)
        if existing is not None:
            return existing, False
        if _REVERSED_ONCE_CONSTRAINT in str(exc):
            raise ConflictError(
                f"ledger transaction {reverses.key} is already reversed", code="ledger_already_reversed"
            ) from exc
        raise
    return posted, True


def _insufficient_funds(locked: dict[int, LedgerAccount], deltas: dict[int, int]) -> InsufficientFundsError:
    short = [
        f"{a.code} has {a.balance_fen}, needs {-deltas[a.id]}"
        for a in locked.values()
        if not a.allow_negative and a.balance_fen + deltas[a.id] < 0
    ]
    return InsufficientFundsError(_("insufficient funds: ") + ("; ".join(short) or "an account would go negative"))


def ledger_reverse(*, transaction_key: str, key: str, memo: str = "") -> tuple[LedgerTransaction, bool]:
    """Post the negated legs of ``transaction_key`` under ``key``; idempotent like ledger_post.

    A transaction is reversed at most once (409 ``ledger_already_reversed``), and the
    reversal is refused with ``insufficient_funds`` if the money has moved on since.
    """
    original = LedgerTransaction.objects.filter(key=transaction_key).first()
    if original is None:
        raise NotFoundError(f"ledger transaction {transaction_key} not found", code="ledger_transaction_not_found")
    legs = [(leg.account, -leg.amount_fen) for leg in original.legs.select_related("account").order_by("id")]
    return ledger_post(
        key=key,
        kind=chart.TxKind.REVERSAL,
        legs=legs,
        memo=memo or f"reverses {original.key}",
        job_id=original.job_id,
        reverses=original,
    )


# Invariants -------------------------------------------------------------------------


@dataclass
class LedgerReport:
    balanced: bool
    problems: list[str] = field(default_factory=list)
    accounts: int = 0
    transactions: int = 0


def ledger_check(*, finished_job_ids: Iterable[int] = ()) -> LedgerReport:
    """Check the ledger's invariants in a fixed number of aggregate queries.

    Each check is one statement, so it sees one consistent snapshot even while posts
    commit concurrently (a post writes its legs and balances in one transaction).
    """
    problems: list[str] = []

    unbalanced = (
        LedgerLeg.objects.values("transaction_id", "transaction__key")
        .annotate(total=Sum("amount_fen"))
        .exclude(total=0)
        .order_by("transaction_id")
    )
    problems += [f"transaction {row['transaction__key']} legs sum to {row['total']}" for row in unbalanced]

    legless = LedgerTransaction.objects.filter(legs__isnull=True).values_list("key", flat=True)
    problems += [f"transaction {key} has no legs" for key in legless]

    drifted = (
        LedgerAccount.objects.annotate(legs_total=Sum("legs__amount_fen", default=0))
        .exclude(balance_fen=F("legs_total"))
        .values_list("code", "balance_fen", "legs_total")
    )
    problems += [f"account {code} cached balance {cached} != legs sum {total}" for code, cached, total in drifted]

    negative = LedgerAccount.objects.filter(allow_negative=False, balance_fen__lt=0).values_list("code", "balance_fen")
    problems += [f"account {code} is negative: {balance}" for code, balance in negative]

    finished = sorted(set(finished_job_ids))
    if finished:
        left = (
            LedgerAccount.objects.filter(kind=Kind.ESCROW, job_id__in=finished)
            .exclude(balance_fen=0)
            .values_list("code", "job_id", "balance_fen")
        )
        problems += [f"account {code} holds {balance} on finished job {job}" for code, job, balance in left]

    return LedgerReport(
        balanced=not problems,
        problems=problems,
        accounts=LedgerAccount.objects.count(),
        transactions=LedgerTransaction.objects.count(),
    )
