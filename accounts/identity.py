"""Usernames and passwords as a person means them.

A username is compared in one canonical form (``canonical_username``): NFKC normalisation,
white space stripped at both ends (Unicode's too: an ideographic ``\u3000`` or an em space),
case folding. ``Lin``, `` lin``, ``lin\u3000`` and a full-width ``ｌｉｎ`` are one name for
registration (the unique ``Identity``), login (``accounts.backends``), the login throttle's
per-username counter and django-axes' lockout (``axes_username``) alike. One that mixes
scripts with look-alike letters, or uses
non-Latin letters that pass for Latin ones (``acceptаdmin`` with a Cyrillic ``а``), is
refused: it exists to be mistaken for someone else. A password is compared exactly as it
was registered (no trimming anywhere) and needs ``MIN_PASSWORD_LETTERS`` characters that
are not white space, beside Django's validators.
"""

import unicodedata
from collections.abc import Mapping

from confusable_homoglyphs import confusables
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MIN_PASSWORD_LETTERS = 8


def canonical_username(username: str) -> str:
    """The one form a username is compared in. NFKC first, so a character it turns into a
    space (``\u3000``) is stripped too."""
    return unicodedata.normalize("NFKC", username).strip().casefold()


def axes_username(request, credentials=None) -> str:
    """django-axes' ``AXES_USERNAME_CALLABLE``: the attempt's username in canonical form, so
    case, width and white-space variants of one name share one lockout. A username that is
    not text (the API refuses it with a 400 before any password is checked) keys as ""."""
    source = credentials if credentials is not None else getattr(request, "data", None) or request.POST
    username = source.get("username") if isinstance(source, Mapping) else None
    return canonical_username(username) if isinstance(username, str) else ""


def username_problem(username: str) -> str:
    """Why a username may not be registered (besides being taken), or ""."""
    if confusables.is_dangerous(username) or (
        not username.isascii() and confusables.is_confusable(username, preferred_aliases=["latin"])
    ):
        return "Use letters of one script that cannot be mistaken for Latin ones (e.g. no Cyrillic а for a)."
    return ""


class NonSpacePasswordValidator:
    """At least MIN_PASSWORD_LETTERS characters that are not white space."""

    def validate(self, password, user=None):
        if sum(1 for char in password if not char.isspace()) < MIN_PASSWORD_LETTERS:
            raise ValidationError(
                _("This password has fewer than %(n)d characters that are not spaces.") % {"n": MIN_PASSWORD_LETTERS},
                code="password_too_blank",
            )

    def get_help_text(self):
        return _("Your password needs at least %(n)d characters that are not spaces.") % {"n": MIN_PASSWORD_LETTERS}
