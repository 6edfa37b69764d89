"""A plan's governance: a commission of the private plan's entity with a technical secretary
(an account), a president (an account) and external members, and one of the public plan."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from rumbo.governance import services
from rumbo.governance.models import Body, BodyMember, MemberRole, MemberSector
from tests.factories import UserFactory


@dataclass
class Gov:
    world: Any
    body: Body
    public_body: Body
    secretary: Any  # a user with no entity role, technical secretary of `body`
    president: Any  # a user with no entity role, president of `body`
    seats: dict[str, BodyMember]


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def gov(world: Any, superuser: Any) -> Gov:
    planner = world.users["planner"]
    body = services.body_create(
        actor=planner,
        entity=world.entity,
        plan=world.plan,
        kind="commission",
        name="Comisión de Gestión del Territorio",
    )
    public_body = services.body_create(
        actor=planner,
        entity=world.entity,
        plan=world.public_plan,
        kind="management_committee",
        name="Comité de Gestión",
    )
    secretary = UserFactory(username="secretaria")
    president = UserFactory(username="alcalde")
    joined = datetime.date(2026, 1, 1)
    seats = {
        "president": services.member_add(actor=planner, body=body, user=president, name="Alcalde Provincial",
                                         role=MemberRole.PRESIDENT, joined_on=joined),
        "secretary": services.member_add(actor=planner, body=body, user=secretary, name="Secretaria Técnica",
                                         role=MemberRole.TECHNICAL_SECRETARY, joined_on=joined),
        "m1": services.member_add(actor=planner, body=body, name="Ana Ríos", organisation="Municipalidad de Calzada",
                                  joined_on=joined, email="ana@calzada.example", phone="942 000 001"),
        "m2": services.member_add(actor=planner, body=body, name="Luis Paz", organisation="Universidad Nacional",
                                  sector=MemberSector.ACADEMIA, joined_on=joined),
        "guest": services.member_add(actor=planner, body=body, name="Invitada", role=MemberRole.GUEST, joined_on=joined),
    }  # fmt: skip
    services.member_add(
        actor=planner, body=public_body, name="Rosa Vela", organisation="Junta vecinal", sector=MemberSector.CIVIL_SOCIETY,
        joined_on=joined, email="rosa@vecinos.example", phone="999 111 222",
    )  # fmt: skip
    return Gov(
        world=world, body=body, public_body=public_body, secretary=secretary, president=president, seats=seats
    )
