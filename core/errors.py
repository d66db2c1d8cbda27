"""Domain errors and the one place that renders the contract's error shape.

Every error leaves the API as ``{"error": {"code", "message", "fields"}}``: domain errors
raised by services, DRF's own exceptions, Django's 404/405/500 handlers and JSON parse
errors alike. Views never build error JSON.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError as DatabaseInterfaceError
from django.db import OperationalError as DatabaseOperationalError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions as drf
from rest_framework import status
from rest_framework.response import Response

logger = logging.getLogger(__name__)


class ApplicationError(Exception):
    """Base of every domain error; ``code`` is the machine code the apps switch on."""

    status_code = status.HTTP_400_BAD_REQUEST
    code = "bad_request"

    def __init__(self, message: str = "", *, code: str | None = None, fields=None, status_code=None):
        super().__init__(message or self.code)
        self.message = message or self.code.replace("_", " ")
        if code:
            self.code = code
        if status_code:
            self.status_code = status_code
        self.fields = fields or {}


class InvalidInputError(ApplicationError):
    status_code = status.HTTP_400_BAD_REQUEST
    code = "invalid"


class NotFoundError(ApplicationError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"


class ForbiddenError(ApplicationError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "forbidden"


class ConflictError(ApplicationError):
    """A state conflict: the object is not in a state that allows the request (409)."""

    status_code = status.HTTP_409_CONFLICT
    code = "conflict"


class IdempotencyKeyReuseError(ApplicationError):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    code = "idempotency_key_reused"


def _localised(value):
    """Messages (nested in dicts and lists) in the active language; a string without a
    catalogue entry, such as a status value, passes unchanged."""
    if isinstance(value, dict):
        return {str(k): _localised(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_localised(v) for v in value]
    text = str(value)
    return gettext(text) if text else text


def error_body(code: str, message, fields=None, *, localise_fields: bool = True) -> dict:
    fields = fields or {}
    return {
        "error": {
            "code": code,
            "message": _localised(message),
            "fields": _localised(fields) if localise_fields else fields,
        }
    }


def _flatten(detail):
    """DRF error detail (nested lists/dicts of ErrorDetail) -> plain JSON values."""
    if isinstance(detail, dict):
        return {str(k): _flatten(v) for k, v in detail.items()}
    if isinstance(detail, list | tuple):
        return [_flatten(v) for v in detail]
    return str(detail)


def _first_message(fields) -> str:
    if isinstance(fields, dict):
        for key, value in fields.items():
            inner = _first_message(value)
            return inner if key == "non_field_errors" else f"{key}: {inner}"
    if isinstance(fields, list) and fields:
        return _first_message(fields[0])
    return str(fields)


_DRF_CODES = {
    drf.ParseError: "parse_error",
    drf.NotAuthenticated: "not_authenticated",
    drf.PermissionDenied: "forbidden",
    drf.NotFound: "not_found",
    drf.MethodNotAllowed: "method_not_allowed",
    drf.NotAcceptable: "not_acceptable",
    drf.UnsupportedMediaType: "unsupported_media_type",
    drf.Throttled: "throttled",
}


def _authentication_code(exc: drf.AuthenticationFailed) -> str:
    """The 401s an app tells apart: ``invalid_credentials`` (a wrong username or password:
    ask for them again), ``token_not_valid`` (a token that is not good, or no longer:
    expired, revoked, its user gone or its password changed; refresh or log in again).
    A request without a token is ``not_authenticated`` (DRF's ``NotAuthenticated``)."""
    detail = exc.detail
    code = detail.get("code") if isinstance(detail, dict) else getattr(detail, "code", None)
    return "invalid_credentials" if str(code) == "no_active_account" else "token_not_valid"


DATABASE_DOWN = (DatabaseOperationalError, DatabaseInterfaceError)
DATABASE_DOWN_MESSAGE = _("The database is unavailable; try again in a few seconds.")


def database_unavailable_response():
    """503 while PostgreSQL cannot be reached (a restart): the client retries; nothing half-done
    is left behind, since every write is one transaction."""
    response = JsonResponse(error_body("service_unavailable", DATABASE_DOWN_MESSAGE), status=503)
    response["Retry-After"] = "5"
    return response


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every exception a view raises becomes the error shape."""
    if isinstance(exc, DATABASE_DOWN):
        logger.warning("database unavailable: %s", exc)
        return Response(
            error_body("service_unavailable", DATABASE_DOWN_MESSAGE),
            status=503,
            headers={"Retry-After": "5"},
        )
    if isinstance(exc, ApplicationError):
        # A conflict's fields hold codes (``{"status": ["delivered"]}``), which stay codes in
        # every language; the services' own messages are already in the request's language.
        body = error_body(exc.code, exc.message, exc.fields, localise_fields=not isinstance(exc, ConflictError))
        return Response(body, status=exc.status_code)
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = drf.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)

    if isinstance(exc, drf.ValidationError):
        fields = _flatten(exc.detail)
        if isinstance(fields, list):
            fields = {"non_field_errors": fields}
        return Response(
            error_body("invalid", _first_message(_localised(fields)) or _("invalid input"), fields),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, drf.APIException):
        code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), None)
        if isinstance(exc, drf.AuthenticationFailed):
            code = _authentication_code(exc)
        code = code or (exc.default_code if isinstance(exc.default_code, str) else "error")
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None) is not None:
            headers["Retry-After"] = str(int(exc.wait))
        detail = exc.detail
        fields = {}
        if isinstance(detail, dict):
            message = str(detail.get("detail", "")) or code
            fields = {k: _flatten(v) for k, v in detail.items() if k not in ("detail", "code", "messages")}
        else:
            message = str(detail)
        return Response(error_body(code, message, fields), status=exc.status_code, headers=headers)
    # Not ours: let Django's 500 handler (below) render it after logging.
    return None


# Django-level handlers, for requests that never reach a DRF view.
def handler404(request, exception=None):
    return JsonResponse(error_body("not_found", _("Not found.")), status=404)


def handler500(request):
    return JsonResponse(error_body("server_error", _("Internal server error.")), status=500)


def handler400(request, exception=None):
    return JsonResponse(error_body("bad_request", _("Bad request.")), status=400)


def handler403(request, exception=None):
    return JsonResponse(error_body("forbidden", _("Forbidden.")), status=403)
