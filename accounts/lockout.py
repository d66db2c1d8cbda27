"""Wrong passwords, counted: the 429 ``locked_out`` of django-axes (per username and address,
for the login and the password change) and the per-account limit on wrong old passwords.

A password change is made with a bearer token; whoever holds a stolen one could otherwise
guess the old password from address after address. So every wrong ``old_password`` counts
twice: as a failed login in django-axes (its username and address are locked out of the
login too), and against the account, whatever the address: after LOGIN_FAILURE_LIMIT wrong
ones, each within LOGIN_COOLOFF_MINUTES of the one before, the account's password cannot be
changed until LOGIN_COOLOFF_MINUTES have passed since the last.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError

from core.errors import ApplicationError

logger = logging.getLogger(__name__)

LOCKED_OUT_MESSAGE = (
    "Too many wrong passwords for this account from your address; try again in {minutes} minutes "
    "or ask a platform admin to unlock it. 密码错误次数过多，请 {minutes} 分钟后再试或联系平台管理员解锁。"
)
ACCOUNT_LOCKED_MESSAGE = (
    "Too many wrong old passwords for this account; try again in {minutes} minutes. "
    "原密码错误次数过多，请 {minutes} 分钟后再试。"
)


class LockedOutError(ApplicationError):
    status_code = 429
    code = "locked_out"


def _minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def locked_out_message() -> str:
    return LOCKED_OUT_MESSAGE.format(minutes=_minutes())


def _key(user_id: int) -> str:
    return f"password-change-failures:{user_id}"


def password_failures_check(*, user_id: int) -> None:
    """429 ``locked_out`` while the account has had too many wrong old passwords."""
    try:
        failures = cache.get(_key(user_id), 0)
    except (RedisError, OSError):  # as the throttles: Redis is an accelerator, not a gate (axes still counts)
        logger.warning("password-change failure counter unreachable; not checked", exc_info=True)
        return
    if failures >= settings.AXES_FAILURE_LIMIT:
        raise LockedOutError(ACCOUNT_LOCKED_MESSAGE.format(minutes=_minutes()))


def password_failure_record(*, user_id: int) -> None:
    """One more wrong old password; the count lives LOGIN_COOLOFF_MINUTES past the last one."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    try:
        cache.add(_key(user_id), 0, timeout=seconds)
        cache.incr(_key(user_id))
        cache.touch(_key(user_id), timeout=seconds)
    except ValueError:  # expired between add and incr: this failure starts a new count
        cache.add(_key(user_id), 1, timeout=seconds)
    except (RedisError, OSError):
        logger.warning("password-change failure counter unreachable; not counted", exc_info=True)


def password_failures_clear(*, user_id: int) -> None:
    try:
        cache.delete(_key(user_id))
    except (RedisError, OSError):
        logger.warning("password-change failure counter unreachable; not cleared", exc_info=True)
