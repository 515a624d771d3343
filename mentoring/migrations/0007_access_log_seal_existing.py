"""Seal access log entries written before the chain existed, oldest first.

From here on every entry is sealed as it is added (mentoring.access_log.append); this gives
the older ones their place in the chain so that verify_access_log can vouch for them too.
"""

from django.db import migrations


def seal(apps, schema_editor):
    from mentoring.access_log import START, digest_of

    AccessEvent = apps.get_model("mentoring", "AccessEvent")
    previous = START
    for event in AccessEvent.objects.order_by("pk").iterator(chunk_size=2000):
        if not event.digest:
            event.digest = digest_of(event, previous)
            AccessEvent.objects.filter(pk=event.pk).update(digest=event.digest)
        previous = event.digest


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0006_retention_and_access_chain"),
    ]

    operations = [
        migrations.RunPython(seal, migrations.RunPython.noop, elidable=True),
    ]
