from core.routing import route
from payments.api import views

urlpatterns = [
    route(r"payments/webhooks/(?P<provider>[a-z0-9_-]{1,32})", views.WebhookView.as_view(), "payment-webhook"),
    route(
        r"payments/(?P<payment_id>\d+)/wechatpay/prepay",
        views.WechatPayPrepayView.as_view(),
        "payment-wechatpay-prepay",
    ),
    route(r"payments/(?P<payment_id>\d+)/wechatpay/qr", views.WechatPayQrView.as_view(), "payment-wechatpay-qr"),
    route(r"settlement-lines/(?P<line_id>\d+)/refresh", views.PayoutRefreshView.as_view(), "settlement-line-refresh"),
    route("admin/ledger/check", views.LedgerCheckView.as_view(), "admin-ledger-check"),
    route("settlements", views.SettlementListView.as_view(), "settlement-list"),
    route("admin/settlements", views.AdminSettlementListView.as_view(), "admin-settlement-list"),
    route(
        r"admin/settlements/(?P<batch_id>\d+)/approve",
        views.AdminSettlementApproveView.as_view(),
        "admin-settlement-approve",
    ),
    route(
        r"admin/settlements/(?P<batch_id>\d+)/reject",
        views.AdminSettlementRejectView.as_view(),
        "admin-settlement-reject",
    ),
]
