"""Meetings as iCalendar: a body's feed and a person's secret feed, read back with the icalendar
library, with the layout RFC 5545 asks for (CRLF, lines folded at 75 octets)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from rumbo.governance import services
from rumbo.governance.models import Meeting
from tests.governance.conftest import Gov, at

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 10)
LONG_AGENDA = (
    "1. Informe de la Secretaría Técnica sobre el avance de la zonificación ecológica y económica. "
    "2. Revisión del diagnóstico de riesgos de la cuenca del río Mayo, con participación de la "
    "Dirección Regional de Agricultura. 3. Acuerdos sobre la priorización de proyectos de inversión "
    "pública para el año fiscal. 4. Asuntos varios: señalización, accesibilidad y áreas de expansión."
)


def _convene(gov: Gov, body: Any, day: datetime.date, title: str, **kw: Any) -> Meeting:
    return services.meeting_convene(
        actor=gov.world.users["planner"],
        body=body,
        title=title,
        starts_at=at(day, 9),
        ends_at=at(day, 11),
        **kw,
    )


def _events(content: bytes) -> list[Any]:
    return list(Calendar.from_ical(content).walk("VEVENT"))


def test_a_public_body_s_meetings_as_icalendar(gov: Gov) -> None:
    # given two meetings of the public body, one with a long agenda
    first = _convene(gov, gov.public_body, DAY, "Sesión de instalación", place="Auditorio municipal")
    second = _convene(
        gov,
        gov.public_body,
        DAY + datetime.timedelta(days=14),
        "Sesión ordinaria",
        place="Sala de regidores, segundo piso",
        agenda=LONG_AGENDA,
    )
    # when anyone downloads the body's calendar
    response = Client().get(f"/gobernanza/organos/{gov.public_body.pk}/reuniones.ics")
    # then it is an iCalendar 2.0 document of Rumbo
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    assert str(cal["VERSION"]) == "2.0"
    assert "Rumbo" in str(cal["PRODID"])
    # with one event per meeting, at the meetings' times in UTC
    events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    assert len(events) == 2
    uids = set()
    for meeting in (first, second):
        (summary,) = [s for s in events if meeting.title in s]
        event = events[summary]
        assert gov.public_body.name in summary
        uids.add(str(event["UID"]))
        assert event.get("DTSTAMP") is not None
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert (start, end) == (meeting.starts_at, meeting.ends_at)
        assert start.utcoffset() == datetime.timedelta(0) and end.utcoffset() == datetime.timedelta(0)
        assert str(event["LOCATION"]) == meeting.place
    assert len(uids) == 2 and all(u.startswith("meeting-") for u in uids)
    assert str(events[f"{gov.public_body.name}: Sesión ordinaria"]["DESCRIPTION"]) == LONG_AGENDA
    # and 9:00 in Lima is 14:00 UTC
    assert b"DTSTART:20260310T140000Z" in response.content


def test_the_feed_uses_crlf_and_folds_lines_at_75_octets(gov: Gov) -> None:
    # given a meeting whose agenda (with accented letters) is far longer than one line
    _convene(gov, gov.public_body, DAY, "Sesión con agenda larga", agenda=LONG_AGENDA, place="Auditorio")
    # when the calendar is downloaded
    content = Client().get(f"/gobernanza/organos/{gov.public_body.pk}/reuniones.ics").content
    # then every line ends in CRLF (no bare LF) and none is longer than 75 octets
    assert content.endswith(b"\r\n")
    assert content.count(b"\n") == content.count(b"\r\n")
    lines = content.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75
    # and the agenda was folded onto continuation lines (starting with a space), and reads back whole
    description = next(i for i, line in enumerate(lines) if line.startswith(b"DESCRIPTION:"))
    assert lines[description + 1].startswith(b" ") and lines[description + 2].startswith(b" ")
    for line in lines:  # a fold never cuts a UTF-8 character in two
        line.decode("utf-8")
    (event,) = _events(content)
    assert str(event["DESCRIPTION"]) == LONG_AGENDA


def test_a_private_body_s_calendar_is_not_found_for_anonymous(gov: Gov) -> None:
    # given a meeting of the private plan's body, and a private body on the public plan
    _convene(gov, gov.body, DAY, "Sesión reservada")
    hidden = services.body_create(
        actor=gov.world.users["planner"],
        entity=gov.world.entity,
        plan=gov.world.public_plan,
        kind="technical_team",
        name="Equipo técnico",
        is_public=False,
    )
    _convene(gov, hidden, DAY, "Reunión del equipo")
    # then neither calendar is there for anonymous
    for body in (gov.body, hidden):
        response = Client().get(f"/gobernanza/organos/{body.pk}/reuniones.ics")
        assert response.status_code == 404
        assert b"BEGIN:VCALENDAR" not in response.content
    # and a planner of the entity downloads them
    planner = Client()
    planner.force_login(gov.world.users["planner"])
    response = planner.get(f"/gobernanza/organos/{gov.body.pk}/reuniones.ics")
    assert response.status_code == 200
    assert [str(e["SUMMARY"]) for e in _events(response.content)] == [
        "Comisión de Gestión del Territorio: Sesión reservada"
    ]


# --- a person's feed ---------------------------------------------------------------------------


def _my_address(user: Any) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/gobernanza/calendario/")
    assert response.status_code == 200
    url = response.context["url"]
    assert url in response.content.decode()
    return str(url)


def test_a_seat_holder_s_secret_address_gives_their_meetings_without_signing_in(gov: Gov) -> None:
    # given a meeting of the secretary's body and one of a body where she holds no seat
    _convene(gov, gov.body, DAY, "Sesión de la comisión", place="Palacio municipal")
    _convene(gov, gov.public_body, DAY, "Sesión del comité")
    # when she opens her calendar page, it shows an address of her own
    url = _my_address(gov.secretary)
    assert url.startswith("http://testserver/gobernanza/calendario/") and url.endswith(".ics")
    # then that address, without signing in, gives her body's meetings only
    response = Client().get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert [str(e["SUMMARY"]) for e in _events(response.content)] == [
        "Comisión de Gestión del Territorio: Sesión de la comisión"
    ]
    # and another person's address gives theirs
    assert _my_address(gov.president) != url


def test_a_tampered_address_is_not_found(gov: Gov) -> None:
    _convene(gov, gov.body, DAY, "Sesión de la comisión")
    url = _my_address(gov.secretary)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert Client().get(url).status_code == 200
    # when one character of the token changes, or the token is made up, then there is nothing there
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (flipped, "x" + token, "no-es-un-token"):
        response = Client().get(f"/gobernanza/calendario/{bad}.ics")
        assert response.status_code == 404, bad
        assert b"VCALENDAR" not in response.content


def test_changing_the_password_changes_the_address(gov: Gov) -> None:
    # given the secretary's address works
    _convene(gov, gov.body, DAY, "Sesión de la comisión")
    old = _my_address(gov.secretary)
    assert Client().get(old).status_code == 200
    # when her password changes
    gov.secretary.set_password("otra-clave-segura-456")
    gov.secretary.save()
    # then the old address is gone and the new one works
    assert Client().get(old).status_code == 404
    new = _my_address(gov.secretary)
    assert new != old and Client().get(new).status_code == 200


def test_a_deactivated_person_s_address_is_not_found(gov: Gov) -> None:
    url = _my_address(gov.secretary)
    gov.secretary.is_active = False
    gov.secretary.save()
    assert Client().get(url).status_code == 404


def test_the_calendar_page_needs_signing_in(gov: Gov) -> None:
    response = Client().get("/gobernanza/calendario/")
    assert response.status_code == 302 and "/entrar/" in response["Location"]


def test_a_former_member_no_longer_gets_the_body_s_meetings(gov: Gov) -> None:
    # given the secretary left the commission (of the private plan) yesterday
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    services.member_update(actor=gov.world.users["planner"], member=gov.seats["secretary"], left_on=yesterday)
    _convene(gov, gov.body, datetime.date(2099, 1, 5), "Sesión reservada futura")
    # then her address no longer brings the commission's meetings (she may no longer read them)
    response = Client().get(_my_address(gov.secretary))
    assert response.status_code == 200
    assert _events(response.content) == []
