"""The criteria page and API: shares, weight rules, the suggested matrix, removal with its scores."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from rumbo.accounts.services import api_token_create
from rumbo.core.models import AuditEvent
from rumbo.investments.models import PriorityCriterion, ProjectScore
from rumbo.investments.priorities.services import (
    SUGGESTED_CRITERIA,
    criteria_suggested_adopt,
    criterion_save,
)
from tests.investments.priorities.conftest import Bank, make_criteria


def _client(world: Any, who: str) -> Client:
    client = Client()
    client.force_login(world.users[who])
    return client


def _token(world: Any, who: str) -> dict[str, str]:
    _t, raw = api_token_create(actor=world.users[who], name="t")
    return {"Authorization": f"Bearer {raw}"}


def test_criteria_page_shows_each_weight_as_its_share_of_the_total(world: Any) -> None:
    # given weights 3, 2 and 1
    make_criteria(world)
    # when a member opens the page
    page = (
        _client(world, "observer")
        .get(f"/inversiones/entidades/{world.entity.pk}/criterios/")
        .content.decode()
    )
    # then the shares are 3/6, 2/6, 1/6 (rows by key: alignment, cost, impact)
    assert re.findall(r'data-share="([\d.]+)"', page) == ["33.3", "16.7", "50.0"]
    assert "Lower is better" in page or "menor" in page.lower()


def test_api_lists_criteria_with_shares(world: Any) -> None:
    make_criteria(world)
    rows = _client(world, "observer").get(f"/api/v1/investments/entities/{world.entity.pk}/criteria").json()
    assert {r["key"]: round(r["share"], 4) for r in rows} == {
        "alignment": 0.3333,
        "cost": 0.1667,
        "impact": 0.5,
    }
    assert {r["key"]: r["higher_is_better"] for r in rows}["cost"] is False


@pytest.mark.parametrize(
    ("weight", "field"),
    [("-1", "weight"), ("abc", "weight"), ("0", "weight")],
    ids=["negative", "not a number", "all zero"],
)
def test_bad_weights_are_refused_with_a_message_and_nothing_saved(
    world: Any, weight: str, field: str
) -> None:
    # given an entity without criteria, when a planner adds one with a bad weight
    response = _client(world, "planner").post(
        f"/inversiones/entidades/{world.entity.pk}/criterios/nuevo/",
        {"key": "gap", "name": "Brecha", "weight": weight, "direction": "higher", "scale_max": "5"},
    )
    # then the form comes back with the error on the weight and nothing is saved
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not PriorityCriterion.objects.filter(entity=world.entity).exists()


def test_the_last_positive_weight_cannot_be_set_to_zero(world: Any) -> None:
    criteria = make_criteria(world)
    actor = world.users["planner"]
    criterion_save(actor=actor, entity=world.entity, key="impact", name="I", weight=0)
    criterion_save(actor=actor, entity=world.entity, key="alignment", name="A", weight=0)
    # when the only positive weight left is set to zero
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        criterion_save(
            actor=actor, entity=world.entity, key="cost", name="C", weight="0", higher_is_better=False
        )
    # then it is refused
    assert "cannot all be zero" in exc.value.message_dict["weight"][0]
    criteria["cost"].refresh_from_db()
    assert criteria["cost"].weight == 1


def test_weights_accept_a_decimal_comma_and_edits_are_audited(world: Any) -> None:
    make_criteria(world)
    criterion = PriorityCriterion.objects.get(entity=world.entity, key="impact")
    # when a planner edits the weight as "2,5" (the key field is locked)
    response = _client(world, "planner").post(
        f"/inversiones/entidades/{world.entity.pk}/criterios/{criterion.pk}/editar/",
        {"key": "other", "name": "Brecha", "weight": "2,5", "direction": "higher", "scale_max": "5"},
    )
    # then it is saved, under the same key, with a before/after trace
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert (criterion.key, str(criterion.weight)) == ("impact", "2.5000")
    event = AuditEvent.objects.filter(target_id=str(criterion.pk), action="updated").latest("pk")
    assert event.changes["weight"] == ["3.0000", "2.5000"]


def test_the_maximum_score_cannot_fall_below_a_score_already_given(bank: Bank) -> None:
    # given A scored 5 on impact; when the scale is lowered to 4
    with pytest.raises(ValidationError) as exc:
        criterion_save(
            actor=bank.world.users["planner"],
            entity=bank.world.entity,
            key="impact",
            name="I",
            weight=3,
            scale_max=4,
        )
    assert "scale_max" in exc.value.message_dict


def test_suggested_matrix_is_added_once_and_keeps_edits(world: Any) -> None:
    url = f"/inversiones/entidades/{world.entity.pk}/criterios/sugeridos/"
    client = _client(world, "planner")
    # when the suggested matrix is adopted
    assert client.post(url).status_code == 302
    keys = dict(PriorityCriterion.objects.filter(entity=world.entity).values_list("key", "weight"))
    assert set(keys) == {c.key for c in SUGGESTED_CRITERIA}
    assert sum(keys.values()) == 100
    assert PriorityCriterion.objects.get(entity=world.entity, key="risk").higher_is_better is False
    # and after an edit, adopted again
    criterion_save(actor=world.users["planner"], entity=world.entity, key="gap", name="Brecha", weight=40)
    again = criteria_suggested_adopt(actor=world.users["planner"], entity=world.entity)
    client.post(url)
    # then nothing is added or overwritten
    assert again == []
    assert PriorityCriterion.objects.filter(entity=world.entity).count() == 6
    assert PriorityCriterion.objects.get(entity=world.entity, key="gap").weight == 40


def test_suggested_matrix_needs_edit_plan(world: Any) -> None:
    response = _client(world, "observer").post(
        f"/inversiones/entidades/{world.entity.pk}/criterios/sugeridos/"
    )
    assert response.status_code == 403
    assert not PriorityCriterion.objects.filter(entity=world.entity).exists()


def test_removing_a_criterion_removes_its_scores_and_says_so_first(bank: Bank) -> None:
    world = bank.world
    criterion = bank.criteria["cost"]
    url = f"/inversiones/entidades/{world.entity.pk}/criterios/{criterion.pk}/eliminar/"
    client = _client(world, "planner")
    # the confirmation counts the scores that go with it (A, B, C, E and P, R, W scored cost)
    confirm = client.get(url)
    assert confirm.context["scores"] == 7
    # when confirmed
    assert client.post(url).status_code == 302
    # then the criterion and its scores are gone, the rest kept, and the removal is in the history
    assert not PriorityCriterion.objects.filter(pk=criterion.pk).exists()
    assert not ProjectScore.objects.filter(criterion_id=criterion.pk).exists()
    assert ProjectScore.objects.filter(criterion=bank.criteria["impact"]).count() == 8
    event = AuditEvent.objects.get(target_id=str(criterion.pk), action="deleted")
    assert event.changes["weight"] == ["1.0000", None]
    # and the ranking recomputes over impact and alignment (shares 60 % / 40 %): B = 0.6×0.8 + 0.4×0.6 = 72 %
    rows = client.get(f"/api/v1/investments/entities/{world.entity.pk}/ranking").json()
    assert {r["code"]: r["total_percent"] for r in rows}["B"] == 72.0


def test_api_put_and_delete_criterion(world: Any) -> None:
    client = Client()
    headers = _token(world, "planner")
    base = f"/api/v1/investments/entities/{world.entity.pk}/criteria"
    # create
    created = client.put(
        f"{base}/risk",
        data={"name": "Riesgo", "weight": "1,5", "higher_is_better": False},
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 200
    assert (created.json()["weight"], created.json()["share"], created.json()["higher_is_better"]) == (
        1.5,
        1.0,
        False,
    )
    # a negative weight: 422 with a message, nothing changed
    bad = client.put(
        f"{base}/risk",
        data={"name": "Riesgo", "weight": -2},
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 422 and bad.json()["detail"]
    assert PriorityCriterion.objects.get(entity=world.entity, key="risk").weight == pytest.approx(1.5)
    # delete
    deleted = client.delete(f"{base}/risk", headers=headers)
    assert deleted.status_code == 200 and deleted.json() == {"key": "risk", "scores_removed": 0}
    assert client.delete(f"{base}/risk", headers=headers).status_code == 404
    # a reporter's token may read but not change
    assert (
        client.put(
            f"{base}/x",
            data={"name": "X", "weight": 1},
            content_type="application/json",
            headers=_token(world, "reporter"),
        ).status_code
        == 403
    )


def test_priorities_endpoints_are_in_the_api_schema_with_unique_operation_ids(db: Any) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    ids = [op["operationId"] for path in schema["paths"].values() for op in path.values()]
    ours = {
        i
        for i in ids
        if i.startswith("investments_")
        and ("criteri" in i or "rank" in i or "sensitiv" in i or "scores" in i)
    }
    assert ours == {
        "investments_criteria_list",
        "investments_criterion_put",
        "investments_criterion_delete",
        "investments_ranking",
        "investments_sensitivity",
        "investments_project_scores_put",
    }
    assert len(ids) == len(set(ids))
