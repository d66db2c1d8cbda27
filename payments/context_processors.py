from django.conf import settings


def sandbox_payments(request) -> dict:
    """The admin's banner while the sandbox gateway (no real money) is the payment provider."""
    return {"sandbox_payments": settings.PAYMENT_PROVIDER == "sandbox"}
