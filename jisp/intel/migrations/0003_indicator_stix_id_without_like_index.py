"""An indicator's STIX id: unique by a constraint, no longer by ``unique=True``.

On PostgreSQL ``unique=True`` on a ``CharField`` also makes a ``varchar_pattern_ops`` index for
``LIKE``, never used on ids, that every inserted indicator updated at a random place.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intel", "0002_indicator_unique_by_value"),
    ]

    operations = [
        migrations.AlterField(
            model_name="indicator",
            name="stix_id",
            field=models.CharField(editable=False, max_length=64),
        ),
        migrations.AddConstraint(
            model_name="indicator",
            constraint=models.UniqueConstraint(
                fields=("stix_id",), name="intel_indicator_one_stix_id"
            ),
        ),
    ]
