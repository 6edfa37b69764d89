"""Pages of governance: a plan's bodies, a body, a meeting with its attendance, minutes and
agreements, the agreements register, an agreement, and the iCalendar feeds."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from rumbo.accounts.permissions import Capability, entity_can
from rumbo.core.forms import form_add_validation_error
from rumbo.governance import forms, selectors, services
from rumbo.governance.calendar import calendar_for_meetings, person_calendar_token, person_from_token
from rumbo.governance.models import AgreementStatus, Body, Meeting, MeetingStatus, MinutesStatus
from rumbo.indicators.models import Period
from rumbo.investments.models import Project
from rumbo.plans.models import Plan
from rumbo.plans.selectors import plan_get_for_user


def _plan(request: HttpRequest, plan_id: int) -> Plan:
    plan = plan_get_for_user(plan_id=plan_id, user=request.user)
    if plan is None:
        raise Http404
    return plan


def _body(request: HttpRequest, body_id: int, *, edit: bool = False) -> Body:
    body = selectors.body_get_for_user(body_id=body_id, user=request.user)
    if body is None:
        raise Http404
    if edit and not services.body_can_edit(user=request.user, body=body):
        raise PermissionDenied
    return body


def _meeting(request: HttpRequest, meeting_id: int, *, edit: bool = False) -> Meeting:
    meeting = selectors.meeting_get_for_user(meeting_id=meeting_id, user=request.user)
    if meeting is None:
        raise Http404
    if edit and not services.body_can_edit(user=request.user, body=meeting.body):
        raise PermissionDenied
    return meeting


# --- a plan's bodies ---------------------------------------------------------------------------


def _plan_page(request: HttpRequest, plan: Plan, body_form: forms.BodyForm | None = None) -> HttpResponse:
    can_create = entity_can(request.user, plan.entity_id, Capability.EDIT_PLAN)
    today = timezone.localdate()
    overdue, overdue_count = selectors.agreements_overdue(plan=plan, user=request.user, today=today)
    bodies = selectors.plan_bodies(plan=plan, user=request.user)
    parent_ids = {b.parent_id for b in bodies if b.parent_id}
    context = {
        "plan": plan,
        "bodies": bodies,
        "visible_parents": set(
            selectors.bodies_visible_to(user=request.user)
            .filter(pk__in=parent_ids)
            .values_list("pk", flat=True)
        ),
        "can_create": can_create,
        "body_form": body_form or (forms.BodyForm(plan=plan) if can_create else None),
        "overdue": overdue,
        "overdue_count": overdue_count,
        "today": today,
    }
    return render(
        request, "governance/plan_bodies.html", context, status=422 if body_form is not None else 200
    )


@require_GET
def plan_governance(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _plan_page(request, _plan(request, plan_id))


@login_required
@require_POST
def body_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    if not entity_can(request.user, plan.entity_id, Capability.EDIT_PLAN):
        raise PermissionDenied  # before the form: its choices name the entity's private bodies and acts
    form = forms.BodyForm(request.POST, plan=plan)
    if form.is_valid():
        data = dict(form.cleaned_data)
        serves_all = request.POST.get("serves_all") == "1"
        try:
            body = services.body_create(
                actor=request.user, entity=plan.entity, plan=None if serves_all else plan, **data
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            return redirect("governance:body", body_id=body.pk)
    return _plan_page(request, plan, body_form=form)


# --- a body ------------------------------------------------------------------------------------


def _body_page(request: HttpRequest, body: Body, **bound: Any) -> HttpResponse:
    can_edit = services.body_can_edit(user=request.user, body=body)
    private = selectors.body_reads_private(user=request.user, body=body)
    meetings = selectors.body_meetings(body=body)
    context = {
        "body": body,
        "can_edit": can_edit,
        "private": private,
        "members": selectors.body_members(body=body),
        "meetings": meetings,
        "visible_minutes": {
            m.pk
            for m in meetings
            if selectors.minutes_visible(minutes=getattr(m, "minutes", None), private=private)
        },
        "children": list(selectors.bodies_visible_to(user=request.user).filter(parent=body)),
        "became": list(selectors.bodies_visible_to(user=request.user).filter(formerly=body)),
        "parent_visible": body.parent_id is not None
        and selectors.bodies_visible_to(user=request.user).filter(pk=body.parent_id).exists(),
        "formerly_visible": body.formerly_id is not None
        and selectors.bodies_visible_to(user=request.user).filter(pk=body.formerly_id).exists(),
        "member_form": bound.get("member_form")
        or (forms.MemberForm(body=body, initial={"joined_on": timezone.localdate()}) if can_edit else None),
        "meeting_form": bound.get("meeting_form") or (forms.MeetingForm() if can_edit else None),
        "calendar_url": reverse("governance:body_calendar", kwargs={"body_id": body.pk}),
    }
    return render(request, "governance/body.html", context, status=422 if bound else 200)


@require_GET
def body_detail(request: HttpRequest, body_id: int) -> HttpResponse:
    return _body_page(request, _body(request, body_id))


@login_required
@require_POST
def member_add(request: HttpRequest, body_id: int) -> HttpResponse:
    body = _body(request, body_id, edit=True)
    form = forms.MemberForm(request.POST, body=body)
    if form.is_valid():
        try:
            services.member_add(actor=request.user, body=body, **form.cleaned_data)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            return redirect(reverse("governance:body", kwargs={"body_id": body.pk}) + "#miembros")
    return _body_page(request, body, member_form=form)


@login_required
@require_POST
def meeting_add(request: HttpRequest, body_id: int) -> HttpResponse:
    body = _body(request, body_id, edit=True)
    form = forms.MeetingForm(request.POST)
    if form.is_valid():
        try:
            meeting = services.meeting_convene(actor=request.user, body=body, **form.cleaned_data)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            return redirect("governance:meeting", meeting_id=meeting.pk)
    return _body_page(request, body, meeting_form=form)


# --- a meeting ---------------------------------------------------------------------------------


def _projects_of(body: Body) -> list[tuple[int, str]]:
    return list(
        (pk, f"{code} · {title[:60]}")
        for pk, code, title in Project.objects.filter(entity_id=body.entity_id).values_list(
            "pk", "code", "title"
        )[:500]
    )


def _meeting_page(request: HttpRequest, meeting: Meeting, **bound: Any) -> HttpResponse:
    body = meeting.body
    can_edit = services.body_can_edit(user=request.user, body=body)
    private = selectors.body_reads_private(user=request.user, body=body)
    minutes = getattr(meeting, "minutes", None)
    day = timezone.localtime(meeting.starts_at).date()
    seats = services.members_on(body=body, day=day)
    marks = dict(meeting.attendance.values_list("member_id", "status"))
    locked = minutes is not None and minutes.status == MinutesStatus.APPROVED
    editable = can_edit and meeting.status != MeetingStatus.CANCELLED
    seat = selectors.seat_of(user=request.user, body=body)
    agreements = meeting.agreements.select_related("owner_user", "owner_member").order_by("number")
    if not private:  # a body of the entity serves its private plans too: their agreements are not public
        agreements = agreements.filter(plan__is_published=True)
    context: dict[str, Any] = {
        "body": body,
        "meeting": meeting,
        "can_edit": can_edit,
        "private": private,
        "minutes": minutes if selectors.minutes_visible(minutes=minutes, private=private) else None,
        "versions": list(minutes.versions.order_by("-number")) if minutes is not None and private else [],
        "seats": seats,
        "marks": marks,
        "quorum": services.meeting_quorum(meeting=meeting),
        "agreements": [
            (a, selectors.agreement_state(agreement=a, today=timezone.localdate())) for a in agreements
        ],
        "today": timezone.localdate(),
        "attendance_form": bound.get("attendance_form")
        or (forms.AttendanceForm(seats=seats, marks=marks) if editable and not locked else None),
        "minutes_form": bound.get("minutes_form")
        or (
            forms.MinutesForm(initial={"text": minutes.text if minutes else ""})
            if editable and not locked
            else None
        ),
        "approve_form": bound.get("approve_form")
        or (
            forms.MinutesApproveForm(meeting=meeting)
            if minutes is not None and not locked and (can_edit or seat)
            else None
        ),
        "agreement_form": bound.get("agreement_form")
        or (
            forms.AgreementForm(body=body, plan=body.plan, projects=_projects_of(body)) if editable else None
        ),
    }
    context["remarks"] = list(minutes.remarks.all()) if minutes is not None and private else []
    context["can_remark"] = (
        minutes is not None
        and minutes.status == MinutesStatus.CIRCULATED
        and (seat is not None or entity_can(request.user, body.entity_id, Capability.COMMENT))
    )
    context["remark_error"] = bound.get("remark_error")
    form: Any = context["attendance_form"]
    context["attendance_rows"] = [(seat, form[f"member-{seat.pk}"]) for seat in seats] if form else []
    return render(request, "governance/meeting.html", context, status=422 if bound else 200)


@require_GET
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _meeting_page(request, _meeting(request, meeting_id))


@login_required
@require_POST
def attendance_save(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id, edit=True)
    seats = services.members_on(body=meeting.body, day=timezone.localtime(meeting.starts_at).date())
    form = forms.AttendanceForm(request.POST, request.FILES, seats=seats, marks={})
    if form.is_valid():
        try:
            quorum = services.meeting_attendance_record(
                actor=request.user,
                meeting=meeting,
                marks=form.marks(),
                attendance_list=form.cleaned_data.get("attendance_list"),
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, quorum.explanation)
            return redirect(reverse("governance:meeting", kwargs={"meeting_id": meeting.pk}) + "#asistencia")
    return _meeting_page(request, meeting, attendance_form=form)


@login_required
@require_POST
def minutes_save(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id, edit=True)
    form = forms.MinutesForm(request.POST)
    if form.is_valid():
        try:
            minutes = services.minutes_save(
                actor=request.user, meeting=meeting, text=form.cleaned_data["text"]
            )
            if request.POST.get("circulate") == "1":
                services.minutes_circulate(actor=request.user, minutes=minutes)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            return redirect(reverse("governance:meeting", kwargs={"meeting_id": meeting.pk}) + "#acta")
    return _meeting_page(request, meeting, minutes_form=form)


@login_required
@require_POST
def minutes_approve(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    minutes = getattr(meeting, "minutes", None)
    if minutes is None:
        raise Http404
    form = forms.MinutesApproveForm(request.POST, meeting=meeting)
    if form.is_valid():
        try:
            services.minutes_approve(
                actor=request.user,
                minutes=minutes,
                approval=form.cleaned_data["approval"],
                approved_in=form.cleaned_data.get("approved_in"),
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            return redirect(reverse("governance:meeting", kwargs={"meeting_id": meeting.pk}) + "#acta")
    return _meeting_page(request, meeting, approve_form=form)


@login_required
@require_POST
def minutes_remark(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    minutes = getattr(meeting, "minutes", None)
    if minutes is None:
        raise Http404
    try:
        services.minutes_remark_add(actor=request.user, minutes=minutes, text=request.POST.get("text", ""))
    except ValidationError as exc:
        return _meeting_page(request, meeting, remark_error=" ".join(exc.messages))
    return redirect(reverse("governance:meeting", kwargs={"meeting_id": meeting.pk}) + "#observaciones")


@login_required
@require_POST
def agreement_add(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id, edit=True)
    body = meeting.body
    form = forms.AgreementForm(request.POST, body=body, plan=body.plan, projects=_projects_of(body))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.agreement_create(
                actor=request.user,
                meeting=meeting,
                text=data["text"],
                plan=data.get("plan"),
                due_date=data.get("due_date"),
                node_ids=[n.pk for n in data.get("nodes") or []],
                project_ids=[int(p) for p in data.get("projects") or []],
                **form.owner_parts(),
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            return redirect(reverse("governance:meeting", kwargs={"meeting_id": meeting.pk}) + "#acuerdos")
    return _meeting_page(request, meeting, agreement_form=form)


@login_required
@require_GET
def attendance_list_file(request: HttpRequest, meeting_id: int) -> FileResponse:
    meeting = _meeting(request, meeting_id)
    if not selectors.body_reads_private(user=request.user, body=meeting.body) or not meeting.attendance_list:
        raise Http404
    return FileResponse(
        meeting.attendance_list.open("rb"),
        as_attachment=True,
        filename=meeting.attendance_list_name or "asistencia",
    )


# --- the agreements register -------------------------------------------------------------------


@require_GET
def plan_agreements(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    today = timezone.localdate()
    state = request.GET.get("estado", "")
    page_number = request.GET.get("pagina", "1")
    per_page = 100
    number = (
        int(page_number)
        if page_number.isascii() and page_number.isdigit() and 0 < int(page_number) < 100_000
        else 1
    )
    rows, total = selectors.agreements_register(
        plan=plan, user=request.user, today=today, state=state, limit=per_page, offset=(number - 1) * per_page
    )
    paginator = Paginator(range(total), per_page)
    _overdue, overdue_count = selectors.agreements_overdue(plan=plan, user=request.user, today=today, limit=0)
    context = {
        "plan": plan,
        "rows": rows,
        "total": total,
        "state": state,
        "states": [("", _("All")), ("overdue", _("Overdue")), *AgreementStatus.choices],
        "page": paginator.get_page(number),
        "overdue_count": overdue_count,
        "today": today,
    }
    return render(request, "governance/agreements.html", context)


def _agreement(request: HttpRequest, agreement_id: int) -> Any:
    agreement = selectors.agreement_get_for_user(agreement_id=agreement_id, user=request.user)
    if agreement is None:
        raise Http404
    return agreement


def _agreement_page(request: HttpRequest, agreement: Any, **bound: Any) -> HttpResponse:
    can_edit = services.body_can_edit(user=request.user, body=agreement.body)
    private = selectors.body_reads_private(user=request.user, body=agreement.body)
    context = {
        "agreement": agreement,
        "state": selectors.agreement_state(agreement=agreement, today=timezone.localdate()),
        "owner": selectors.owner_label(agreement),
        "notes": list(agreement.notes.select_related("created_by")),
        "nodes": list(agreement.nodes.order_by("path")),
        "projects": list(agreement.projects.order_by("code")),
        "can_edit": can_edit,
        "private": private,
        "transitions": services.AGREEMENT_TRANSITIONS[agreement.status],
        "status_form": bound.get("status_form") or (forms.AgreementStatusForm() if can_edit else None),
        "note_form": bound.get("note_form") or (forms.AgreementNoteForm() if can_edit else None),
    }
    return render(request, "governance/agreement.html", context, status=422 if bound else 200)


@require_GET
def agreement_detail(request: HttpRequest, agreement_id: int) -> HttpResponse:
    return _agreement_page(request, _agreement(request, agreement_id))


def _agreement_post(
    request: HttpRequest, agreement_id: int, form_class: Any, name: str, service: Any
) -> HttpResponse:
    """A form of the agreement's page handed to one service; the page again with the errors."""
    agreement = _agreement(request, agreement_id)
    if not services.body_can_edit(user=request.user, body=agreement.body):
        raise PermissionDenied
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            service(actor=request.user, agreement=agreement, **form.cleaned_data)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            return redirect("governance:agreement", agreement_id=agreement.pk)
    return _agreement_page(request, agreement, **{name: form})


@login_required
@require_POST
def agreement_status(request: HttpRequest, agreement_id: int) -> HttpResponse:
    return _agreement_post(
        request, agreement_id, forms.AgreementStatusForm, "status_form", services.agreement_status_set
    )


@login_required
@require_POST
def agreement_note(request: HttpRequest, agreement_id: int) -> HttpResponse:
    return _agreement_post(
        request, agreement_id, forms.AgreementNoteForm, "note_form", services.agreement_note_add
    )


@login_required
@require_GET
def agreement_evidence(request: HttpRequest, agreement_id: int, note_id: int) -> FileResponse:
    agreement = _agreement(request, agreement_id)
    note = agreement.notes.filter(pk=note_id).first()
    if (
        note is None
        or not note.evidence
        or not selectors.body_reads_private(user=request.user, body=agreement.body)
    ):
        raise Http404
    return FileResponse(
        note.evidence.open("rb"), as_attachment=True, filename=note.evidence_name or "evidencia"
    )


# --- calendars ---------------------------------------------------------------------------------


def _ics(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{name}.ics"'
    return response


@require_GET
def body_calendar(request: HttpRequest, body_id: int) -> HttpResponse:
    """The body's meetings as iCalendar: anyone for a public body, members and the entity otherwise."""
    body = _body(request, body_id)
    meetings = Meeting.objects.filter(body=body).select_related("body").order_by("starts_at")
    return _ics(
        calendar_for_meetings(name=body.name, meetings=meetings, base_url=request.build_absolute_uri("/")),
        f"organo-{body.pk}",
    )


@require_GET
def person_calendar(request: HttpRequest, token: str) -> HttpResponse:
    """The meetings of every body the person holds a seat in, for a calendar application (which
    cannot sign in): the secret address identifies the person."""
    user = person_from_token(token)
    if user is None:
        raise Http404
    today = timezone.localdate()  # the seats held today: a former member no longer reads the body
    body_ids = list(
        user.body_seats.filter(joined_on__lte=today)
        .exclude(left_on__lt=today)
        .values_list("body_id", flat=True)
    )
    meetings = Meeting.objects.filter(body_id__in=body_ids).select_related("body").order_by("starts_at")
    name = _("Meetings of %(person)s") % {"person": user.get_full_name() or user.get_username()}
    return _ics(
        calendar_for_meetings(name=name, meetings=meetings, base_url=request.build_absolute_uri("/")),
        "reuniones",
    )


@login_required
@require_GET
def my_calendar(request: HttpRequest) -> HttpResponse:
    """Where the person's own calendar address is shown (and can be copied into an application)."""
    token = person_calendar_token(request.user)
    url = request.build_absolute_uri(reverse("governance:person_calendar", kwargs={"token": token}))
    seats = list(request.user.body_seats.select_related("body").order_by("body__name"))  # type: ignore[union-attr]
    return render(request, "governance/my_calendar.html", {"url": url, "seats": seats})


# --- the dashboard panel -----------------------------------------------------------------------


def agreements_dashboard_panel(request: HttpRequest, plan: Plan, period: Period) -> str:
    """The overdue agreements of the plan on its dashboard ("" when the plan has no agreements)."""
    today = timezone.localdate()
    overdue, count = selectors.agreements_overdue(plan=plan, user=request.user, today=today, limit=10)
    if not count and not plan.agreements.exists():
        return ""
    return render_to_string(
        "governance/_dashboard_panel.html",
        {"plan": plan, "overdue": overdue, "count": count, "today": today},
        request=request,
    )
