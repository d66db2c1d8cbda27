"""The payments app's admin: money (``money``) and settlement (``settlement``), sharing
``readable``."""

from payments.admin import money, settlement  # noqa: F401 - registers the admins
from payments.admin.money import reconciliation_view

__all__ = ["reconciliation_view"]
