"""Small SQL helpers shared by the apps' services and selectors."""

from django.db.models.expressions import RawSQL


def id_in(ids):
    """The right side of ``field__in`` for a long list of ids: one array parameter
    (``IN (SELECT unnest(%s))``) instead of one parameter per id, which costs thousands of
    placeholders to build and parse when a dispatch batch asks about 10,000 jobs."""
    return RawSQL("SELECT unnest(%s::bigint[])", [list(ids)])
