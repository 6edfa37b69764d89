"""The plan's dissemination activities with their proof, its risks and success assumptions with
their reviews, and its action plan (who does what by when). Writes need EDIT_PLAN on the
plan's entity; each leaves an audit event scoped to the plan."""

from __future__ import annotations

import datetime
import io
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from rumbo.accounts.permissions import Capability, require
from rumbo.core.audit import audit_record, created_changes
from rumbo.core.exports import xlsx_row
from rumbo.core.models import AuditAction
from rumbo.governance.models import (
    RISK_STATES,
    ActionStatus,
    ActivityKind,
    Audience,
    DisseminationActivity,
    DisseminationProof,
    Material,
    PlanAction,
    ProofKind,
    Risk,
    RiskKind,
    RiskReview,
    RiskState,
)
from rumbo.governance.services import _stored_file, _user
from rumbo.investments.models import Project
from rumbo.plans.models import Node, Plan
from rumbo.territory.models import TerritorialUnit


def _audit(actor: Any, action: str, target: Any, plan: Plan, changes: dict[str, Any]) -> None:
    audit_record(
        actor=actor, action=action, target=target, entity_id=plan.entity_id, scope=plan, changes=changes
    )


def _links(plan: Plan, node: Node | None, project: Project | None) -> None:
    if node is not None and node.plan_id != plan.pk:
        raise ValidationError({"node": _("The plan item is not of this plan.")})
    if project is not None and project.entity_id != plan.entity_id:
        raise ValidationError({"project": _("The project is not of the plan's entity.")})


# --- dissemination -----------------------------------------------------------------------------


def activity_create(
    *,
    actor: Any,
    plan: Plan,
    kind: str,
    title: str,
    held_on: datetime.date,
    audience: str = Audience.GENERAL,
    place: str = "",
    unit: TerritorialUnit | None = None,
    material: str = "",
    attendees: int | None = None,
) -> DisseminationActivity:
    """A presentation, workshop, exhibition, publication or press conference of the plan."""
    require(actor, plan.entity_id, Capability.EDIT_PLAN)
    errors: dict[str, str] = {}
    title = (title or "").strip()[:300]
    if not title:
        errors["title"] = _("Give the activity a title.")
    if kind not in ActivityKind.values:
        errors["kind"] = _("Choose the kind of activity.")
    if audience not in Audience.values:
        errors["audience"] = _("Choose the audience.")
    if material not in Material.values:
        errors["material"] = _("Choose the material.")
    if attendees is not None and attendees < 0:
        errors["attendees"] = _("Attendees cannot be negative.")
    if unit is not None and unit.country != plan.entity.country:
        errors["unit"] = _("The district is of another country.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        activity = DisseminationActivity.objects.create(
            plan=plan, kind=kind, title=title, audience=audience, held_on=held_on, place=(place or "").strip()[:300],
            unit=unit, material=material, attendees=attendees, created_by=_user(actor),
        )  # fmt: skip
        fields = ("kind", "title", "audience", "held_on", "place", "unit_id", "material", "attendees")
        _audit(actor, AuditAction.CREATED, activity, plan, created_changes(activity, fields))
    return activity


def proof_add(
    *, actor: Any, activity: DisseminationActivity, kind: str, upload: Any, recipient: str = "", copies: int | None = None
) -> DisseminationProof:  # fmt: skip
    """An attendance list, a delivery receipt (how many copies to whom) or a photo of an activity."""
    plan = activity.plan
    require(actor, plan.entity_id, Capability.EDIT_PLAN)
    if kind not in ProofKind.values:
        raise ValidationError({"kind": _("Choose the kind of proof.")})
    if kind == ProofKind.RECEIPT and not (copies and copies > 0 and (recipient or "").strip()):
        raise ValidationError(
            {"copies": _("A delivery receipt says how many copies were delivered and to whom.")}
        )
    if upload is None:
        raise ValidationError({"file": _("Upload the file.")})
    filename, original, sha = _stored_file(upload, field="file")
    with transaction.atomic():
        proof = DisseminationProof(
            activity=activity, kind=kind, name=original, sha256=sha, recipient=(recipient or "").strip()[:200],
            copies=copies if kind == ProofKind.RECEIPT else None, uploaded_by=_user(actor),
        )  # fmt: skip
        proof.file.save(filename, File(upload, name=filename), save=False)
        proof.save()
        _audit(actor, AuditAction.CREATED, proof, plan, {"kind": [None, kind], "name": [None, original]})
    return proof


@dataclass
class DisseminationTotals:
    activities: int
    with_proof: int
    attendees: int
    copies: int
    by_audience: list[tuple[str, int, int, int]]  # label, activities, attendees, copies
    by_district: list[tuple[str, int, int, int]]


def dissemination_totals(*, plan: Plan) -> DisseminationTotals:
    """Totals of the plan's activities per audience and per district (activities, attendees on
    the lists, copies on the receipts); an activity counts as proven when it has any proof."""
    activities = list(
        DisseminationActivity.objects.filter(plan=plan).select_related("unit").prefetch_related("proofs")
    )
    audience: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    district: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    labels = dict(Audience.choices)
    proven = attendees = copies = 0
    for a in activities:
        proofs = list(a.proofs.all())
        proven += bool(proofs)
        n_copies = sum(p.copies or 0 for p in proofs if p.kind == ProofKind.RECEIPT)
        n_attendees = a.attendees or 0
        attendees += n_attendees
        copies += n_copies
        for bucket, key in (
            (audience, str(labels[a.audience])),
            (district, a.unit.name if a.unit else _("Whole territory")),
        ):
            bucket[key][0] += 1
            bucket[key][1] += n_attendees
            bucket[key][2] += n_copies
    return DisseminationTotals(
        activities=len(activities), with_proof=proven, attendees=attendees, copies=copies,
        by_audience=sorted((k, *v) for k, v in audience.items()),  # type: ignore[misc]
        by_district=sorted((k, *v) for k, v in district.items()),  # type: ignore[misc]
    )  # fmt: skip


# --- risks and assumptions ---------------------------------------------------------------------


def _risk_check(kind: str, state: str, likelihood: int, impact: int) -> None:
    errors: dict[str, str] = {}
    if kind not in RiskKind.values:
        errors["kind"] = _("Say whether it is a risk or a success assumption.")
    elif state not in RISK_STATES[RiskKind(kind)]:
        errors["state"] = _("That state does not apply to a %(kind)s.") % {
            "kind": str(RiskKind(kind).label).lower()
        }
    for name, value in (("likelihood", likelihood), ("impact", impact)):
        if not 1 <= int(value) <= 5:
            errors[name] = _("Use a scale from 1 (lowest) to 5 (highest).")
    if errors:
        raise ValidationError(errors)


def risk_create(
    *,
    actor: Any,
    plan: Plan,
    description: str,
    kind: str = RiskKind.RISK,
    likelihood: int = 3,
    impact: int = 3,
    owner: str = "",
    mitigation: str = "",
    evidence: str = "",
    state: str = "",
    review_on: datetime.date | None = None,
    node: Node | None = None,
    project: Project | None = None,
) -> Risk:
    """A risk to avoid or a success assumption to hold (seed 001), for the plan or one of its items."""
    require(actor, plan.entity_id, Capability.EDIT_PLAN)
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("Describe the risk or assumption.")})
    state = state or (RiskState.OPEN if kind == RiskKind.RISK else RiskState.HOLDS)
    _risk_check(kind, state, likelihood, impact)
    _links(plan, node, project)
    with transaction.atomic():
        risk = Risk.objects.create(
            plan=plan, kind=kind, description=description, likelihood=likelihood, impact=impact,
            owner=(owner or "").strip()[:200], mitigation=mitigation or "", evidence=evidence or "", state=state,
            review_on=review_on, node=node, project=project,
        )  # fmt: skip
        RiskReview.objects.create(
            risk=risk,
            state=state,
            likelihood=likelihood,
            impact=impact,
            note=_("Recorded."),
            reviewed_by=_user(actor),
        )
        fields = ("kind", "description", "likelihood", "impact", "owner", "state", "review_on")
        _audit(actor, AuditAction.CREATED, risk, plan, created_changes(risk, fields))
    return risk


def risk_review(
    *, actor: Any, risk: Risk, state: str, likelihood: int, impact: int, note: str = "",
    review_on: datetime.date | None = None, evidence: str | None = None,
) -> Risk:  # fmt: skip
    """Record a review: the state, likelihood and impact now, and why; kept in the history."""
    plan = risk.plan
    require(actor, plan.entity_id, Capability.EDIT_PLAN)
    _risk_check(risk.kind, state, likelihood, impact)
    with transaction.atomic():
        before = {"state": risk.state, "likelihood": risk.likelihood, "impact": risk.impact}
        risk.state, risk.likelihood, risk.impact = state, likelihood, impact
        risk.review_on = review_on
        if evidence is not None:
            risk.evidence = evidence
        risk.save()
        RiskReview.objects.create(
            risk=risk, state=state, likelihood=likelihood, impact=impact, note=(note or "").strip(),
            reviewed_by=_user(actor),
        )  # fmt: skip
        after = {"state": state, "likelihood": likelihood, "impact": impact}
        _audit(
            actor,
            AuditAction.UPDATED,
            risk,
            plan,
            {k: [before[k], after[k]] for k in after if before[k] != after[k]},
        )
    return risk


def risk_matrix(*, plan: Plan, kind: str = RiskKind.RISK) -> list[list[list[Risk]]]:
    """5 × 5 cells, impact 5 (top row) to 1, likelihood 1 (left) to 5, of the risks not closed."""
    grid: list[list[list[Risk]]] = [[[] for _l in range(5)] for _i in range(5)]
    for r in Risk.objects.filter(plan=plan, kind=kind).exclude(state=RiskState.CLOSED):
        grid[5 - r.impact][r.likelihood - 1].append(r)
    return grid


# --- the action plan ---------------------------------------------------------------------------


def action_create(
    *, actor: Any, plan: Plan, title: str, responsible: str, starts_on: datetime.date, ends_on: datetime.date,
    node: Node | None = None, project: Project | None = None, body: Any = None,
) -> PlanAction:  # fmt: skip
    require(actor, plan.entity_id, Capability.EDIT_PLAN)
    errors: dict[str, str] = {}
    if not (title or "").strip():
        errors["title"] = _("Say what the action is.")
    if not (responsible or "").strip():
        errors["responsible"] = _("Say who is responsible.")
    if ends_on < starts_on:
        errors["ends_on"] = _("An action cannot end before it starts.")
    if body is not None and body.entity_id != plan.entity_id:
        errors["body"] = _("The body belongs to another entity.")
    if errors:
        raise ValidationError(errors)
    _links(plan, node, project)
    with transaction.atomic():
        action = PlanAction.objects.create(
            plan=plan, title=title.strip()[:300], responsible=responsible.strip()[:200], starts_on=starts_on,
            ends_on=ends_on, node=node, project=project, body=body,
        )  # fmt: skip
        _audit(
            actor,
            AuditAction.CREATED,
            action,
            plan,
            created_changes(action, ("title", "responsible", "starts_on", "ends_on")),
        )
    return action


def action_status_set(*, actor: Any, action: PlanAction, status: str) -> PlanAction:
    require(actor, action.plan.entity_id, Capability.EDIT_PLAN)
    if status not in ActionStatus.values:
        raise ValidationError({"status": _("Choose a status.")})
    with transaction.atomic():
        before = action.status
        action.status = status
        action.save(update_fields=["status"])
        _audit(actor, AuditAction.UPDATED, action, action.plan, {"status": [before, status]})
    return action


@dataclass
class GanttRow:
    action: PlanAction
    late: bool
    offset: float  # % of the time span before the bar
    width: float  # % of the time span the bar covers


@dataclass
class Gantt:
    start: datetime.date | None
    end: datetime.date | None
    rows: list[GanttRow]
    years: list[tuple[int, float]]  # year, % from the left where it starts


def action_gantt(*, plan: Plan, today: datetime.date) -> Gantt:
    """The actions as bars over the span from the first start to the last end; late = planned or
    in progress past its end date."""
    actions = list(PlanAction.objects.filter(plan=plan).select_related("node", "project", "body"))
    if not actions:
        return Gantt(None, None, [], [])
    start = min(a.starts_on for a in actions)
    end = max(a.ends_on for a in actions)
    span = max((end - start).days + 1, 1)
    rows = [
        GanttRow(
            action=a,
            late=a.status in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS) and a.ends_on < today,
            offset=round(100 * (a.starts_on - start).days / span, 2),
            width=max(round(100 * ((a.ends_on - a.starts_on).days + 1) / span, 2), 0.5),
        )
        for a in actions
    ]
    years = [
        (y, round(100 * max((datetime.date(y, 1, 1) - start).days, 0) / span, 2))
        for y in range(start.year, end.year + 1)
    ]
    return Gantt(start, end, rows, years)


def action_plan_xlsx(*, plan: Plan, today: datetime.date) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = _("Action plan")[:31]
    ws.append(
        xlsx_row(
            ws,
            [_("Action"), _("Plan item"), _("Project"), _("Responsible"), _("Start"), _("End"), _("Status")],
        )
    )
    labels = dict(ActionStatus.choices)
    for row in action_gantt(plan=plan, today=today).rows:
        a = row.action
        status = _("Late") if row.late else str(labels[a.status])
        ws.append(xlsx_row(ws, [a.title, a.node.code if a.node else "", a.project.code if a.project else "", a.responsible,
                                a.starts_on, a.ends_on, status]))  # fmt: skip
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
