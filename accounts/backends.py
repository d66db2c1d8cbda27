"""Login by the canonical username (``accounts.identity``): Django's ``ModelBackend``, finding
the user through its ``Identity`` row instead of the exact spelling, so whatever variant of a
name logs in is the variant the throttle and the lockout counted."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from accounts.identity import canonical_username


class CanonicalUsernameBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        User = get_user_model()
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not isinstance(username, str) or password is None:
            return None
        user = User._default_manager.filter(identity__canonical_username=canonical_username(username)).first()
        if user is None:
            # As ModelBackend does: hash the password anyway, so an unknown name takes as long.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
