"""What the schema says of each auth and identity operation (``core.api.schema.operation``)."""

from accounts.api.serializers import TokenPairSerializer
from core.api.schema import error_example, operation

ACCESS = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwidXNlcl9pZCI6N30.q3Vb1x"
REFRESH = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCIsInVzZXJfaWQiOjd9.Zt8kQw"
TOKENS = {"access": ACCESS, "refresh": REFRESH}
# A refresh, then a password change, each issue a new pair.
REFRESHED = {"access": ACCESS[:-6] + "Hn4Rp2", "refresh": REFRESH[:-6] + "c8Wd1L"}
AFTER_PASSWORD = {"access": ACCESS[:-6] + "Yb7Tz0", "refresh": REFRESH[:-6] + "Qm3Vx5"}
USER = {"id": 7, "username": "sme_capco"}
COMPANY = {
    "id": 3,
    "name": "Capco Hats",
    "kind": "sme",
    "lat": 36.2853,
    "lng": 120.0097,
    "address": "18 Lanzhou East Road, Jiaozhou",
}
BAD_TOKEN = error_example(401, "token_not_valid", "Given token not valid for any token type")
LOCKED_OUT = error_example(
    429,
    "locked_out",
    "Too many wrong passwords: try again in 15 minutes or ask a platform admin to unlock it. "
    "密码错误次数过多，请 15 分钟后再试或联系平台管理员解锁。",
)

register = operation(
    "Register a company",
    "Anyone. Creates a user, its company (`kind`: `sme` or `factory`) and the membership "
    "between them, and answers 201 with a token pair so the app is signed in at once. A "
    "factory also gets its profile (unverified, offline) and waits for an admin to verify it. "
    "Usernames that mix scripts to pass for another are refused (`username_confusable`). "
    "With an `Idempotency-Key`, a retry (same key and body within 24 h) returns the same user "
    "and company with fresh tokens while the account's password is still the one registered; "
    "after a password change or a deactivation it returns them without `access` and `refresh` "
    "(log in instead).",
    request={
        "username": "sme_capco",
        "password": "Hat-brims-2026!",
        "company": {
            "name": "Capco Hats",
            "kind": "sme",
            "lat": 36.2853,
            "lng": 120.0097,
            "address": "18 Lanzhou East Road, Jiaozhou",
        },
    },
    response={"user": USER, "company": COMPANY, **TOKENS},
    errors=(
        error_example(
            400,
            "username_taken",
            "A user with that username already exists.",
            {"username": ["A user with that username already exists."]},
        ),
    ),
)

token = operation(
    "Log in",
    "Anyone: `{username, password}` -> `{access, refresh}`. The access token (60 minutes) goes "
    "in `Authorization: Bearer <access>`. Throttled per address and per username "
    "(`THROTTLE_LOGIN`, 10/min); five wrong passwords lock that username and address out for "
    "15 minutes (429 `locked_out`, even with the right password).",
    request={"username": "factory_hongda", "password": "demo-pass-2026"},
    response=TOKENS,
    responses={200: TokenPairSerializer},
    errors=(
        error_example(401, "invalid_credentials", "No active account found with the given credentials"),
        LOCKED_OUT,
    ),
)

token_refresh = operation(
    "Refresh a token pair",
    "Anyone holding a refresh token: `{refresh}` -> a new `{access, refresh}`. Refresh tokens "
    "rotate: the one given is used up, and a second use, a revoked one (logout) or one issued "
    "before a password change is 401.",
    request={"refresh": REFRESH},
    response=REFRESHED,
    responses={200: TokenPairSerializer},
    errors=(error_example(401, "token_not_valid", "Token is blacklisted"),),
)

logout = operation(
    "Log out",
    "A signed-in user revokes one of its refresh tokens (204); access tokens already issued "
    "run out on their own within 60 minutes.",
    request={"refresh": REFRESHED["refresh"]},
    errors=(error_example(400, "invalid", "Not your refresh token.", {"refresh": ["Not yours."]}), BAD_TOKEN),
)

password = operation(
    "Change my password",
    "A signed-in user: `{old_password, new_password}` -> a new token pair. Every token issued "
    "before, access tokens included, is refused from then on, so other devices are signed out, "
    "and so is every open WebSocket ticket. Throttled like a login. A wrong `old_password` counts "
    "as a failed login of this username from this address (five lock the pair out of the login "
    "and of this, 429 `locked_out`) and against the account from any address: after five, each "
    "within 15 minutes of the last, the password cannot be changed for 15 minutes.",
    request={"old_password": "demo-pass-2026", "new_password": "Velcro-and-webbing-77"},
    response=AFTER_PASSWORD,
    errors=(
        error_example(400, "invalid", "The old password is wrong.", {"old_password": ["Wrong password."]}),
        BAD_TOKEN,
        error_example(
            429,
            "locked_out",
            "Too many wrong old passwords for this account; try again in 15 minutes. "
            "原密码错误次数过多，请 15 分钟后再试。",
        ),
    ),
)

me = operation(
    "Who am I",
    "Any signed-in user: the user, the company it acts for (`null` for a platform admin) and "
    "whether it is staff. Changes nothing.",
    response={"user": USER, "company": COMPANY, "is_staff": False},
    errors=(BAD_TOKEN,),
)

me_update = operation(
    "Change my company's details",
    "A member of a company: name, location (`lat`/`lng`, where an SME hands material over and "
    "a job's default hand-off place) and address of the caller's company; fields left out stay "
    "as they are. Platform admins act for no company (403). `kind` cannot be changed.",
    request={"company": {"lat": 36.2861, "lng": 120.0112, "address": "27 Lanzhou East Road, Jiaozhou"}},
    response={
        "user": USER,
        "company": {**COMPANY, "lat": 36.2861, "lng": 120.0112, "address": "27 Lanzhou East Road, Jiaozhou"},
        "is_staff": False,
    },
    errors=(error_example(403, "forbidden", "Platform admins act for no company."),),
)

notifications = operation(
    "My notifications",
    "Any signed-in user: its company's notifications, newest first, paginated; e.g. why a "
    "factory was switched offline after letting dispatch offers expire. They are the "
    "`notification` events of the company's real-time stream (`seq` is their place in it).",
    response={
        "id": 412,
        "seq": 37,
        "kind": "switched_offline",
        "message": "连续 3 个派单邀约未应答，已将您切换为离线；能接单时请重新上线。 You were switched offline because "
        "3 offers in a row expired without an answer. Go online again when you can take work.",
        "data": {"offer_id": 88},
        "created_at": "2026-06-09T10:03:00+08:00",
    },
)
