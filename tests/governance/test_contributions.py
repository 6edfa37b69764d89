"""Convenios and contributions: fixed + variable = total per party and year, paid ≤ committed
unless flagged, and the funding sources beside the investment plans."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from rumbo.governance.contributions import contribution_year_set, convenio_create, convenio_statement
from rumbo.governance.models import Contribution, Convenio
from rumbo.investments.models import FundingSource, InvestmentLine, InvestmentPlan, Project

pytestmark = pytest.mark.django_db
D = Decimal


def _convenio(world: Any, **kw: Any) -> Convenio:
    return convenio_create(
        actor=world.users["planner"],
        entity=world.entity,
        plan=world.plan,
        title="Convenio de creación del Instituto de Planificación",
        signed_on=datetime.date(2026, 2, 1),
        starts_on=datetime.date(2026, 2, 1),
        ends_on=datetime.date(2029, 12, 31),
        parties=kw.pop(
            "parties", [{"name": "Municipalidad Provincial"}, {"name": "Municipalidad de Calzada"}]
        ),
        **kw,
    )


def test_fixed_plus_variable_is_the_total_per_party_and_year(world: Any) -> None:
    # given a convenio of two parties with contributions over two years
    c = _convenio(world)
    province = c.parties.get(name="Municipalidad Provincial")
    calzada = c.parties.get(name="Municipalidad de Calzada")
    planner = world.users["planner"]
    contribution_year_set(
        actor=planner, party=province, year=2026, fixed="120.000,00", variable="50.000", total="170.000"
    )
    contribution_year_set(
        actor=planner, party=province, year=2027, fixed="120000", variable="0", fixed_paid="60000"
    )
    contribution_year_set(actor=planner, party=calzada, year=2026, fixed="30.000,50", variable="10.000,25")
    # when the statement is drawn
    s = convenio_statement(convenio=c)
    by_name = {p.party.name: p for p in s.parties}
    prov = by_name["Municipalidad Provincial"]
    # then each year and the total add up, fixed + variable = total
    assert prov.years[2026].committed == D("170000.00") and prov.years[2027].committed == D("120000.00")
    assert prov.total.fixed_committed == D("240000.00") and prov.total.variable_committed == D("50000.00")
    assert (
        prov.total.committed == prov.total.fixed_committed + prov.total.variable_committed == D("290000.00")
    )
    assert prov.total.paid == D("60000.00") and prov.total.pending == D("230000.00")
    assert by_name["Municipalidad de Calzada"].total.committed == D("40000.75")
    assert s.total.committed == D("330000.75") and s.years == [2026, 2027]


def test_contributions_that_do_not_add_up_are_refused_and_nothing_is_saved(world: Any) -> None:
    c = _convenio(world)
    party = c.parties.first()
    assert party is not None
    with translation.override("es"), pytest.raises(ValidationError) as exc:
        contribution_year_set(
            actor=world.users["planner"], party=party, year=2026, fixed="100", variable="50", total="160"
        )
    assert "no suman" in exc.value.message_dict["total"][0]
    assert not Contribution.objects.exists()


def test_paid_above_committed_needs_a_reason_and_is_then_flagged(world: Any) -> None:
    c = _convenio(world)
    party = c.parties.first()
    assert party is not None
    planner = world.users["planner"]
    with pytest.raises(ValidationError) as exc:
        contribution_year_set(
            actor=planner, party=party, year=2026, fixed="100", variable="0", fixed_paid="150"
        )
    assert "fixed_paid" in exc.value.error_dict
    assert not Contribution.objects.exists()
    contribution_year_set(
        actor=planner, party=party, year=2026, fixed="100", variable="0", fixed_paid="150",
        over_reason="Adelanto del aporte de 2027 acordado en sesión",
    )  # fmt: skip
    s = convenio_statement(convenio=c)
    p = next(x for x in s.parties if x.party == party)
    assert p.total.flagged and p.total.paid == D("150.00") and p.total.pending == D("-50.00")


def test_recording_a_year_again_replaces_it(world: Any) -> None:
    c = _convenio(world)
    party = c.parties.first()
    assert party is not None
    planner = world.users["planner"]
    contribution_year_set(actor=planner, party=party, year=2026, fixed="100", variable="10")
    contribution_year_set(actor=planner, party=party, year=2026, fixed="90", variable="0")
    assert list(Contribution.objects.values_list("kind", "committed")) == [("fixed", D("90.00"))]


def test_years_outside_the_term_bad_amounts_and_other_tenants_are_refused(world: Any) -> None:
    c = _convenio(world)
    party = c.parties.first()
    assert party is not None
    planner = world.users["planner"]
    with pytest.raises(ValidationError) as exc:
        contribution_year_set(actor=planner, party=party, year=2031, fixed="100", variable="0")
    assert "year" in exc.value.error_dict
    with pytest.raises(ValidationError):
        contribution_year_set(actor=planner, party=party, year=2026, fixed="-5", variable="0")
    with pytest.raises(ValidationError):
        contribution_year_set(actor=planner, party=party, year=2026, fixed="cien", variable="0")
    with pytest.raises(PermissionDenied):
        contribution_year_set(
            actor=world.users["other_admin"], party=party, year=2026, fixed="1", variable="0"
        )
    with pytest.raises(PermissionDenied):
        contribution_year_set(actor=world.users["reporter"], party=party, year=2026, fixed="1", variable="0")
    assert not Contribution.objects.exists()


def test_a_convenio_needs_two_distinct_parties_and_a_consistent_term(world: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        _convenio(world, parties=[{"name": "Sola"}])
    assert "parties" in exc.value.error_dict
    with pytest.raises(ValidationError):
        _convenio(world, parties=[{"name": "Una"}, {"name": "una"}])
    with pytest.raises(ValidationError) as exc:
        convenio_create(
            actor=world.users["planner"], entity=world.entity, title="x", signed_on=datetime.date(2026, 1, 1),
            starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2025, 1, 1),
            parties=[{"name": "A"}, {"name": "B"}],
        )  # fmt: skip
    assert "ends_on" in exc.value.error_dict
    assert not Convenio.objects.exists()


def test_contributions_per_source_are_set_beside_the_investment_plans(world: Any) -> None:
    source = FundingSource.objects.create(
        country=world.entity.country, code="APORTE", name="Aportes municipales"
    )
    c = _convenio(world)
    planner = world.users["planner"]
    for party in c.parties.all():
        contribution_year_set(
            actor=planner, party=party, year=2026, fixed="100", variable="50", fixed_paid="100", variable_paid="20",
            source=source,
        )  # fmt: skip
    project = Project.objects.create(entity=world.entity, code="P-9", title="Estudio de preinversión")
    plan = InvestmentPlan.objects.create(
        entity=world.entity, kind="annual", status="approved", title="2026", year_start=2026, year_end=2026
    )
    InvestmentLine.objects.create(
        investment_plan=plan, project=project, year=2026, source=source, amount=D("200")
    )
    s = convenio_statement(convenio=c)
    assert len(s.sources) == 1
    check = s.sources[0]
    assert (check.year, check.contributed, check.programmed, check.gap) == (
        2026,
        D("240.00"),
        D("200.00"),
        D("40.00"),
    )


def test_a_convenio_s_commitments_are_followed_by_its_body_in_the_register(world: Any, client: Any) -> None:
    from rumbo.governance import services
    from rumbo.governance.models import Agreement

    planner = world.users["planner"]
    institute = services.body_create(actor=planner, entity=world.entity, plan=world.plan, kind="institute",
                                     name="Instituto de Planificación")  # fmt: skip
    loose = _convenio(world)
    with pytest.raises(ValidationError) as exc:  # no body runs it yet
        services.agreement_create(
            actor=planner, convenio=loose, text="Aportar a tiempo", owner_office="Tesorería"
        )
    assert "convenio" in exc.value.error_dict
    c = _convenio(world, body=institute)
    client.force_login(planner)
    response = client.post(
        f"/gobernanza/planes/{world.plan.pk}/convenios/{c.pk}/compromisos/",
        {
            "text": "Transferir el aporte fijo cada trimestre",
            "owner_office": "Tesorería",
            "due_date": "2026-03-31",
        },
    )
    assert response.status_code == 302
    a = Agreement.objects.get(convenio=c)
    assert (a.body, a.meeting, a.plan, a.number) == (institute, None, world.plan, 1)
    page = client.get(f"/gobernanza/planes/{world.plan.pk}/convenios/").content.decode()
    assert "Transferir el aporte fijo" in page
    register = client.get(f"/gobernanza/planes/{world.plan.pk}/acuerdos/").content.decode()
    assert "Transferir el aporte fijo" in register
    with pytest.raises(ValidationError):  # neither a meeting nor a convenio
        services.agreement_create(actor=planner, text="x", owner_office="y")
