"""Fixtures for territory tests: an entity with an administrator and an observer."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from rumbo.accounts.models import Entity, Membership


@pytest.fixture
def entity(db: Any) -> Entity:
    return Entity.objects.create(
        name="Municipalidad Provincial de Moyobamba", kind="municipality", country="PE"
    )


@pytest.fixture
def administrator(entity: Entity) -> Any:
    user = get_user_model().objects.create_user(username="ana", password="x")
    Membership.objects.create(user=user, entity=entity, role="administrator")
    return user


@pytest.fixture
def observer(entity: Entity) -> Any:
    user = get_user_model().objects.create_user(username="oscar", password="x")
    Membership.objects.create(user=user, entity=entity, role="observer")
    return user
