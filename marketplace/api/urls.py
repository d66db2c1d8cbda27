from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from marketplace.api import views
from marketplace.api.notifications import NotificationListView
from marketplace.routing import route

urlpatterns = [
    route("auth/register", views.RegisterView.as_view(), "auth-register"),
    route("auth/token", TokenObtainPairView.as_view(), "auth-token"),
    route("auth/token/refresh", TokenRefreshView.as_view(), "auth-token-refresh"),
    route("me", views.MeView.as_view(), "me"),
    route("notifications", NotificationListView.as_view(), "notification-list"),
]
