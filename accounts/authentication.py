"""The API's bearer-token authentication: simplejwt's, reading the user together with the
company it acts for in one query (every view asks ``company_for_user``, which then costs
nothing), instead of three (user, membership, company) on every request.

That query runs on every authenticated request, so its SQL is written once per process from
the three models' columns (``UserWithCompanyQuery``) instead of being built by the ORM each
time: building a three-table ``select_related`` was about half the authentication's CPU.
The objects come back as the ORM's would, caches included (a test holds the two equal).
"""

from functools import cache

from django.contrib.auth import get_user_model
from django.db import connections, router
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication

from accounts.models import Company, Membership


def _columns(model, alias: str) -> list[str]:
    return [f'{alias}."{field.column}"' for field in model._meta.concrete_fields]


class UserWithCompanyQuery:
    """What simplejwt's ``get_user`` reads from ``user_model``: ``objects.get(id=...)`` and
    ``DoesNotExist``. One statement joins the user's membership and company (an outer join:
    a user without one, a platform admin, still loads) and builds the three objects with the
    related caches ``select_related("membership__company")`` would set."""

    def __init__(self, model):
        self.model = model
        self.DoesNotExist = model.DoesNotExist
        self.objects = self
        self._user_field = Membership._meta.get_field("user")
        self._company_field = Membership._meta.get_field("company")
        self._sql = self._statement(model)
        self._split = (len(model._meta.concrete_fields), len(Membership._meta.concrete_fields))
        self._converters: dict[str, list] = {}

    def _statement(self, model) -> str:
        user, membership, company = (m._meta for m in (model, Membership, Company))
        columns = ", ".join(_columns(model, "u") + _columns(Membership, "m") + _columns(Company, "c"))
        joins = (
            f'LEFT JOIN "{membership.db_table}" m ON m."{self._user_field.column}" = u."{user.pk.column}" '
            f'LEFT JOIN "{company.db_table}" c ON c."{company.pk.column}" = m."{self._company_field.column}"'
        )
        # Names from the models' metadata; the one value is a parameter.
        return f'SELECT {columns} FROM "{user.db_table}" u {joins} WHERE u."{user.pk.column}" = %s'  # noqa: S608

    def get(self, **lookup):
        ((name, value),) = lookup.items()
        if name not in ("id", "pk", self.model._meta.pk.attname):
            raise TypeError(f"the token's user is looked up by its primary key, not {name}")
        try:
            user_id = int(value)
        except (TypeError, ValueError, OverflowError):  # OverflowError: an infinite float claim
            raise self.DoesNotExist from None
        if not -(2**63) <= user_id < 2**63:  # beyond a bigint: no such row, whatever the driver makes of it
            raise self.DoesNotExist
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(self._sql, [user_id])
            row = cursor.fetchone()
        if row is None:
            raise self.DoesNotExist
        return self._objects(alias, self._converted(connection, list(row)))

    def _converted(self, connection, row: list) -> list:
        """The values as the ORM hands them to ``from_db``: each field's converters from the
        database's form (JSON text, ...), found once per database."""
        if connection.alias not in self._converters:
            fields = [*self.model._meta.concrete_fields, *Membership._meta.concrete_fields]
            found = []
            for i, field in enumerate([*fields, *Company._meta.concrete_fields]):
                column = field.get_col(field.model._meta.db_table)
                converters = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
                if converters:
                    found.append((i, column, converters))
            self._converters[connection.alias] = found
        for i, column, converters in self._converters[connection.alias]:
            for converter in converters:
                row[i] = converter(row[i], column, connection)
        return row

    def _objects(self, alias: str, row):
        n_user, n_membership = self._split
        user = self.model.from_db(alias, None, row[:n_user])
        membership_row = row[n_user : n_user + n_membership]
        if membership_row[0] is None:  # no membership: the cache says so, as select_related's does
            self._user_field.remote_field.set_cached_value(user, None)
            return user
        membership = Membership.from_db(alias, None, membership_row)
        company_row = row[n_user + n_membership :]
        company = None if company_row[0] is None else Company.from_db(alias, None, company_row)
        self._user_field.remote_field.set_cached_value(user, membership)
        self._user_field.set_cached_value(membership, user)
        self._company_field.set_cached_value(membership, company)
        return user


class CompanyJWTAuthentication(JWTAuthentication):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_model = _users_with_company()


@cache
def _users_with_company() -> UserWithCompanyQuery:
    """One per process (DRF makes an authenticator per request)."""
    return UserWithCompanyQuery(get_user_model())


class CompanyJWTScheme(SimpleJWTScheme):
    """The OpenAPI schema names it as simplejwt's own (``jwtAuth``, a bearer JWT)."""

    target_class = "accounts.authentication.CompanyJWTAuthentication"
