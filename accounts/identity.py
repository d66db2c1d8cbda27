"""Usernames and passwords as a person means them.

A username is compared after NFKC normalisation and case folding (``Lin`` is ``lin``, a
full-width ``ｌｉｎ`` too), and one that mixes scripts with look-alike letters, or uses
non-Latin letters that pass for Latin ones (``acceptаdmin`` with a Cyrillic ``а``), is
refused: it exists to be mistaken for someone else. A password is compared exactly as it
was registered (no trimming anywhere) and needs ``MIN_PASSWORD_LETTERS`` characters that
are not white space, beside Django's validators.
"""

import unicodedata

from confusable_homoglyphs import confusables
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MIN_PASSWORD_LETTERS = 8


def canonical_username(username: str) -> str:
    return unicodedata.normalize("NFKC", username).casefold()


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
