"""The plan pages of governance through the test client: convenios with their parties and each
party's yearly contributions (the checks of the form, the totals, the statement as XLSX and PDF),
dissemination activities with their proof and the totals per audience and district, risks with
their reviews and the matrix, the action plan with its late actions and XLSX, and the general
indicators computed from the governance record and sent for approval.

Messages are compared with what the catalogue gives in Spanish (`gettext` under the Spanish
locale of every test), so the tests hold before and after their translation lands."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext

from rumbo.governance import activity, contributions, services
from rumbo.governance.models import (
    AttendanceStatus,
    BodyKind,
    Contribution,
    Convenio,
    DisseminationActivity,
    DisseminationProof,
    MemberSector,
    PlanAction,
    ProofKind,
    Risk,
    RiskReview,
)
from rumbo.indicators.models import Evidence, Measurement, MeasurementStatus
from rumbo.indicators.sheets.services import catalogue_adopt
from rumbo.plans.models import LegalAct
from tests.factories import UnitFactory
from tests.governance.conftest import at

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
NBSP = "\xa0"  # the thousands separator of Spanish numbers
HOST = "rumbo.example.pe"  # a host a link may point to (the test client's "testserver" has no domain)


def _client(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _base(plan: Any) -> str:
    return f"/gobernanza/planes/{plan.pk}"


def _convenio(world: Any, plan: Any = None, **kw: Any) -> Convenio:
    fields: dict[str, Any] = {
        "title": "Convenio de cooperación interinstitucional",
        "signed_on": datetime.date(2026, 1, 15),
        "starts_on": datetime.date(2026, 1, 15),
        "ends_on": datetime.date(2028, 12, 31),
        "parties": [{"name": "Municipalidad Provincial"}, {"name": "Municipalidad Distrital de Calzada"}],
    }
    return contributions.convenio_create(
        actor=world.users["planner"], entity=world.entity, plan=plan or world.public_plan, **(fields | kw)
    )


def _parties(convenio: Convenio) -> list[Any]:
    return list(convenio.parties.order_by("pk"))


def _party_row(page: str, party: Any) -> str:
    match = re.search(rf'<tr data-party="{party.pk}">(.*?)</tr>', page, re.S)
    assert match, f"no row for {party.name}"
    return match.group(1)


def _figures(row: str) -> list[str]:
    return re.findall(r'<td class="text-end figure[^"]*">([^<]*)', row)


def _table(page: str, table_id: str) -> list[list[str]]:
    match = re.search(rf'<table[^>]*id="{table_id}".*?<tbody>(.*?)</tbody>', page, re.S)
    assert match, table_id
    return [re.findall(r"<td[^>]*>([^<]*)</td>", tr) for tr in re.findall(r"<tr>(.*?)</tr>", match.group(1))]


# --- convenios and contributions ---------------------------------------------------------------


def test_a_planner_adds_a_convenio_with_its_parties(world: Any) -> None:
    # when a planner posts the convenio form with three parties, each with its role
    response = _client(world.users["planner"]).post(
        f"{_base(world.public_plan)}/convenios/nuevo/",
        {
            "title": "Convenio del Instituto de Planificación",
            "number": "003-2026",
            "signed_on": "2026-01-15",
            "starts_on": "2026-02-01",
            "ends_on": "2028-12-31",
            "parties": "Municipalidad Provincial; coordinadora\n"
            "Municipalidad Distrital de Calzada; aportante\n"
            "\nMunicipalidad Distrital de Soritor; aportante",
        },
    )
    # then it is saved on the plan with its parties, and the convenios page opens
    assert response.status_code == 302 and response["Location"] == f"{_base(world.public_plan)}/convenios/"
    convenio = Convenio.objects.get()
    assert (convenio.plan, convenio.entity, convenio.number) == (world.public_plan, world.entity, "003-2026")
    assert [(p.name, p.role) for p in _parties(convenio)] == [
        ("Municipalidad Provincial", "coordinadora"),
        ("Municipalidad Distrital de Calzada", "aportante"),
        ("Municipalidad Distrital de Soritor", "aportante"),
    ]
    # and anyone reading the published plan sees it, without the forms
    page = _client().get(f"{_base(world.public_plan)}/convenios/").content.decode()
    assert "Convenio del Instituto de Planificación" in page and "Municipalidad Distrital de Soritor" in page
    assert 'id="convenio-form"' not in page and "/aportes/" not in page


def test_a_convenio_with_one_party_is_refused_and_nothing_is_saved(world: Any) -> None:
    # when the form names a single party
    response = _client(world.users["planner"]).post(
        f"{_base(world.public_plan)}/convenios/nuevo/",
        {
            "title": "Convenio unilateral",
            "signed_on": "2026-01-15",
            "starts_on": "2026-01-15",
            "parties": "Municipalidad Provincial; aportante",
        },
    )
    # then the form comes back with the Spanish message of the catalogue, and nothing is saved
    assert response.status_code == 422
    assert escape(gettext("A convenio has at least two parties.")) in response.content.decode()
    assert response.context["convenio_form"].errors["parties"]
    assert not Convenio.objects.exists()


def test_contributions_that_do_not_add_up_are_refused_and_nothing_is_saved(world: Any) -> None:
    convenio = _convenio(world)
    first = _parties(convenio)[0]
    # when a total that is not fixed + variable is declared
    response = _client(world.users["planner"]).post(
        f"{_base(world.public_plan)}/convenios/{convenio.pk}/aportes/",
        {"party": str(first.pk), "year": "2026", "fixed": "30000", "variable": "12000,50", "total": "45000"},
    )
    # then the message says the amounts do not add up, with the sum, and nothing is saved
    assert response.status_code == 422
    msgid = (
        "The contributions do not add up: fixed %(fixed)s + variable %(variable)s = %(sum)s, not %(total)s."
    )
    amounts = {"fixed": f"30{NBSP}000,00", "variable": f"12{NBSP}000,50", "sum": f"42{NBSP}000,50",
               "total": f"45{NBSP}000,00"}  # fmt: skip
    message = gettext(msgid) % amounts
    assert escape(message) in response.content.decode()
    if message != msgid % amounts:  # once the catalogue translates it, in its Spanish wording
        assert "no suman" in message
    assert not Contribution.objects.exists()


def test_paid_above_committed_needs_a_reason_and_is_then_flagged(world: Any) -> None:
    convenio = _convenio(world)
    first = _parties(convenio)[0]
    client = _client(world.users["planner"])
    url = f"{_base(world.public_plan)}/convenios/{convenio.pk}/aportes/"
    data = {
        "party": str(first.pk),
        "year": "2026",
        "fixed": "10000",
        "variable": "5000",
        "fixed_paid": "12000",
    }
    # when more is paid than committed and no reason is given
    refused = client.post(url, data)
    # then it is refused with the amounts, and nothing is saved
    assert refused.status_code == 422
    message = gettext(
        "%(paid)s paid is more than the %(committed)s committed; say why, or correct the amounts."
    ) % {"paid": f"12{NBSP}000,00", "committed": f"10{NBSP}000,00"}
    assert escape(message) in refused.content.decode()
    assert not Contribution.objects.exists()
    # when the reason is given
    saved = client.post(url, data | {"over_reason": "Pago adelantado de la planilla de enero 2027"})
    # then both kinds are saved, the fixed one with its reason, and the party's paid figure is flagged
    assert saved.status_code == 302 and saved["Location"].endswith(f"#convenio-{convenio.pk}")
    rows = {c.kind: c for c in Contribution.objects.filter(party=first, year=2026)}
    assert (rows["fixed"].committed, rows["fixed"].paid) == (Decimal("10000.00"), Decimal("12000.00"))
    assert rows["fixed"].over_reason == "Pago adelantado de la planilla de enero 2027"
    assert (rows["variable"].committed, rows["variable"].paid, rows["variable"].over_reason) == (
        Decimal("5000.00"),
        Decimal("0.00"),
        "",
    )
    page = _client().get(f"{_base(world.public_plan)}/convenios/").content.decode()
    assert 'class="badge text-bg-warning"' in _party_row(page, first)
    assert "text-bg-warning" not in _party_row(page, _parties(convenio)[1])


def _two_years(world: Any, convenio: Convenio) -> tuple[Any, Any]:
    """The provincial party commits 100,000 + 40,000 in 2026 (pays 90,000 fixed) and 110,000 in
    2027; the district one commits 20,000 + 5,000,50 in 2026, all paid."""
    planner = world.users["planner"]
    prov, district = _parties(convenio)
    contributions.contribution_year_set(
        actor=planner, party=prov, year=2026, fixed="100000", variable="40000", fixed_paid="90000"
    )
    contributions.contribution_year_set(actor=planner, party=prov, year=2027, fixed="110000", variable="")
    contributions.contribution_year_set(
        actor=planner, party=district, year=2026, fixed="20000", variable="5000,50", fixed_paid="20000",
        variable_paid="5000,50",
    )  # fmt: skip
    return prov, district


def test_the_convenios_page_totals_each_party_and_the_convenio(world: Any) -> None:
    convenio = _convenio(world)
    prov, district = _two_years(world, convenio)
    # when anyone opens the convenios page of the published plan
    response = _client().get(f"{_base(world.public_plan)}/convenios/")
    # then each party's totals over the years: fixed, variable, total committed, paid, pending
    assert response.status_code == 200
    ((shown, statement),) = response.context["statements"]
    assert shown == convenio
    by_party = {p.party.pk: p.total for p in statement.parties}
    assert (by_party[prov.pk].committed, by_party[prov.pk].paid, by_party[prov.pk].pending) == (
        Decimal("250000.00"),
        Decimal("90000.00"),
        Decimal("160000.00"),
    )
    assert (by_party[district.pk].committed, by_party[district.pk].pending) == (Decimal("25000.50"), 0)
    assert statement.total.committed == Decimal("275000.50")
    # and the page shows them per party (Spanish number format) and in the convenio's total row
    page = response.content.decode()
    figures = [f.replace(NBSP, " ") for f in _figures(_party_row(page, prov))]
    assert figures == ["210 000,00", "40 000,00", "250 000,00", "90 000,00", "160 000,00"]
    figures = [f.replace(NBSP, " ") for f in _figures(_party_row(page, district))]
    assert figures[:3] == ["20 000,00", "5 000,50", "25 000,50"]
    assert f'id="convenio-total-{convenio.pk}">275{NBSP}000,50<' in page


def test_a_private_convenio_is_listed_only_for_whoever_reads_the_entity_s_private_data(world: Any) -> None:
    _convenio(world, title="Convenio público")
    hidden = _convenio(world, title="Convenio reservado", is_public=False)
    url = f"{_base(world.public_plan)}/convenios/"
    public = _client().get(url).content.decode()
    assert "Convenio público" in public and "Convenio reservado" not in public
    assert "Convenio reservado" in _client(world.users["observer"]).get(url).content.decode()
    # nor is its statement served to the public
    statement = f"{url}{hidden.pk}/partes/{_parties(hidden)[0].pk}/estado.xlsx"
    assert _client().get(statement).status_code == 404
    assert _client(world.users["observer"]).get(statement).status_code == 200


def test_contributions_cannot_be_recorded_through_another_plan_s_address(world: Any) -> None:
    # given a convenio of the private plan
    convenio = _convenio(world, plan=world.plan)
    first = _parties(convenio)[0]
    # when a planner posts its contributions to the public plan's address
    response = _client(world.users["planner"]).post(
        f"{_base(world.public_plan)}/convenios/{convenio.pk}/aportes/",
        {"party": str(first.pk), "year": "2026", "fixed": "1000", "variable": "0"},
    )
    # then the convenio is not found there, and nothing is saved
    assert response.status_code == 404
    assert not Contribution.objects.exists()


def test_the_party_statement_xlsx_has_its_years_and_totals(world: Any) -> None:
    from openpyxl import load_workbook

    convenio = _convenio(world)
    prov, _district = _two_years(world, convenio)
    # when anyone downloads the provincial party's statement as XLSX
    response = _client().get(
        f"{_base(world.public_plan)}/convenios/{convenio.pk}/partes/{prov.pk}/estado.xlsx"
    )
    # then the workbook opens, with one row per year and the total
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f'filename="aportes-{convenio.pk}-{prov.pk}.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == convenio.title and rows[1][:2] == [gettext("Party"), "Municipalidad Provincial"]
    assert rows[4] == [2026, 100000, 90000, 40000, 0, 140000, 90000, 50000]
    assert rows[5] == [2027, 110000, 0, 0, 0, 110000, 0, 110000]
    assert rows[6] == [gettext("Total"), 210000, 90000, 40000, 0, 250000, 90000, 160000]
    assert len(rows) == 7


def test_the_party_statement_pdf_is_a_pdf_with_its_totals(world: Any) -> None:
    from pypdf import PdfReader

    convenio = _convenio(world)
    _prov, district = _two_years(world, convenio)
    # when anyone downloads the district party's statement as PDF
    response = _client().get(
        f"{_base(world.public_plan)}/convenios/{convenio.pk}/partes/{district.pk}/estado.pdf"
    )
    # then it is a PDF with pages that names the party and its total
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 1
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Municipalidad Distrital de Calzada" in text and f"25{NBSP}000,50" in text


# --- dissemination -----------------------------------------------------------------------------


def test_dissemination_activities_with_proof_and_the_totals_per_audience_and_district(world: Any) -> None:
    planner = world.users["planner"]
    client = _client(planner)
    base = _base(world.public_plan)
    # given a workshop in a district, with 25 attendees (recorded directly: the form has no district)
    calzada = UnitFactory(country=world.entity.country, code="220102", name="Calzada")
    activity.activity_create(
        actor=planner, plan=world.public_plan, kind="workshop", title="Taller en el colegio",
        held_on=datetime.date(2026, 4, 10), audience="schools", unit=calzada, attendees=25,
    )  # fmt: skip
    # when a planner adds the delivery of the executive document to local institutions through the form
    added = client.post(
        f"{base}/difusion/nueva/",
        {
            "kind": "publication",
            "title": "Entrega del documento ejecutivo",
            "held_on": "2026-04-20",
            "audience": "institutions",
            "material": "executive_document",
        },
    )
    assert added.status_code == 302 and added["Location"] == f"{base}/difusion/"
    delivery = DisseminationActivity.objects.get(title="Entrega del documento ejecutivo")
    # and its signed receipt (40 copies to the provincial council) as a PDF
    proof = client.post(
        f"{base}/difusion/{delivery.pk}/prueba/",
        {
            "kind": "receipt",
            "file": SimpleUploadedFile("cargo.pdf", PDF, "application/pdf"),
            "recipient": "Concejo Provincial",
            "copies": "40",
        },
    )
    # then the proof is kept, and served to the planner
    assert proof.status_code == 302 and proof["Location"] == f"{base}/difusion/#actividad-{delivery.pk}"
    receipt = DisseminationProof.objects.get(activity=delivery)
    assert (receipt.kind, receipt.copies, receipt.recipient, receipt.name) == (
        ProofKind.RECEIPT,
        40,
        "Concejo Provincial",
        "cargo.pdf",
    )
    download = client.get(f"{base}/difusion/pruebas/{receipt.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    # and the page totals the activities, attendees and copies per audience and per district
    response = _client().get(f"{base}/difusion/")
    totals = response.context["totals"]
    assert (totals.activities, totals.with_proof, totals.attendees, totals.copies) == (2, 1, 25, 40)
    page = response.content.decode()
    assert sorted(_table(page, "by-audience")) == sorted(
        [[gettext("Local institutions"), "1", "0", "40"], [gettext("Schools"), "1", "25", "0"]]
    )
    assert _table(page, "by-district") == [
        ["Calzada", "1", "25", "0"],
        [gettext("Whole territory"), "1", "0", "40"],
    ]
    # the public sees the proof's name but gets no link to the file
    assert "cargo.pdf" in page and f"/difusion/pruebas/{receipt.pk}/" not in page
    assert f"/difusion/pruebas/{receipt.pk}/" in client.get(f"{base}/difusion/").content.decode()


def test_an_executable_renamed_pdf_is_refused_as_proof(world: Any) -> None:
    delivery = activity.activity_create(
        actor=world.users["planner"], plan=world.public_plan, kind="workshop", title="Taller",
        held_on=datetime.date(2026, 4, 10),
    )  # fmt: skip
    executable = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"PE\x00\x00"
    # when a planner uploads an executable named like a PDF as the attendance list
    response = _client(world.users["planner"]).post(
        f"{_base(world.public_plan)}/difusion/{delivery.pk}/prueba/",
        {"kind": "attendance_list", "file": SimpleUploadedFile("lista.pdf", executable, "application/pdf")},
    )
    # then it is refused on the form, and nothing is kept
    assert response.status_code == 422
    assert response.context["proof_form"].errors["file"]
    assert response.context["proof_activity"] == delivery.pk
    assert not DisseminationProof.objects.exists()


# --- risks and assumptions ---------------------------------------------------------------------


def _cell(page: str, impact: int, likelihood: int) -> str:
    match = re.search(rf'<td class="([^"]*)" data-cell="{impact}-{likelihood}">([^<]*)</td>', page)
    assert match, (impact, likelihood)
    return match.group(2).strip()


def test_a_risk_reviewed_twice_keeps_three_reviews_and_moves_in_the_matrix(world: Any) -> None:
    client = _client(world.users["planner"])
    base = _base(world.public_plan)
    # when a planner records a risk of likelihood 4 and impact 5
    created = client.post(
        f"{base}/riesgos/nuevo/",
        {
            "kind": "risk",
            "description": "Cambio de gestión municipal",
            "likelihood": "4",
            "impact": "5",
            "owner": "Gerencia",
        },
    )
    assert created.status_code == 302 and created["Location"] == f"{base}/riesgos/"
    risk = Risk.objects.get()
    assert _cell(client.get(f"{base}/riesgos/").content.decode(), 5, 4) == "1"
    # and reviews it twice
    for state, likelihood, impact, note in (
        ("open", "3", "5", "Se conversó con el alcalde electo"),
        ("mitigated", "2", "3", "Ordenanza de continuidad aprobada"),
    ):
        review = client.post(
            f"{base}/riesgos/{risk.pk}/revision/",
            {"state": state, "likelihood": likelihood, "impact": impact, "note": note},
        )
        assert review.status_code == 302 and review["Location"] == f"{base}/riesgos/#riesgo-{risk.pk}"
    # then its history has the three reviews, the last one current
    history = list(
        RiskReview.objects.filter(risk=risk).order_by("pk").values_list("state", "likelihood", "impact")
    )
    assert history == [("open", 4, 5), ("open", 3, 5), ("mitigated", 2, 3)]
    risk.refresh_from_db()
    assert (risk.state, risk.likelihood, risk.impact) == ("mitigated", 2, 3)
    page = client.get(f"{base}/riesgos/").content.decode()
    item = re.search(rf'id="riesgo-{risk.pk}">(.*?)</details>', page, re.S)
    assert item and re.search(r"\(3\)</summary>", item.group(1))
    assert "Ordenanza de continuidad aprobada" in item.group(1)
    # and it sits in the cell of impact 3 and likelihood 2, no longer in the first one
    assert _cell(page, 3, 2) == "1"
    assert _cell(page, 5, 4) == "" and _cell(page, 5, 3) == ""


def test_a_review_with_an_assumption_s_state_is_refused(world: Any) -> None:
    risk = activity.risk_create(actor=world.users["planner"], plan=world.public_plan, description="Sequía")
    response = _client(world.users["planner"]).post(
        f"{_base(world.public_plan)}/riesgos/{risk.pk}/revision/",
        {"state": "holds", "likelihood": "2", "impact": "2"},
    )
    assert response.status_code == 422
    assert response.context["review_errors"][0] == risk.pk
    assert RiskReview.objects.filter(risk=risk).count() == 1


def test_the_risks_are_not_shown_to_the_public(world: Any) -> None:
    activity.risk_create(actor=world.users["planner"], plan=world.public_plan, description="Sequía")
    url = f"{_base(world.public_plan)}/riesgos/"
    assert _client().get(url).status_code == 404
    assert _client(world.users["outsider"]).get(url).status_code == 404
    observer = _client(world.users["observer"]).get(url)
    assert observer.status_code == 200 and "Sequía" in observer.content.decode()
    assert 'id="risk-form"' not in observer.content.decode()


# --- the action plan ---------------------------------------------------------------------------


def test_the_action_plan_shows_a_late_action_and_lists_the_actions_in_xlsx(world: Any) -> None:
    from openpyxl import load_workbook

    today = timezone.localdate()
    client = _client(world.users["planner"])
    base = _base(world.public_plan)
    # when a planner adds an action that should have ended ten days ago and one that ends next month
    for title, starts, ends in (
        ("Aprobar la ordenanza", today - datetime.timedelta(days=70), today - datetime.timedelta(days=10)),
        ("Taller de validación", today - datetime.timedelta(days=5), today + datetime.timedelta(days=30)),
    ):
        response = client.post(
            f"{base}/plan-de-accion/nueva/",
            {"title": title, "responsible": "Gerencia de Planeamiento", "starts_on": starts, "ends_on": ends},
        )
        assert response.status_code == 302 and response["Location"] == f"{base}/plan-de-accion/"
    late, current = PlanAction.objects.order_by("ends_on")
    # then the page marks the first as late (red row and badge), not the second
    page = _client().get(f"{base}/plan-de-accion/").content.decode()
    rows = dict(
        (title, row)
        for row in re.findall(r"<tr(?: class=\"[^\"]*\")?>\s*<td>.*?</tr>", page, re.S)
        for title in (late.title, current.title)
        if title in row
    )
    badge = f'<span class="badge text-bg-danger">{escape(gettext("Late"))}</span>'
    assert rows[late.title].startswith('<tr class="table-danger">') and badge in rows[late.title]
    assert "table-danger" not in rows[current.title] and badge not in rows[current.title]
    # when the late one is done, it is no longer late
    done = client.post(f"{base}/plan-de-accion/{late.pk}/estado/", {"status": "done"})
    assert done.status_code == 302
    assert "table-danger" not in _client().get(f"{base}/plan-de-accion/").content.decode()
    client.post(f"{base}/plan-de-accion/{late.pk}/estado/", {"status": "in_progress"})
    # and the XLSX lists both actions, with their dates and statuses
    xlsx = _client().get(f"{base}/plan-de-accion/?formato=xlsx")
    assert xlsx.status_code == 200
    assert f'filename="plan-de-accion-{world.public_plan.pk}.xlsx"' in xlsx["Content-Disposition"]
    rows_x = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows_x[0][0] == gettext("Action") and len(rows_x) == 3
    listed = {r[0]: r for r in rows_x[1:]}
    assert listed["Aprobar la ordenanza"][3] == "Gerencia de Planeamiento"
    assert listed["Aprobar la ordenanza"][5].date() == late.ends_on
    assert listed["Aprobar la ordenanza"][6] == gettext("Late")
    assert listed["Taller de validación"][6] == gettext("Planned")


# --- general indicators computed from the governance record ------------------------------------


def _governance_record(world: Any, plan: Any, today: datetime.date) -> dict[str, Any]:
    """Hand-made for the period containing today: a citizen roundtable with three civil-society
    seats of two organisations and a public-sector seat, two meetings held and one only convened;
    a workshop with a photo and one without proof; a convenio with a committed contribution and
    one with none."""
    planner = world.users["planner"]
    act = LegalAct.objects.create(
        plan=plan, act_type="ordinance", number="012-2026", date=today, issuer="Concejo Provincial"
    )
    roundtable = services.body_create(
        actor=planner, entity=world.entity, plan=plan, kind=BodyKind.CITIZEN_ROUNDTABLE,
        name="Mesa de concertación ciudadana", legal_act=act,
    )  # fmt: skip
    seats = [
        services.member_add(
            actor=planner, body=roundtable, name=name, organisation=org, sector=sector, joined_on=today
        )
        for name, org, sector in (
            ("Rosa Vela", "Junta vecinal San Juan", MemberSector.CIVIL_SOCIETY),
            ("Pedro Ríos", "junta vecinal san juan ", MemberSector.CIVIL_SOCIETY),
            ("Ana Paz", "Asociación de productores", MemberSector.CIVIL_SOCIETY),
            ("Luis Soto", "Gobierno Regional", MemberSector.PUBLIC),
        )
    ]
    meetings = []
    for title, held in (("Primera sesión", True), ("Segunda sesión", True), ("Sesión convocada", False)):
        meeting = services.meeting_convene(
            actor=planner, body=roundtable, title=title, starts_at=at(today, 0), ends_at=at(today, 1)
        )
        if held:
            services.meeting_attendance_record(
                actor=planner, meeting=meeting, marks={seats[0].pk: AttendanceStatus.PRESENT}
            )
        meetings.append(meeting)
    workshop = activity.activity_create(
        actor=planner, plan=plan, kind="workshop", title="Taller con dirigentes", held_on=today
    )
    activity.proof_add(
        actor=planner, activity=workshop, kind="photo",
        upload=SimpleUploadedFile("foto.pdf", PDF, "application/pdf"),
    )  # fmt: skip
    activity.activity_create(
        actor=planner, plan=plan, kind="workshop", title="Taller sin prueba", held_on=today
    )
    signed = datetime.date(today.year, 1, 1)
    funded = _convenio(world, plan=plan, title="Convenio con aportes", signed_on=signed, starts_on=signed)
    contributions.contribution_year_set(
        actor=planner, party=_parties(funded)[0], year=today.year, fixed="1000", variable="0"
    )
    _convenio(world, plan=plan, title="Convenio sin aportes", signed_on=signed, starts_on=signed)
    return {"roundtable": roundtable, "meetings": meetings, "funded": funded, "seat": seats[0]}


def test_the_general_indicators_are_computed_from_the_record_and_sent_for_approval(world: Any) -> None:
    today = timezone.localdate()
    plan = world.public_plan
    record = _governance_record(world, plan, today)
    adopted = catalogue_adopt(
        actor=world.users["planner"], plan=plan, keys=["INS-04", "CON-01", "DIF-05", "CON-03"]
    )
    base = _base(plan)
    # when anyone opens the general indicators of the published plan
    response = _client().get(f"{base}/indicadores-generales/")
    # then each adopted indicator has its value from the record, for its period containing today
    assert response.status_code == 200
    values = {i.catalogue_key: (p.code, c.value) for i, p, c, _rule in response.context["rows"]}
    semester = f"{today.year}S{1 if today.month <= 6 else 2}"
    quarter = f"{today.year}T{(today.month - 1) // 3 + 1}"
    assert values == {
        "INS-04": (semester, Decimal(2)),  # two organisations (one with two seats), not the public sector
        "CON-01": (quarter, Decimal(2)),  # the meeting only convened does not count
        "DIF-05": (semester, Decimal(1)),  # the workshop without proof does not count
        "CON-03": (str(today.year), Decimal(1)),  # the convenio without contributions does not count
    }
    page = response.content.decode()
    for key, value in (("INS-04", "2"), ("CON-01", "2"), ("DIF-05", "1"), ("CON-03", "1")):
        row = re.search(rf'<tr data-key="{key}">.*?<td class="text-end figure">([^<]*)</td>', page, re.S)
        assert row and row.group(1) == value, key
    assert 'id="update-general"' not in page  # the public may not record measurements
    # and whoever reads the entity's private data sees the records each value comes from
    planner = _client(world.users["planner"]).get(f"{base}/indicadores-generales/").content.decode()
    assert f'href="/gobernanza/reuniones/{record["meetings"][0].pk}/"' in planner
    assert f'href="/gobernanza/organos/{record["roundtable"].pk}/"' in planner
    # when a reporter updates them
    reporter = _client(world.users["reporter"])
    updated = reporter.post(f"{base}/indicadores-generales/actualizar/", HTTP_HOST=HOST)
    assert updated.status_code == 302 and updated["Location"] == f"{base}/indicadores-generales/"
    # then each has a submitted measurement of the whole territory with links to its sources
    current = Measurement.objects.filter(indicator__in=adopted, is_current=True).select_related("indicator")
    measurements = {m.indicator.catalogue_key: m for m in current}
    assert {k: (m.period.code, m.value) for k, m in measurements.items()} == values
    assert all(m.status == MeasurementStatus.SUBMITTED and m.unit_id is None for m in measurements.values())
    links = {
        k: sorted(Evidence.objects.filter(measurement=m).values_list("url", flat=True))
        for k, m in measurements.items()
    }
    site = f"http://{HOST}/gobernanza"
    assert links == {
        "CON-01": sorted(f"{site}/reuniones/{m.pk}/" for m in record["meetings"][:2]),
        "INS-04": [f"{site}/organos/{record['roundtable'].pk}/"],
        "DIF-05": [f"{site}/planes/{plan.pk}/difusion/"],
        "CON-03": [f"{site}/planes/{plan.pk}/convenios/"],
    }
    assert Evidence.objects.get(measurement=measurements["CON-03"]).name == "Convenio con aportes"
    reporter.get(f"{base}/indicadores-generales/")  # the success message is read
    # when they are updated again with nothing new, then nothing changes
    same = reporter.post(f"{base}/indicadores-generales/actualizar/", HTTP_HOST=HOST, follow=True)
    assert [m.level_tag for m in same.context["messages"]] == ["success"]
    assert Measurement.objects.filter(indicator__in=adopted).count() == 4
    # when a third meeting is held while the count of two waits for approval
    third = record["meetings"][2]
    services.meeting_attendance_record(
        actor=world.users["planner"], meeting=third, marks={record["seat"].pk: AttendanceStatus.PRESENT}
    )
    again = reporter.post(f"{base}/indicadores-generales/actualizar/", HTTP_HOST=HOST, follow=True)
    # then the reporter is told to approve or return it first, and nothing is recorded
    assert [m.level_tag for m in again.context["messages"]] == ["error"]
    assert Measurement.objects.filter(indicator__in=adopted).count() == 4
    assert measurements["CON-01"].indicator.measurements.get().value == 2


def test_an_update_of_the_general_indicators_that_fails_half_way_records_nothing(world: Any) -> None:
    # given meetings to link to, on a site whose address is no valid link (no domain)
    today = timezone.localdate()
    _governance_record(world, world.public_plan, today)
    adopted = catalogue_adopt(
        actor=world.users["planner"], plan=world.public_plan, keys=["CON-01", "CON-03", "DIF-05"]
    )
    url = f"{_base(world.public_plan)}/indicadores-generales/actualizar/"
    # when a reporter updates the general indicators
    response = _client(world.users["reporter"]).post(url, follow=True)
    # then the failure is reported and no measurement is left waiting for approval
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not Measurement.objects.filter(indicator__in=adopted).exists()
    assert not Evidence.objects.exists()


def test_the_general_indicators_do_not_name_private_records_to_the_public(world: Any) -> None:
    # given a private citizen roundtable (is_public False) that meets, and a private convenio
    today = timezone.localdate()
    plan = world.public_plan
    planner = world.users["planner"]
    roundtable = services.body_create(
        actor=planner, entity=world.entity, plan=plan, kind=BodyKind.CITIZEN_ROUNDTABLE,
        name="Mesa reservada", is_public=False,
    )  # fmt: skip
    seat = services.member_add(
        actor=planner, body=roundtable, name="Rosa Vela", organisation="Junta vecinal",
        sector=MemberSector.CIVIL_SOCIETY, joined_on=today,
    )  # fmt: skip
    meeting = services.meeting_convene(
        actor=planner, body=roundtable, title="Sesión reservada", starts_at=at(today, 0),
        ends_at=at(today, 1),
    )  # fmt: skip
    services.meeting_attendance_record(
        actor=planner, meeting=meeting, marks={seat.pk: AttendanceStatus.PRESENT}
    )
    signed = datetime.date(today.year, 1, 1)
    hidden = _convenio(world, title="Convenio reservado", is_public=False, signed_on=signed, starts_on=signed)
    contributions.contribution_year_set(
        actor=planner, party=_parties(hidden)[0], year=today.year, fixed="1000", variable="0"
    )
    catalogue_adopt(actor=planner, plan=plan, keys=["INS-04", "CON-01", "CON-03"])
    url = f"{_base(plan)}/indicadores-generales/"
    # when the public opens the general indicators, then the private records are not named
    page = _client().get(url).content.decode()
    for private in ("Mesa reservada", "Sesión reservada", "Convenio reservado", f"/reuniones/{meeting.pk}/"):
        assert private not in page, private
    # whoever reads the entity's private data sees the sources
    observer = _client(world.users["observer"]).get(url).content.decode()
    assert "Mesa reservada" in observer and "Convenio reservado" in observer


def test_only_a_reporter_may_update_the_general_indicators(world: Any) -> None:
    catalogue_adopt(actor=world.users["planner"], plan=world.public_plan, keys=["CON-03"])
    url = f"{_base(world.public_plan)}/indicadores-generales/actualizar/"
    assert _client(world.users["observer"]).post(url).status_code == 403
    assert _client(world.users["approver"]).post(url).status_code == 403
    assert _client().post(url).status_code == 302  # to sign in
    assert not Measurement.objects.exists()
    page = _client(world.users["reporter"]).get(url.replace("actualizar/", "")).content.decode()
    assert 'id="update-general"' in page
