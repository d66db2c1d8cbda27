from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Company
from core.api.base import StrictSerializer


class CompanyInputSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Company.Kind.choices)
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    lng = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)


class UsernameField(serializers.CharField):
    """A username is text: a JSON number, boolean, list or object is a 400 (DRF's CharField
    would take 123 as "123"). The login's and the registration's field."""

    default_error_messages = {"not_text": _("A username is text (a JSON string).")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_text")
        return super().to_internal_value(data)


class RegisterInputSerializer(StrictSerializer):
    username = UsernameField(max_length=150, validators=[UnicodeUsernameValidator()])
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    company = CompanyInputSerializer()

    def validate(self, attrs):
        # An unsaved user: the similarity validator reads its fields (and their verbose names).
        candidate = get_user_model()(username=attrs["username"])
        try:
            password_validation.validate_password(attrs["password"], user=candidate)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": list(exc.messages)}) from None
        return attrs


class UserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class CompanySerializer(serializers.ModelSerializer):
    class Meta:
        model = Company
        fields = ["id", "name", "kind", "lat", "lng", "address"]


class RegisterOutputSerializer(serializers.Serializer):
    user = UserSerializer()
    company = CompanySerializer()
    _REPLAY = "Absent from a replayed registration once the account's password changed (log in instead)."
    access = serializers.CharField(required=False, help_text=_REPLAY)
    refresh = serializers.CharField(required=False, help_text=_REPLAY)


class MeSerializer(serializers.Serializer):
    user = UserSerializer()
    company = CompanySerializer(allow_null=True)
    is_staff = serializers.BooleanField()


class LogoutInputSerializer(StrictSerializer):
    refresh = serializers.CharField(max_length=2000)


class PasswordChangeInputSerializer(StrictSerializer):
    old_password = serializers.CharField(max_length=128, trim_whitespace=False)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


class CompanyUpdateInputSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200, required=False)
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    lng = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)


class MeUpdateInputSerializer(StrictSerializer):
    company = CompanyUpdateInputSerializer()


class TokenPairSerializer(serializers.Serializer):
    """What a login, a refresh and a password change answer."""

    access = serializers.CharField(
        help_text="The access token (a JWT, 60 minutes): send it as `Authorization: Bearer <access>`."
    )
    refresh = serializers.CharField(
        help_text="The refresh token (a JWT, 30 days, good once): `POST /auth/token/refresh` trades it for a new pair."
    )
