"""Request bodies bounded before they are read, at the ASGI layer.

Django's ASGI handler reads a request's whole body into a temporary file (on disk past
FILE_UPLOAD_MAX_MEMORY_SIZE) before any view, middleware or DATA_UPLOAD_MAX_MEMORY_SIZE
looks at it, and neither gunicorn nor uvicorn limits it: a 1.5 GB anonymous POST wrote 1.5 GB
to the server's disk before its 400 (issue 28). This wrapper sits in front of Django and
Channels and answers 413 in the contract's error shape

- at once, without reading anything, when ``Content-Length`` says the body is too large;
- as soon as the bytes received exceed the limit, for a body without a length (chunked):
  Django is told the client went away (it stops reading and answers nothing) and never
  sees the bytes beyond the limit.

Either way the response closes the connection, so the server reads no more of that body.
The limit is REQUEST_BODY_MAX_BYTES, or the larger one REQUEST_BODY_LIMITS gives a path
prefix (an upload endpoint); the reverse proxy in front (deploy/nginx.conf) keeps the same
limit with ``client_max_body_size``.
"""

import json

MESSAGE = (
    "The request body is larger than this endpoint accepts ({limit} bytes). 请求体超过此接口的上限（{limit} 字节）。"
)


class RequestBodyLimit:
    def __init__(self, app, *, default: int, by_prefix: dict[str, int] | None = None):
        self.app = app
        self.default = default
        # Longest prefix first, so /api/v1/uploads/photos/ wins over /api/v1/uploads/.
        self.by_prefix = sorted((by_prefix or {}).items(), key=lambda item: len(item[0]), reverse=True)

    def limit_for(self, path: str) -> int:
        for prefix, limit in self.by_prefix:
            if path.startswith(prefix):
                return limit
        return self.default

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.limit_for(scope.get("path", ""))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, limit)
            return None
        state = {"received": 0, "refused": False, "started": False}

        async def bounded_receive():
            if state["refused"]:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit:
                    state["refused"] = True
                    if not state["started"]:
                        await _refuse(send, limit)
                    return {"type": "http.disconnect"}  # Django stops reading and answers nothing
            return message

        async def guarded_send(message):
            if state["refused"]:
                return  # the 413 went out instead
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        return await self.app(scope, bounded_receive, guarded_send)


def _content_length(scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length; the count still applies
    return None


async def _refuse(send, limit: int) -> None:
    body = json.dumps(
        {"error": {"code": "request_too_large", "message": MESSAGE.format(limit=limit), "fields": {}}},
        ensure_ascii=False,
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),  # the server reads no more of this body
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
