"""Pages: reading follows the plan's visibility, writing needs the capability (403), hidden plans
are 404, anonymous writes go to the sign-in page."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from rumbo.indicators.models import (
    CorrectiveAction,
    FinancialProgress,
    Indicator,
    Milestone,
    MilestoneProgress,
    ReportingCalendar,
    Target,
    Variable,
)
from rumbo.indicators.sheets import services

pytestmark = pytest.mark.django_db


def _client(world: Any, who: str | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if who is not None:
        client.force_login(world.users[who])
    return client


def _indicator(world: Any) -> Indicator:
    return services.indicator_create(
        actor=world.users["planner"], plan=world.plan, node=world.node, code="I1", name="Cobertura"
    )


def _urls(world: Any, indicator: Indicator) -> list[str]:
    plan = world.plan.pk
    return [
        f"/seguimiento/planes/{plan}/indicadores/",
        f"/seguimiento/planes/{plan}/indicadores/nuevo/",
        f"/seguimiento/planes/{plan}/catalogo/",
        f"/seguimiento/planes/{plan}/alertas/",
        f"/seguimiento/planes/{plan}/calendario/",
        f"/seguimiento/planes/{plan}/acciones/",
        f"/seguimiento/indicadores/{indicator.pk}/ficha/",
        f"/seguimiento/indicadores/{indicator.pk}/editar/",
        f"/seguimiento/entidades/{world.entity.pk}/variables/",
        f"/seguimiento/nodos/{world.node.pk}/avance/",
    ]


def test_every_page_renders_for_a_planner_and_is_404_for_strangers(world: Any) -> None:
    indicator = _indicator(world)
    planner, stranger, other = (
        _client(world, "planner"),
        _client(world, "outsider"),
        _client(world, "other_admin"),
    )
    for url in _urls(world, indicator):
        assert planner.get(url).status_code == 200, url
        assert other.get(url).status_code == 404, url
        response = stranger.get(url)
        assert response.status_code == 404, url


def test_readers_see_pages_but_not_edit_forms(world: Any) -> None:
    indicator = _indicator(world)
    observer = _client(world, "observer")
    for url in _urls(world, indicator):
        expected = 403 if url.endswith(("nuevo/", "editar/")) else 200
        assert observer.get(url).status_code == expected, url
    page = observer.get(f"/seguimiento/indicadores/{indicator.pk}/ficha/").content.decode()
    assert "Edit sheet" not in page and 'name="target_' not in page


def test_published_plan_is_readable_anonymously_but_writes_need_sign_in(world: Any) -> None:
    anonymous = _client(world, None)
    assert anonymous.get(f"/seguimiento/planes/{world.public_plan.pk}/indicadores/").status_code == 200
    assert anonymous.get(f"/seguimiento/planes/{world.plan.pk}/indicadores/").status_code == 404
    response = anonymous.post(f"/seguimiento/planes/{world.public_plan.pk}/catalogo/", {"keys": ["LEG-01"]})
    assert response.status_code == 302 and response["Location"].startswith("/entrar/")
    assert not Indicator.objects.exists()


def test_create_an_indicator_from_the_form(world: Any) -> None:
    # given
    Variable.objects.create(entity=world.entity, code="A", name="A")
    Variable.objects.create(entity=world.entity, code="B", name="B")
    data = {
        "node": world.node.pk,
        "code": "IND-1",
        "name": "Cobertura de agua",
        "level": "outcome",
        "unit": "percentage",
        "formula": "A / B * 100",
        "direction": "",
        "achievement_formula": "ratio",
        "cap_percent": "100",
        "periodicity": "annual",
        "threshold_green": "90",
        "threshold_amber": "70",
        "weight": "1",
    }
    # when
    response = _client(world, "planner").post(f"/seguimiento/planes/{world.plan.pk}/indicadores/nuevo/", data)
    # then
    indicator = Indicator.objects.get(code="IND-1")
    assert response.status_code == 302 and response["Location"].endswith(
        f"/indicadores/{indicator.pk}/ficha/"
    )
    assert indicator.node == world.node and indicator.direction == ""
    # a bad formula shows the error and writes nothing
    data.update(code="IND-2", formula="A / Z")
    response = _client(world, "planner").post(f"/seguimiento/planes/{world.plan.pk}/indicadores/nuevo/", data)
    assert response.status_code == 200 and "Z" in response.content.decode()
    assert not Indicator.objects.filter(code="IND-2").exists()
    # a reporter may not
    data.update(code="IND-3", formula="")
    response = _client(world, "reporter").post(
        f"/seguimiento/planes/{world.plan.pk}/indicadores/nuevo/", data
    )
    assert response.status_code == 403


def test_targets_from_the_sheet_page(world: Any) -> None:
    indicator = _indicator(world)
    url = f"/seguimiento/indicadores/{indicator.pk}/ficha/"
    response = _client(world, "planner").post(
        url, {"target_2026": "10", "new_period_0": "2027S1", "new_value_0": "12,5"}
    )
    assert response.status_code == 302
    assert {t.period.code: t.value for t in Target.objects.all()} == {"2026": 10, "2027S1": Decimal("12.5")}
    response = _client(world, "planner").post(url, {"target_2026": "x"})
    assert response.status_code == 422
    assert _client(world, "reporter").post(url, {"target_2026": "1"}).status_code == 403
    assert Target.objects.get(period__code="2026").value == 10
    page = _client(world, "observer").get(url).content.decode()
    assert "2027S1" in page and "12.5" in page


def test_edit_and_delete_an_indicator(world: Any) -> None:
    indicator = _indicator(world)
    url = f"/seguimiento/indicadores/{indicator.pk}/editar/"
    form = _client(world, "planner").get(url).context["form"]
    data = {k: ("" if v is None else getattr(v, "pk", v)) for k, v in form.initial.items()}
    data["name"] = "Cobertura cambiada"
    assert _client(world, "planner").post(url, data).status_code == 302
    indicator.refresh_from_db()
    assert indicator.name == "Cobertura cambiada"
    assert _client(world, "planner").post(url, {"delete": "1"}).status_code == 302
    assert not Indicator.objects.exists()


def test_adopt_general_indicators(world: Any) -> None:
    client = _client(world, "planner")
    url = f"/seguimiento/planes/{world.plan.pk}/catalogo/"
    assert client.post(url, {"keys": ["LEG-01", "DIF-01"], "node": world.node.pk}).status_code == 302
    assert client.post(url, {"keys": ["LEG-01"]}).status_code == 302
    assert Indicator.objects.filter(plan=world.plan).count() == 2
    page = client.get(url).content.decode()
    assert page.count("adopted") >= 2
    assert _client(world, "reporter").post(url, {"keys": ["CON-01"]}).status_code == 403


def test_variables_page(world: Any) -> None:
    url = f"/seguimiento/entidades/{world.entity.pk}/variables/"
    data = {"code": "POB", "name": "Población", "territorial_level": "municipality"}
    assert _client(world, "planner").post(url, data).status_code == 302
    assert _client(world, "planner").post(url, data).status_code == 422  # duplicate code
    assert _client(world, "reporter").post(url, {**data, "code": "X"}).status_code == 403
    variable = Variable.objects.get()
    assert (
        _client(world, "planner")
        .post(f"{url}?edit={variable.pk}", {**data, "name": "Pob. total"})
        .status_code
        == 302
    )
    variable.refresh_from_db()
    assert variable.name == "Pob. total"
    assert _client(world, "other_admin").get(url).status_code == 404


def test_project_progress_page(world: Any) -> None:
    url = f"/seguimiento/nodos/{world.node.pk}/avance/"
    planner, reporter = _client(world, "planner"), _client(world, "reporter")
    assert reporter.post(url, {"action": "template"}).status_code == 403
    assert planner.post(url, {"action": "template"}).status_code == 302
    start, execution, _closure = Milestone.objects.filter(node=world.node).order_by("position")
    response = reporter.post(
        url,
        {
            "action": "progress",
            "progress-period": "2026T2",
            f"percent_{start.pk}": "100",
            f"percent_{execution.pk}": "50",
        },
    )
    assert response.status_code == 302
    assert MilestoneProgress.objects.count() == 2
    response = reporter.post(
        url,
        {
            "action": "financial",
            "financial-period": "2026T2",
            "financial-programmed": "1000",
            "financial-executed": "250",
            "financial-currency": "",
        },
    )
    assert response.status_code == 302 and FinancialProgress.objects.get().executed == 250
    page = planner.get(url).content.decode()
    assert "50 %" in page and "25 %" in page and "How is it calculated?" in page
    # editing the weights keeps the milestones that have progress
    data = {"action": "milestones"}
    for n, m in enumerate(Milestone.objects.filter(node=world.node).order_by("position")):
        data.update({f"id_{n}": str(m.pk), f"name_{n}": m.name, f"weight_{n}": "1"})
    assert planner.post(url, data).status_code == 302
    assert list(Milestone.objects.filter(node=world.node).values_list("weight", flat=True)) == [1, 1, 1]


def test_calendar_page(world: Any) -> None:
    _indicator(world)
    url = f"/seguimiento/planes/{world.plan.pk}/calendario/"
    data = {"frequency": "semiannual", "due_days_after_period_end": "45", "notify_emails": "a@example.org"}
    assert _client(world, "reporter").post(url, data).status_code == 403
    assert _client(world, "planner").post(url, data).status_code == 302
    assert ReportingCalendar.objects.get(plan=world.plan).due_days_after_period_end == 45
    page = _client(world, "reporter").get(url + "?today=2026-11-22").content.decode()
    assert "2027-02-14" in page  # the annual 2026 value: 31 Dec + 45 days


def test_corrective_actions_pages(world: Any) -> None:
    url = f"/seguimiento/planes/{world.plan.pk}/acciones/"
    data = {
        "title": "Reforzar",
        "responsible": "Obras",
        "status": "open",
        "due_date": "2026-12-01",
        "node": world.node.pk,
    }
    assert _client(world, "reporter").post(url, data).status_code == 403
    assert _client(world, "planner").post(url, data).status_code == 302
    action = CorrectiveAction.objects.get()
    follow = f"/seguimiento/acciones/{action.pk}/seguimiento/"
    assert (
        _client(world, "reporter").post(follow, {"text": "Avance", "status": "in_progress"}).status_code
        == 302
    )
    action.refresh_from_db()
    assert action.status == "in_progress" and len(action.follow_up) == 1
    edit = f"/seguimiento/acciones/{action.pk}/editar/"
    assert _client(world, "reporter").get(edit).status_code == 403
    assert _client(world, "planner").post(edit, {**data, "status": "done"}).status_code == 302
    assert CorrectiveAction.objects.get().status == "done"
    assert _client(world, "other_admin").post(follow, {"text": "x"}).status_code == 404


def test_alerts_page_lists_alerts(world: Any) -> None:
    indicator = _indicator(world)
    Indicator.objects.filter(pk=indicator.pk).update(
        created_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    )
    page = _client(world, "observer").get(f"/seguimiento/planes/{world.plan.pk}/alertas/?today=2026-08-10")
    html = page.content.decode()
    assert 'data-kind="measurement_overdue"' in html and 'data-kind="report_missing"' in html
