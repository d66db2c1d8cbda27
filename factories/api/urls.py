from core.routing import route
from factories.api import views

urlpatterns = [
    route("factory/profile", views.FactoryProfileView.as_view(), "factory-profile"),
    route("factory/capabilities", views.CapabilityListCreateView.as_view(), "capability-list"),
    route(r"factory/capabilities/(?P<capability_id>\d+)", views.CapabilityDetailView.as_view(), "capability-detail"),
    route(r"admin/factories/(?P<company_id>\d+)/verify", views.AdminFactoryVerifyView.as_view(), "admin-verify"),
]
