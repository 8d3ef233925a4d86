"""PostgreSQL: keep each topic's search tokens as a stored tsvector, indexed by GIN.

A phrase query (``'不正' <-> '正プ' <-> ...``) must recheck token positions on every candidate row;
with an index on the expression ``to_tsvector('simple', search_text)`` that recheck recomputes the
vector from the text, row by row (4.8 s for a common term over a million topics); a stored
vector is read instead (0.3 s). SQLite's FTS5 table needs nothing here.
"""

from django.db import migrations

POSTGRES = [
    "ALTER TABLE sharing_topic ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED",
    "CREATE INDEX IF NOT EXISTS sharing_topic_search_vector ON sharing_topic "
    "USING gin (search_vector)",
    "DROP INDEX IF EXISTS sharing_topic_search",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS sharing_topic_search_vector",
    "ALTER TABLE sharing_topic DROP COLUMN IF EXISTS search_vector",
    "CREATE INDEX IF NOT EXISTS sharing_topic_search ON sharing_topic "
    "USING gin (to_tsvector('simple', search_text))",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("sharing", "0003_list_order_index")]
    operations = [migrations.RunPython(run(POSTGRES), run(POSTGRES_REVERSE))]
