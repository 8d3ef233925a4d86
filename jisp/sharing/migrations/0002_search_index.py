"""The full-text index of topics (see jisp/sharing/search.py): FTS5 on SQLite, GIN on PostgreSQL."""

from django.db import migrations

SQLITE = [
    """CREATE VIRTUAL TABLE sharing_topic_fts USING fts5(
           search_text, content='sharing_topic', content_rowid='id',
           tokenize='unicode61 remove_diacritics 0')""",
    """CREATE TRIGGER sharing_topic_fts_insert AFTER INSERT ON sharing_topic BEGIN
           INSERT INTO sharing_topic_fts(rowid, search_text) VALUES (new.id, new.search_text);
       END""",
    """CREATE TRIGGER sharing_topic_fts_delete AFTER DELETE ON sharing_topic BEGIN
           INSERT INTO sharing_topic_fts(sharing_topic_fts, rowid, search_text)
           VALUES ('delete', old.id, old.search_text);
       END""",
    """CREATE TRIGGER sharing_topic_fts_update AFTER UPDATE OF search_text ON sharing_topic BEGIN
           INSERT INTO sharing_topic_fts(sharing_topic_fts, rowid, search_text)
           VALUES ('delete', old.id, old.search_text);
           INSERT INTO sharing_topic_fts(rowid, search_text) VALUES (new.id, new.search_text);
       END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS sharing_topic_fts_insert",
    "DROP TRIGGER IF EXISTS sharing_topic_fts_delete",
    "DROP TRIGGER IF EXISTS sharing_topic_fts_update",
    "DROP TABLE IF EXISTS sharing_topic_fts",
]
POSTGRES = [
    "CREATE INDEX sharing_topic_search ON sharing_topic "
    "USING gin (to_tsvector('simple', search_text))",
]
POSTGRES_REVERSE = ["DROP INDEX IF EXISTS sharing_topic_search"]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("sharing", "0001_initial")]
    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        )
    ]
