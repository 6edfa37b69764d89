"""Factories for tests: real rows in the real database, no mocks."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from rumbo.accounts.models import Entity, Membership
from rumbo.plans.models import PlanType
from rumbo.territory.models import TerritorialUnit


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("clave-segura-123")


class EntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entity

    name = factory.Sequence(lambda n: f"Municipalidad {n}")
    kind = "municipality"
    country = "PE"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    entity = factory.SubFactory(EntityFactory)
    role = "planner"


class PlanTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanType
        django_get_or_create = ("country", "code")

    country = "PE"
    code = "PAT"
    name = "Plan de Acondicionamiento Territorial"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TerritorialUnit
        django_get_or_create = ("country", "code")

    country = "PE"
    code = factory.Sequence(lambda n: f"99{n:04d}")
    name = factory.Sequence(lambda n: f"Distrito {n}")
    kind = "municipality"
