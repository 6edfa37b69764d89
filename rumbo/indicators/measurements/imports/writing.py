"""Writing checked measurements chunk by chunk in the import's transaction (COPY on PostgreSQL)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from django.utils.translation import gettext as _

from rumbo.core.audit import AuditAction
from rumbo.core.models import AuditEvent
from rumbo.indicators.measurements.imports.checking import Checked
from rumbo.indicators.models import (
    Measurement,
    MeasurementStatus,
)
from rumbo.plans.models import Plan

_INSERT_FIELDS = (
    "indicator",
    "unit",
    "period",
    "disaggregation",
    "value",
    "notes",
    "status",
    "version",
    "is_current",
    "correction_reason",
    "return_comment",
    "created_by",
    "created_at",
    "submitted_by",
    "submitted_at",
    "import_job_id",
)


class _Writer:
    """Writes checked chunks: COPY on PostgreSQL, executemany elsewhere; replaced values by UPDATE."""

    def __init__(self, *, actor: Any, job_id: int | None) -> None:
        self.db = connections[DEFAULT_DB_ALIAS]
        self.actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
        self.job_id = job_id
        self.now = timezone.now()
        self.created = 0
        self.replaced = 0
        qn = self.db.ops.quote_name
        fields = {f.name: f for f in Measurement._meta.concrete_fields}
        columns = ", ".join(qn(str(fields[name].column)) for name in _INSERT_FIELDS)
        table = qn(Measurement._meta.db_table)
        self.is_postgres = self.db.vendor == "postgresql"
        self.copy_sql = f"COPY {table} ({columns}) FROM STDIN"
        self.insert_sql = (
            f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(_INSERT_FIELDS))})"  # noqa: S608
        )
        self.update_sql = (
            f"UPDATE {table} SET {qn('value')} = %s, {qn('notes')} = %s, {qn('status')} = %s, "  # noqa: S608
            f"{qn('submitted_by_id')} = %s, {qn('submitted_at')} = %s, {qn('import_job_id')} = %s "
            f"WHERE {qn('id')} = %s"
        )
        self.stamp: Any = self.now if self.is_postgres else self.db.ops.adapt_datetimefield_value(self.now)
        self.true: Any = True if self.is_postgres else 1

    def write(
        self,
        chunk: list[Checked],
        existing: dict[tuple[int, int | None, str, str], tuple[int, str]],
        period_ids: dict[str, int],
        plan: Plan,
    ) -> None:
        submitted = MeasurementStatus.SUBMITTED.value
        actor_id, stamp, job_id, true = self.actor_id, self.stamp, self.job_id, self.true
        new: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        events: list[AuditEvent] = []
        for _row, ind, unit, per, dis, value, note in chunk:
            hit = existing.get((ind, unit, per, dis)) if existing else None
            if hit is not None:
                updates.append(
                    (
                        value if self.is_postgres else str(value),
                        note,
                        submitted,
                        actor_id,
                        stamp,
                        job_id,
                        hit[0],
                    )
                )
                events.append(self._event(hit[0], plan, value))
                continue
            new.append(
                (
                    ind,
                    unit,
                    period_ids[per],
                    dis,
                    value if self.is_postgres else str(value),
                    note,
                    submitted,
                    1,
                    true,
                    "",
                    "",
                    actor_id,
                    stamp,
                    actor_id,
                    stamp,
                    job_id,
                )
            )
        with self.db.cursor() as cursor:
            if new:
                if self.is_postgres:
                    with cursor.copy(self.copy_sql) as copy:
                        for record in new:
                            copy.write_row(record)
                else:
                    cursor.executemany(self.insert_sql, new)
            if updates:
                cursor.executemany(self.update_sql, updates)
        if events:
            AuditEvent.objects.bulk_create(events)
        self.created += len(new)
        self.replaced += len(updates)

    def _event(self, pk: int, plan: Plan, value: Decimal) -> AuditEvent:
        return AuditEvent(
            actor_id=self.actor_id,
            entity_id=plan.entity_id,
            target_type=ContentType.objects.get_for_model(Measurement),
            target_id=str(pk),
            target_repr=f"#{pk}",
            scope_type=plan._meta.label_lower,
            scope_id=plan.pk,
            action=AuditAction.IMPORTED,
            changes={"value": [None, str(value)], "status": [None, MeasurementStatus.SUBMITTED.value]},
            message=_("Replaced by the import job %(job)s.") % {"job": self.job_id},
        )
