"""Issue 21: people involved are searched by their folded name (accounts/names.py)."""

from django.db import migrations, models

from accounts.names import fold


def fold_names(apps, schema_editor):
    InvolvedPerson = apps.get_model("incidents", "InvolvedPerson")
    people = list(InvolvedPerson.objects.exclude(name="").only("pk", "name"))
    for person in people:
        person.search_name = fold(person.name)[:300]
    InvolvedPerson.objects.bulk_update(people, ["search_name"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0011_list_indexes_and_chase_dates")]

    operations = [
        migrations.AddField(
            model_name="involvedperson",
            name="search_name",
            field=models.CharField(default="", editable=False, max_length=300),
        ),
        migrations.RunPython(fold_names, migrations.RunPython.noop),
    ]
