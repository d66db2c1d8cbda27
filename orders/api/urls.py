from core.routing import route
from orders.api import views

urlpatterns = [
    route("jobs/quote", views.JobQuoteView.as_view(), "job-quote"),
    route("jobs", views.JobListCreateView.as_view(), "job-list"),
    route("jobs/summary", views.JobsSummaryView.as_view(), "jobs-summary"),
    route(r"jobs/(?P<job_id>\d+)", views.JobDetailView.as_view(), "job-detail"),
    route(r"jobs/(?P<job_id>\d+)/events", views.JobHistoryListView.as_view(), "job-events"),
    route(r"jobs/(?P<job_id>\d+)/cancel", views.JobCancelView.as_view(), "job-cancel"),
    route(r"jobs/(?P<job_id>\d+)/dispute", views.JobDisputeView.as_view(), "job-dispute"),
    route("board", views.BoardView.as_view(), "board"),
    route(r"board/(?P<job_id>\d+)/accept", views.BoardAcceptView.as_view(), "board-accept"),
    route("offers", views.OfferListView.as_view(), "offer-list"),
    route(r"offers/(?P<offer_id>\d+)/accept", views.OfferAcceptView.as_view(), "offer-accept"),
    route(r"offers/(?P<offer_id>\d+)/decline", views.OfferDeclineView.as_view(), "offer-decline"),
    route("wallet", views.WalletView.as_view(), "wallet"),
    route("assignments", views.AssignmentListView.as_view(), "assignment-list"),
    route(r"assignments/(?P<assignment_id>\d+)/materials-sent", views.MaterialsSentView.as_view(), "materials-sent"),
    route(
        r"assignments/(?P<assignment_id>\d+)/materials-received",
        views.MaterialsReceivedView.as_view(),
        "materials-received",
    ),
    route(
        r"assignments/(?P<assignment_id>\d+)/materials-returned",
        views.MaterialsReturnedView.as_view(),
        "materials-returned",
    ),
    route(r"assignments/(?P<assignment_id>\d+)/progress", views.ProgressView.as_view(), "assignment-progress"),
    route(r"assignments/(?P<assignment_id>\d+)/deliver", views.DeliverView.as_view(), "assignment-deliver"),
    route(r"assignments/(?P<assignment_id>\d+)/accept", views.AcceptDeliveryView.as_view(), "assignment-accept"),
    route("factory/quality", views.FactoryQualityView.as_view(), "factory-quality"),
    route(
        r"assignments/(?P<assignment_id>\d+)/inspection",
        views.AssignmentInspectionView.as_view(),
        "assignment-inspection",
    ),
    route(r"assignments/(?P<assignment_id>\d+)/withdraw", views.WithdrawView.as_view(), "assignment-withdraw"),
    route(
        r"admin/jobs/(?P<job_id>\d+)/resolve-dispute", views.AdminResolveDisputeView.as_view(), "admin-resolve-dispute"
    ),
]
