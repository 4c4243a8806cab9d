"""Issue 14: the search by a young person's name reads an index of the people involved too.

As accounts 0011 does for pupils: a trigram index on PostgreSQL, nothing elsewhere.
"""

from django.db import migrations

INDEX = "involvedperson_search_name_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON incidents_involvedperson "
            "USING gin (search_name gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0011_search_name_trigram"),  # the pg_trgm extension
        ("incidents", "0014_party_kind_and_review_incomplete"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
