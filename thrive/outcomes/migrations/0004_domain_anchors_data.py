"""Fill the anchors of the domains loaded by 0002, before Domain had an `anchors` field.

Matched by instrument code and version and domain code; a domain the file does not name (none
for v1) keeps what it has. Reversing leaves the anchors: 0003 reversed drops the field."""

from django.db import migrations

from thrive.outcomes.instruments import read_instrument


def fill_anchors(apps, schema_editor):
    Domain = apps.get_model("outcomes", "Domain")
    data = read_instrument()
    for d in data["domains"]:
        Domain.objects.filter(
            instrument__code=data["code"],
            instrument__version=data["version"],
            code=d["code"],
        ).update(anchors=d["anchors"])


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0003_domain_anchors")]
    operations = [migrations.RunPython(fill_anchors, migrations.RunPython.noop)]
