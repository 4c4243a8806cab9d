"""Issue 21: existing pupils' folded names (accounts/names.py), for search and the roster's order.

The field and its index are added by 0008 (made while this field was already on the model).
"""

from django.db import migrations

from accounts.names import fold


def fold_names(apps, schema_editor):
    Pupil = apps.get_model("accounts", "Pupil")
    pupils = list(Pupil.objects.only("pk", "first_name", "last_name"))
    for pupil in pupils:
        pupil.search_name = fold(f"{pupil.last_name} {pupil.first_name}")[:300]
    Pupil.objects.bulk_update(pupils, ["search_name"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_list_indexes_and_chase_dates")]

    operations = [migrations.RunPython(fold_names, migrations.RunPython.noop)]
