"""The API's bearer-token authentication: simplejwt's, reading the user together with the
company it acts for in one query (every view asks ``company_for_user``, which then costs
nothing), instead of three (user, membership, company) on every request."""

from django.contrib.auth import get_user_model
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication


class _UsersWithCompany:
    """What simplejwt's ``get_user`` reads from ``user_model``: ``objects`` and ``DoesNotExist``;
    here ``objects`` joins the user's membership and company (a user without one, a platform
    admin, still loads: the join is an outer one)."""

    def __init__(self, model):
        self.DoesNotExist = model.DoesNotExist
        self.objects = model._default_manager.select_related("membership__company")


class CompanyJWTAuthentication(JWTAuthentication):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_model = _UsersWithCompany(get_user_model())


class CompanyJWTScheme(SimpleJWTScheme):
    """The OpenAPI schema names it as simplejwt's own (``jwtAuth``, a bearer JWT)."""

    target_class = "accounts.authentication.CompanyJWTAuthentication"
