"""The one way every import goes: upload → preview → confirm → background job → result.

- *upload*: the file is checked (size, type) and kept as an import job that is not started
  (`import_job_keep`, params.confirmed false);
- *preview*: the detected settings (format, encoding, delimiter, sheet, rows), which column of
  the file feeds each column the importer reads (the **mapping**: by name and alias, or as the
  person mapped them last time for this entity and kind), and the first rows with the problems
  they would have;
- *confirm*: the mapping is checked, remembered for the entity (`ImportMapping`) and kept on the
  job, and the job's task is queued when the transaction commits;
- the task reads the whole file with that mapping (every row checked first, then one
  transaction), and the job page shows progress and then the result or every row error.

The pages are one view and one template for every importer (rumbo.core.import_views).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rumbo.core.audit import audit_record, snapshot_diff
from rumbo.core.jobs import job_enqueue
from rumbo.core.models import AuditAction, ImportMapping, Job
from rumbo.core.tabular.columns import Column, Columns, HeaderMap
from rumbo.core.tabular.errors import ImportRefused, RowError, refused_as
from rumbo.core.tabular.jobs import job_opener
from rumbo.core.tabular.reading import (
    FileInfo,
    Opener,
    cell_text,
    fold_header,
    is_blank_row,
    table_detect,
    table_open,
)

PREVIEW_ROWS = 20
RowProblems = Callable[[int, list[str]], list[str]]  # (excel row, cells as text) → problems


@dataclass(slots=True)
class PreviewRow:
    row: int  # as Excel numbers it
    values: list[str]  # one per column of `ImportPreview.columns` that a header feeds, as text
    errors: list[str]


@dataclass(slots=True)
class ImportPreview:
    """What an import would read, before anything is queued."""

    info: FileInfo
    headers: list[str]  # row 1 as written
    columns: list[tuple[Column, str]]  # each column the importer reads → the header feeding it ("" none)
    ignored: list[str]  # headers no column reads
    rows: list[PreviewRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)  # problems of row 1: nothing can be imported
    remembered: bool = False  # the mapping comes (partly) from the entity's last file
    mappable: bool = True  # False for a format whose names are fixed (the plan's JSON)

    @property
    def mapping(self) -> dict[str, str]:
        return {column.name: header for column, header in self.columns if header}

    def values(self, row: PreviewRow) -> dict[str, str]:
        """A row's values by column name."""
        return dict(zip(self.mapping, row.values, strict=False))


def header_texts(cells: list[Any]) -> list[str]:
    """Row 1 as the texts the person sees (BOM and surrounding spaces removed)."""
    return [cell_text(c).strip().lstrip("\ufeff").strip() for c in cells]


def mapping_remembered(*, entity_id: int, kind: str) -> dict[str, str]:
    stored = ImportMapping.objects.filter(entity_id=entity_id, kind=kind).values_list("mapping", flat=True)
    return dict(stored.first() or {})


def mapping_suggest(
    columns: Columns, headers: list[str], remembered: dict[str, str]
) -> tuple[dict[str, str], bool]:
    """column → header: the remembered choice where that header is in this file (also written
    with other case or accents), then the column's own name and aliases. Second value: whether
    anything came from memory."""
    present = [h for h in headers if h]
    by_fold = {fold_header(h): h for h in reversed(present)}
    suggested: dict[str, str] = {}
    for name, header in remembered.items():
        if name in columns.names and fold_header(header) in by_fold:
            suggested[name] = by_fold[fold_header(header)]
    from_memory = bool(suggested)
    used = set(suggested.values())
    for header in present:
        canonical = columns.canonical(header)
        if canonical is not None and canonical not in suggested and header not in used:
            suggested[canonical] = header
            used.add(header)
    return suggested, from_memory


def mapping_errors(columns: Columns, headers: list[str], mapping: dict[str, str]) -> dict[str, list[str]]:
    """What is wrong with a mapping, per column: a required column without a header, a header
    that feeds two columns, a header the file does not have or has twice."""
    errors: dict[str, list[str]] = {}
    used: dict[str, str] = {}
    for column in columns.columns:
        header = mapping.get(column.name, "")
        if not header:
            if column.required:
                errors.setdefault(column.name, []).append(_("Choose the column that holds this field."))
            continue
        if header not in headers:
            errors.setdefault(column.name, []).append(
                _("The file has no column %(column)s.") % {"column": header}
            )
        elif headers.count(header) > 1:
            errors.setdefault(column.name, []).append(
                _("The file has two columns named %(column)s; rename one of them.") % {"column": header}
            )
        if header in used:
            errors.setdefault(column.name, []).append(
                _("The column %(column)s is already used for another field.") % {"column": header}
            )
        used[header] = column.name
    return errors


def header_map(columns: Columns, headers: list[str], mapping: dict[str, str]) -> HeaderMap:
    """Row 1 read through a mapping (column → header as written); its problems on row 1."""
    found = HeaderMap(positions={}, written={}, ignored=[])
    for name, header in mapping.items():
        if name in columns.names and header in headers:
            found.positions[name] = headers.index(header)
            found.written[name] = header
    read = set(found.written.values())
    found.ignored = [h for h in headers if h and h not in read]
    for name, problems in mapping_errors(columns, headers, mapping).items():
        for problem in problems:
            found.errors.append(
                RowError(
                    row=1,
                    column=mapping.get(name) or None,
                    message=_("Row 1, %(column)s: %(problem)s") % {"column": name, "problem": problem},
                )
            )
    return found


def header_read(columns: Columns, cells: list[Any], mapping: dict[str, str] | None) -> HeaderMap:
    """Row 1 of a file being imported: through the person's mapping when the job has one (the
    web flow), otherwise by the columns' names and aliases (the API and the command line)."""
    if mapping is None:
        return columns.match(cells)
    return header_map(columns, header_texts(cells), mapping)


def table_preview(
    *,
    opener: Opener,
    info: FileInfo,
    columns: Columns,
    remembered: dict[str, str],
    chosen: dict[str, str] | None = None,
    sheets: tuple[str, ...] = (),
    row_problems: Callable[[HeaderMap], RowProblems] | None = None,
) -> ImportPreview:
    """The preview of a CSV or XLSX file: the person's `chosen` mapping, or the suggested one,
    and the first PREVIEW_ROWS rows with the problems `row_problems(header map)` finds in them."""
    with table_open(opener, info) as table:
        rows = table.rows(table.sheet_find(*sheets) if sheets else None)
        first = next(rows, None)
        headers = header_texts(first[1]) if first else []
        from_memory = False
        if chosen is None:
            chosen, from_memory = mapping_suggest(columns, headers, remembered)
        found = header_map(columns, headers, chosen)
        found.positions = {
            c.name: found.positions[c.name] for c in columns.columns if c.name in found.positions
        }
        preview = ImportPreview(
            info=info,
            headers=headers,
            columns=[(c, found.written.get(c.name, "")) for c in columns.columns],
            ignored=found.ignored,
            errors=found.errors if first else [RowError(0, None, _("The file is empty."))],
            remembered=from_memory,
        )
        check = row_problems(found) if row_problems is not None and not preview.errors else None
        for number, cells in rows:
            if len(preview.rows) >= PREVIEW_ROWS:
                break
            if is_blank_row(cells):
                continue
            text = [cell_text(c, month_dates=True) for c in cells]
            values = [text[i] if i < len(text) else "" for i in found.positions.values()]
            preview.rows.append(PreviewRow(number, values, check(number, text) if check else []))
    return preview


def job_table_preview(
    job: Job,
    *,
    columns: Columns,
    error_class: type[ImportRefused],
    chosen: dict[str, str] | None = None,
    sheets: tuple[str, ...] = (),
    row_problems: Callable[[HeaderMap], RowProblems] | None = None,
) -> ImportPreview:
    """The preview of the file kept with an import job, offering the mapping remembered for the
    job's entity and kind; refusals of the reader come out as `error_class`."""
    opener = job_opener(job)
    with refused_as(error_class):
        return table_preview(
            opener=opener,
            info=table_detect(opener, str(job.params.get("filename") or "import"), job.input_file.size),
            columns=columns,
            remembered=mapping_remembered(entity_id=job.entity_id or 0, kind=job.kind),
            chosen=chosen,
            sheets=sheets,
            row_problems=row_problems,
        )


def mapping_remember(*, actor: Any, entity_id: int, kind: str, mapping: dict[str, str]) -> ImportMapping:
    """Keep the entity's mapping for its next file of this kind (audited when it changes)."""
    with transaction.atomic():
        row, created = ImportMapping.objects.select_for_update().get_or_create(entity_id=entity_id, kind=kind)
        before = dict(row.mapping)
        if before == mapping and not created:
            return row
        row.mapping = dict(mapping)
        row.updated_by = actor if getattr(actor, "is_authenticated", False) else None
        row.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATED if created else AuditAction.UPDATED,
            target=row,
            entity_id=entity_id,
            changes=snapshot_diff(before, row.mapping),
        )
    return row


def import_job_confirm(
    *, actor: Any, job: Job, task: str, columns: Columns | None = None, mapping: dict[str, str] | None = None
) -> Job:
    """Start an uploaded import: with `mapping` (checked against the job's headers in
    `job.params["headers"]` when the preview stored them), remember it for the entity and keep it
    on the job; the task is queued when the transaction commits. Confirming twice starts once."""
    if mapping is not None and columns is not None:
        clean = {k: v for k, v in mapping.items() if k in columns.names and v}
        headers = list(job.params.get("headers") or clean.values())
        errors = mapping_errors(columns, headers, clean)
        if errors:
            raise ValidationError(errors)
        mapping = clean
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.params.get("confirmed"):
            return locked
        params = {**locked.params, "confirmed": True}
        if mapping is not None:
            params["mapping"] = mapping
            if locked.entity_id is not None:
                mapping_remember(actor=actor, entity_id=locked.entity_id, kind=locked.kind, mapping=mapping)
        locked.params = params
        locked.save(update_fields=["params"])
        job_enqueue(task, locked.pk)
    return locked


def job_headers_keep(job: Job, preview: ImportPreview) -> None:
    """Keep the file's headers on the job, so that a confirmed mapping is checked against them."""
    if job.params.get("headers") != preview.headers:
        job.params = {**job.params, "headers": preview.headers}
        job.save(update_fields=["params"])
