"""`make run` prepares the database with one command, and running it again keeps the data."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from rumbo.accounts.models import OversightGrant
from rumbo.investments.models import InvestmentPlan, Project
from rumbo.investments.programming.selectors import investment_plan_ceiling_check
from rumbo.plans.models import LegalAct, Node, Plan
from rumbo.territory.models import TerritorialUnit


@pytest.fixture
def setup_output(db: Any) -> str:
    """One run of the setup command (loading three countries takes a few seconds: the checks of
    one run share it through this fixture's test)."""
    out = io.StringIO()
    call_command("rumbo_setup", stdout=out)
    return out.getvalue()


def test_one_setup_run_prepares_territories_administrator_and_demo_and_a_second_keeps_them(
    setup_output: str,
) -> None:
    check_reference_territories()
    check_administrator_password_printed_once(setup_output)
    check_demo_plan_created_once_and_labelled()


def check_reference_territories() -> None:
    counts = {
        (c, k): TerritorialUnit.objects.filter(country=c, kind=k).count()
        for c in ("PE", "CO", "MX")
        for k in ("region", "province", "municipality")
    }
    assert (
        counts[("PE", "region")] == 25
        and counts[("PE", "province")] == 196
        and counts[("PE", "municipality")] == 1893
    )
    assert counts[("CO", "region")] == 33 and counts[("CO", "municipality")] >= 1123
    assert counts[("MX", "region")] == 32 and counts[("MX", "municipality")] == 2465
    assert not TerritorialUnit.objects.filter(
        country="MX", kind="municipality", geometry__isnull=True
    ).exists()


def check_administrator_password_printed_once(setup_output: str) -> None:
    line = next(line for line in setup_output.splitlines() if "contraseña / password" in line)
    password = line.split(":", 1)[1].strip()
    assert get_user_model().objects.get(username="admin").check_password(password)
    again = io.StringIO()
    call_command("rumbo_setup", stdout=again)
    assert "contraseña" not in again.getvalue()


def check_demo_plan_created_once_and_labelled() -> None:
    call_command("rumbo_setup", stdout=io.StringIO())  # a second run keeps everything as it was
    plan = Plan.objects.get(is_demo=True, entity__country="PE")
    assert Plan.objects.filter(is_demo=True).count() == 2  # Moyobamba's PAT and a Colombian POT
    assert sorted(plan.units.values_list("code", flat=True)) == [
        "220101",
        "220102",
        "220103",
        "220104",
        "220105",
        "220106",
    ]
    assert Node.objects.filter(plan=plan, depth=1).count() == 4
    assert Node.objects.filter(plan=plan).count() == 28
    assert plan.is_published and plan.entity.is_demo
    assert OversightGrant.objects.filter(overseer=plan.entity).count() == 5
    assert LegalAct.objects.filter(plan=plan).count() == 2  # the plan's ordinance and the bodies' one
    # with demo indicators and three approved quarters, so the dashboard has something to show
    from rumbo.indicators.models import Indicator, Measurement

    assert Indicator.objects.filter(plan=plan).count() == 9  # 5 of the plan, 4 general ones of governance
    assert Measurement.objects.filter(indicator__plan=plan, status="approved", is_current=True).count() == 15
    dashboard = Client().get(f"/seguimiento/planes/{plan.pk}/tablero/?periodo=2025T3").content.decode()
    assert "83,1 %" in dashboard  # the plan's progress in 2025T3, from the demo's approved values
    page = Client().get(f"/planes/{plan.pk}/").content.decode()
    assert "Datos de demostración" in page or "Demonstration data" in page
    assert "Creación del Instituto de Planificación Urbana Provincial" in page
    # and an investment demo: a bank with one initiative awaiting review, the approved 2025 plan
    # with execution (on the public dashboard), and a multi-year draft flagged over its ceilings
    bank = Project.objects.filter(entity=plan.entity)
    assert bank.count() == 8 and bank.filter(status="proposed").count() == 1
    annual, multiyear = InvestmentPlan.objects.filter(entity=plan.entity).order_by("kind")
    assert (annual.kind, annual.status, multiyear.status) == ("annual", "approved", "draft")
    over = [r for r in investment_plan_ceiling_check(investment_plan=multiyear) if r.status == "over"]
    assert len(over) == 4
    # physical = (4,8 M × 47 + 0,45 M × 70 + 0,38 M × 90) ÷ 5,63 M = 51,7 % (cost-weighted)
    assert 'id="execution-panel"' in dashboard and "51,7 %" in dashboard
    assert bank.get(code="PI-005").eligibility["verdict"] == "conditional"  # riverside protection zone
    # and governance: the Comisión, the Instituto with its Asamblea (six mayors) and team, the
    # Comité de Gestión, published with approved minutes and no contact of external members
    response = Client().get(f"/api/v1/governance/bodies?plan={plan.pk}")
    assert response.status_code == 200
    bodies = response.json()
    assert len(bodies) >= 3
    assembly = next(b for b in bodies if b["name"] == "Asamblea de Municipalidades")
    assert len([m for m in assembly["members"] if m["role"] != "technical_secretary"]) == 6
    assert any(m["approved_on"] for m in assembly["minutes"]) and all(
        m["status"] == "approved" for m in assembly["minutes"]
    )
    assert "@demo.example" not in response.content.decode()
    assert 'id="agreements-panel"' in dashboard and "overdue-agreement" in dashboard
