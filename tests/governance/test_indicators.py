"""General indicators computed from the governance record, each on a hand-made case."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rumbo.governance import activity, services
from rumbo.governance.contributions import contribution_year_set, convenio_create
from rumbo.governance.indicators import RULES, general_indicator_compute, general_indicators_refresh
from rumbo.governance.models import AttendanceStatus, Body, MemberSector, ProofKind
from rumbo.indicators.models import Evidence, Indicator, Measurement, MeasurementStatus
from rumbo.indicators.periods import period_get_or_create
from rumbo.indicators.sheets.services import catalogue_adopt
from rumbo.plans.models import LegalAct
from tests.governance.conftest import at

pytestmark = pytest.mark.django_db
D = Decimal


def _adopt(world: Any, *keys: str) -> dict[str, Indicator]:
    found = catalogue_adopt(actor=world.users["planner"], plan=world.plan, keys=list(keys))
    return {i.catalogue_key: i for i in found}


def _value(indicator: Indicator, code: str = "2026") -> Decimal:
    computed = general_indicator_compute(indicator=indicator, period=period_get_or_create(code))
    assert computed is not None
    return computed.value


def _body(world: Any, kind: str, name: str, **kw: Any) -> Body:
    return services.body_create(
        actor=world.users["planner"], entity=world.entity, plan=world.plan, kind=kind, name=name, **kw
    )


def _pdf(name: str = "prueba.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\nprueba\n", content_type="application/pdf")


def test_every_rule_names_a_catalogue_entry() -> None:
    from rumbo.indicators.sheets.catalogue import general_catalogue

    catalogue = general_catalogue()
    assert all(catalogue.get(key) is not None for key in RULES)


def test_a_body_counts_as_constituted_only_with_its_act_by_the_end_of_the_period(world: Any) -> None:
    ind = _adopt(world, "LEG-02", "INS-01")
    council = _body(world, "council", "Concejo Metropolitano")
    assert _value(ind["LEG-02"]) == 0  # no act yet
    act = LegalAct.objects.create(
        plan=world.plan,
        act_type="ordinance",
        number="012-2027",
        date=datetime.date(2027, 3, 1),
        issuer="Concejo",
    )
    services.body_update(actor=world.users["planner"], body=council, legal_act=act)
    assert _value(ind["LEG-02"], "2026") == 0 and _value(ind["LEG-02"], "2027") == 1  # the act is of 2027
    assert _value(ind["INS-01"], "2027") == 0  # constituted but not installed
    services.body_update(actor=world.users["planner"], body=council, installed_on=datetime.date(2027, 4, 1))
    assert _value(ind["INS-01"], "2027") == 1
    services.body_update(actor=world.users["planner"], body=council, dissolved_on=datetime.date(2028, 1, 1))
    assert _value(ind["LEG-02"], "2028") == 0


def test_organisations_in_roundtables_count_once_and_only_civil_society(world: Any) -> None:
    ind = _adopt(world, "INS-04")["INS-04"]
    planner = world.users["planner"]
    mesa = _body(world, "citizen_roundtable", "Mesa de Medio Ambiente")
    other = _body(world, "citizen_roundtable", "Mesa de Transporte")
    cs = MemberSector.CIVIL_SOCIETY
    joined = datetime.date(2026, 1, 1)
    services.member_add(
        actor=planner, body=mesa, name="Ana", organisation="Frente de Defensa", sector=cs, joined_on=joined
    )
    services.member_add(
        actor=planner, body=other, name="Luis", organisation="frente de defensa", sector=cs, joined_on=joined
    )
    services.member_add(
        actor=planner, body=mesa, name="Eva", organisation="Club de Madres", sector=cs, joined_on=joined
    )
    services.member_add(
        actor=planner, body=mesa, name="Jefe", organisation="Municipalidad", joined_on=joined
    )  # public
    services.member_add(actor=planner, body=mesa, name="Rita", organisation="Junta Vecinal", sector=cs,
                        joined_on=datetime.date(2024, 1, 1), left_on=datetime.date(2025, 6, 30))  # fmt: skip
    assert _value(ind, "2026") == 2  # Frente de Defensa (in two roundtables) and Club de Madres
    assert _value(ind, "2025") == 1  # Junta Vecinal, until mid-2025


def test_roundtable_meetings_count_when_held_in_the_period(world: Any) -> None:
    ind = _adopt(world, "CON-01")["CON-01"]
    planner = world.users["planner"]
    mesa = _body(world, "citizen_roundtable", "Mesa Temática")
    seat = services.member_add(actor=planner, body=mesa, name="Ana", joined_on=datetime.date(2026, 1, 1))
    for day, held in (
        (datetime.date(2026, 3, 1), True),
        (datetime.date(2026, 5, 1), True),
        (datetime.date(2026, 6, 1), False),
    ):
        m = services.meeting_convene(
            actor=planner, body=mesa, title="Reunión", starts_at=at(day), ends_at=at(day, 12)
        )
        if held:
            services.meeting_attendance_record(
                actor=planner, meeting=m, marks={seat.pk: AttendanceStatus.PRESENT}
            )
    commission = _body(world, "commission", "Comisión")  # not a roundtable
    services.meeting_convene(actor=planner, body=commission, title="x", starts_at=at(datetime.date(2026, 3, 2)),
                             ends_at=at(datetime.date(2026, 3, 2), 12))  # fmt: skip
    assert _value(ind, "2026") == 2  # the convened (not held) one does not count
    assert _value(ind, "2025") == 0


def test_convenios_count_when_some_contribution_is_committed(world: Any) -> None:
    ind = _adopt(world, "CON-03")["CON-03"]
    planner = world.users["planner"]
    parties = [{"name": "A"}, {"name": "B"}]
    c1 = convenio_create(actor=planner, entity=world.entity, plan=world.plan, title="Con aportes", parties=parties,
                         signed_on=datetime.date(2026, 2, 1), starts_on=datetime.date(2026, 2, 1))  # fmt: skip
    convenio_create(actor=planner, entity=world.entity, plan=world.plan, title="Sin aportes", parties=parties,
                    signed_on=datetime.date(2026, 2, 1), starts_on=datetime.date(2026, 2, 1))  # fmt: skip
    assert _value(ind) == 0
    party = c1.parties.first()
    assert party is not None
    contribution_year_set(actor=planner, party=party, year=2026, fixed="1.000", variable="0")
    assert _value(ind) == 1


def test_dissemination_counts_need_their_proof(world: Any) -> None:
    ind = _adopt(world, "DIF-01", "DIF-04", "DIF-05", "DIF-02")
    planner = world.users["planner"]
    day = datetime.date(2026, 4, 20)
    presentation = activity.activity_create(actor=planner, plan=world.plan, kind="presentation", title="Presentación pública",
                                            held_on=day, attendees=180)  # fmt: skip
    assert _value(ind["DIF-01"]) == 0  # no attendance list yet
    activity.proof_add(actor=planner, activity=presentation, kind=ProofKind.ATTENDANCE_LIST, upload=_pdf())
    assert _value(ind["DIF-01"]) == 180
    workshop = activity.activity_create(
        actor=planner, plan=world.plan, kind="workshop", title="Taller", held_on=day
    )
    activity.activity_create(
        actor=planner, plan=world.plan, kind="workshop", title="Taller sin prueba", held_on=day
    )
    activity.proof_add(actor=planner, activity=workshop, kind=ProofKind.PHOTO, upload=_pdf())
    assert _value(ind["DIF-05"]) == 1
    leaflets = activity.activity_create(actor=planner, plan=world.plan, kind="publication", title="Folleto popular",
                                        held_on=day, material="popular_leaflet")  # fmt: skip
    activity.proof_add(
        actor=planner,
        activity=leaflets,
        kind=ProofKind.RECEIPT,
        upload=_pdf(),
        recipient="Barrio Alto",
        copies=300,
    )
    activity.proof_add(
        actor=planner,
        activity=leaflets,
        kind=ProofKind.RECEIPT,
        upload=_pdf(),
        recipient="Barrio Bajo",
        copies=200,
    )
    assert _value(ind["DIF-04"]) == 500
    executive = activity.activity_create(actor=planner, plan=world.plan, kind="publication", title="Documento ejecutivo",
                                         held_on=day, material="executive_document")  # fmt: skip
    for recipient in ("Universidad", "Colegio de Ingenieros", "universidad"):
        activity.proof_add(
            actor=planner,
            activity=executive,
            kind=ProofKind.RECEIPT,
            upload=_pdf(),
            recipient=recipient,
            copies=2,
        )
    assert _value(ind["DIF-02"]) == 2  # institutions, not receipts
    assert _value(ind["DIF-04"], "2025") == 0


def test_refresh_records_a_submitted_measurement_with_its_sources_then_leaves_it(world: Any) -> None:
    ind = _adopt(world, "DIF-05")["DIF-05"]
    planner = world.users["planner"]
    today = datetime.date(2026, 6, 1)
    workshop = activity.activity_create(actor=planner, plan=world.plan, kind="workshop", title="Taller escolar",
                                        held_on=datetime.date(2026, 5, 2))  # fmt: skip
    activity.proof_add(actor=planner, activity=workshop, kind=ProofKind.PHOTO, upload=_pdf())
    done = general_indicators_refresh(
        actor=planner, plan=world.plan, today=today, base_url="https://rumbo.example/"
    )
    assert [(r.indicator.catalogue_key, r.value, r.changed) for r in done] == [("DIF-05", D(1), True)]
    m = Measurement.objects.get(indicator=ind, is_current=True)
    assert m.value == 1 and m.status == MeasurementStatus.SUBMITTED and m.unit_id is None
    links = list(Evidence.objects.filter(measurement=m).values_list("url", "name"))
    assert links == [(f"https://rumbo.example/gobernanza/planes/{world.plan.pk}/difusion/", "Taller escolar")]
    # unchanged: nothing new
    again = general_indicators_refresh(
        actor=planner, plan=world.plan, today=today, base_url="https://rumbo.example/"
    )
    assert not again[0].changed and Measurement.objects.filter(indicator=ind).count() == 1


@pytest.mark.parametrize(("key", "kind"), [("INS-02", "promoter_group"), ("INS-03", "advisory_group")])
def test_installed_groups_count_with_act_and_installation(world: Any, key: str, kind: str) -> None:
    ind = _adopt(world, key)[key]
    act = LegalAct.objects.create(plan=world.plan, act_type="resolution", number="1", date=datetime.date(2026, 2, 1),
                                  issuer="Alcaldía")  # fmt: skip
    _body(world, "commission", "Otra clase de órgano", legal_act=act, installed_on=datetime.date(2026, 2, 2))
    assert _value(ind) == 0
    body = _body(world, kind, "Grupo", legal_act=act)
    assert _value(ind) == 0  # not installed
    services.body_update(actor=world.users["planner"], body=body, installed_on=datetime.date(2026, 3, 1))
    assert _value(ind) == 1 and _value(ind, "2025") == 0


def test_the_technical_office_counts_with_its_act(world: Any) -> None:
    ind = _adopt(world, "INS-05")["INS-05"]
    act = LegalAct.objects.create(plan=world.plan, act_type="ordinance", number="2", date=datetime.date(2026, 2, 1),
                                  issuer="Concejo")  # fmt: skip
    body = _body(world, "technical_office", "Oficina técnica del plan")
    assert _value(ind) == 0
    services.body_update(actor=world.users["planner"], body=body, legal_act=act)
    assert _value(ind) == 1


def test_institutional_leaflets_and_exhibitions(world: Any) -> None:
    ind = _adopt(world, "DIF-03", "DIF-06")
    planner = world.users["planner"]
    day = datetime.date(2026, 8, 1)
    leaflet = activity.activity_create(actor=planner, plan=world.plan, kind="publication", title="Folleto institucional",
                                       held_on=day, material="institutional_leaflet")  # fmt: skip
    for recipient in ("Colegio de Ingenieros", "Cámara de Comercio"):
        activity.proof_add(
            actor=planner,
            activity=leaflet,
            kind=ProofKind.RECEIPT,
            upload=_pdf(),
            recipient=recipient,
            copies=10,
        )
    exhibition = activity.activity_create(
        actor=planner, plan=world.plan, kind="exhibition", title="Exposición", held_on=day
    )
    assert (_value(ind["DIF-03"]), _value(ind["DIF-06"])) == (2, 0)
    activity.proof_add(actor=planner, activity=exhibition, kind=ProofKind.PHOTO, upload=_pdf())
    assert _value(ind["DIF-06"]) == 1
