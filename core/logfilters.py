"""Log filters. ``QuietTicks``: the console a newcomer reads: the beat's frequent entries
(dispatch every 2 seconds, the outbox and the sweeps every 5 or 10) and their ticks (beat
sending them, the worker receiving and finishing them) are not news; each logs a line of its
own when it did something. The settings name the entries (``markers``: the entries' names and
task names, from the beat schedule). LOG_TICKS=1 shows the ticks again (the tests that watch
real processes do). ``RedactSecrets``: no secret carried in a URL reaches a log line."""

import logging
import re


class QuietTicks(logging.Filter):
    def __init__(self, markers=()):
        super().__init__()
        self.markers = tuple(markers)

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("celery") or record.levelno > logging.INFO:
            return True
        message = record.getMessage()
        return not any(marker in message for marker in self.markers)


# Bearer secrets that travel in URLs: a socket's single-use ticket (``/ws/v1/events?ticket=``)
# and the sandbox pay link's token (``/sandbox/pay/<id>/<token>``).
SECRETS_IN_URLS = (
    (re.compile(r"([?&;]ticket=)[^&;\s\"']+", re.IGNORECASE), r"\1[redacted]"),
    (re.compile(r"(/sandbox/pay/\d+/)[0-9a-f]{32}"), r"\1[redacted]"),
)


def redact(text: str) -> str:
    for pattern, replacement in SECRETS_IN_URLS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """Takes the secrets of ``SECRETS_IN_URLS`` out of a log line before it is written:
    uvicorn's access line and its WebSocket line print the URL with its query string, and
    anything else may quote one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: redact(arg) if isinstance(arg, str) else arg for key, arg in record.args.items()}
        return True
