"""Writes on the inventory: validation writes nothing, permission is EDIT_PLAN, every change is audited."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from rumbo.core.models import AuditEvent
from rumbo.lifecycle.inventory.models import InformationItem
from rumbo.lifecycle.inventory.services import (
    information_item_create,
    information_item_delete,
    information_item_update,
)
from tests.factories import UnitFactory
from tests.lifecycle.inventory.conftest import TODAY

GPKG = b"SQLite format 3\x00" + b"\x00" * 100
ZIP = b"PK\x03\x04" + b"\x00" * 100


def create(world: Any, who: str = "planner", **overrides: Any) -> InformationItem:
    values: dict[str, Any] = {
        "theme": "base_cartography",
        "title": "Cartografía base",
        "reference_date": datetime.date(2020, 1, 1),
        "source": "IGN",
        "area": "rural",
        "format": "geopackage",
        "scale_denominator": 25000,
        "today": TODAY,
    }
    values.update(overrides)
    return information_item_create(actor=world.users[who], entity=world.entity, **values)


def item_events() -> int:
    return AuditEvent.objects.filter(target_type__model="informationitem").count()


def test_a_planner_adds_an_item_with_file_and_units(world: Any) -> None:
    # given
    unit = UnitFactory(country="PE", code="220101", name="Moyobamba")
    upload = SimpleUploadedFile("base.gpkg", GPKG)
    # when
    item = create(world, units=[unit], file=upload)
    # then
    assert list(item.units.all()) == [unit]
    assert item.file.name.endswith(".gpkg")
    event = AuditEvent.objects.get(target_type__model="informationitem", action="created")
    assert event.entity_id == world.entity.pk
    assert event.changes["scale_denominator"] == [None, 25000]
    assert event.changes["units"] == [None, ["220101"]]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"scale_denominator": -25000}, "scale_denominator"),
        ({"scale_denominator": 0}, "scale_denominator"),
        ({"scale_denominator": 10_000_001}, "scale_denominator"),
        ({"reference_date": TODAY + datetime.timedelta(days=1)}, "reference_date"),
        ({"file": SimpleUploadedFile("mapa.exe", b"MZ\x90\x00")}, "file"),
        ({"file": SimpleUploadedFile("mapa.pdf", b"not a pdf")}, "file"),
        ({"file": SimpleUploadedFile("capa.geojson", b"<html></html>")}, "file"),
        ({"hazard_kind": "flood"}, "hazard_kind"),  # only for hazard and risk items
        ({"theme": "astrology"}, "theme"),
        ({"title": ""}, "title"),
    ],
)
def test_invalid_input_writes_nothing(world: Any, overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        create(world, **overrides)
    assert field in exc.value.message_dict
    assert InformationItem.objects.count() == 0
    assert item_events() == 0


def test_accepted_file_types(world: Any) -> None:
    uploads = [
        SimpleUploadedFile("shp.zip", ZIP),
        SimpleUploadedFile("capa.geojson", b'\xef\xbb\xbf  {"type": "FeatureCollection", "features": []}'),
        SimpleUploadedFile("estudio.pdf", b"%PDF-1.7\n"),
        SimpleUploadedFile("mapa.tif", b"II*\x00" + b"\x00" * 20),
        SimpleUploadedFile("datos.xlsx", ZIP),
        SimpleUploadedFile("foto.jpg", b"\xff\xd8\xff\xe0"),
    ]
    for upload in uploads:
        create(world, file=upload, title=upload.name)
    assert InformationItem.objects.exclude(file="").count() == len(uploads)


def test_units_of_another_country_are_refused(world: Any) -> None:
    unit = UnitFactory(country="CO", code="05001", name="Medellín")
    with pytest.raises(ValidationError) as exc:
        create(world, units=[unit])
    assert "units" in exc.value.message_dict


@pytest.mark.parametrize(
    "who", ["reporter", "observer", "approver", "committee_member", "other_admin", "outsider"]
)
def test_only_editors_of_the_entity_write(world: Any, who: str) -> None:
    with pytest.raises(PermissionDenied):
        create(world, who=who)
    item = create(world)
    with pytest.raises(PermissionDenied):
        information_item_update(actor=world.users[who], item=item, fields={"title": "Otro"})
    with pytest.raises(PermissionDenied):
        information_item_delete(actor=world.users[who], item=item)
    assert InformationItem.objects.get().title == "Cartografía base"


def test_an_update_records_only_what_changed(world: Any) -> None:
    item = create(world)
    information_item_update(
        actor=world.users["administrator"],
        item=item,
        fields={"scale_denominator": 10000, "title": "Cartografía base"},
    )
    event = AuditEvent.objects.get(target_type__model="informationitem", action="updated")
    assert event.changes == {"scale_denominator": [25000, 10000]}


def test_an_invalid_update_leaves_the_item_as_it_was(world: Any) -> None:
    item = create(world)
    with pytest.raises(ValidationError):
        information_item_update(
            actor=world.users["planner"],
            item=item,
            fields={"scale_denominator": -5, "title": "Nuevo"},
            today=TODAY,
        )
    item.refresh_from_db()
    assert (item.scale_denominator, item.title) == (25000, "Cartografía base")
    assert not AuditEvent.objects.filter(target_type__model="informationitem", action="updated").exists()


def test_replacing_and_clearing_the_file(world: Any) -> None:
    item = create(world, file=SimpleUploadedFile("a.pdf", b"%PDF-1.4"), format="pdf")
    information_item_update(
        actor=world.users["planner"], item=item, fields={}, file=SimpleUploadedFile("b.pdf", b"%PDF-1.5")
    )
    assert item.file_name.startswith("b")
    information_item_update(actor=world.users["planner"], item=item, fields={}, clear_file=True)
    item.refresh_from_db()
    assert not item.file


def test_unknown_fields_are_a_programming_error(world: Any) -> None:
    item = create(world)
    with pytest.raises(ValueError, match="entity"):
        information_item_update(
            actor=world.users["planner"], item=item, fields={"entity": world.other_entity}
        )


def test_deleting_keeps_a_trace(world: Any) -> None:
    item = create(world)
    information_item_delete(actor=world.users["planner"], item=item)
    assert InformationItem.objects.count() == 0
    event = AuditEvent.objects.get(target_type__model="informationitem", action="deleted")
    assert event.changes["title"] == ["Cartografía base", None]
