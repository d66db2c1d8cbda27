"""Seams of the accounts app (``core.seams``): effects that the apps above must add."""

from accounts.models import Company
from core.seams import IN_TRANSACTION, Seam

# company_registered(company=...): called inside the registration transaction, so a
# factory's profile (the factories app registers the handler) exists iff its company does.
company_registered = Seam("accounts.company_registered", args={"company": Company}, runs=IN_TRANSACTION)
