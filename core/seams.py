"""Seams: how an effect travels up the layers without an upward import.

A lower app declares a ``Seam`` ("a factory became unavailable", "a payment was captured")
and calls it; the app above that must react registers its handler in its
``AppConfig.ready()``. The lower app never imports the upper one, and every registration is
one line a newcomer can find with grep (docs/architecture.md lists them all).

A seam with ``required=True`` refuses to be called before anything is registered, so a
missing registration is a loud error at the first call, never a silently skipped effect.
"""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured


class Seam:
    def __init__(self, name: str, *, single: bool = False, required: bool = True):
        self.name = name
        self.single = single  # exactly one handler, whose result the caller gets back
        self.required = required
        self._handlers: list[Callable] = []

    def register(self, handler: Callable) -> Callable:
        """Add a handler (idempotent: ``ready()`` may run more than once in tests)."""
        if handler in self._handlers:
            return handler
        if self.single and self._handlers:
            raise ImproperlyConfigured(f"seam {self.name} already has a handler: {self._handlers[0]!r}")
        self._handlers.append(handler)
        return handler

    @property
    def handlers(self) -> tuple[Callable, ...]:
        return tuple(self._handlers)

    def __call__(self, **kwargs):
        if not self._handlers:
            if self.required:
                raise ImproperlyConfigured(f"nothing is registered for seam {self.name}")
            return None
        if self.single:
            return self._handlers[0](**kwargs)
        for handler in self._handlers:
            handler(**kwargs)
        return None

    def __repr__(self):
        return f"Seam({self.name!r}, handlers={len(self._handlers)})"
