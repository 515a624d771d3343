"""A subject access export: everything held about one pupil, as a ZIP holding a PDF to read
and a JSON file with every field, for the head or DSL to review before anything is disclosed.

It gathers the pupil record, parents and carers, referrals with their discussions, cases,
consent letters and answers, slots and allocations, session records (restricted safeguarding
notes in full, marked as restricted), targets and progress, observations, questionnaires and
their answers, scores, meetings and their actions, termly reviews, closures, the access log
entries about the pupil, and (in the JSON) the earlier versions of each record kept in its
change history.

Each kind of record is described once (``KINDS``); the PDF and the JSON are both made from
the same rows, field by field from the model, so a field added later is exported too. The
rows are fetched in a fixed number of queries, however long the pupil's file.

Like ``permissions``, this module sees every app: a child's records run through all of them.
"""

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import date_format

from referrals.models import ConsentLetter, ConsentRecord, DiscussionNote, Referral
from reviews.models import (
    Administration,
    Answer,
    CaseClosure,
    InstrumentScore,
    MeetingAction,
    MeetingRecord,
    Observation,
    Target,
    TargetProgress,
    TermlyReview,
)
from sessions.models import Allocation, SessionRecord

from .models import AccessEvent, Case, Contact, Pupil, User
from .pdf import render_pdf

TEMPLATE = "pdf/subject_access.html"
RESTRICTED_NOTE = (
    "Restricted: a session note that raised a safeguarding concern, read only by the "
    "designated safeguarding lead and its author. Decide with the DSL whether any of it may "
    "be disclosed."
)
# Links back to what the export is about, and bookkeeping: not worth a line in the PDF.
NOT_SHOWN = {"id", "pupil", "school", "case", "referral", "record", "meeting", "administration"}


@dataclass(frozen=True)
class Kind:
    key: str
    title: str
    label: object  # obj -> the item's heading
    children: tuple = ()  # (key, title, obj -> rows, row -> heading)


@dataclass
class Item:
    title: str
    obj: object
    restricted: bool = False
    children: list = field(default_factory=list)  # [(key, title, [Item])]


def _case_of(obj):
    return f"C{obj.case_id:05d}"


def _on(day):
    return date_format(day, "j F Y") if day else "no date"


KINDS = [
    Kind("pupil", "The pupil", lambda p: p.full_name),
    Kind("contacts", "Parents and carers", str),
    Kind(
        "referrals",
        "Referrals",
        lambda r: f"Referral {r.reference}, made {_on(r.created_at.date())}",
        children=(
            (
                "discussions",
                "Discussions",
                lambda r: r.discussions.all(),
                lambda d: f"Discussion on {_on(d.discussed_on)}",
            ),
        ),
    ),
    Kind("cases", "Cases", lambda c: f"Case {c.reference}, opened {_on(c.opened_on)}"),
    Kind(
        "consent_letters",
        "Consent letters",
        lambda x: f"{_case_of(x)}: letter sent {_on(x.sent_on)}",
    ),
    Kind(
        "consent_records",
        "Parental consent",
        lambda x: f"{_case_of(x)}: consent {x.get_decision_display().lower()} {_on(x.decided_on)}",
    ),
    Kind(
        "allocations",
        "Slots and allocations",
        lambda x: f"{_case_of(x)}: {x.slot}, from {_on(x.starts_on)}",
    ),
    Kind(
        "session_records",
        "Session records",
        lambda x: f"{_case_of(x)}: session of {_on(x.date)}",
        children=(
            (
                "target_progress",
                "Progress on targets",
                lambda r: r.target_progress.all(),
                lambda p: f"Progress on “{p.target.what}”",
            ),
        ),
    ),
    Kind("targets", "Targets", lambda x: f"{_case_of(x)}: {x.what}"),
    Kind(
        "observations",
        "Observations",
        lambda x: f"{_case_of(x)}: {x.get_setting_display().lower()}, {_on(x.observed_on)}",
    ),
    Kind(
        "questionnaires",
        "Questionnaires",
        lambda x: f"{_case_of(x)}: {x.questionnaire.name}, {x.get_stage_display().lower()}",
        children=(
            (
                "answers",
                "Answers",
                lambda a: a.answers.all(),
                lambda answer: answer.item.text,
            ),
        ),
    ),
    Kind(
        "instrument_scores",
        "Scores",
        lambda x: f"{_case_of(x)}: {x.instrument}, {_on(x.scored_on)}",
    ),
    Kind(
        "meetings",
        "Meetings",
        lambda x: f"{_case_of(x)}: meeting with {x.get_kind_display().lower()}, {_on(x.met_on)}",
        children=(("actions", "Actions", lambda m: m.actions.all(), lambda a: a.action),),
    ),
    Kind("termly_reviews", "Termly reviews", lambda x: f"{_case_of(x)}: {x.term}"),
    Kind("closures", "Closures", lambda x: f"{_case_of(x)}: closed {_on(x.closed_on)}"),
    Kind(
        "access_events",
        "Access log: who has seen the pupil's file",
        lambda e: f"{e.sentence()}, {date_format(timezone.localtime(e.at), 'j F Y H:i')}",
    ),
]


def _rows(pupil):
    """Every record about the pupil, by kind, in a fixed number of queries."""
    of_cases = {"case__pupil": pupil}
    slots = ("slot__room",)  # a slot is named by its day, time and room
    return {
        "pupil": [
            Pupil.objects.select_related("school", "school_class").get(pk=pupil.pk),
        ],
        "contacts": Contact.objects.filter(pupil=pupil).order_by("priority", "pk"),
        "referrals": Referral.objects.filter(pupil=pupil)
        .prefetch_related(
            "criteria",
            "barriers",
            "panel",
            Prefetch("discussions", DiscussionNote.objects.order_by("discussed_on", "pk")),
        )
        .order_by("created_at", "pk"),
        "cases": Case.objects.filter(pupil=pupil)
        .select_related("previous_episode")
        .order_by("opened_on", "pk"),
        "consent_letters": ConsentLetter.objects.filter(**of_cases)
        .select_related("addressed_to")
        .order_by("sent_on", "pk"),
        "consent_records": ConsentRecord.objects.filter(**of_cases).order_by("decided_on", "pk"),
        "allocations": Allocation.objects.filter(**of_cases)
        .select_related(*slots)
        .order_by("starts_on", "pk"),
        "session_records": SessionRecord.objects.filter(**of_cases)
        .select_related(*slots)
        .prefetch_related(
            Prefetch(
                "target_progress",
                TargetProgress.objects.select_related("target").order_by("pk"),
            )
        )
        .order_by("date", "pk"),
        "targets": Target.objects.filter(**of_cases).order_by("by_when", "pk"),
        "observations": Observation.objects.filter(**of_cases).order_by("observed_on", "pk"),
        "questionnaires": Administration.objects.filter(**of_cases)
        .select_related("questionnaire")
        .prefetch_related(
            Prefetch(
                "answers", Answer.objects.select_related("item").order_by("item__position", "pk")
            )
        )
        .order_by("completed_on", "pk"),
        "instrument_scores": InstrumentScore.objects.filter(**of_cases).order_by("scored_on", "pk"),
        "meetings": MeetingRecord.objects.filter(**of_cases)
        .prefetch_related(Prefetch("actions", MeetingAction.objects.order_by("due_on", "pk")))
        .order_by("met_on", "pk"),
        "termly_reviews": TermlyReview.objects.filter(**of_cases)
        .select_related("term__academic_year")
        .order_by("term__starts_on", "pk"),
        "closures": CaseClosure.objects.filter(**of_cases).order_by("closed_on", "pk"),
        "access_events": AccessEvent.objects.filter(pupil=pupil)
        .select_related("user")
        .order_by("at", "pk"),
    }


def gather(pupil):
    """The export's sections: [(kind, [Item])], each item with its children."""
    rows = _rows(pupil)
    sections = []
    for kind in KINDS:
        items = []
        for obj in rows[kind.key]:
            restricted = isinstance(obj, SessionRecord) and obj.safeguarding_concern
            item = Item(kind.label(obj), obj, restricted=restricted)
            for key, title, children, label in kind.children:
                found = [
                    Item(label(child), child, restricted=restricted) for child in children(obj)
                ]
                item.children.append((key, title, found))
            items.append(item)
        sections.append((kind, items))
    return sections


# --- Field by field ------------------------------------------------------------------------


def _staff_ids(objs):
    """Ids of the staff that the rows name (who recorded, decided, attended...)."""
    ids = set()
    for obj in objs:
        for f in obj._meta.concrete_fields:
            if f.is_relation and f.related_model is User:
                ids.add(getattr(obj, f.attname))
        for f in obj._meta.many_to_many:
            if f.related_model is User:
                ids.update(u.pk for u in getattr(obj, f.name).all())
    ids.discard(None)
    return ids


def _walk(items):
    for item in items:
        yield item
        for _key, _title, children in item.children:
            yield from _walk(children)


def _related_label(obj, f, staff):
    """The related row in words, from what is already loaded; never a further query."""
    value = getattr(obj, f.attname)
    if value is None:
        return ""
    if f.related_model is User:
        return staff.get(value, f"#{value}")
    if f.is_cached(obj):
        related = f.get_cached_value(obj)
        return related.reference if isinstance(related, Case) else str(related)
    return f"#{value}"


def _shown(value):
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "j F Y H:i")
    if isinstance(value, date):
        return date_format(value, "j F Y")
    return str(value)


def facts(obj, staff):
    """(label, value in words) of every field of the row worth a line in the PDF."""
    lines = []
    for f in obj._meta.concrete_fields:
        if f.name in NOT_SHOWN:
            continue
        if f.is_relation:
            shown = _related_label(obj, f, staff)
        elif f.choices:
            shown = _shown(getattr(obj, f"get_{f.name}_display")())
        else:
            shown = _shown(f.value_from_object(obj))
        lines.append((f.verbose_name[:1].upper() + f.verbose_name[1:], shown))
    for f in obj._meta.many_to_many:
        related = getattr(obj, f.name).all()
        names = [staff.get(r.pk, str(r)) if f.related_model is User else str(r) for r in related]
        lines.append((f.verbose_name[:1].upper() + f.verbose_name[1:], ", ".join(names)))
    return lines


def _json_value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def record(obj, staff):
    """Every field of the row, as stored, with the words shown for choices and links."""
    data = {}
    for f in obj._meta.concrete_fields:
        data[f.attname] = _json_value(f.value_from_object(obj))
        if f.is_relation:
            data[f"{f.name}_shown"] = _related_label(obj, f, staff)
        elif f.choices:
            data[f"{f.name}_shown"] = _shown(getattr(obj, f"get_{f.name}_display")())
    for f in obj._meta.many_to_many:
        related = list(getattr(obj, f.name).all())
        data[f.name] = [r.pk for r in related]
        data[f"{f.name}_shown"] = [
            staff.get(r.pk, str(r)) if f.related_model is User else str(r) for r in related
        ]
    return data


def earlier_versions(sections):
    """{kind: [historical rows]}: what each record looked like before each change, from its
    change history. One query per kind of record."""
    found = {}
    for kind, items in sections:
        by_model = {}
        for item in _walk(items):
            if hasattr(type(item.obj), "history"):
                by_model.setdefault(type(item.obj), []).append(item.obj.pk)
        for model, ids in by_model.items():
            past = model.history.filter(id__in=ids).order_by("history_date", "history_id")
            found.setdefault(kind.key, []).extend(past)
    return found


def export_data(pupil, sections, history, staff, *, exported_by, exported_at):
    data = {
        "export": {
            "kind": "subject access export",
            "pupil_id": pupil.pk,
            "school": str(pupil.school),
            "exported_at": exported_at.isoformat(),
            "exported_by": str(exported_by) if exported_by else "",
            "restricted_items": RESTRICTED_NOTE,
            "note": "For the head teacher or DSL to review before anything is disclosed.",
        }
    }
    for kind, items in sections:
        data[kind.key] = [_item_json(item, staff) for item in items]
    data["earlier_versions"] = {
        key: [
            {"record": version.instance_type._meta.verbose_name, **record(version, staff)}
            for version in versions
        ]
        for key, versions in history.items()
    }
    return data


def _item_json(item, staff):
    data = record(item.obj, staff)
    if item.restricted:
        data = {"restricted": True, "restricted_reason": RESTRICTED_NOTE, **data}
    for key, _title, children in item.children:
        data[key] = [_item_json(child, staff) for child in children]
    return data


def _pdf_sections(sections, staff):
    """The sections with each item's lines, for the template."""
    return [
        {
            "key": kind.key,
            "title": kind.title,
            "items": [_pdf_item(item, staff) for item in items],
        }
        for kind, items in sections
    ]


def _pdf_item(item, staff):
    return {
        "title": item.title,
        "restricted": item.restricted,
        "facts": facts(item.obj, staff),
        "children": [
            (title, [_pdf_item(child, staff) for child in children])
            for _key, title, children in item.children
        ],
    }


# --- The export ------------------------------------------------------------------------------


def file_stem(pupil, day):
    # No name in the file name: it shows in download lists and folders.
    return f"subject-access-pupil-{pupil.pk}-{day:%Y-%m-%d}"


def subject_access_export(pupil, user, *, request=None):
    """The ZIP's bytes: the PDF to read and the JSON of every field."""
    exported_at = timezone.now()
    sections = gather(pupil)
    history = earlier_versions(sections)
    objs = [item.obj for _kind, items in sections for item in _walk(items)]
    ids = _staff_ids(objs) | _staff_ids(v for versions in history.values() for v in versions)
    staff = {u.pk: str(u) for u in User.objects.filter(pk__in=ids)} if ids else {}
    pupil = objs[0]  # the first section's one row: the pupil, with school and class loaded
    data = export_data(pupil, sections, history, staff, exported_by=user, exported_at=exported_at)
    records = next(items for kind, items in sections if kind.key == "session_records")
    restricted = sum(1 for item in records if item.restricted)
    pdf = render_pdf(
        TEMPLATE,
        {
            "pupil": pupil,
            "school": pupil.school,
            "sections": _pdf_sections(sections, staff),
            "restricted_count": restricted,
            "restricted_note": RESTRICTED_NOTE,
            "exported_at": timezone.localtime(exported_at),
        },
        request=request,
        title=f"Subject access export: {pupil.full_name}",
    )
    stem = file_stem(pupil, timezone.localdate(exported_at))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}.pdf", pdf)
        archive.writestr(
            f"{stem}.json", json.dumps(data, indent=2, ensure_ascii=False, default=str)
        )
    return buffer.getvalue()
