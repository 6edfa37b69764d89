"""Writes of the project bank: citizen initiatives (with their anti-spam limits) and their
moderation, the eligibility check against the plan and the zoning rules, zoning rules, the
viability checklist with its documents, and moving a project to its next stage. Every write
checks permission and leaves an audit event in its transaction."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from datetime import timedelta
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rumbo.accounts.models import Entity
from rumbo.accounts.permissions import Capability, require
from rumbo.core.audit import AuditAction, audit_record, created_changes, model_snapshot, snapshot_diff
from rumbo.core.uploads import UploadRefused, upload_check
from rumbo.indicators.measurements.services import evidence_sniff
from rumbo.investments.bank import selectors
from rumbo.investments.eligibility import (
    ServedNode,
    eligibility_combine,
    geometry_from_geojson,
    plan_alignment,
    zoning_check_many,
)
from rumbo.investments.models import (
    Project,
    ProjectOrigin,
    ProjectStage,
    ProjectStatus,
    Sector,
    ViabilityItem,
    ZoningRule,
    ZoningVerdict,
)
from rumbo.investments.services import project_input_check
from rumbo.plans.models import Node, Plan
from rumbo.territory.models import LayerFeature, SpatialLayer

# Anti-spam limits of the public initiative form, per submitter (a salted hash of the address).
INITIATIVES_PER_HOUR = 5
INITIATIVES_PER_DAY = 20
MIN_FILL_SECONDS = 3
MAX_FILL_SECONDS = 24 * 3600
FORM_SALT = "rumbo.investments.initiative-form"
# What a viability document may be (sniffed from the content): PDF, images, Office and ODF.
DOCUMENT_EXTENSIONS = {"pdf", "png", "jpg", "xlsx", "docx", "pptx", "ods", "odt"}


class InitiativeLimitReached(Exception):
    """The submitter has sent too many initiatives lately (HTTP 429 on the API)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- citizen initiatives -------------------------------------------------------------------------


def submitter_fingerprint(*, remote_addr: str) -> str:
    """A salted SHA-256 of the submitter's address: enough to count submissions, not to find them."""
    return hashlib.sha256(f"{settings.SECRET_KEY}|{remote_addr}".encode()).hexdigest()


def initiative_form_token() -> str:
    """A signed timestamp for the public form's hidden field (the minimum fill time)."""
    return signing.dumps({"t": timezone.now().timestamp()}, salt=FORM_SALT)


def _form_age_check(token: str, now: Any) -> None:
    try:
        started = float(signing.loads(token, salt=FORM_SALT)["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise ValidationError(
            _("The form has expired or was altered. Reload the page and try again."), code="spam"
        ) from exc
    age = now.timestamp() - started
    if age < MIN_FILL_SECONDS:
        raise ValidationError(
            _("The form was sent too fast. Please read it again and send it once more."), code="spam"
        )
    if age > MAX_FILL_SECONDS:
        raise ValidationError(
            _("The form has expired or was altered. Reload the page and try again."), code="spam"
        )


def _limits_check(fingerprint: str, now: Any) -> None:
    recent = Project.objects.filter(submitter_fingerprint=fingerprint)
    if recent.filter(submitted_at__gte=now - timedelta(hours=1)).count() >= INITIATIVES_PER_HOUR:
        raise InitiativeLimitReached(
            _(
                "You have sent %(count)s initiatives in the last hour, the most we accept. "
                "Please try again later."
            )
            % {"count": INITIATIVES_PER_HOUR}
        )
    if recent.filter(submitted_at__gte=now - timedelta(days=1)).count() >= INITIATIVES_PER_DAY:
        raise InitiativeLimitReached(
            _(
                "You have sent %(count)s initiatives in the last day, the most we accept. "
                "Please try again tomorrow."
            )
            % {"count": INITIATIVES_PER_DAY}
        )


def _initiative_code(entity: Entity, year: int) -> str:
    prefix = f"INI-{year}-"
    numbers = [
        int(m.group(1))
        for code in Project.objects.filter(entity=entity, code__startswith=prefix).values_list(
            "code", flat=True
        )
        if (m := re.fullmatch(r"INI-\d{4}-(\d+)", code))
    ]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def initiative_submit(
    *,
    entity: Entity,
    title: str,
    description: str,
    sector: str,
    proposer_name: str,
    fingerprint: str,
    proposer_email: str = "",
    proposer_organisation: str = "",
    unit_codes: Iterable[str] = (),
    location: dict[str, Any] | None = None,
    cost_estimate: Any = "",
    honeypot: str = "",
    form_token: str | None = None,
) -> Project:
    """A citizen's initiative, awaiting review (never public before it is accepted), with a code
    INI-<year>-<NNNN> and a random tracking code. Refused when the hidden honeypot is filled, the
    form (`form_token`, when given) was filled in under 3 s, or the submitter passed the limits
    (InitiativeLimitReached: 5 an hour, 20 a day)."""
    now = timezone.now()
    if honeypot.strip():
        raise ValidationError(_("The initiative could not be accepted."), code="spam")
    if form_token is not None:
        _form_age_check(form_token, now)
    _limits_check(fingerprint, now)
    errors: dict[str, list[str]] = {}
    if not proposer_name.strip():
        errors.setdefault("proposer_name", []).append(_("Tell us your name."))
    if not description.strip():
        errors.setdefault("description", []).append(_("Describe the initiative."))
    if sector and sector not in Sector.values:
        errors.setdefault("sector", []).append(_("Unknown sector."))
    try:
        checked = project_input_check(
            entity=entity,
            code="INI",
            title=title,
            cost_total=cost_estimate,
            unit_codes=unit_codes,
            location=location,
            cost_required=False,
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
        checked = None
    if errors or checked is None:
        raise ValidationError(errors)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                project = Project(
                    entity=entity,
                    code=_initiative_code(entity, now.year),
                    title=title.strip(),
                    description=description.strip(),
                    sector=sector,
                    stage=ProjectStage.IDEA,
                    origin=ProjectOrigin.CITIZEN,
                    status=ProjectStatus.PROPOSED,
                    cost_total=checked.total or 0,
                    currency=selectors.CURRENCIES.get(entity.country, "PEN"),
                    location=location,
                    proposer_name=proposer_name.strip(),
                    proposer_email=proposer_email.strip(),
                    proposer_organisation=proposer_organisation.strip(),
                    tracking_code=secrets.token_urlsafe(18),
                    submitter_fingerprint=fingerprint,
                    submitted_at=now,
                )
                project.full_clean(exclude=["created_by", "reviewed_by"])
                project.save()
                project.units.set(checked.units)
                audit_record(
                    actor=None,
                    action=AuditAction.CREATED,
                    target=project,
                    entity_id=entity.pk,
                    changes=created_changes(project, ("code", "title", "sector", "status", "origin")),
                    message=_("Citizen initiative received."),
                )
            return project
        except IntegrityError:  # two initiatives took the same number at once: take the next
            continue
    raise ValidationError(_("The initiative could not be saved; please try again."))


def initiative_receipt_send(*, project: Project, tracking_url: str) -> bool:
    """E-mail the proposer the tracking link (only when they gave an e-mail)."""
    if not project.proposer_email:
        return False
    send_mail(
        subject=_("Your initiative %(code)s was received") % {"code": project.code},
        message=_("Thank you for your initiative “%(title)s”. You can follow its review here: %(url)s")
        % {"title": project.title, "url": tracking_url},
        from_email=None,
        recipient_list=[project.proposer_email],
        fail_silently=True,
    )
    return True


def initiative_review(
    *,
    actor: Any,
    project: Project,
    decision: str,
    note: str = "",
    plan: Plan | None = None,
    nodes: Iterable[Node] = (),
) -> Project:
    """Accept an initiative into the bank (optionally linking it to nodes of a plan of the entity,
    then checking its eligibility) or reject it with a note to the proposer."""
    require(actor, project.entity_id, Capability.EDIT_PLAN)
    if decision not in ("accept", "reject"):
        raise ValidationError({"decision": _("Choose accept or reject.")})
    node_list = list(nodes)
    errors: dict[str, str] = {}
    if decision == "reject" and not note.strip():
        errors["note"] = _("Tell the proposer why the initiative is not accepted.")
    if plan is not None and plan.entity_id != project.entity_id:
        errors["plan"] = _("The plan belongs to another entity.")
    if node_list and (plan is None or any(n.plan_id != plan.pk for n in node_list)):
        errors["nodes"] = _("The nodes must belong to the chosen plan.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        project = Project.objects.select_for_update().select_related("entity").get(pk=project.pk)
        if project.status != ProjectStatus.PROPOSED:
            raise ValidationError(
                {"decision": _("Only initiatives awaiting review can be accepted or rejected.")}
            )
        before = model_snapshot(project, ("status", "status_note", "plan"))
        project.status = ProjectStatus.ACCEPTED if decision == "accept" else ProjectStatus.REJECTED
        project.status_note = note.strip()
        project.reviewed_by = actor
        project.reviewed_at = timezone.now()
        if decision == "accept" and plan is not None:
            project.plan = plan
        project.save()
        changes = snapshot_diff(before, model_snapshot(project, ("status", "status_note", "plan")))
        if decision == "accept" and node_list:
            project.nodes.add(*node_list)
            changes["nodes"] = [None, sorted(n.pk for n in node_list)]
        if decision == "accept":
            project.eligibility = project_eligibility_compute(project=project)
            project.save(update_fields=["eligibility"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATED,
            target=project,
            entity_id=project.entity_id,
            scope=project.plan,
            changes=changes,
            message=_("Initiative accepted.") if decision == "accept" else _("Initiative rejected."),
        )
    return project


# --- eligibility ---------------------------------------------------------------------------------


def _bbox(geometry: Any) -> tuple[float, float, float, float]:
    west, south, east, north = geometry.bounds
    return (west, south, east, north)


def project_eligibility_compute(*, project: Project) -> dict[str, Any]:
    """The eligibility of one project as it stands (nothing written): plan alignment and zoning."""
    geometry = geometry_from_geojson(project.location)
    layers = selectors.zoning_layers(
        entity_id=project.entity_id, bbox=_bbox(geometry) if geometry is not None else None
    )
    plan = plan_alignment(
        nodes=selectors.served_nodes(project=project),
        entity_plan_ids=selectors.entity_plan_ids(entity_id=project.entity_id),
    )
    zoning = zoning_check_many(geometries=[geometry], sectors=[project.sector], layers=layers)[0]
    return eligibility_combine(plan=plan, zoning=zoning, checked_at=timezone.now().isoformat())


def project_eligibility_check(*, actor: Any, project: Project) -> dict[str, Any]:
    """Check a project's eligibility again and keep the result on the project (audited)."""
    require(actor, project.entity_id, Capability.EDIT_PLAN)
    result = project_eligibility_compute(project=project)
    with transaction.atomic():
        before = (project.eligibility or {}).get("verdict")
        Project.objects.filter(pk=project.pk).update(eligibility=result)
        project.eligibility = result
        audit_record(
            actor=actor,
            action=AuditAction.UPDATED,
            target=project,
            entity_id=project.entity_id,
            scope=project.plan,
            changes={"eligibility": [before, result["verdict"]]},
            message=_("Eligibility checked."),
        )
    return result


def entity_eligibility_recheck(*, actor: Any, entity: Entity) -> dict[str, int]:
    """Check every project of the entity at once (one STRtree per layer, all locations in one
    query per layer) and keep the results; returns how many got each verdict."""
    require(actor, entity.pk, Capability.EDIT_PLAN)
    projects = list(Project.objects.filter(entity=entity).only("pk", "location", "sector", "eligibility"))
    layers = selectors.zoning_layers(entity_id=entity.pk)
    plan_ids = selectors.entity_plan_ids(entity_id=entity.pk)
    served: dict[int, list[Any]] = {p.pk: [] for p in projects}
    through = Project.nodes.through.objects.filter(project__entity=entity).select_related(
        "node__plan", "node__level"
    )
    for row in through:
        node = row.node
        served[row.project_id].append(
            ServedNode(
                node_id=node.pk,
                plan_id=node.plan_id,
                plan_name=node.plan.name,
                code=node.code,
                title=node.title,
                level=node.level.name if node.level_id else "",
            )
        )
    zoning = zoning_check_many(
        geometries=[geometry_from_geojson(p.location) for p in projects],
        sectors=[p.sector for p in projects],
        layers=layers,
    )
    checked_at = timezone.now().isoformat()
    counts: dict[str, int] = {}
    for project, zone_result in zip(projects, zoning, strict=True):
        plan = plan_alignment(nodes=served[project.pk], entity_plan_ids=plan_ids)
        project.eligibility = eligibility_combine(plan=plan, zoning=zone_result, checked_at=checked_at)
        verdict = project.eligibility["verdict"]
        counts[verdict] = counts.get(verdict, 0) + 1
    with transaction.atomic():
        Project.objects.bulk_update(projects, ["eligibility"], batch_size=500)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATED,
            target=entity,
            entity_id=entity.pk,
            changes={"eligibility_recheck": [None, counts]},
            message=_("Eligibility of %(count)s projects checked again.") % {"count": len(projects)},
        )
    return counts


# --- zoning rules --------------------------------------------------------------------------------

_RULE_FIELDS = ("layer", "attribute", "value", "sector", "verdict", "note")


def zoning_rule_create(
    *,
    actor: Any,
    entity: Entity,
    layer: SpatialLayer,
    attribute: str,
    value: str,
    verdict: str,
    sector: str = "",
    note: str = "",
) -> ZoningRule:
    """A rule of the entity's zoning: features of `layer` whose `attribute` is `value` give
    `verdict` to projects of `sector` (blank: any). The attribute must exist in the layer."""
    require(actor, entity.pk, Capability.EDIT_PLAN)
    attribute, value = attribute.strip(), value.strip()
    errors: dict[str, str] = {}
    if layer.entity_id != entity.pk:
        errors["layer"] = _("The layer belongs to another entity.")
    if not attribute:
        errors["attribute"] = _("The attribute is required.")
    elif (
        LayerFeature.objects.filter(layer=layer).exists()
        and not LayerFeature.objects.filter(layer=layer, properties__has_key=attribute).exists()
    ):
        known = ", ".join(selectors.layer_attributes(layer=layer)) or "—"
        errors["attribute"] = _("The layer has no attribute %(name)s; it has: %(known)s.") % {
            "name": attribute,
            "known": known,
        }
    if not value:
        errors["value"] = _("The value is required.")
    if verdict not in ZoningVerdict.values:
        errors["verdict"] = _("Choose a verdict.")
    if sector and sector not in Sector.values:
        errors["sector"] = _("Unknown sector.")
    if (
        not errors
        and ZoningRule.objects.filter(layer=layer, attribute=attribute, value=value, sector=sector).exists()
    ):
        errors["value"] = _("There is already a rule for this value and sector.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rule = ZoningRule.objects.create(
            entity=entity,
            layer=layer,
            attribute=attribute,
            value=value,
            sector=sector,
            verdict=verdict,
            note=note.strip(),
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATED,
            target=rule,
            entity_id=entity.pk,
            changes=created_changes(rule, _RULE_FIELDS),
        )
    return rule


def zoning_rule_delete(*, actor: Any, rule: ZoningRule) -> None:
    """Remove a zoning rule (stored eligibility results keep their date until checked again)."""
    require(actor, rule.entity_id, Capability.EDIT_PLAN)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.DELETED,
            target=rule,
            entity_id=rule.entity_id,
            changes={k: [v, None] for k, v in model_snapshot(rule, _RULE_FIELDS).items()},
        )
        rule.delete()


# --- viability -----------------------------------------------------------------------------------

_ITEM_FIELDS = ("done", "not_applicable", "note", "document_name", "document_sha256")


def _item_for(project: Project, key: str) -> ViabilityItem:
    definition = selectors.viability_item_definition(project=project, key=key)
    if definition is None:
        raise ValidationError(_("Unknown checklist item: %(key)s") % {"key": key})
    stage, item = definition
    row, _created = ViabilityItem.objects.select_for_update().get_or_create(
        project=project, key=key, defaults={"stage": stage, "label": item["label"][:300]}
    )
    return row


def viability_item_set(
    *, actor: Any, project: Project, key: str, done: bool, not_applicable: bool = False, note: str = ""
) -> ViabilityItem:
    """Tick (or untick) a checklist item, or mark it not applicable — which needs a reason."""
    require(actor, project.entity_id, Capability.EDIT_PLAN)
    if not_applicable and not note.strip():
        raise ValidationError({"note": _("Say why the requirement does not apply.")})
    if done and not_applicable:
        raise ValidationError({"done": _("A requirement is either met or not applicable, not both.")})
    with transaction.atomic():
        row = _item_for(project, key)
        before = model_snapshot(row, _ITEM_FIELDS)
        row.done, row.not_applicable, row.note = done, not_applicable, note.strip()
        row.checked_by, row.checked_at = actor, timezone.now()
        row.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATED,
            target=project,
            entity_id=project.entity_id,
            scope=project.plan,
            changes={
                f"viability:{key}:{k}": v
                for k, v in snapshot_diff(before, model_snapshot(row, _ITEM_FIELDS)).items()
            },
        )
    return row


def viability_document_attach(*, actor: Any, project: Project, key: str, upload: Any) -> ViabilityItem:
    """Attach the document of a checklist item: a PDF, an image, an Office or ODF file (sniffed
    from its content), within the upload policy; its SHA-256 is kept."""
    require(actor, project.entity_id, Capability.EDIT_PLAN)
    size = int(getattr(upload, "size", 0) or 0)
    try:
        upload_check(upload)
    except UploadRefused as exc:
        raise ValidationError({"document": exc.messages}) from exc
    if size == 0:
        raise ValidationError({"document": _("The file is empty.")})
    refused = _(
        "This file type is not accepted. Upload a PDF, an image (PNG or JPEG) or an Office or "
        "OpenDocument file (DOCX, XLSX, PPTX, ODT, ODS)."
    )
    try:
        extension, _content_type = evidence_sniff(upload=upload)
    except ValidationError as exc:
        raise ValidationError({"document": refused}) from exc
    if extension not in DOCUMENT_EXTENSIONS:
        raise ValidationError({"document": refused})
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    original = PurePath(getattr(upload, "name", "") or "documento").name
    stem = re.sub(r"[^\w.-]+", "_", PurePath(original).stem).strip("._")[:80] or "documento"
    filename = f"{stem}.{extension}"
    with transaction.atomic():
        row = _item_for(project, key)
        before = model_snapshot(row, _ITEM_FIELDS)
        row.document.save(filename, File(upload, name=filename), save=False)
        row.document_name = original[:255]
        row.document_sha256 = digest.hexdigest()
        row.checked_by, row.checked_at = actor, timezone.now()
        row.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATED,
            target=project,
            entity_id=project.entity_id,
            scope=project.plan,
            changes={
                f"viability:{key}:{k}": v
                for k, v in snapshot_diff(before, model_snapshot(row, _ITEM_FIELDS)).items()
            },
        )
    return row


def project_stage_advance(*, actor: Any, project: Project) -> Project:
    """Move the project to the next stage of the cycle, refused (listing them) while any item of
    the current stage's checklist is neither met nor marked not applicable."""
    require(actor, project.entity_id, Capability.EDIT_PLAN)
    order = selectors.STAGE_ORDER
    position = order.index(project.stage)
    if position == len(order) - 1:
        raise ValidationError(_("The project is already at the last stage."))
    current = [s for s in selectors.viability_state(project=project) if s.is_current]
    unmet = current[0].unmet if current else []
    if unmet:
        raise ValidationError(
            _("The project cannot move to the next stage yet. Missing: %(items)s.")
            % {"items": "; ".join(i.label for i in unmet)},
            code="unmet",
        )
    with transaction.atomic():
        before = project.stage
        project.stage = order[position + 1]
        Project.objects.filter(pk=project.pk).update(stage=project.stage, updated_at=timezone.now())
        audit_record(
            actor=actor,
            action=AuditAction.UPDATED,
            target=project,
            entity_id=project.entity_id,
            scope=project.plan,
            changes={"stage": [before, project.stage]},
        )
    return project
