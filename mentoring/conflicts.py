"""No lost updates: a form that changes an existing record refuses to save over a change
someone else saved after the form was opened, and shows that change instead.

A protected form (``ConflictCheckMixin``) carries a hidden field, ``opened_version``: a signed
note of the newest history entry of the record and a short digest of each value the form
edits, as they were when the page was opened. On saving, ``check`` re-reads the record under
a lock (``select_for_update``: a row lock on PostgreSQL; on SQLite the IMMEDIATE transaction
already holds the write lock) and compares:

- a field nobody else changed, or that they changed to what this form says too, is no conflict;
- a field someone else changed to something other than what this form says is: nothing is
  saved, the form is shown again with the user's own values, beside a panel naming who
  changed the record and when, and their version of each field (``_partials/conflict.html``).
  The form now carries the new version, so saving it again succeeds.

Fields a form does not edit are refreshed from the locked row, so a change made to them
meanwhile is kept too. ``apply_service`` runs the check (in the same transaction as the
service) for every protected form; the set-up screens check in ``clean``, inside the admin's
own transaction. A request without the hidden field (not from our pages) is not checked.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal

from django import forms
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from simple_history.models import HistoricalRecords

FIELD = "opened_version"
_SALT = "mentoring.conflicts"


class VersionInput(forms.HiddenInput):
    """Hidden, so no label may point at it: the set-up screens print a label for every
    field of a field set, and a label's ``for`` must name a visible control."""

    def id_for_label(self, id_):
        return None


class VersionField(forms.CharField):
    """The hidden note of what the page showed: not a value of the record, so it never makes
    a form count as changed."""

    widget = VersionInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def has_changed(self, initial, data):
        return False


class EditConflict(ValidationError):
    """Someone else saved the record while this form was open; nothing was saved."""


@dataclass
class FieldChange:
    label: str
    theirs: str
    yours: str
    changed_by_them: bool

    @property
    def same(self):
        return self.theirs == self.yours


@dataclass
class Conflict:
    """What the panel shows: who changed the record, when, and their version of each field."""

    noun: str
    editors: list[tuple[str, datetime]] = field(default_factory=list)
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def summary(self):
        if not self.editors:
            return f"Someone changed {self.noun} while you were editing"
        if len(self.editors) == 1:
            who, when = self.editors[0]
            if who == "You":
                return (
                    f"You changed {self.noun} in another window {_at(when)} while you were "
                    "editing here"
                )
            return f"{who} changed {self.noun} {_at(when)} while you were editing"
        names = [who for who, _ in self.editors]
        people = ", ".join(names[:-1]) + " and " + names[-1]
        last = _at(self.editors[-1][1])
        return f"{people} changed {self.noun} while you were editing (last {last})"

    @property
    def message(self):
        return (
            f"{self.summary}. Nothing was saved: your version is still in the form. Compare it "
            "with theirs, change the form as the record should be, then save again."
        )

    def details(self):
        """One line of what differs, for a place with no room for the panel (admin rows)."""
        return "; ".join(
            f"{c.label}: theirs “{c.theirs}”, yours “{c.yours}”" for c in self.changes if not c.same
        )


def _at(moment):
    moment = timezone.localtime(moment)
    if moment.date() == timezone.localdate():
        return f"at {moment:%H:%M}"
    return f"on {date_format(moment, 'j M Y')} at {moment:%H:%M}"


class ConflictCheckMixin:
    """For a form that changes an existing record two people may change at once.

    The record is a ModelForm's ``instance``, or ``record=`` for a plain form. The fields
    checked are the form's fields named like a field of the record, plus ``conflict_fields``
    (``{form field: record field}``) for those named otherwise. A form whose values are not
    plain record fields overrides ``conflict_values`` / ``conflict_yours`` (and
    ``conflict_history``, where the record's own history does not say who changed them).
    """

    conflict_fields: dict[str, str] = {}
    conflict_noun = ""  # what the panel calls it; "this <its model's name>" unless said
    # Set-up screens run the check while validating, inside the admin's transaction.
    conflict_check_in_clean = False

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        record = record if record is not None else getattr(self, "instance", None)
        self.conflict_record = record if record is not None and record.pk is not None else None
        self.conflict = None
        if self.conflict_record is None:
            return
        if FIELD not in self.fields:
            self.fields[FIELD] = VersionField()
        # Worked out when the page is drawn, once the form's own __init__ has set its fields.
        self.fields[FIELD].initial = lambda: version_token(self, self.conflict_record)

    # --- What is compared (override for values that are not plain record fields) -------------

    def conflict_attrs(self):
        """{form field: record field} of the values this form edits."""
        model = type(self.conflict_record)
        attrs = {}
        for name in self.fields:
            if name == FIELD:
                continue
            target = self.conflict_fields.get(name, name)
            try:
                model_field = model._meta.get_field(target)
            except FieldDoesNotExist:
                continue
            if model_field.concrete or (model_field.many_to_many and not model_field.auto_created):
                attrs[name] = target
        return attrs

    def conflict_values(self, record):
        """{form field: value} as stored in ``record``."""
        return {name: _stored(record, attr) for name, attr in self.conflict_attrs().items()}

    def conflict_yours(self):
        """{form field: value} as this form would save them."""
        return {name: self.cleaned_data.get(name) for name in self.conflict_attrs()}

    def conflict_history(self, record):
        """The history entries that say who changed the record, and when."""
        return record.history.all()

    def conflict_lock(self, record):
        """The record re-read under a lock, or None if it is gone. Its row only: a default
        ordering may join other tables (a term, a session record), whose rows would be locked
        too."""
        rows = type(record)._default_manager.select_for_update(of=("self",))
        return rows.filter(pk=record.pk).first()

    def conflict_shown(self, name, value):
        """A value in words, for the panel."""
        return _shown(self.fields[name], value)

    def conflict_name(self):
        if self.conflict_noun:
            return self.conflict_noun
        return f"this {self.conflict_record._meta.verbose_name}"

    def conflict_label(self, name):
        return capfirst(self[name].label or name.replace("_", " "))

    def clean(self):
        cleaned = super().clean()
        # Not a value of the record: services take cleaned_data as it is.
        self.cleaned_data.pop(FIELD, None)
        if self.conflict_check_in_clean and not self.errors and _in_transaction():
            try:
                check(self)
            except EditConflict as exc:
                message = exc.messages[0]
                if self.conflict and self.conflict.details():
                    message = f"{message} ({self.conflict.details()})"
                raise ValidationError(message) from exc
        return cleaned


class ConflictCheckedModelForm(ConflictCheckMixin, forms.ModelForm):
    """A ModelForm checked while it validates: for the set-up screens (the admin), which
    validate and save inside one transaction. The hidden field is declared, so the admin's
    field sets (and its inline rows) render it."""

    conflict_check_in_clean = True
    opened_version = VersionField()


def _in_transaction():
    return transaction.get_connection().in_atomic_block


# --- Values, digests and the token -------------------------------------------------------------


def _stored(record, attr):
    model_field = record._meta.get_field(attr)
    if model_field.many_to_many:
        return list(getattr(record, attr).values_list("pk", flat=True))
    if model_field.is_relation:
        return getattr(record, model_field.attname)
    return getattr(record, attr)


def _plain(value):
    """One comparable form for a value from the database or from a form."""
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, (models.QuerySet, list, tuple, set)):
        return sorted(_plain(v) for v in value)
    if value is None:
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return value.astimezone(UTC).isoformat()  # one moment, whichever zone it came in
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _digest(value):
    text = json.dumps(_plain(value), sort_keys=True)
    return hashlib.blake2s(text.encode(), digest_size=8).hexdigest()


def _newest(form, record):
    entry = form.conflict_history(record).order_by("-history_id").only("history_id").first()
    return entry.history_id if entry else 0


def version_token(form, record):
    values = form.conflict_values(record)
    return signing.dumps(
        {"h": _newest(form, record), "v": {name: _digest(v) for name, v in values.items()}},
        salt=_SALT,
    )


def _opened(form):
    raw = form.data.get(form.add_prefix(FIELD)) if form.is_bound else None
    if not raw or not isinstance(raw, str):
        return None
    try:
        opened = signing.loads(raw, salt=_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(opened, dict) or not isinstance(opened.get("v"), dict):
        return None
    return opened


# --- The check ----------------------------------------------------------------------------------


def check(form):
    """Refuse (``EditConflict``) to save ``form`` over someone else's change; call inside the
    transaction that saves. Without a conflict, fields the form does not edit are refreshed
    from the locked row."""
    record = getattr(form, "conflict_record", None)
    opened = _opened(form) if record is not None else None
    if opened is None:
        return
    current = form.conflict_lock(record)
    if current is None:
        name = capfirst(form.conflict_name())
        raise ValidationError(f"{name} was deleted while you were editing: nothing was saved.")
    now = form.conflict_values(current)
    yours = form.conflict_yours()
    changed = {name for name, value in now.items() if opened["v"].get(name) != _digest(value)}
    differs = {name for name, value in now.items() if _plain(value) != _plain(yours.get(name))}
    if not changed & differs:
        _refresh_unedited(form, current)
        return
    form.conflict = Conflict(
        noun=form.conflict_name(),
        editors=_editors(form, current, opened.get("h"), changed),
        changes=[
            FieldChange(
                label=form.conflict_label(name),
                theirs=form.conflict_shown(name, now[name]),
                yours=form.conflict_shown(name, yours.get(name)),
                changed_by_them=name in changed,
            )
            for name in now
            if name in changed | differs
        ],
    )
    # The form shown again carries the version it now shows, so the next save goes through.
    form.data = form.data.copy()
    form.data[form.add_prefix(FIELD)] = version_token(form, current)
    raise EditConflict(form.conflict.message)


def _refresh_unedited(form, current):
    instance = getattr(form, "instance", None)
    if instance is None or type(instance) is not type(current):
        return
    edited = set(form.conflict_attrs().values())
    for model_field in current._meta.concrete_fields:
        if model_field.primary_key or model_field.name in edited:
            continue
        setattr(instance, model_field.attname, getattr(current, model_field.attname))


def _editors(form, current, opened_id, changed):
    """(who, when) of each person whose saves after ``opened_id`` changed a field the form
    edits (or of every save after it, when none can be told apart), oldest first."""
    if not isinstance(opened_id, int):
        return []
    history = form.conflict_history(current)
    entries = list(
        history.filter(history_id__gte=opened_id)
        .select_related("history_user")
        .order_by("history_id")
    )
    model = history.model
    tracked = {f.name for f in model._meta.fields}
    tracked |= {f.name for f in getattr(model, "_history_m2m_fields", [])}
    tracked &= set(form.conflict_attrs().values())
    later = [e for e in entries if e.history_id > opened_id]
    relevant = []
    previous = {}
    for entry in entries:
        before = previous.get(entry.id)
        previous[entry.id] = entry
        if entry.history_id <= opened_id:
            continue
        # A creation or deletion counts; a change counts if it touched what the form edits.
        if (
            before is None
            or entry.history_type != "~"
            or not tracked
            or entry.diff_against(before, included_fields=tracked).changes
        ):
            relevant.append(entry)
    me = _current_user()
    last_seen = {}
    for entry in relevant or later:
        user = entry.history_user
        who = "Someone" if user is None else str(user)
        if user is not None and me is not None and user.pk == me.pk:
            who = "You"
        last_seen.pop(who, None)
        last_seen[who] = entry.history_date
    return sorted(last_seen.items(), key=lambda item: item[1])


def _current_user():
    """The user of this request, as the history middleware keeps it for the history."""
    request = getattr(HistoricalRecords.context, "request", None)
    return getattr(request, "user", None)


# --- Values in words ----------------------------------------------------------------------------


def _shown(form_field, value):
    plain = _plain(value)
    if plain in ("", []):
        return "(blank)"
    if isinstance(form_field, forms.ModelMultipleChoiceField):
        model = form_field.queryset.model
        return ", ".join(str(o) for o in model._default_manager.filter(pk__in=plain))
    if isinstance(form_field, forms.ModelChoiceField):
        obj = form_field.queryset.model._default_manager.filter(pk=plain).first()
        return str(obj) if obj is not None else "(removed)"
    if isinstance(form_field, forms.BooleanField):
        return "Yes" if plain == "True" else "No"
    if isinstance(form_field, forms.ChoiceField):
        choices = {str(k): v for k, v in _flat(form_field.choices)}
        if isinstance(plain, list):
            return ", ".join(str(choices.get(v, v)) for v in plain)
        return str(choices.get(plain, plain))
    if isinstance(value, datetime) and timezone.is_aware(value):
        return date_format(timezone.localtime(value), "j M Y, H:i")
    if isinstance(form_field, forms.DateField) and isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(form_field, forms.TimeField) and isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(plain, list):
        return ", ".join(plain)
    return plain


def _flat(choices):
    for key, label in choices:
        if isinstance(label, (list, tuple)):
            yield from _flat(label)
        else:
            yield key, label
