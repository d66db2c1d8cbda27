"""The OpenAPI schema every operation gets for free: its summary from the first line of its
docstring, and the error responses the contract defines, all in the one error shape, each
with an example. ``operation()`` is how a view documents itself on top of that: summary,
description, request and response examples, and the errors particular to it."""

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from core.errors import error_body


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine code the apps switch on, e.g. job_not_open.")
    message = serializers.CharField(help_text="What went wrong, for a person.")
    fields = serializers.DictField(help_text="Per-field messages for bad input; empty otherwise.")


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


ERRORS = {
    "400": "Bad input: nothing changed; error.fields names each bad field.",
    "401": "No token, or an invalid, expired or revoked one.",
    "403": "The caller's role may not do this.",
    "404": "No such object, or not the caller's (never another company's).",
    "409": "The object is not in a state that allows this; error.code names the state needed.",
    "422": "This Idempotency-Key was used with a different body.",
    "429": "Throttled or locked out; Retry-After says when to try again.",
}
WRITE_ONLY_ERRORS = {"409", "422"}


def error_example(status: int, code: str, message: str, fields: dict | None = None) -> OpenApiExample:
    """One error response as the API sends it, shown under ``status``."""
    return OpenApiExample(code, value=error_body(code, message, fields), response_only=True, status_codes=[str(status)])


# What each error looks like when nothing more particular is said about an operation.
GENERIC_ERROR_EXAMPLES = {
    "400": error_example(
        400,
        "invalid",
        "quantity: Ensure this value is greater than or equal to 1.",
        {"quantity": ["Ensure this value is greater than or equal to 1."]},
    ),
    "401": error_example(401, "not_authenticated", "Authentication credentials were not provided."),
    "403": error_example(403, "forbidden", "You do not have permission to perform this action."),
    "404": error_example(404, "not_found", "Not found."),
    "409": error_example(409, "conflict", "The job is completed; this needs it to be open.", {"status": ["completed"]}),
    "422": error_example(422, "idempotency_key_reused", "This Idempotency-Key was used with a different request."),
    "429": error_example(429, "throttled", "Request was throttled. Expected available in 12 seconds."),
}


def operation(
    summary: str,
    description: str,
    *,
    request: dict | None = None,
    response: dict | None = None,
    errors: tuple[OpenApiExample, ...] = (),
    **extend,
):
    """``extend_schema`` for one operation: ``request`` and ``response`` are example bodies
    (a list operation's ``response`` is one item; the page around it is added), ``errors`` the
    examples of the errors particular to it, which replace the generic one of their status."""
    examples = list(errors)
    if request is not None:
        examples.append(OpenApiExample("request", value=request, request_only=True))
    if response is not None:
        examples.append(OpenApiExample("response", value=response, response_only=True))
    return extend_schema(summary=summary, description=description, examples=examples, **extend)


class AutoSchema(openapi.AutoSchema):
    def get_summary(self):
        """The docstring's first sentence (an operation without one has no summary)."""
        description = " ".join((self.get_description() or "").split())
        return description.split(". ")[0].split(": ")[0].rstrip(".") or None

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        public = all(isinstance(p, AllowAny) for p in self.view.get_permissions())
        particular = {str(code) for example in self.get_examples() for code in (example.status_codes or ())}
        for code, meaning in ERRORS.items():
            skipped = (code in WRITE_ONLY_ERRORS and self.method == "GET") or (public and code in ("401", "403"))
            if skipped and code not in particular:  # an operation's own example says it applies
                continue
            if code not in responses:
                examples = [] if code in particular else [GENERIC_ERROR_EXAMPLES[code]]
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=meaning, examples=examples), code, direction=direction
                )
        return responses
