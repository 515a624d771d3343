"""The audit trail in plain words: who changed what, and when, from django-simple-history."""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
# Not worth showing a member of staff: keys and bookkeeping.
HIDDEN_FIELDS = {"id", "password", "last_login"}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Entry:
    when: datetime
    who: str
    what: str
    action: str
    reason: str = ""
    changes: list[Change] = field(default_factory=list)


def _display(model, field_name, value, related_names):
    if value is None or value == "":
        return "(blank)"
    model_field = model._meta.get_field(field_name)
    if model_field.is_relation:
        return related_names.get((model_field.related_model, value), f"#{value}")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, time):
        return f"{value:%H:%M}"  # a slot's start, as the pages write it
    return str(value)


def _related_names(model, records):
    """str() of every object a foreign key in ``records`` points to, in one query per model."""
    wanted = {}
    for f in model._meta.concrete_fields:
        if f.is_relation:
            ids = {getattr(r, f.attname) for r in records} - {None}
            if ids:
                wanted.setdefault(f.related_model, set()).update(ids)
    names = {}
    for related, ids in wanted.items():
        for obj in related._default_manager.filter(pk__in=ids):
            names[(related, obj.pk)] = str(obj)
    return names


def save_as(obj, user, reason=None):
    """Save with the history saying who (and why), whatever called: a page, admin or a command."""
    obj._history_user = user
    if reason:
        obj._change_reason = reason
    obj.save()


def entries_for(history_qs, label):
    """Turn historical records of one model into entries, oldest first.

    ``label`` names the object in words, e.g. ``lambda record: "Contact: Ann Smith"``.
    """
    records = list(history_qs.select_related("history_user").order_by("history_date", "pk"))
    if not records:
        return []
    model = history_qs.model.instance_type
    names = _related_names(model, records)
    previous = {}
    entries = []
    for record in records:
        before = previous.get(record.id)
        entry = Entry(
            when=record.history_date,
            who=str(record.history_user) if record.history_user else "System",
            what=label(record),
            action=ACTIONS[record.history_type],
            reason=record.history_change_reason or "",
        )
        if before is not None and record.history_type == "~":
            delta = record.diff_against(before)
            for change in delta.changes:
                if change.field in HIDDEN_FIELDS:
                    continue
                entry.changes.append(
                    Change(
                        field=capfirst(model._meta.get_field(change.field).verbose_name),
                        old=_display(model, change.field, change.old, names),
                        new=_display(model, change.field, change.new, names),
                    )
                )
            if not entry.changes and not entry.reason:
                previous[record.id] = record
                continue  # a save that changed nothing says nothing
        entries.append(entry)
        previous[record.id] = record
    return entries


def timeline(*entry_lists):
    """Merge several models' entries into one list, newest first."""
    merged = [entry for entries in entry_lists for entry in entries]
    return sorted(merged, key=lambda e: e.when, reverse=True)


def record_access(
    request, action, what, *, school=None, pupil=None, user=None, username="", naming=()
):
    """Note that someone saw, printed or downloaded something about a child.

    ``request`` gives who (when ``user`` is not given) and from which address (as the
    sign-in lockout reads it, so trusted proxies are seen through); a management
    command passes None. The entry joins the access log's chain (``mentoring.access_log``).

    ``naming`` lists the pupils a document names without being their file (a staff review
    pack): each gets an entry of its own in their access log, "..., which names this
    pupil", added to the chain with the first under one lock (one insert each).
    Returns the first entry.
    """
    from . import access_log
    from .accounts.addresses import client_address

    if user is None and request is not None:
        signed_in = getattr(request, "user", None)
        user = signed_in if getattr(signed_in, "is_authenticated", False) else None
    common = {
        "action": action,
        "user": user,
        "username": username,
        "address": client_address(request) if request is not None else None,
    }
    entries = [
        {
            **common,
            "what": what,
            "school": school or (pupil.school if pupil is not None else None),
            "pupil": pupil,
        }
    ]
    for named in naming:
        entries.append(
            {
                **common,
                "what": f"{what}, which names this pupil",
                "school": school or named.school,
                "pupil": named,
            }
        )
    return access_log.append_all(entries)[0]
