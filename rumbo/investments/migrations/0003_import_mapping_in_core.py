"""The remembered column mappings of budget-execution files move to core.ImportMapping, where
every importer keeps them (kind "execution_import")."""

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    old = apps.get_model("investments", "ExecutionColumnMapping")
    new = apps.get_model("core", "ImportMapping")
    for row in old.objects.all():
        new.objects.update_or_create(
            entity_id=row.entity_id,
            kind="execution_import",
            defaults={"mapping": row.mapping, "updated_by_id": row.updated_by_id},
        )


def backwards(apps: Any, schema_editor: Any) -> None:
    old = apps.get_model("investments", "ExecutionColumnMapping")
    new = apps.get_model("core", "ImportMapping")
    for row in new.objects.filter(kind="execution_import"):
        old.objects.update_or_create(
            entity_id=row.entity_id, defaults={"mapping": row.mapping, "updated_by_id": row.updated_by_id}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("investments", "0002_bank_plans_execution"),
        ("core", "0003_import_mapping"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="ExecutionColumnMapping"),
    ]
