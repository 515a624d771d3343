from django.db import migrations, models

# A staff pack made before packs kept the pupils they name could be downloaded with no entry
# in those pupils' access logs: withdraw its file (left for prune_generated_documents to
# remove as a stray once old), so that it is asked for again.
WITHDRAWN = "Made before downloads were noted in each named pupil's access log: ask again."


def withdraw_staff_packs(apps, schema_editor):
    GeneratedDocument = apps.get_model("reviews", "GeneratedDocument")
    GeneratedDocument.objects.filter(status="ready", audience="staff").exclude(
        file_name=""
    ).update(file_name="", error=WITHDRAWN)


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0008_programme_training_resources_policy"),
        ("reviews", "0003_programme_meetings"),
    ]

    operations = [
        migrations.AddField(
            model_name="generateddocument",
            name="pupils",
            field=models.ManyToManyField(blank=True, related_name="+", to="mentoring.pupil"),
        ),
        migrations.RunPython(withdraw_staff_packs, migrations.RunPython.noop),
    ]
