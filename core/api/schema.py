"""The OpenAPI schema every operation gets for free: its summary from the first line of its
docstring, a tag naming its area and a readable ``operationId`` (``jobs_create``,
``board_accept``) for code generators, the ``Accept-Language`` and ``Idempotency-Key`` headers
where they apply, and the error responses the contract defines, all in the one error shape,
each with an example that fits the operation (a 400 names the operation's own fields).
``operation()`` is how a view documents itself on top of that: summary, description, request
and response examples, and the errors particular to it."""

from django.conf import settings
from django.utils.translation import gettext
from drf_spectacular import openapi
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from core.errors import _first_message, error_body
from core.idempotency import HEADER as IDEMPOTENCY_HEADER
from core.idempotency import MAX_KEY_LENGTH


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Machine code the apps switch on, always English and stable, e.g. `job_not_open`, "
        "`invalid_credentials`, `token_not_valid` (API.md lists them)."
    )
    message = serializers.CharField(
        help_text="What went wrong, for a person, in the request's language (`Accept-Language`: "
        "`zh-hans` or `en`); its wording may change."
    )
    fields = serializers.DictField(
        help_text="Per-field messages for bad input (`{field: [message, ...]}`, nested for nested "
        "fields); for a state conflict `{status: [current status]}`; empty otherwise."
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer(help_text="What went wrong: a code for the app, a message for a person.")


ERRORS = {
    "400": "Bad input: nothing changed; error.fields names each bad field.",
    "401": "No token, or an invalid, expired or revoked one.",
    "403": "The caller's role may not do this.",
    "404": "No such object, or not the caller's (never another company's).",
    "409": "The object is not in a state that allows this; error.code names the state needed.",
    "422": "This Idempotency-Key was used with a different body.",
    "429": "Throttled or locked out; Retry-After says when to try again.",
}


def error_example(status: int, code: str, message: str, fields: dict | None = None) -> OpenApiExample:
    """One error response as the API sends it, shown under ``status``."""
    return OpenApiExample(code, value=error_body(code, message, fields), response_only=True, status_codes=[str(status)])


# What each error looks like when nothing more particular is said about an operation; the
# 400 is built from the operation's own request (``AutoSchema._invalid_example``).
GENERIC_ERROR_EXAMPLES = {
    "401": (
        error_example(401, "not_authenticated", "Authentication credentials were not provided."),
        error_example(401, "token_not_valid", "Given token not valid for any token type"),
    ),
    "403": (error_example(403, "forbidden", "You do not have permission to perform this action."),),
    "404": (error_example(404, "not_found", "Not found."),),
    "422": (error_example(422, "idempotency_key_reused", "This Idempotency-Key was used with a different request."),),
    "429": (error_example(429, "throttled", "Request was throttled. Expected available in 12 seconds."),),
}
# A body that is not JSON: the one 400 of an operation that takes no fields.
NOT_JSON_EXAMPLE = error_example(400, "parse_error", "The request body is not valid JSON (line 1, column 1).")

ACCEPT_LANGUAGE = OpenApiParameter(
    "Accept-Language",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    enum=["zh-hans", "en"],
    description="The language of every text for a person in the response (error messages, "
    "status names in them): `zh-hans` (Chinese) or `en` (English, the default). Codes, field "
    "names and status values stay English.",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    pattern=f"^[ -~]{{1,{MAX_KEY_LENGTH}}}$",
    description="A key the app makes once per request it means once (a UUID), printable ASCII, "
    f"at most {MAX_KEY_LENGTH} characters: a retry with the same key and body within 24 h "
    "returns the first response and has one effect; the same key with another body is 422 "
    "`idempotency_key_reused`. Without it every request runs.",
)
# Query parameters of every paginated list; a 400 about them is not particular to a list.
PAGINATION_PARAMETERS = {"page", "page_size"}


def operation(
    summary: str,
    description: str,
    *,
    request: dict | None = None,
    response: dict | None = None,
    response_status: str | None = None,
    errors: tuple[OpenApiExample, ...] = (),
    **extend,
):
    """``extend_schema`` for one operation: ``request`` and ``response`` are example bodies
    (a list operation's ``response`` is one item; the page around it is added; under every
    success status unless ``response_status`` names one), ``errors`` the
    examples of the errors particular to it, which replace the generic one of their status."""
    examples = list(errors)
    if request is not None:
        examples.append(OpenApiExample("request", value=request, request_only=True))
    if response is not None:
        codes = [response_status] if response_status else None
        examples.append(OpenApiExample("response", value=response, response_only=True, status_codes=codes))
    return extend_schema(summary=summary, description=description, examples=examples, **extend)


class AutoSchema(openapi.AutoSchema):
    def get_summary(self):
        """The docstring's first sentence (an operation without one has no summary)."""
        description = " ".join((self.get_description() or "").split())
        return description.split(". ")[0].split(": ")[0].rstrip(".") or None

    def get_tags(self):
        """The operation's area: the first part of its path under ``/api/v1/`` (``jobs``,
        ``board``), named as ``API_TAGS`` says where several parts make one area (``me`` is
        ``auth``)."""
        first = (self._tokenize_path() or ["root"])[0].replace("-", "_")
        return [getattr(settings, "API_TAGS", {}).get(first, first)]

    def get_operation_id(self):
        """``<path>_<action>`` without the version prefix or path parameters, for the methods
        of a generated client: ``jobs_list``, ``jobs_create``, ``jobs_retrieve``,
        ``jobs_cancel``, ``board_accept``, ``me_update``, ``devices_delete``. A POST to a path
        that is not also a list (an action: log in, accept, cancel) is named by its path alone."""
        name = "_".join(t.replace("-", "_") for t in self._tokenize_path()) or "root"
        if self.method == "GET":
            return f"{name}_{'list' if self._is_list_view() else 'retrieve'}"
        if self.method == "POST":
            collection = hasattr(self.view, "get") and not self.path.rstrip("/").endswith("}")
            return f"{name}_create" if collection else name
        return f"{name}_{ {'PATCH': 'update', 'PUT': 'replace', 'DELETE': 'delete'}[self.method] }"

    def _resolve_path_parameters(self, variables):
        """A path's ids are integers (``(?P<job_id>\\d+)``): typed so, not as digit strings,
        so a generated client takes the id it read from a body."""
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            schema = parameter.get("schema", {})
            if schema.get("type") == "string" and schema.get("pattern") in ("^\\d+$", "\\d+"):
                parameter["schema"] = {"type": "integer", "minimum": 1}
                parameter.setdefault("description", f"The {parameter['name'].removesuffix('_id')}'s id.")
        return parameters

    def _idempotent(self) -> bool:
        return getattr(getattr(self.view, self.method.lower(), None), "idempotent", False)

    def get_override_parameters(self):
        """Every operation answers in the language asked; the POSTs that take an
        ``Idempotency-Key`` (``core.idempotency.idempotent``) say so."""
        return [*super().get_override_parameters(), ACCEPT_LANGUAGE, *([IDEMPOTENCY_KEY] if self._idempotent() else [])]

    def _query_parameters(self) -> set[str]:
        return {p["name"] for p in self._get_parameters() if p.get("in") == "query"}

    def _error_applies(self, code: str, public: bool) -> bool:
        """Whether an error the operation documents no example of can happen to it: 401 and
        403 to a signed-in caller's; 409 only where the operation names its conflict; 422
        where it takes an ``Idempotency-Key``; 400 where there is input (a body, or query
        parameters beyond a page's); 404 where the path names an object or the list has pages."""
        if code in ("401", "403"):
            return not public
        if code == "409":
            return False
        if code == "422":
            return self._idempotent()
        if code == "400":
            if self.method in ("POST", "PATCH", "PUT"):
                return True
            return bool(self._query_parameters() - PAGINATION_PARAMETERS)
        if code == "404":
            return "{" in self.path or "page" in self._query_parameters()
        return True

    def _invalid_example(self) -> OpenApiExample:
        """The 400 of this operation's own input: its required fields left out, or else a
        wrong value in its first field, with the messages the API sends for them."""
        serializer = self.get_request_serializer() if self.method in ("POST", "PATCH", "PUT") else None
        if isinstance(serializer, type) and issubclass(serializer, serializers.BaseSerializer):
            try:
                serializer = serializer()
            except Exception:  # a serializer that needs its context: no example of its own
                serializer = None
        fields = (
            {name: field for name, field in serializer.fields.items() if not field.read_only}
            if isinstance(serializer, serializers.Serializer)
            else {}
        )
        errors = {name: [str(field.error_messages["required"])] for name, field in fields.items() if field.required}
        for name, field in fields.items():
            if errors:
                break
            try:  # a value of the wrong kind: no field of ours takes a list where it wants a value
                field.run_validation("unknown" if isinstance(field, serializers.ChoiceField) else [])
            except serializers.ValidationError as exc:
                errors = {name: [str(message) for message in exc.detail]}
            except Exception:  # noqa: S112 - a field that cannot say: try the next
                continue
        filters = sorted(self._query_parameters() - PAGINATION_PARAMETERS) if self.method == "GET" else []
        if not errors and filters:  # a read has no body: its bad input is a query parameter
            errors = {filters[0]: [gettext("Unknown value.")]}
        if not errors:
            return NOT_JSON_EXAMPLE
        return error_example(400, "invalid", _first_message(errors), errors)

    def _generic_error_examples(self, code: str) -> list:
        if code == "400":
            return [self._invalid_example()]
        return list(GENERIC_ERROR_EXAMPLES.get(code, ()))

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        public = all(isinstance(p, AllowAny) for p in self.view.get_permissions())
        particular = {str(code) for example in self.get_examples() for code in (example.status_codes or ())}
        for code, meaning in ERRORS.items():
            if code not in particular and not self._error_applies(code, public):
                continue
            if code not in responses:
                examples = [] if code in particular else self._generic_error_examples(code)
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=meaning, examples=examples), code, direction=direction
                )
        return responses


# What the schema says of properties every area shares (the apps' own are in their
# ``api/docs.py`` as ``FIELDS``; ``marketplace.docs.describe_properties`` applies them all).
# A key is a property's name, or ``Component.name`` where one component means something else.
TIME = " (ISO 8601 with the offset, `+08:00`)"
FIELDS = {
    "count": "How many items all the pages hold.",
    "next": "The URL of the next page; null on the last.",
    "previous": "The URL of the previous page; null on the first.",
    "results": "This page's items.",
    "id": "The object's id.",
    "created_at": "When it was created" + TIME + ".",
    "updated_at": "When it last changed" + TIME + ".",
    "currency": {
        "description": "The currency of the amounts: always `CNY` (amounts in fen, 1/100 yuan).",
        "enum": ["CNY"],
    },
    "lat": "Latitude in degrees (WGS 84), -90 to 90.",
    "lng": "Longitude in degrees (WGS 84), -180 to 180.",
    "address": "The address as a person writes it (free text, 300 characters at most).",
    "name": "The company's name, as others see it.",
    "Error.error": "What went wrong: a code for the app, a message for a person.",
}


def shared_header_schemas(result, generator, request, public):
    """drf-spectacular's post-processing hook: the ``Accept-Language`` of every operation
    refers to one ``Language`` component, so a generated client has one type for it rather
    than one per operation."""
    language = None
    for item in result.get("paths", {}).values():
        for operation in item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "header" and parameter.get("name") == ACCEPT_LANGUAGE.name:
                    language = language or {**parameter["schema"], "description": "A language the API answers in."}
                    parameter["schema"] = {"$ref": "#/components/schemas/Language"}
    if language is not None:
        result.setdefault("components", {}).setdefault("schemas", {})["Language"] = language
    return result
