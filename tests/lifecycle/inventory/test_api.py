"""API contract: the inventory and its gaps, read with VIEW_PRIVATE (session or token)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rumbo.accounts.services import api_token_create
from rumbo.lifecycle.inventory.services import information_item_create


@pytest.fixture
def item(world: Any) -> Any:
    return information_item_create(
        actor=world.users["planner"],
        entity=world.entity,
        theme="base_cartography",
        title="Cartografía urbana",
        reference_date=datetime.date(2021, 3, 1),
        source="IGN",
        area="urban",
        format="pdf",
        scale_denominator=5000,
        file=SimpleUploadedFile("plano.pdf", b"%PDF-1.7"),
    )


def logged(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_inventory_list_contract(world: Any, item: Any) -> None:
    response = logged(world.users["observer"]).get(f"/api/v1/entities/{world.entity.pk}/inventory")
    assert response.status_code == 200
    [row] = response.json()
    assert set(row) == {
        "id",
        "entity_id",
        "theme",
        "hazard_kind",
        "title",
        "description",
        "scale_denominator",
        "scale",
        "reference_date",
        "source",
        "area",
        "unit_codes",
        "format",
        "file_url",
        "url",
        "notes",
        "updated_at",
    }
    assert row["scale_denominator"] == 5000 and row["scale"] == "1:5.000"
    assert row["reference_date"] == "2021-03-01"
    assert row["file_url"] == f"/ciclo/entidades/{world.entity.pk}/inventario/{item.pk}/archivo/"


def test_gaps_contract(world: Any, item: Any) -> None:
    response = logged(world.users["observer"]).get(
        f"/api/v1/entities/{world.entity.pk}/inventory/gaps", {"plan_type": "pdu"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["plan_type"] == "PDU" and body["country"] == "PE"
    assert body["total"] == len(body["rows"]) == sum(body["counts"].values())
    assert set(body["counts"]) == {"ok", "missing", "outdated", "wrong_scale"}
    carto = next(r for r in body["rows"] if r["requirement_key"] == "pe-pdu-cartografia")
    assert carto["status"] == "ok"
    assert carto["item_ids"] == [item.pk] and carto["best_item_id"] == item.pk
    assert carto["scale_source"] == "rumbo_default"
    assert {"norm", "article", "verified", "note"} == set(carto["basis"][0])


def test_a_token_reads_the_inventory(world: Any, item: Any) -> None:
    _, raw = api_token_create(actor=world.users["reporter"], name="lectura")
    response = Client().get(
        f"/api/v1/entities/{world.entity.pk}/inventory", headers={"Authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["other_admin", "outsider", "anonymous"])
def test_non_members_get_404(world: Any, item: Any, who: str) -> None:
    client = Client() if who == "anonymous" else logged(world.users[who])
    assert client.get(f"/api/v1/entities/{world.entity.pk}/inventory").status_code == 404
    gaps = client.get(f"/api/v1/entities/{world.entity.pk}/inventory/gaps", {"plan_type": "PAT"})
    assert gaps.status_code == 404


def test_an_unknown_or_missing_plan_type_is_422(world: Any) -> None:
    client = logged(world.users["observer"])
    response = client.get(f"/api/v1/entities/{world.entity.pk}/inventory/gaps", {"plan_type": "POT"})
    assert response.status_code == 422
    assert "PAT" in response.json()["detail"]
    assert client.get(f"/api/v1/entities/{world.entity.pk}/inventory/gaps").status_code == 422
