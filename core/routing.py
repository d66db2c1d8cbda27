from django.urls import re_path


def route(pattern: str, view, name: str):
    """A path that answers with and without the trailing slash, never redirecting."""
    pattern = pattern.strip("/")
    return re_path(rf"^{pattern}/?$" if pattern else r"^/?$", view, name=name)
