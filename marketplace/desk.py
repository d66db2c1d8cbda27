"""What needs an operator today, counted for the desk on the admin's index (reads only):
the things to act on, the day's numbers and the alerts, each linked to the filtered list
that shows them (the template builds the links)."""

from datetime import datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from catalogue.models import Process
from factories.models import Capability, FactoryProfile
from marketplace import dashboard
from orders import material_selectors
from orders import selectors as order_selectors
from orders.models import Assignment, Job, JobHistory
from payments.models import BillDifference, LedgerAccount, Payment, Refund, SettlementBatch

# A payment still unpaid this long after it was made has outlived the reconciliation sweep.
STUCK_AFTER = timedelta(hours=1)
WAITING_AFTER = order_selectors.WAITING_FOR_FACTORY


def desk_counts(*, now=None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "batches_to_review": SettlementBatch.objects.filter(status=SettlementBatch.Status.PENDING_REVIEW).count(),
        "payouts_failed": SettlementBatch.objects.filter(status=SettlementBatch.Status.FAILED).count(),
        "disputes": Job.objects.filter(status=Job.Status.DISPUTED).count(),
        "refunds_failed": Refund.objects.filter(status=Refund.Status.FAILED).count(),
        "payments_stuck": Payment.objects.filter(
            status=Payment.Status.REQUIRES_PAYMENT, created_at__lt=now - STUCK_AFTER
        ).count(),
        "empty_dispatch_batches": order_selectors.dispatch_empty_batches(),
        "jobs_waiting": order_selectors.jobs_waiting_for_factory(now=now).count(),
        "jobs_overdue": order_selectors.jobs_overdue(now=now).count(),
        "bill_differences": BillDifference.objects.count(),
        "escrow_held_fen": LedgerAccount.objects.filter(kind=LedgerAccount.Kind.ESCROW).aggregate(
            held=Sum("balance_fen")
        )["held"]
        or 0,
    }


def today(*, now=None) -> dict:
    """Today (local day): jobs posted; jobs first matched (their first share taken today);
    jobs completed today; and the match rate: of today's posted jobs that were paid, the
    share a factory has taken. The same terms as the dashboard's and ``simulate --report``'s."""
    now = now or timezone.now()
    start = timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))
    posted = Job.objects.filter(created_at__gte=start)
    # a job whose first share was taken today: a share today, none before (no scan of every share)
    earlier = Assignment.objects.filter(job_id=OuterRef("job_id"), assigned_at__lt=start)
    first_shares = (
        Assignment.objects.filter(assigned_at__gte=start).exclude(Exists(earlier)).values("job_id").distinct().count()
    )
    completed = (
        JobHistory.objects.filter(
            action="status", new_status=Job.Status.COMPLETED, created_at__gte=start, job__status=Job.Status.COMPLETED
        )
        .values("job_id")
        .distinct()
        .count()
    )
    paid = posted.filter(Exists(JobHistory.objects.filter(job_id=OuterRef("id"), action="paid")))
    paid_count = paid.count()
    matched_of_paid = paid.filter(Exists(Assignment.objects.filter(job_id=OuterRef("id")))).count()
    return {
        "start": start,
        "posted": posted.count(),
        "matched": first_shares,
        "completed": completed,
        "paid": paid_count,
        "match_rate": matched_of_paid / paid_count if paid_count else None,
    }


def processes_online() -> list[dict]:
    """Per active process: verified factories online for it, and its open jobs."""
    online = dict(
        Capability.objects.filter(factory__online=True, factory__verification=FactoryProfile.Verification.VERIFIED)
        .values("process_id")
        .annotate(n=Count("factory_id", distinct=True))
        .values_list("process_id", "n")
    )
    open_jobs = dict(
        Job.objects.filter(status=Job.Status.OPEN)
        .values("process_id")
        .annotate(n=Count("id"))
        .values_list("process_id", "n")
    )
    return [
        {"process": process, "online": online.get(process.id, 0), "open_jobs": open_jobs.get(process.id, 0)}
        for process in Process.objects.filter(Q(active=True) | Q(id__in=open_jobs)).order_by("code")
    ]


def desk(*, now=None) -> dict:
    """Everything the desk shows: counts, today's numbers, factories online per process,
    and the alerts (a process with open jobs and no factory online; an over-booked factory)."""
    processes = processes_online()
    overbooked = [row for row in dashboard.factory_utilisation(now=now) if row["overbooked"]]
    return {
        **desk_counts(now=now),
        "material_to_confirm": material_selectors.material_returned_unconfirmed(),
        "today": today(now=now),
        "processes": processes,
        "no_factory": [row for row in processes if row["open_jobs"] and not row["online"]],
        "overbooked": overbooked,
        "waiting_minutes": int(WAITING_AFTER.total_seconds() // 60),
    }
