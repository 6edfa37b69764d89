"""A migration that no test database has applied: /health/ must call it pending."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0003_import_mapping")]
    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
