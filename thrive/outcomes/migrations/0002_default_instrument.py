from django.db import migrations

from thrive.outcomes.instruments import load_instrument, read_instrument


def load(apps, schema_editor):
    load_instrument(
        read_instrument(),
        Instrument=apps.get_model("outcomes", "Instrument"),
        Domain=apps.get_model("outcomes", "Domain"),
        Level=apps.get_model("outcomes", "Level"),
        is_default=True,
    )


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
