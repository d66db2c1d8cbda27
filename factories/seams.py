"""Seams of the factories app (``core.seams``)."""

from core.seams import Seam

# factory_unavailable(company_id=..., reason=...): after commit, when a factory went
# offline, was switched offline or lost its verification. Orders registers the handler
# that takes back the factory's pending dispatch offers.
factory_unavailable = Seam("factories.factory_unavailable")
