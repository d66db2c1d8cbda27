"""Shared builders for cross-app tests."""

from marketplace.tests.factories import UserFactory, sme_user


def world_for_battery() -> dict:
    """Users of every role and ids of real objects, so a malformed request reaches its parser."""
    users = {"anonymous": None, "sme": sme_user(), "admin": UserFactory(is_staff=True)}
    return {"users": users, "ids": {"id": 1, "job_id": 1, "provider": "sandbox", "payment_id": 1}}
