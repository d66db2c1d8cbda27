from accounts.api import views
from accounts.api.notifications import NotificationListView
from core.routing import route

urlpatterns = [
    route("auth/register", views.RegisterView.as_view(), "auth-register"),
    route("auth/token", views.TokenObtainView.as_view(), "auth-token"),
    route("auth/token/refresh", views.TokenRefreshRotateView.as_view(), "auth-token-refresh"),
    route("auth/logout", views.LogoutView.as_view(), "auth-logout"),
    route("auth/password", views.PasswordChangeView.as_view(), "auth-password"),
    route("me", views.MeView.as_view(), "me"),
    route("notifications", NotificationListView.as_view(), "notification-list"),
]
