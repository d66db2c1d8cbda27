"""The OpenAPI schema every operation gets for free: its summary from the first line of its
docstring, and the error responses the contract defines, all in the one error shape."""

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny


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


class AutoSchema(openapi.AutoSchema):
    def get_summary(self):
        """The docstring's first sentence (an operation without one has no summary)."""
        description = " ".join((self.get_description() or "").split())
        return description.split(". ")[0].split(": ")[0].rstrip(".") or None

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        public = all(isinstance(p, AllowAny) for p in self.view.get_permissions())
        for code, meaning in ERRORS.items():
            if (code in WRITE_ONLY_ERRORS and self.method == "GET") or (public and code in ("401", "403")):
                continue
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=meaning), code, direction=direction
                )
        return responses
