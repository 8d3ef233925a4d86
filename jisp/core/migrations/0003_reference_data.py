from django.db import migrations


def load(apps, schema_editor):
    from jisp.core import reference

    reference.load(apps.get_model("core", "Organisation"), apps.get_model("core", "Sector"))


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_append_only")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
