import factory
from django.contrib.auth import get_user_model

from accounts.models import Company, Membership


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-Secret-123")


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")
    kind = Company.Kind.SME
    lat = 36.264
    lng = 120.033
    address = "Jiaozhou"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)


def sme_user(**company_fields):
    """A user acting for a new SME company."""
    return MembershipFactory(company=CompanyFactory(kind=Company.Kind.SME, **company_fields)).user


def staff_user():
    return UserFactory(is_staff=True)
