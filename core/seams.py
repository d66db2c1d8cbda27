"""Seams: how an effect travels up the layers without an upward import.

A lower app declares a ``Seam`` ("a factory became unavailable", "a payment was captured")
and calls it; the app above that must react registers its handler in its
``AppConfig.ready()``. The lower app never imports the upper one, and every registration is
one line a newcomer can find with grep (docs/architecture.md lists them all).

A seam with ``required=True`` refuses to be called before anything is registered, so a
missing registration is a loud error at the first call, never a silently skipped effect.

Each seam declares its arguments (``args``: keyword name -> type) and when it runs
(``runs``): inside the caller's transaction (its handlers' writes commit or roll back with
the change), after the caller's commit, in a transaction the handler opens itself, or as a
read. A call with other keywords is a ``TypeError`` always; with ``SEAMS_CHECK`` on (the
tests, DEBUG) the arguments' types are checked too, and an ``IN_TRANSACTION`` seam called
outside any transaction is an error.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

IN_TRANSACTION = "in the caller's transaction"
AFTER_COMMIT = "after the caller's transaction committed"
OWN_TRANSACTION = "in a transaction the handler opens itself"
READ = "a read, in or out of a transaction"
WHEN = (IN_TRANSACTION, AFTER_COMMIT, OWN_TRANSACTION, READ)


class Seam:
    def __init__(
        self,
        name: str,
        *,
        args: dict[str, type | tuple[type, ...]] | None = None,
        runs: str = READ,
        single: bool = False,
        required: bool = True,
    ):
        if runs not in WHEN:
            raise ImproperlyConfigured(f"seam {name}: runs must be one of {WHEN}")
        self.name = name
        self.args = args  # keyword -> type; None: not declared (a test's throwaway seam)
        self.runs = runs
        self.single = single  # exactly one handler, whose result the caller gets back
        self.required = required
        self._handlers: list[Callable] = []

    def _check(self, kwargs: dict) -> None:
        if self.args is None:
            return
        if set(kwargs) != set(self.args):
            raise TypeError(f"seam {self.name} takes {sorted(self.args)}, was given {sorted(kwargs)}")
        if not getattr(settings, "SEAMS_CHECK", settings.DEBUG):
            return
        for key, value in kwargs.items():
            if not isinstance(value, self.args[key]):
                raise TypeError(f"seam {self.name}: {key} must be {self.args[key]}, not {type(value).__name__}")
        if self.runs == IN_TRANSACTION and not connection.in_atomic_block:
            raise ImproperlyConfigured(f"seam {self.name} runs {IN_TRANSACTION}, and none is open")

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
        self._check(kwargs)
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
