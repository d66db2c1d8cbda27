"""Reads of the process catalogue."""

from catalogue.models import Process


def process_list():
    return Process.objects.filter(active=True).order_by("code")


def process_get_by_code(code: str) -> Process | None:
    return Process.objects.filter(code=code, active=True).first()
