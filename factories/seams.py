"""Seams of the factories app (``core.seams``)."""

from core.seams import AFTER_COMMIT, IN_TRANSACTION, Seam

# factory_unavailable(company_id=..., reason=...): after commit, when a factory went
# offline, was switched offline or lost its verification. Orders registers the handler
# that takes back the factory's pending dispatch offers.
factory_unavailable = Seam("factories.factory_unavailable", args={"company_id": int, "reason": str}, runs=AFTER_COMMIT)

# factory_changed(company_id=...): in the transaction of a change to what a factory may take
# (capabilities, location, radius, online, verification). Orders registers the handler that
# rebuilds the factory's grab board.
factory_changed = Seam("factories.factory_changed", args={"company_id": int}, runs=IN_TRANSACTION)
