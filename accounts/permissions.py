"""Role checks. A wrong role is 403; an object of another company is 404 (selectors scope)."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from accounts.selectors import company_for_user


class IsSME(BasePermission):
    message = _("Only SME accounts may do this.")

    def has_permission(self, request, view):
        company = company_for_user(request.user)
        return company is not None and company.is_sme


class IsFactory(BasePermission):
    message = _("Only factory accounts may do this.")

    def has_permission(self, request, view):
        company = company_for_user(request.user)
        return company is not None and company.is_factory


class IsPlatformAdmin(BasePermission):
    message = _("Only platform admins may do this.")

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)
