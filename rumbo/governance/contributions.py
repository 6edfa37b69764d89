"""Convenios between entities and the contributions of their parties (seed 001: the six
municipalities fund the institute with fixed contributions — salaries and logistics of the
technical team — and variable ones — pre-investment studies, works).

Per party and year: fixed + variable = total, committed and paid; paid above committed is
refused unless the reason is recorded. The statement adds the contributions per funding source
beside what the entity's investment plans programme from that source, so the institute's
budget and the projects it finances can be seen to add up.
"""

from __future__ import annotations

import datetime
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from rumbo.accounts.permissions import Capability, require
from rumbo.core.audit import audit_record, created_changes
from rumbo.core.exports import text_printable, xlsx_row
from rumbo.core.models import AuditAction
from rumbo.governance.models import Body, Contribution, ContributionKind, Convenio, ConvenioParty
from rumbo.governance.services import _stored_file
from rumbo.investments.models import FundingSource, InvestmentLine, InvestmentPlanKind, InvestmentPlanStatus
from rumbo.investments.services import parse_amount
from rumbo.plans.models import Plan

ZERO = Decimal("0.00")
CONVENIO_FIELDS = (
    "title",
    "number",
    "purpose",
    "signed_on",
    "starts_on",
    "ends_on",
    "plan_id",
    "body_id",
    "is_public",
)


def convenio_create(
    *,
    actor: Any,
    entity: Any,
    title: str,
    signed_on: datetime.date,
    starts_on: datetime.date,
    parties: list[dict[str, Any]],
    ends_on: datetime.date | None = None,
    plan: Plan | None = None,
    body: Body | None = None,
    number: str = "",
    purpose: str = "",
    document: Any = None,
    is_public: bool = True,
) -> Convenio:
    """A convenio of the entity with its parties ({"name", "entity" (optional), "role"})."""
    require(actor, entity.pk, Capability.EDIT_PLAN)
    errors: dict[str, str] = {}
    title = (title or "").strip()[:300]
    if not title:
        errors["title"] = _("Give the convenio a title.")
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("A convenio cannot end before it comes into force.")
    if plan is not None and plan.entity_id != entity.pk:
        errors["plan"] = _("The plan belongs to another entity.")
    if body is not None and body.entity_id != entity.pk:
        errors["body"] = _("The body belongs to another entity.")
    names = [(p.get("name") or getattr(p.get("entity"), "name", "") or "").strip()[:200] for p in parties]
    if len([n for n in names if n]) < 2:
        errors["parties"] = _("A convenio has at least two parties.")
    elif len({n.casefold() for n in names}) != len(names):
        errors["parties"] = _("A party appears twice.")
    if errors:
        raise ValidationError(errors)
    stored = _stored_file(document, field="document") if document else None
    with transaction.atomic():
        convenio = Convenio(
            entity=entity, plan=plan, body=body, title=title, number=(number or "").strip()[:100],
            purpose=(purpose or "").strip(), signed_on=signed_on, starts_on=starts_on, ends_on=ends_on,
            is_public=is_public, created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )  # fmt: skip
        if stored is not None:
            convenio.document.save(stored[0], File(document, name=stored[0]), save=False)
            convenio.document_name = stored[1]
        convenio.save()
        for name, party in zip(names, parties, strict=True):
            ConvenioParty.objects.create(
                convenio=convenio,
                name=name,
                party_entity=party.get("entity"),
                role=(party.get("role") or "")[:200],
            )
        audit_record(
            actor=actor, action=AuditAction.CREATED, target=convenio, entity_id=entity.pk, scope=plan,
            changes=created_changes(convenio, CONVENIO_FIELDS) | {"parties": [None, names]},
        )  # fmt: skip
    return convenio


def _money(value: Decimal) -> str:
    return number_format(value, 2, use_l10n=True, force_grouping=True)


def _amount(value: Any, field_name: str) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        return ZERO
    return parse_amount(value, field=field_name)


def contribution_year_set(
    *,
    actor: Any,
    party: ConvenioParty,
    year: int,
    fixed: Any,
    variable: Any,
    total: Any = None,
    fixed_paid: Any = None,
    variable_paid: Any = None,
    source: FundingSource | None = None,
    concept: str = "",
    over_reason: str = "",
) -> list[Contribution]:
    """Set what a party commits and pays in a year, fixed and variable (replacing what was
    recorded for that party and year). `total`, when given, must equal fixed + variable."""
    convenio = party.convenio
    require(actor, convenio.entity_id, Capability.EDIT_PLAN)
    fixed_c, variable_c = _amount(fixed, "fixed"), _amount(variable, "variable")
    fixed_p, variable_p = _amount(fixed_paid, "fixed_paid"), _amount(variable_paid, "variable_paid")
    errors: dict[str, str] = {}
    if not 1900 <= int(year) <= 2200:
        errors["year"] = _("The year must be between 1900 and 2200.")
    elif not (convenio.starts_on.year <= int(year) <= (convenio.ends_on or datetime.date.max).year):
        errors["year"] = _("The year is outside the term of the convenio.")
    if total is not None and not (isinstance(total, str) and not total.strip()):
        declared = _amount(total, "total")
        if declared != fixed_c + variable_c:
            errors["total"] = _(
                "The contributions do not add up: fixed %(fixed)s + variable %(variable)s = %(sum)s, not %(total)s."
            ) % {"fixed": _money(fixed_c), "variable": _money(variable_c), "sum": _money(fixed_c + variable_c),
                 "total": _money(declared)}  # fmt: skip
    over_reason = (over_reason or "").strip()[:300]
    for kind, committed, paid in (("fixed", fixed_c, fixed_p), ("variable", variable_c, variable_p)):
        if paid > committed and not over_reason:
            errors[f"{kind}_paid"] = _(
                "%(paid)s paid is more than the %(committed)s committed; say why, or correct the amounts."
            ) % {"paid": _money(paid), "committed": _money(committed)}
    if source is not None and source.country not in (convenio.entity.country, "XX"):
        errors["source"] = _("The funding source is of another country's catalogue.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = list(
            Contribution.objects.filter(party=party, year=year).values_list("kind", "committed", "paid")
        )
        Contribution.objects.filter(party=party, year=year).delete()
        rows = [
            Contribution.objects.create(
                party=party,
                year=year,
                kind=kind,
                committed=committed,
                paid=paid,
                source=source,
                concept=(concept or "").strip()[:300],
                over_reason=over_reason if paid > committed else "",
            )
            for kind, committed, paid in (
                (ContributionKind.FIXED, fixed_c, fixed_p),
                (ContributionKind.VARIABLE, variable_c, variable_p),
            )
            if committed or paid
        ]
        audit_record(
            actor=actor, action=AuditAction.UPDATED, target=convenio, entity_id=convenio.entity_id,
            scope=convenio.plan,
            changes={f"contributions {party.name} {year}": [
                [[k, str(c), str(p)] for k, c, p in before] or None,
                [[r.kind, str(r.committed), str(r.paid)] for r in rows],
            ]},
        )  # fmt: skip
    return rows


# --- the statement -----------------------------------------------------------------------------


@dataclass
class Figures:
    fixed_committed: Decimal = ZERO
    fixed_paid: Decimal = ZERO
    variable_committed: Decimal = ZERO
    variable_paid: Decimal = ZERO
    flagged: bool = False  # some paid above committed, with its reason

    @property
    def committed(self) -> Decimal:
        return self.fixed_committed + self.variable_committed

    @property
    def paid(self) -> Decimal:
        return self.fixed_paid + self.variable_paid

    @property
    def pending(self) -> Decimal:
        return self.committed - self.paid

    def add(self, c: Contribution) -> None:
        if c.kind == ContributionKind.FIXED:
            self.fixed_committed += c.committed
            self.fixed_paid += c.paid
        else:
            self.variable_committed += c.committed
            self.variable_paid += c.paid
        self.flagged = self.flagged or bool(c.over_reason)


@dataclass
class PartyStatement:
    party: ConvenioParty
    years: dict[int, Figures] = field(default_factory=dict)
    total: Figures = field(default_factory=Figures)
    rows: list[Contribution] = field(default_factory=list)


@dataclass
class SourceCheck:
    """Per year and funding source: paid by the parties, and what the entity's investment plans
    programme from that source (the projects the institute's budget finances)."""

    year: int
    source: str
    contributed: Decimal
    programmed: Decimal

    @property
    def gap(self) -> Decimal:
        return self.contributed - self.programmed


@dataclass
class Statement:
    convenio: Convenio
    parties: list[PartyStatement]
    total: Figures
    years: list[int]
    sources: list[SourceCheck]


def convenio_statement(*, convenio: Convenio) -> Statement:
    parties = {p.pk: PartyStatement(party=p) for p in convenio.parties.all()}
    total = Figures()
    years: set[int] = set()
    contributed: dict[tuple[int, int | None], Decimal] = defaultdict(Decimal)
    names: dict[int | None, str] = {None: _("No source given")}
    for c in (
        Contribution.objects.filter(party__convenio=convenio)
        .select_related("source")
        .order_by("year", "kind")
    ):
        ps = parties[c.party_id]
        ps.years.setdefault(c.year, Figures()).add(c)
        ps.total.add(c)
        ps.rows.append(c)
        total.add(c)
        years.add(c.year)
        contributed[(c.year, c.source_id)] += c.paid
        if c.source is not None:
            names[c.source_id] = f"{c.source.code} · {c.source.name}"
    programmed = dict(
        ((row["year"], row["source_id"]), row["amount"])
        for row in InvestmentLine.objects.filter(
            # approved annual plans only: drafts are not public, and the multi-year programme and
            # the POA repeat the annual amounts
            investment_plan__status=InvestmentPlanStatus.APPROVED,
            investment_plan__kind=InvestmentPlanKind.ANNUAL,
            project__entity_id=convenio.entity_id,
            source_id__in=[s for (_y, s) in contributed if s is not None],
            year__in=sorted(years),
        )
        .values("year", "source_id")
        .annotate(amount=Sum("amount"))
    )
    sources = [
        SourceCheck(
            year=y, source=names[s], contributed=v, programmed=programmed.get((y, s), ZERO) if s else ZERO
        )
        for (y, s), v in sorted(contributed.items(), key=lambda kv: (kv[0][0], names[kv[0][1]]))
    ]
    return Statement(
        convenio=convenio, parties=list(parties.values()), total=total, years=sorted(years), sources=sources
    )


def party_statement_xlsx(*, statement: Statement, party: PartyStatement) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = _("Contributions")[:31]
    ws.append(xlsx_row(ws, [statement.convenio.title]))
    ws.append(xlsx_row(ws, [_("Party"), party.party.name]))
    ws.append([])
    ws.append(xlsx_row(ws, [_("Year"), _("Fixed committed"), _("Fixed paid"), _("Variable committed"),
                            _("Variable paid"), _("Total committed"), _("Total paid"), _("Pending")]))  # fmt: skip
    for year, f in sorted(party.years.items()):
        ws.append(
            [
                year,
                f.fixed_committed,
                f.fixed_paid,
                f.variable_committed,
                f.variable_paid,
                f.committed,
                f.paid,
                f.pending,
            ]
        )
    t = party.total
    ws.append(xlsx_row(ws, [_("Total"), t.fixed_committed, t.fixed_paid, t.variable_committed, t.variable_paid,
                            t.committed, t.paid, t.pending]))  # fmt: skip
    for row in ws.iter_rows(min_row=5, min_col=2):
        for cell in row:
            cell.number_format = "#,##0.00"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def party_statement_pdf(*, statement: Statement, party: PartyStatement) -> bytes:
    from weasyprint import HTML

    html = render_to_string("governance/contribution_statement_pdf.html", {"s": statement, "p": party})
    return bytes(HTML(string=text_printable(html), base_url="/").write_pdf())
