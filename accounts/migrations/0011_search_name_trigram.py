"""Issue 14: the trust lead's search by a young person's name reads an index, not every pupil.

A trigram index (PostgreSQL's pg_trgm) serves `search_name LIKE '%word%'`, the search's
condition (accounts/names.py). Other databases (SQLite, in development) have none: no-op there.
"""

from django.db import migrations

INDEX = "pupil_search_name_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON accounts_pupil "
            "USING gin (search_name gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0010_security_event_refused")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
