from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from accounts.api import views
from accounts.api.notifications import NotificationListView
from core.routing import route

urlpatterns = [
    route("auth/register", views.RegisterView.as_view(), "auth-register"),
    route("auth/token", TokenObtainPairView.as_view(), "auth-token"),
    route("auth/token/refresh", TokenRefreshView.as_view(), "auth-token-refresh"),
    route("me", views.MeView.as_view(), "me"),
    route("notifications", NotificationListView.as_view(), "notification-list"),
]
