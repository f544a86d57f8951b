from django.db import migrations

from thrive.screening.instruments import load_instrument, read_instrument


def load(apps, schema_editor):
    load_instrument(
        read_instrument(), ScreeningInstrument=apps.get_model("screening", "ScreeningInstrument")
    )


class Migration(migrations.Migration):
    dependencies = [("screening", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
