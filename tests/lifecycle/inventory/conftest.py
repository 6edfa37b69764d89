"""Fixtures for the information inventory: a Colombian municipality and a quick item maker."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest

from rumbo.accounts.models import Entity
from rumbo.lifecycle.inventory.models import InformationItem

TODAY = datetime.date(2025, 6, 30)


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Uploaded files go to a throw-away folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def co_entity(db: Any) -> Entity:
    from tests.factories import EntityFactory

    return EntityFactory(name="Alcaldía de Prueba", country="CO")


ItemMaker = Callable[..., InformationItem]


@pytest.fixture
def make_item(db: Any) -> ItemMaker:
    """Write an item straight to the database (the rules under test are in the selectors)."""

    def make(entity: Entity, **fields: Any) -> InformationItem:
        values: dict[str, Any] = {
            "theme": "base_cartography",
            "title": "Cartografía",
            "reference_date": datetime.date(2020, 1, 1),
            "source": "IGAC",
            "area": "both",
            "format": "shapefile",
            "scale_denominator": 25000,
        }
        values.update(fields)
        return InformationItem.objects.create(entity=entity, **values)

    return make
