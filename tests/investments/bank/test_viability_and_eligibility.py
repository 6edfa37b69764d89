"""The viability checklist (ticks, not applicable, documents) gates the stage; the eligibility
service stores the engine's verdict for one project and for all at once."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import translation

from rumbo.investments.bank import selectors, services
from rumbo.investments.models import Project, ProjectStatus, ViabilityItem, ZoningRule
from rumbo.territory.models import LayerFeature, SpatialLayer
from tests.investments.bank.conftest import INSIDE
from tests.test_permission_matrix import ROLES, caps

C_VIEW = "view_private"


@pytest.fixture
def project(territory: Any) -> Project:
    return Project.objects.create(
        entity=territory.entity, code="P-1", title="Camino", location=INSIDE, sector="transport"
    )


def test_the_stage_cannot_advance_while_items_are_unmet_then_it_can(territory: Any, project: Project) -> None:
    planner = territory.users["planner"]
    idea_keys = [i["key"] for i in selectors.viability_checklist(country="PE")["idea"]]
    # when the planner tries to advance with nothing ticked, then it is refused listing the items
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.project_stage_advance(actor=planner, project=project)
    assert "Missing" in exc.value.messages[0] and "PMI" in exc.value.messages[0]
    assert Project.objects.get(pk=project.pk).stage == "idea"
    # when one item is met and the other does not apply (with a reason)
    services.viability_item_set(actor=planner, project=project, key=idea_keys[0], done=True)
    with pytest.raises(ValidationError):
        services.viability_item_set(
            actor=planner, project=project, key=idea_keys[1], done=False, not_applicable=True
        )
    services.viability_item_set(
        actor=planner, project=project, key=idea_keys[1], done=False, not_applicable=True, note="Obra menor"
    )
    # then the project moves to the profile stage, whose checklist now shows
    services.project_stage_advance(actor=planner, project=project)
    project.refresh_from_db()
    assert project.stage == "profile"
    state = selectors.viability_state(project=project)
    assert [s.stage for s in state] == ["idea", "profile"] and state[0].unmet == []


def test_an_unknown_checklist_key_is_refused(territory: Any, project: Project) -> None:
    with pytest.raises(ValidationError):
        services.viability_item_set(actor=territory.users["planner"], project=project, key="nada", done=True)


def test_a_pdf_is_attached_with_its_hash_and_served_to_who_sees_the_project(
    territory: Any, project: Project
) -> None:
    upload = SimpleUploadedFile("perfil técnico.pdf", b"%PDF-1.4 contenido", content_type="application/pdf")
    row = services.viability_document_attach(
        actor=territory.users["planner"], project=project, key="gap", upload=upload
    )
    assert row.document_name == "perfil técnico.pdf" and len(row.document_sha256) == 64
    url = f"/inversiones/proyectos/{project.pk}/viabilidad/gap/documento/"
    # a private project's document: every caller of the matrix gets what the visibility rule says
    Project.objects.filter(pk=project.pk).update(status=ProjectStatus.PROPOSED)
    territory.superuser = territory.users["administrator"]
    for who in ROLES:
        if who == "superuser":
            continue
        client = Client()
        if who != "anonymous":
            client.force_login(territory.users[who])
        visible = C_VIEW in caps(territory, who, territory.entity.pk)
        response = client.get(url)
        assert response.status_code == (200 if visible else 404), who
        if visible:
            assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    # once accepted, the public sees it too
    Project.objects.filter(pk=project.pk).update(status=ProjectStatus.ACCEPTED)
    assert Client().get(url).status_code == 200


@pytest.mark.parametrize(
    "name, content",
    [
        ("virus.exe", b"MZ\x90\x00\x03" + b"\x00" * 100),
        ("notas.txt", b"solo texto"),
        ("vacio.pdf", b""),
    ],
)
def test_documents_of_other_types_are_refused(
    territory: Any, project: Project, name: str, content: bytes
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.viability_document_attach(
            actor=territory.users["planner"],
            project=project,
            key="gap",
            upload=SimpleUploadedFile(name, content),
        )
    assert "document" in exc.value.message_dict
    assert not ViabilityItem.objects.filter(document__gt="").exists()


def test_documents_over_the_upload_limit_are_refused(territory: Any, project: Project, settings: Any) -> None:
    settings.RUMBO_UPLOAD_MAX_BYTES = 1024
    big = SimpleUploadedFile("grande.pdf", b"%PDF-1.4" + b"0" * 1024)
    with pytest.raises(ValidationError) as exc:
        services.viability_document_attach(
            actor=territory.users["planner"], project=project, key="gap", upload=big
        )
    assert "demasiado grande" in exc.value.message_dict["document"][0]


def test_the_page_ticks_an_item_and_refuses_to_advance_with_a_message(
    territory: Any, project: Project
) -> None:
    client = Client()
    client.force_login(territory.users["planner"])
    response = client.post(f"/inversiones/proyectos/{project.pk}/etapa/", follow=True)
    assert response.status_code == 200 and "PMI" in response.content.decode()
    client.post(
        f"/inversiones/proyectos/{project.pk}/viabilidad/gap/",
        {"done": "on", "document": io.BytesIO(b"%PDF-1.4 x")},
    )
    assert ViabilityItem.objects.get(project=project, key="gap").done


# --- eligibility -----------------------------------------------------------------------------


@pytest.fixture
def zoning(territory: Any) -> SpatialLayer:
    layer = SpatialLayer.objects.create(entity=territory.entity, name="Zonificación", kind="zoning")
    west = {
        "type": "Polygon",
        "coordinates": [[[-77, -6.1], [-76.95, -6.1], [-76.95, -6.0], [-77, -6.0], [-77, -6.1]]],
    }
    east = {
        "type": "Polygon",
        "coordinates": [[[-76.95, -6.1], [-76.9, -6.1], [-76.9, -6.0], [-76.95, -6.0], [-76.95, -6.1]]],
    }
    for geometry, use, box in (
        (west, "protección", (-77, -6.1, -76.95, -6.0)),
        (east, "residencial", (-76.95, -6.1, -76.9, -6.0)),
    ):
        LayerFeature.objects.create(
            layer=layer,
            properties={"uso": use},
            geometry=geometry,
            bbox_west=box[0],
            bbox_south=box[1],
            bbox_east=box[2],
            bbox_north=box[3],
        )
    planner = territory.users["planner"]
    services.zoning_rule_create(
        actor=planner,
        entity=territory.entity,
        layer=layer,
        attribute="uso",
        value="protección",
        verdict="forbidden",
        note="ANP",
    )
    services.zoning_rule_create(
        actor=planner,
        entity=territory.entity,
        layer=layer,
        attribute="uso",
        value="residencial",
        verdict="allowed",
    )
    return layer


def test_the_check_stores_the_verdict_with_zones_and_explanation(
    territory: Any, zoning: SpatialLayer
) -> None:
    planner = territory.users["planner"]
    east = Project.objects.create(
        entity=territory.entity,
        code="E",
        title="Este",
        location={"type": "Point", "coordinates": [-76.92, -6.05]},
    )
    east.nodes.add(territory.node)
    west = Project.objects.create(
        entity=territory.entity,
        code="W",
        title="Oeste",
        location={"type": "Point", "coordinates": [-76.98, -6.05]},
    )
    west.nodes.add(territory.node)
    nowhere = Project.objects.create(entity=territory.entity, code="N", title="Sin lugar")
    nowhere.nodes.add(territory.node)
    unlinked = Project.objects.create(
        entity=territory.entity,
        code="U",
        title="Sin plan",
        location={"type": "Point", "coordinates": [-76.92, -6.05]},
    )
    assert services.project_eligibility_check(actor=planner, project=east)["verdict"] == "eligible"
    result = services.project_eligibility_check(actor=planner, project=west)
    assert result["verdict"] == "not_eligible"
    assert result["zones"] == [
        {
            "layer_id": zoning.pk,
            "layer": "Zonificación",
            "attribute": "uso",
            "value": "protección",
            "verdict": "forbidden",
            "note": "ANP",
            "rule_sector": "",
        }
    ]
    assert result["plan"]["nodes"][0]["code"] == "E1" and result["explanation"]
    assert (
        services.project_eligibility_check(actor=planner, project=nowhere)["zoning_verdict"] == "not_checked"
    )
    assert services.project_eligibility_check(actor=planner, project=unlinked)["verdict"] == "not_eligible"
    assert Project.objects.get(pk=west.pk).eligibility["verdict"] == "not_eligible"


def test_the_recheck_of_all_gives_the_same_verdicts_in_one_pass(territory: Any, zoning: SpatialLayer) -> None:
    for n, lon in enumerate((-76.92, -76.98, -76.93)):
        p = Project.objects.create(
            entity=territory.entity,
            code=f"P{n}",
            title="x",
            location={"type": "Point", "coordinates": [lon, -6.05]},
        )
        p.nodes.add(territory.node)
    counts = services.entity_eligibility_recheck(actor=territory.users["planner"], entity=territory.entity)
    assert counts == {"eligible": 2, "not_eligible": 1}
    client = Client()
    client.force_login(territory.users["planner"])
    response = client.post(
        f"/inversiones/entidades/{territory.entity.pk}/zonificacion/reverificar/", follow=True
    )
    assert response.status_code == 200


def test_a_rule_on_an_attribute_the_layer_lacks_is_refused(territory: Any, zoning: SpatialLayer) -> None:
    with pytest.raises(ValidationError) as exc:
        services.zoning_rule_create(
            actor=territory.users["planner"],
            entity=territory.entity,
            layer=zoning,
            attribute="clase",
            value="x",
            verdict="allowed",
        )
    assert "attribute" in exc.value.message_dict
    with pytest.raises(ValidationError):  # the layer of another entity
        other = SpatialLayer.objects.create(entity=territory.other_entity, name="Ajena")
        services.zoning_rule_create(
            actor=territory.users["planner"],
            entity=territory.entity,
            layer=other,
            attribute="uso",
            value="x",
            verdict="allowed",
        )
    with transaction.atomic():
        assert ZoningRule.objects.filter(entity=territory.entity).count() == 2
