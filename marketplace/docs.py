"""What the schema says of the project's own endpoints (``core.api.schema.operation``), and
the descriptions of every property of the schema, each app's ``FIELDS`` in one table."""

from django.core.exceptions import ImproperlyConfigured

from accounts.api.fields import FIELDS as accounts_fields
from catalogue.api.fields import FIELDS as catalogue_fields
from core.api.schema import FIELDS as core_fields
from core.api.schema import operation
from evidence.api.fields import FIELDS as evidence_fields
from factories.api.fields import FIELDS as factories_fields
from orders.api.fields import FIELDS as orders_fields
from payments.api.fields import FIELDS as payments_fields
from realtime.api.fields import FIELDS as realtime_fields

health = operation(
    "Health check",
    "Anyone (the load balancer): whether this process reaches its database and Redis. `status` "
    "is `ok`; `degraded` (200) while Redis is down: requests are served, throttles let traffic "
    "through and background work waits for the sweeps; `down` (503) while the database is. "
    "`database` names the database server (`postgresql`), `broker` the Celery transport in use. "
    "Answers over plain HTTP even when HTTPS is enforced. Changes nothing.",
    response={"status": "ok", "db": "ok", "database": "postgresql", "redis": "ok", "broker": "redis"},
)

FIELDS = {
    "Health.status": "`ok`; `degraded` (200) while Redis is down; `down` (503) while the database is.",
    "db": "`ok` or `down`: whether this process reaches its database.",
    "database": "The database server, `postgresql`.",
    "redis": "`ok`, `down`, or `absent` when none is configured.",
    "broker": "The Celery transport in use, e.g. `redis`.",
}


def _wrapped(prop: dict, description: str) -> dict:
    """A property that only refers to another schema takes its description beside an
    ``allOf`` (OpenAPI 3.0 ignores siblings of a ``$ref``)."""
    if "$ref" in prop:
        ref = {"$ref": prop.pop("$ref")}
        return {"allOf": [ref], **prop, "description": description}
    return {**prop, "description": description}


def property_glossary() -> dict:
    """Every app's descriptions of the properties it owns, in one table; a name described
    twice would have two meanings, and is refused."""
    glossary = {}
    for fields in (
        FIELDS,
        core_fields,
        accounts_fields,
        catalogue_fields,
        factories_fields,
        orders_fields,
        payments_fields,
        realtime_fields,
        evidence_fields,
    ):
        twice = set(glossary) & set(fields)
        if twice:
            raise ImproperlyConfigured(f"properties described twice: {sorted(twice)}")
        glossary.update(fields)
    return glossary


def describe_properties(result, generator, request, public):
    """drf-spectacular's post-processing hook: every property of every component gets its
    description (and a format, enum or pattern where it has one) from the glossary, unless
    its serializer field says it (``help_text``)."""
    glossary = property_glossary()

    def describe(node: dict, component: str) -> None:
        for name, prop in (node.get("properties") or {}).items():
            entry = glossary.get(f"{component}.{name}") or glossary.get(name)
            if entry is not None and not prop.get("description"):
                extra = entry if isinstance(entry, dict) else {"description": entry}
                prop = node["properties"][name] = _wrapped(prop, extra["description"])
                prop.update({k: v for k, v in extra.items() if k != "description"})
            describe(prop, component)
            if isinstance(prop.get("items"), dict):
                describe(prop["items"], component)

    for component, schema in result.get("components", {}).get("schemas", {}).items():
        describe(schema, component)
    return result
