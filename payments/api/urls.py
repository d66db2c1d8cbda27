from marketplace.routing import route
from payments.api import views

urlpatterns = [
    route("wallet", views.WalletView.as_view(), "wallet"),
    route(r"payments/webhooks/(?P<provider>[a-z0-9_-]{1,32})", views.WebhookView.as_view(), "payment-webhook"),
    route("admin/ledger/check", views.LedgerCheckView.as_view(), "admin-ledger-check"),
]
