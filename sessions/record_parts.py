"""Extra parts of the session record form, added by later apps.

The sessions app imports none of the apps that build on it, so an app that wants to collect
something with each session record (progress on targets, say) registers a *record part*:

    class MyPart:
        name = "targets"                      # unique; also the form prefix
        template = "myapp/_record_part.html"  # rendered inside the record form, with ``part``
        order = 10                            # lower comes first (optional, default 50)

        def form(self, record, data, prefix):
            '''A bound (data is not None) or unbound form or formset for ``record``,
            or None when there is nothing to ask for this record.'''

        def save(self, record, form, user):
            '''Store the valid form's data; ``record`` is saved. Raise ValidationError to
            refuse: nothing of the record or any part is then kept.'''

    record_parts.register(MyPart())

The log and edit views ``build`` the parts, check them with ``all_valid`` together with the
record's own form, and ``save_with`` saves the record (``services.session_record_save``) and
every part in one transaction.
"""

from dataclasses import dataclass

from django.db import transaction

_PARTS: dict[str, object] = {}


def register(part):
    """Add (or replace, by name) a record part; returns it, so it can decorate an instance."""
    _PARTS[part.name] = part
    return part


def registered():
    return sorted(_PARTS.values(), key=lambda p: (getattr(p, "order", 50), p.name))


@dataclass(frozen=True)
class BoundPart:
    """One part's form for one record, ready for the template (``part.form``)."""

    part: object
    form: object

    @property
    def template(self):
        return self.part.template

    @property
    def name(self):
        return self.part.name


def build(record, data=None):
    """The parts that have something to ask for ``record``, each with its form."""
    bound = []
    for part in registered():
        form = part.form(record, data, prefix=part.name)
        if form is not None:
            bound.append(BoundPart(part, form))
    return bound


def all_valid(form, parts):
    """Validate the record's form and every part (all of them, so all errors show)."""
    results = [form.is_valid()] + [bound.form.is_valid() for bound in parts]
    return all(results)


def save_with(parts, *, record, user, save_record=None):
    """Save the record (``services.session_record_save`` unless told otherwise), then every
    part, all in one transaction: a refusal from any of them keeps nothing."""
    from .services import session_record_save

    save_record = save_record or session_record_save
    adding = record.pk is None
    try:
        with transaction.atomic():
            saved = save_record(record=record, user=user)
            for bound in parts:
                bound.part.save(saved, bound.form, user)
    except Exception:
        if adding:  # the rolled-back row is gone: the form shows an unsaved record again
            record.pk = None
            record._state.adding = True
        raise
    return saved
