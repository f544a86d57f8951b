from django.db import migrations

from thrive.services.taxonomy import load_taxonomy, read_taxonomy


def load(apps, schema_editor):
    load_taxonomy(
        read_taxonomy(),
        ServiceCategory=apps.get_model("services", "ServiceCategory"),
        ServiceType=apps.get_model("services", "ServiceType"),
    )


class Migration(migrations.Migration):
    dependencies = [("services", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
