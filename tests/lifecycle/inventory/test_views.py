"""Inventory pages: members read, editors write, non-members see nothing (404), others get 403."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from rumbo.accounts.models import Role
from rumbo.lifecycle.inventory.models import InformationItem
from rumbo.lifecycle.inventory.services import information_item_create
from tests.factories import MembershipFactory, UserFactory


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def item(world: Any) -> InformationItem:
    return information_item_create(
        actor=world.users["planner"],
        entity=world.entity,
        theme="hazard_risk",
        hazard_kind="multiple",
        title="Mapa de peligros",
        reference_date=datetime.date(2021, 3, 1),
        source="CENEPRED",
        area="urban",
        format="pdf",
        scale_denominator=5000,
        file=SimpleUploadedFile("peligros.pdf", b"%PDF-1.7 contenido"),
    )


def urls(world: Any, item: InformationItem) -> dict[str, str]:
    base = f"/ciclo/entidades/{world.entity.pk}/inventario/"
    return {
        "list": base,
        "gaps": base + "brechas/?tipo=PDU",
        "csv": base + "brechas/?tipo=PDU&formato=csv",
        "file": f"{base}{item.pk}/archivo/",
        "add": base + "nuevo/",
        "edit": f"{base}{item.pk}/editar/",
        "delete": f"{base}{item.pk}/eliminar/",
    }


FORM = {
    "theme": "base_cartography",
    "title": "Plano catastral",
    "reference_date": "2022-05-01",
    "source": "COFOPRI",
    "area": "urban",
    "format": "pdf",
    "scale_denominator": "5000",
}


@pytest.mark.parametrize("who", ["observer", "reporter", "planner", "overseer", "superuser"])
def test_readers_of_the_entity_see_inventory_gaps_csv_and_files(world: Any, item: Any, who: str) -> None:
    user = world.users.get(who) or UserFactory(username="root")
    client = client_for(user)
    u = urls(world, item)
    page = client.get(u["list"])
    assert page.status_code == 200
    assert "Mapa de peligros" in page.content.decode()
    assert "1:5.000" in page.content.decode()
    assert client.get(u["gaps"]).status_code == 200
    assert client.get(u["csv"]).status_code == 200
    response = client.get(u["file"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7 contenido"


@pytest.mark.parametrize("who", ["other_admin", "outsider"])
def test_non_members_get_404_everywhere(world: Any, item: Any, who: str) -> None:
    client = client_for(world.users[who])
    u = urls(world, item)
    for name in ("list", "gaps", "csv", "file", "add", "edit"):
        assert client.get(u[name]).status_code == 404, name
    assert client.post(u["add"], FORM).status_code == 404
    assert client.post(u["delete"]).status_code == 404
    assert InformationItem.objects.count() == 1


def test_a_missing_entity_looks_like_a_forbidden_one(world: Any) -> None:
    client = client_for(world.users["planner"])
    assert client.get("/ciclo/entidades/999999/inventario/").status_code == 404


def test_an_item_of_another_entity_is_not_reachable_through_this_entity(world: Any, item: Any) -> None:
    MembershipFactory(user=world.users["planner"], entity=world.other_entity, role=Role.PLANNER)
    client = client_for(world.users["planner"])
    assert (
        client.get(f"/ciclo/entidades/{world.other_entity.pk}/inventario/{item.pk}/archivo/").status_code
        == 404
    )


def test_anonymous_visitors_are_sent_to_sign_in(world: Any, item: Any) -> None:
    response = Client().get(urls(world, item)["list"])
    assert response.status_code == 302
    assert "/entrar/" in response["Location"]


@pytest.mark.parametrize("who", ["reporter", "observer", "approver", "committee_member"])
def test_members_without_edit_plan_get_403_on_writes(world: Any, item: Any, who: str) -> None:
    client = client_for(world.users[who])
    u = urls(world, item)
    assert client.get(u["add"]).status_code == 403
    assert client.post(u["add"], FORM).status_code == 403
    assert client.post(u["edit"], FORM).status_code == 403
    assert client.post(u["delete"]).status_code == 403
    assert InformationItem.objects.count() == 1
    assert "/inventario/nuevo/" not in client.get(u["list"]).content.decode()


def test_a_planner_adds_edits_and_removes_an_item(world: Any, item: Any) -> None:
    client = client_for(world.users["planner"])
    u = urls(world, item)
    # add
    upload = SimpleUploadedFile("plano.pdf", b"%PDF-1.4 plano")
    response = client.post(u["add"], {**FORM, "file": upload})
    assert response.status_code == 302
    new = InformationItem.objects.get(title="Plano catastral")
    assert new.file and new.scale_denominator == 5000
    # edit, keeping the file
    edit_url = f"/ciclo/entidades/{world.entity.pk}/inventario/{new.pk}/editar/"
    assert client.get(edit_url).status_code == 200
    response = client.post(edit_url, {**FORM, "scale_denominator": "2000"})
    assert response.status_code == 302
    new.refresh_from_db()
    assert new.scale_denominator == 2000 and new.file
    # remove
    assert client.post(f"/ciclo/entidades/{world.entity.pk}/inventario/{new.pk}/eliminar/").status_code == 302
    assert not InformationItem.objects.filter(pk=new.pk).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"scale_denominator": "-25000"}, "scale_denominator"),
        ({"reference_date": "2999-01-01"}, "reference_date"),
        ({"file": "bad"}, "file"),
    ],
)
def test_invalid_form_shows_errors_and_writes_nothing(
    world: Any, changes: dict[str, Any], field: str
) -> None:
    client = client_for(world.users["planner"])
    data = {**FORM, **changes}
    if data.get("file") == "bad":
        data["file"] = SimpleUploadedFile("virus.exe", b"MZ\x90\x00")
    with translation.override("en"):
        response = client.post(f"/ciclo/entidades/{world.entity.pk}/inventario/nuevo/", data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert InformationItem.objects.count() == 0


def test_unknown_unit_codes_are_reported(world: Any) -> None:
    client = client_for(world.users["planner"])
    response = client.post(
        f"/ciclo/entidades/{world.entity.pk}/inventario/nuevo/", {**FORM, "unit_codes": "000000"}
    )
    assert response.status_code == 200
    assert "unit_codes" in response.context["form"].errors
    assert InformationItem.objects.count() == 0


def test_gap_page_shows_badges_and_unverified_basis(world: Any, item: Any) -> None:
    client = client_for(world.users["observer"])
    with translation.override("en"):  # the request's own language decides the page's: ask for English
        html = client.get(urls(world, item)["gaps"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-status="ok"' in html  # the hazard map covers the PDU's urban hazard requirement
    assert 'class="badge text-bg-danger" data-status="missing"' in html
    assert "to be verified" in html
    assert "To commission" in html


def test_gap_page_for_an_unknown_plan_type_is_404_with_the_choices(world: Any, item: Any) -> None:
    client = client_for(world.users["observer"])
    response = client.get(f"/ciclo/entidades/{world.entity.pk}/inventario/brechas/?tipo=POT")
    assert response.status_code == 404
    assert "PDU" in response.content.decode()


def test_gap_page_defaults_to_the_first_plan_type_of_the_country(world: Any, item: Any) -> None:
    client = client_for(world.users["observer"])
    response = client.get(f"/ciclo/entidades/{world.entity.pk}/inventario/brechas/")
    assert response.status_code == 200
    assert response.context["code"] == "PAT"


def test_gap_csv_download(world: Any, item: Any) -> None:
    response = client_for(world.users["observer"]).get(urls(world, item)["csv"])
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert header.count(";") == 13
