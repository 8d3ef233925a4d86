from typing import Any

from django.db import migrations, models

INDEX = "sharing_topic_list_order"


def _rebuild(schema_editor: Any, published_at: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(
        f"CREATE INDEX {INDEX} ON sharing_topic (pinned DESC, {published_at}, id DESC)"
    )


def nulls_last(apps: Any, schema_editor: Any) -> None:
    """PostgreSQL sorts NULLs first in a descending index: rebuild the list-order index with
    NULLS LAST so that it serves ``LIST_ORDER`` (SQLite's descending order already puts NULLs
    last, and SQLite accepts no NULLS LAST in an index)."""
    _rebuild(schema_editor, "published_at DESC NULLS LAST")


def nulls_first(apps: Any, schema_editor: Any) -> None:
    _rebuild(schema_editor, "published_at DESC")


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0004_search_vector"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="topic",
            options={
                "ordering": [
                    models.OrderBy(models.F("pinned"), descending=True),
                    models.OrderBy(models.F("published_at"), descending=True, nulls_last=True),
                    models.OrderBy(models.F("id"), descending=True),
                ],
                "verbose_name": "topic",
                "verbose_name_plural": "topics",
            },
        ),
        migrations.RunPython(nulls_last, nulls_first),
    ]
