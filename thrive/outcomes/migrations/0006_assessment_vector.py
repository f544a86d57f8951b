from django.db import migrations, models


def fill_vectors(apps, schema_editor):
    Assessment = apps.get_model("outcomes", "Assessment")
    for assessment in Assessment.objects.all():
        scores = assessment.scores.order_by("domain__order")
        assessment.vector = "".join("-" if s.level is None else str(s.level) for s in scores)
        assessment.save(update_fields=["vector"])


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0005_outcome_events_graduation_reviews")]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="vector",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(fill_vectors, migrations.RunPython.noop),
    ]
