"""Bodies, members, meetings, quorum, minutes and agreements: the rules and the refusals."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation

from rumbo.core.models import AuditEvent
from rumbo.governance import selectors, services
from rumbo.governance.models import (
    Agreement,
    AgreementNote,
    AgreementStatus,
    AttendanceStatus,
    BodyMember,
    Meeting,
    MeetingStatus,
    MinutesApproval,
    MinutesStatus,
    MinutesVersion,
    QuorumRule,
)
from rumbo.investments.models import Project
from tests.factories import UserFactory
from tests.governance.conftest import Gov, at

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 10)


def _meeting(gov: Gov, day: datetime.date = DAY, **kw: Any) -> Meeting:
    return services.meeting_convene(
        actor=gov.secretary, body=gov.body, title=kw.pop("title", "Sesión ordinaria"), starts_at=at(day, 10),
        ends_at=at(day, 12), **kw,
    )  # fmt: skip


def _held(
    gov: Gov, day: datetime.date = DAY, present: tuple[str, ...] = ("president", "secretary", "m1")
) -> Meeting:
    meeting = _meeting(gov, day)
    marks = {
        s.pk: AttendanceStatus.PRESENT if k in present else AttendanceStatus.ABSENT
        for k, s in gov.seats.items()
    }
    services.meeting_attendance_record(actor=gov.secretary, meeting=meeting, marks=marks)
    return meeting


# --- quorum ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "voting", "count", "required"),
    [
        (QuorumRule.MAJORITY, 4, None, 3),
        (QuorumRule.MAJORITY, 5, None, 3),
        (QuorumRule.MAJORITY, 6, None, 4),
        (QuorumRule.TWO_THIRDS, 6, None, 4),
        (QuorumRule.TWO_THIRDS, 7, None, 5),
        (QuorumRule.TWO_THIRDS, 3, None, 2),
        (QuorumRule.COUNT, 10, 4, 4),
        (QuorumRule.NONE, 10, None, 0),
        (QuorumRule.MAJORITY, 0, None, 1),  # no voting member: no quorum possible
        (QuorumRule.COUNT, 0, 3, 3),
    ],
)
def test_quorum_required_by_each_rule(rule: str, voting: int, count: int | None, required: int) -> None:
    assert services.quorum_required(rule=rule, voting=voting, count=count) == required


def test_quorum_counts_voting_members_present_and_never_guests(gov: Gov) -> None:
    # given 4 voting seats (president, secretary, two members) and a guest
    meeting = _meeting(gov)
    marks = {s.pk: AttendanceStatus.ABSENT for s in gov.seats.values()}
    marks[gov.seats["president"].pk] = AttendanceStatus.PRESENT
    marks[gov.seats["m1"].pk] = AttendanceStatus.PRESENT
    marks[gov.seats["guest"].pk] = AttendanceStatus.PRESENT
    # when two voting members and the guest attend
    quorum = services.meeting_attendance_record(actor=gov.secretary, meeting=meeting, marks=marks)
    # then 2 of 4 present, 3 needed: no quorum (the guest does not count)
    assert (quorum.voting, quorum.present, quorum.required, quorum.met) == (4, 2, 3, False)
    # when one more member is marked present
    marks[gov.seats["m2"].pk] = AttendanceStatus.PRESENT
    quorum = services.meeting_attendance_record(actor=gov.secretary, meeting=meeting, marks=marks)
    assert (quorum.present, quorum.met) == (3, True)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD


def test_a_member_who_left_before_the_meeting_is_not_counted(gov: Gov) -> None:
    services.member_update(
        actor=gov.secretary, member=gov.seats["m2"], left_on=DAY - datetime.timedelta(days=1)
    )
    meeting = _meeting(gov)
    quorum = services.meeting_quorum(meeting=meeting)
    assert quorum.voting == 3 and not quorum.recorded and not quorum.met
    with pytest.raises(ValidationError):
        services.meeting_attendance_record(
            actor=gov.secretary, meeting=meeting, marks={gov.seats["m2"].pk: AttendanceStatus.PRESENT}
        )


# --- minutes -----------------------------------------------------------------------------------


def test_minutes_are_versioned_then_locked_once_approved(gov: Gov) -> None:
    first = _held(gov)
    minutes = services.minutes_save(actor=gov.secretary, meeting=first, text="Se instaló la comisión.")
    minutes = services.minutes_save(
        actor=gov.secretary, meeting=first, text="Se instaló la comisión. Acuerdos: …"
    )
    services.minutes_circulate(actor=gov.secretary, minutes=minutes)
    assert minutes.version == 2
    # when the body approves them at the next meeting, held with quorum
    second = _held(gov, DAY + datetime.timedelta(days=30))
    approved = services.minutes_approve(
        actor=gov.secretary, minutes=minutes, approval=MinutesApproval.AT_MEETING, approved_in=second
    )
    # then they are approved on the date of that meeting, with a third version kept
    assert approved.status == MinutesStatus.APPROVED and approved.approved_on == DAY + datetime.timedelta(
        days=30
    )
    assert list(MinutesVersion.objects.filter(minutes=approved).values_list("number", "status")) == [
        (1, "draft"),
        (2, "draft"),
        (3, "approved"),
    ]
    # and no edit gets through, with a Spanish message
    with translation.override("es"), pytest.raises(ValidationError) as exc:
        services.minutes_save(actor=gov.secretary, meeting=first, text="Otro texto")
    assert "aprobada" in " ".join(exc.value.messages)
    approved.refresh_from_db()
    assert approved.text == "Se instaló la comisión. Acuerdos: …" and approved.version == 3
    with pytest.raises(ValidationError):
        services.minutes_approve(actor=gov.president, minutes=approved, approval=MinutesApproval.BY_PRESIDENT)
    with pytest.raises(ValidationError):
        services.meeting_attendance_record(actor=gov.secretary, meeting=first, marks={})


def test_minutes_cannot_be_approved_at_a_meeting_without_quorum_or_an_earlier_one(gov: Gov) -> None:
    first = _held(gov)
    minutes = services.minutes_save(actor=gov.secretary, meeting=first, text="Acta")
    poor = _held(gov, DAY + datetime.timedelta(days=7), present=("m1",))
    with pytest.raises(ValidationError) as exc:
        services.minutes_approve(
            actor=gov.secretary, minutes=minutes, approval=MinutesApproval.AT_MEETING, approved_in=poor
        )
    assert "approved_in" in exc.value.error_dict
    earlier = _held(gov, DAY - datetime.timedelta(days=7))
    with pytest.raises(ValidationError):
        services.minutes_approve(
            actor=gov.secretary, minutes=minutes, approval=MinutesApproval.AT_MEETING, approved_in=earlier
        )
    assert minutes.status == MinutesStatus.DRAFT


def test_only_the_president_approves_minutes_in_person(gov: Gov) -> None:
    minutes = services.minutes_save(actor=gov.secretary, meeting=_held(gov), text="Acta")
    with pytest.raises(ValidationError):
        services.minutes_approve(actor=gov.secretary, minutes=minutes, approval=MinutesApproval.BY_PRESIDENT)
    approved = services.minutes_approve(
        actor=gov.president, minutes=minutes, approval=MinutesApproval.BY_PRESIDENT
    )
    assert approved.status == MinutesStatus.APPROVED and approved.approved_by == gov.president


# --- agreements --------------------------------------------------------------------------------


def _agreement(gov: Gov, **kw: Any) -> Agreement:
    meeting = kw.pop("meeting", None) or _held(gov)
    kw.setdefault("owner_member", gov.seats["m1"])
    return services.agreement_create(
        actor=gov.secretary, meeting=meeting, text="Elaborar el expediente técnico", **kw
    )


def test_agreements_are_numbered_per_plan_and_turn_overdue_after_their_due_date(gov: Gov) -> None:
    a = _agreement(gov, due_date=DAY)
    b = _agreement(gov, meeting=a.meeting)
    assert (a.number, b.number) == (1, 2)
    # due on DAY: not overdue that day, overdue the next
    assert selectors.agreement_state(agreement=a, today=DAY) == AgreementStatus.PENDING
    assert selectors.agreement_state(agreement=a, today=DAY + datetime.timedelta(days=1)) == "overdue"
    assert (
        selectors.agreement_state(agreement=b, today=datetime.date(2099, 1, 1)) == AgreementStatus.PENDING
    )  # no due date
    # done agreements are never overdue
    services.agreement_status_set(actor=gov.secretary, agreement=a, status=AgreementStatus.DONE, done_on=DAY)
    a.refresh_from_db()
    assert (
        selectors.agreement_state(agreement=a, today=DAY + datetime.timedelta(days=400))
        == AgreementStatus.DONE
    )


def test_agreement_status_transitions(gov: Gov) -> None:
    a = _agreement(gov)
    services.agreement_status_set(actor=gov.secretary, agreement=a, status=AgreementStatus.IN_PROGRESS)
    services.agreement_status_set(actor=gov.secretary, agreement=a, status=AgreementStatus.DONE)
    with pytest.raises(ValidationError) as exc:  # reopening needs a reason
        services.agreement_status_set(actor=gov.secretary, agreement=a, status=AgreementStatus.IN_PROGRESS)
    assert "note" in exc.value.error_dict
    services.agreement_status_set(
        actor=gov.secretary, agreement=a, status=AgreementStatus.IN_PROGRESS, note="Faltó la firma"
    )
    with pytest.raises(ValidationError):  # dropping needs a reason
        services.agreement_status_set(actor=gov.secretary, agreement=a, status=AgreementStatus.DROPPED)
    services.agreement_status_set(
        actor=gov.secretary, agreement=a, status=AgreementStatus.DROPPED, note="Sin presupuesto"
    )
    for status in (AgreementStatus.PENDING, AgreementStatus.IN_PROGRESS, AgreementStatus.DONE):
        with pytest.raises(ValidationError):  # dropped is final
            services.agreement_status_set(actor=gov.secretary, agreement=a, status=status, note="x")
    a.refresh_from_db()
    assert a.status == AgreementStatus.DROPPED and a.dropped_reason == "Sin presupuesto"
    assert list(AgreementNote.objects.filter(agreement=a).values_list("status_from", "status_to")) == [
        ("pending", "in_progress"),
        ("in_progress", "done"),
        ("done", "in_progress"),
        ("in_progress", "dropped"),
    ]


def test_an_agreement_concerns_plan_items_and_projects_of_its_own_tenant(gov: Gov) -> None:
    w = gov.world
    project = Project.objects.create(entity=w.entity, code="P-1", title="Mejoramiento vial")
    other = Project.objects.create(entity=w.other_entity, code="X-1", title="Ajeno")
    a = _agreement(gov, node_ids=[w.node.pk], project_ids=[project.pk])
    assert list(a.projects.all()) == [project] and list(a.nodes.all()) == [w.node]
    with pytest.raises(ValidationError) as exc:
        _agreement(gov, project_ids=[other.pk])
    assert "projects" in exc.value.error_dict
    with pytest.raises(ValidationError):
        _agreement(gov, node_ids=[w.other_node.pk])
    assert Agreement.objects.count() == 1


def test_an_owner_from_another_tenant_is_refused(gov: Gov) -> None:
    with translation.override("es"), pytest.raises(ValidationError) as exc:
        _agreement(gov, owner_member=None, owner_user=gov.world.users["other_admin"])
    assert "Municipalidad Provincial de Prueba" in " ".join(exc.value.messages)
    other_body = services.body_create(
        actor=gov.world.users["other_admin"], entity=gov.world.other_entity, kind="other", name="Ajeno"
    )
    stranger = services.member_add(
        actor=gov.world.users["other_admin"], body=other_body, name="Extraño", joined_on=DAY
    )
    with pytest.raises(ValidationError):
        _agreement(gov, owner_member=stranger)
    with pytest.raises(ValidationError):  # two owners at once
        _agreement(gov, owner_user=gov.world.users["planner"])
    assert Agreement.objects.count() == 0
    # a person of the entity, or a seat holder with an account, may own it
    assert _agreement(gov, owner_member=None, owner_user=gov.world.users["reporter"]).owner_user is not None
    assert _agreement(gov, owner_member=None, owner_user=gov.president).owner_user == gov.president


# --- bad input ---------------------------------------------------------------------------------


def test_a_meeting_ending_before_it_starts_is_refused(gov: Gov) -> None:
    with translation.override("es"), pytest.raises(ValidationError) as exc:
        services.meeting_convene(
            actor=gov.secretary, body=gov.body, title="Sesión", starts_at=at(DAY, 12), ends_at=at(DAY, 10)
        )
    assert exc.value.message_dict["ends_at"] == ["La reunión debe terminar después de empezar."]
    assert Meeting.objects.count() == 0


def test_a_member_twice_in_one_body_at_once_is_refused(gov: Gov) -> None:
    with translation.override("es"), pytest.raises(ValidationError) as exc:
        services.member_add(
            actor=gov.secretary, body=gov.body, name="ana ríos", organisation="Municipalidad de Calzada",
            joined_on=DAY,
        )  # fmt: skip
    assert "ya es miembro" in " ".join(exc.value.messages)
    with pytest.raises(ValidationError):
        services.member_add(actor=gov.secretary, body=gov.body, user=gov.president, joined_on=DAY)
    # after leaving, the same person may take a seat again
    services.member_update(actor=gov.secretary, member=gov.seats["m1"], left_on=DAY)
    again = services.member_add(
        actor=gov.secretary, body=gov.body, name="Ana Ríos", organisation="Municipalidad de Calzada",
        joined_on=DAY + datetime.timedelta(days=1),
    )  # fmt: skip
    assert again.pk
    # one president at a time
    with pytest.raises(ValidationError) as exc:
        services.member_add(actor=gov.secretary, body=gov.body, name="Otro", role="president", joined_on=DAY)
    assert "role" in exc.value.error_dict


@override_settings(RUMBO_UPLOAD_MAX_BYTES=30 * 1024 * 1024 - 1)
def test_a_30_mb_or_executable_attendance_list_is_refused_and_nothing_saved(gov: Gov) -> None:
    meeting = _meeting(gov)
    marks = {gov.seats["m1"].pk: AttendanceStatus.PRESENT}
    big = SimpleUploadedFile(
        "lista.pdf", b"%PDF-1.4\n" + b"0" * (30 * 1024 * 1024), content_type="application/pdf"
    )
    exe = SimpleUploadedFile("lista.pdf", b"MZ\x90\x00" + b"\x00" * 2000, content_type="application/pdf")
    for upload in (big, exe):
        with translation.override("es"), pytest.raises(ValidationError) as exc:
            services.meeting_attendance_record(
                actor=gov.secretary, meeting=meeting, marks=marks, attendance_list=upload
            )
        assert "attendance_list" in exc.value.error_dict
    meeting.refresh_from_db()
    assert (
        meeting.status == MeetingStatus.CONVENED
        and not meeting.attendance_list
        and not meeting.attendance.exists()
    )
    # a real scan is kept with its fingerprint
    scan = SimpleUploadedFile("Lista firmada.pdf", b"%PDF-1.4\nlista\n", content_type="application/pdf")
    services.meeting_attendance_record(
        actor=gov.secretary, meeting=meeting, marks=marks, attendance_list=scan
    )
    meeting.refresh_from_db()
    assert meeting.attendance_list_name == "Lista firmada.pdf" and len(meeting.attendance_list_sha256) == 64


def test_people_without_a_role_in_the_body_cannot_write(gov: Gov) -> None:
    w = gov.world
    for who in (
        w.users["reporter"],
        w.users["observer"],
        w.users["other_admin"],
        UserFactory(username="nadie"),
    ):
        with pytest.raises(PermissionDenied):
            _meeting_as(gov, who)
    # an ordinary member with an account reads but does not write
    member = UserFactory(username="vecina")
    services.member_add(actor=w.users["planner"], body=gov.body, user=member, joined_on=DAY)
    assert selectors.body_reads_private(user=member, body=gov.body)
    with pytest.raises(PermissionDenied):
        _meeting_as(gov, member)


def _meeting_as(gov: Gov, actor: Any) -> Meeting:
    return services.meeting_convene(
        actor=actor, body=gov.body, title="x", starts_at=at(DAY), ends_at=at(DAY, 11)
    )


def test_every_change_leaves_an_audit_event_scoped_to_the_plan(gov: Gov) -> None:
    a = _agreement(gov)
    events = AuditEvent.objects.filter(scope_id=gov.world.plan.pk, entity_id=gov.world.entity.pk)
    kinds = set(events.values_list("target_type__model", flat=True))
    assert {"body", "bodymember", "meeting", "agreement"} <= kinds
    assert events.filter(target_id=str(a.pk), target_type__model="agreement").exists()


def test_bodies_are_read_by_the_entity_the_seat_holders_and_the_public_when_public(gov: Gov) -> None:
    w = gov.world
    private_ids = {b.pk for b in selectors.bodies_visible_to(user=w.users["observer"])}
    assert {gov.body.pk, gov.public_body.pk} <= private_ids
    anonymous_ids = {b.pk for b in selectors.bodies_visible_to(user=UserFactory(username="anon"))}
    assert gov.public_body.pk in anonymous_ids and gov.body.pk not in anonymous_ids  # the plan is private
    assert gov.body.pk in {b.pk for b in selectors.bodies_visible_to(user=gov.president)}
    assert not selectors.body_reads_private(user=w.users["other_admin"], body=gov.public_body)
    assert BodyMember.objects.filter(body=gov.public_body).count() == 1


def test_members_remark_on_circulated_minutes_only(gov: Gov) -> None:
    minutes = services.minutes_save(actor=gov.secretary, meeting=_held(gov), text="Acta")
    member = UserFactory(username="vecino")
    services.member_add(
        actor=gov.world.users["planner"], body=gov.body, user=member, name="Vecino", joined_on=DAY
    )
    with pytest.raises(ValidationError):  # still a draft
        services.minutes_remark_add(actor=member, minutes=minutes, text="Falta mi intervención")
    services.minutes_circulate(actor=gov.secretary, minutes=minutes)
    remark = services.minutes_remark_add(actor=member, minutes=minutes, text="Falta mi intervención")
    assert (remark.author_name, remark.version) == ("Vecino", 1)
    with pytest.raises(PermissionDenied):  # neither a seat nor the entity's COMMENT
        services.minutes_remark_add(actor=gov.world.users["other_admin"], minutes=minutes, text="x")
    services.minutes_remark_add(actor=gov.world.users["committee_member"], minutes=minutes, text="De acuerdo")
    services.minutes_approve(actor=gov.president, minutes=minutes, approval=MinutesApproval.BY_PRESIDENT)
    with pytest.raises(ValidationError):  # approved: closed to remarks
        services.minutes_remark_add(actor=member, minutes=minutes, text="Tarde")
    assert minutes.remarks.count() == 2


def test_minutes_wait_for_the_meeting_to_be_held_and_attendance_for_it_to_start(gov: Gov) -> None:
    from django.utils import timezone

    future = timezone.localdate() + datetime.timedelta(days=10)
    meeting = _meeting(gov, future)
    minutes = services.minutes_save(actor=gov.secretary, meeting=meeting, text="Acta anticipada")
    with pytest.raises(ValidationError):  # the meeting has not been held
        services.minutes_approve(actor=gov.president, minutes=minutes, approval=MinutesApproval.BY_PRESIDENT)
    with pytest.raises(ValidationError):  # nor can its attendance be recorded before it starts
        services.meeting_attendance_record(
            actor=gov.secretary, meeting=meeting, marks={gov.seats["m1"].pk: AttendanceStatus.PRESENT}
        )
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.DRAFT and not meeting.attendance.exists()
