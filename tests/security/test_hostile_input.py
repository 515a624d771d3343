"""Hostile and broken input to every form of the project.

Every form is found, not listed: the URLconf is walked, each page is opened (with real
objects: cases just opened, under way and closed, with slots, records, targets, meetings and
reviews; referrals new and draft; the set-up site) by each member of staff who may use it,
and every ``<form>`` on it is read from the HTML: its fields, their types and their choices.
Each form is then sent, as that member of staff, with values of every hostile kind: very long
text, astral and right-to-left Unicode, combining marks, control characters and NUL, markup
and script, numbers out of any range, impossible dates, choices never offered, fields left
out or sent twice. First a sweep of each kind through every field, then a few generated mixes
(hypothesis, derandomized) of plausible and hostile values. Searches and filters (``<form
method="get">``) are tried the same way.

Whatever is sent, the school sees no server error (status < 500, no exception); a refusal
says why (every error of the form is on the page, by its field; a value nobody can see, such
as a tampered hidden id, is refused all the same); nothing is half-saved (a refused form, or
a search, changes no row of any table, history included); and nothing is rendered unescaped
(the markup sent never comes back raw, on the answer or the page it leads to).

Each post runs in a savepoint that is rolled back, cookies included, so posts share nothing.
The run's counts are printed at the end (tests/security/hostile.py).
"""

import copy
import datetime as dt
import logging
import re
import traceback
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.contrib.messages import constants as message_levels
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.forms import BaseForm, BaseFormSet
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring import roster
from mentoring.models import Case, ClosureDay, Pupil, Resource, TrainingRecord
from referrals.models import ConsentLetter, ConsentRecord, Referral
from referrals.views.lists import LISTS
from reviews import meetings, programme_meetings, targets, termly
from reviews.models import (
    GeneratedDocument,
    MeetingAction,
    MeetingRecord,
    OutcomeArea,
    ProgrammeAction,
    ProgrammeMeeting,
    Questionnaire,
    Target,
    TermlyReview,
)
from reviews.questionnaires import questionnaires_ensure_defaults
from sessions import services as sessions
from sessions.models import CalendarFeed, SessionRecord, Slot

from ..factories import (
    DEMO_PASSWORD,
    CaseFactory,
    ClosureDayFactory,
    ContactFactory,
    PupilFactory,
    RoomFactory,
    TermFactory,
    make_referral,
)
from . import hostile
from .hostile import DATES, MARKUP, TEXTS

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)  # a Monday in the autumn term
OPENED = dt.date(2026, 9, 1)

# The members of staff whose pages are searched for forms: between them they may use every
# form of the project (the office the set-up site and the roster import).
PERSONAS = ["coordinator", "mentor", "dsl", "office", "class_teacher"]

# The forms known when this test was written, by the URL name they post to. Discovery must
# find at least these; a new form is found (and fuzzed) without being added here.
KNOWN_FORMS = {
    "roster_import",
    "referral_create",
    "referral_edit",
    "referral_lists",
    "letter_wording_edit",
    "referral_discuss",
    "referral_prioritise",
    "referral_decide",
    "referral_withdraw",
    "consent_letter_create",
    "consent_record_create",
    "session_log",
    "session_record",
    "safeguarding_acknowledge",
    "allocate",
    "slot_change",
    "session_move",
    "calendar_feeds",
    "calendar_feed_revoke",
    "questionnaire_create",
    "questionnaire_edit",
    "administration_create",
    "instrument_score_create",
    "target_add",
    "target_detail",
    "observation_add",
    "meeting_create",
    "meeting_action_done",
    "termly_review_create",
    "termly_review_edit",
    "termly_review_teacher",
    "termly_review_decide",
    "case_close",
    "case_reopen",
    "review_packs",
    "programme_meeting_create",
    "programme_meeting_edit",
    "programme_action_done",
    "training_create",
    "training_edit",
    "resource_create",
    "resource_edit",
    "resource_remove",
    # The set-up site: adding and changing each kind of record the office keeps.
    "admin:mentoring_academicyear_add",
    "admin:mentoring_academicyear_change",
    "admin:mentoring_closureday_add",
    "admin:mentoring_room_add",
    "admin:mentoring_room_change",
    "admin:mentoring_schoolclass_add",
    "admin:mentoring_schoolclass_change",
    "admin:mentoring_staffmember_add",
    "admin:mentoring_staffmember_change",
    "admin:mentoring_pupil_add",
    "admin:mentoring_pupil_change",
    "admin:mentoring_user_add",
    "admin:mentoring_user_change",
    "admin:mentoring_school_change",
    "admin:auth_user_password_change",
}

# Forms not posted to: signing out would end the test's session.
NOT_POSTED = {"logout", "admin:logout"}
# Pages without a form to fill in: the set-up site's lists (whose only form picks rows for
# "delete"), its delete confirmations ("Yes, I'm sure"), its lists of changes, its catch-all
# and per-app index.
NO_FORMS = (
    "_changelist",
    "_delete",
    "_history",
    "view_on_site",
    "app_list",
    "jsi18n",
    "autocomplete",
)

# The word before a URL parameter names the kind of object it takes.
SEGMENT_MODELS = {
    "cases": Case,
    "pupils": Pupil,
    "referrals": Referral,
    "consent-letters": ConsentLetter,
    "session-records": SessionRecord,
    "slots": Slot,
    "calendar-feeds": CalendarFeed,
    "questionnaires": Questionnaire,
    "targets": Target,
    "meeting-actions": MeetingAction,
    "termly-reviews": TermlyReview,
    "review-packs": GeneratedDocument,
    "programme-meetings": ProgrammeMeeting,
    "programme-actions": ProgrammeAction,
    "training-records": TrainingRecord,
    "resources": Resource,
}
# Objects tried per URL parameter: one of each, but each state of a case (just opened, waiting
# for consent, under way, closed) and of a referral (new, draft) the world holds, as their
# pages differ.
OBJECTS_TRIED = {Case: 4, Referral: 2}
# Sessions of the world's Tuesday slot: the last one, not yet logged, to log; the next one to
# move.
LOG_DAY, MOVE_DAY = "2026-11-17", "2026-11-24"

EXAMPLES_PER_FORM = 5


# --- The world: one school with something on every page ------------------------------------------


@dataclass
class World:
    """The members of staff of the world's school, and a signed-in browser for each persona."""

    users: dict
    clients: dict


@pytest.fixture
def world(
    monkeypatch,
    client_for,
    school,
    school_class,
    coordinator,
    mentor,
    head,
    dsl,
    sendco,
    office,
    class_teacher,
    teaching_assistant,
):
    """Bea's case, just opened with consent; Robin's open case (consent, a Tuesday slot, a
    flagged record, a target, a meeting with an action, a termly review); a closed case;
    referrals new and draft; the default questionnaires and a calendar link."""
    from referrals.services import school_lists_ensure

    real_localdate = timezone.localdate

    def localdate(value=None, tz=None):
        return real_localdate(value, tz) if value is not None else TODAY

    monkeypatch.setattr(timezone, "localdate", localdate)
    term = TermFactory(academic_year__school=school)
    ClosureDayFactory(school=school, date=dt.date(2026, 11, 2), kind=ClosureDay.Kind.INSET)
    room = RoomFactory(school=school, name="Learning Mentor Room")
    school_lists_ensure(school=school)
    questionnaires_ensure_defaults(school=school, user=coordinator)

    def consent_given(case):
        ConsentRecord.objects.create(
            case=case,
            decision=ConsentRecord.Decision.GIVEN,
            given_by="Pat Testparent",
            relationship="Mother",
            method=ConsentRecord.Method.SLIP,
            decided_on=case.opened_on,
            recorded_by=coordinator,
        )

    # The first case: consent given, nothing else yet, so its slot and review can be made.
    bea = PupilFactory(school=school, school_class=school_class, legal_first_name="Bea")
    ContactFactory(pupil=bea)
    fresh_case = CaseFactory(pupil=bea, mentor=mentor, opened_on=dt.date(2026, 11, 16))
    consent_given(fresh_case)
    # A case still waiting for consent: its page offers the consent letter's form.
    cy = PupilFactory(school=school, school_class=school_class, legal_first_name="Cy")
    ContactFactory(pupil=cy)
    CaseFactory(pupil=cy, opened_on=dt.date(2026, 11, 16))
    robin = PupilFactory(school=school, school_class=school_class, legal_first_name="Robin")
    ContactFactory(pupil=robin)
    case = CaseFactory(pupil=robin, mentor=mentor, opened_on=OPENED)
    consent_given(case)
    allocation = sessions.allocate(
        case=case,
        user=coordinator,
        mentor=mentor,
        room=room,
        weekday=1,
        starts_at=dt.time(10, 30),
        duration=30,
        block_starts_on=dt.date(2026, 9, 7),
        block_weeks=14,
    )
    sessions.session_record_save(
        record=SessionRecord(
            case=case,
            slot=allocation.slot,
            date=dt.date(2026, 11, 10),
            what_was_done="Drew the family at the kitchen table.",
            safeguarding_concern=True,
        ),
        user=mentor,
    )
    targets.target_add(
        case=case,
        user=mentor,
        what="Joins a playground game with a friend twice a week.",
        measure="Playground observation",
        success="Plays with others",
        by_when=dt.date(2026, 12, 11),
        outcome_area=OutcomeArea.FRIENDSHIPS,
    )
    meetings.meeting_record(
        case=case,
        user=mentor,
        met_on=dt.date(2026, 11, 16),
        kind=MeetingRecord.Kind.choices[0][0],
        attendees="Mrs A Parent (mother)",
        notes="Agreed a calm start to the day.",
        actions=[{"action": "Send the reward chart home", "owner": mentor, "due_on": TODAY}],
    )
    termly.review_save(
        review=TermlyReview(case=case, term=term, progress_summary="Joined one game."),
        user=mentor,
    )
    CalendarFeed.objects.create(mentor=mentor, created_by=mentor)
    # The programme: a meeting with an action, a training record, a resource kept as a link.
    programme_meetings.programme_meeting_record(
        school=school,
        user=coordinator,
        met_on=dt.date(2026, 11, 16),
        kind=ProgrammeMeeting.Kind.END_OF_BLOCK,
        attendees=[coordinator, mentor],
        notes="The block went well.",
        actions=[{"action": "Share the worksheets", "owner": mentor, "due_on": TODAY}],
    )
    TrainingRecord.objects.create(
        school=school,
        mentor=mentor,
        course="Safeguarding refresher",
        completed_on=dt.date(2026, 1, 5),
        renewal_due_on=dt.date(2027, 1, 5),
        recorded_by=coordinator,
    )
    Resource.objects.create(
        school=school,
        title="Feelings faces",
        kind=Resource.Kind.ACTIVITY,
        link="https://example.org/faces",
        added_by=mentor,
    )

    CaseFactory(
        pupil=PupilFactory(school=school, school_class=school_class, legal_first_name="Ash"),
        opened_on=dt.date(2025, 9, 1),
        status=Case.Status.CLOSED,
        closed_on=dt.date(2026, 3, 1),
    )
    make_referral(
        PupilFactory(school=school, school_class=school_class, legal_first_name="Cal"),
        class_teacher,
    )
    make_referral(
        PupilFactory(school=school, school_class=school_class, legal_first_name="Dee"),
        class_teacher,
        status="draft",
    )
    PupilFactory(school=school, school_class=school_class, legal_first_name="Eve")

    users = {
        "coordinator": coordinator,
        "mentor": mentor,
        "dsl": dsl,
        "head": head,
        "sendco": sendco,
        "office": office,
        "class_teacher": class_teacher,
        "teaching_assistant": teaching_assistant,
    }
    return World(users=users, clients={name: client_for(users[name]) for name in PERSONAS})


# --- Finding the forms ---------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # the input's type, or "select", "select-multiple", "textarea"
    options: list = field(default_factory=list)  # the values offered (select, radio, checkbox)
    initial: list = field(default_factory=list)  # the values the page filled in or ticked
    disabled: bool = False
    css: str = ""


@dataclass
class Form:
    page: str
    action: str
    url_name: str
    persona: str
    method: str  # "post", or "get" for a search or filter
    multipart: bool
    fields: dict = field(default_factory=dict)
    buttons: list = field(default_factory=list)  # (name, value) of the named submit buttons

    @property
    def key(self):
        """Forms of one kind: the same view and fields (row and item numbers aside)."""
        fields = tuple(sorted({re.sub(r"\d+", "N", n) for n in self.fields}))
        return (self.method, self.url_name, fields)


class FormReader(HTMLParser):
    """The post forms of a page, with their fields, as a browser would see them."""

    def __init__(self, page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms = []
        self._form = None
        self._select = None
        self._option = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            method = a.get("method", "get").lower()
            action = urljoin(self.page, a.get("action") or self.page)
            multipart = a.get("enctype", "") == "multipart/form-data"
            self._form = {"action": action, "method": method, "multipart": multipart}
            self._form.update(fields={}, buttons=[])
            return
        form = self._form
        if form is None:
            return
        name = a.get("name")
        disabled = "disabled" in a
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image", "button", "reset"):
                if kind == "submit":
                    form["buttons"].append((name, a.get("value", "")))
                return
            item = form["fields"].setdefault(
                name, Field(name, kind, disabled=disabled, css=a.get("class", ""))
            )
            if kind in ("radio", "checkbox"):
                value = a.get("value", "on")
                item.options.append(value)
                if "checked" in a:
                    item.initial.append(value)
            else:
                item.initial = [a.get("value", "")]
        elif tag == "button" and name and a.get("type", "submit").lower() == "submit":
            form["buttons"].append((name, a.get("value", "")))
        elif tag == "select" and name:
            kind = "select-multiple" if "multiple" in a else "select"
            self._select = form["fields"].setdefault(name, Field(name, kind, disabled=disabled))
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, ""]
        elif tag == "textarea" and name:
            self._textarea = form["fields"].setdefault(
                name, Field(name, "textarea", disabled=disabled)
            )
            self._textarea.initial = [""]

    def handle_data(self, data):
        if self._option is not None:
            self._option[2] += data
        elif self._textarea is not None:
            self._textarea.initial[0] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None:
            self._close_option()
        elif tag == "select":
            if self._option is not None:
                self._close_option()
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the newline that follows <textarea>.
            text = self._textarea.initial[0]
            self._textarea.initial[0] = text[1:] if text.startswith("\n") else text
            self._textarea = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None

    def _close_option(self):
        value, selected, text = self._option
        value = text.strip() if value is None else value
        self._select.options.append(value)
        if selected:
            self._select.initial.append(value)
        self._option = None


def walk(resolver, prefix="", namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}{entry.name}" if entry.name else None), prefix + str(entry.pattern)


PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>|\(\[\^/\]\+\)")


def objects_of(model):
    tried = OBJECTS_TRIED.get(model, 1)
    return list(model._base_manager.order_by("pk").values_list("pk", flat=True)[:tried])


def history_of(model, pk):
    history = getattr(model, "history", None)
    if history is None or pk is None:
        return []
    return list(history.filter(pk=pk).values_list("history_id", flat=True)[:1])


def concrete_paths(name, route, unresolved):
    """Each path the route takes with the world's objects; an unknown parameter is noted."""
    route = route.replace("^", "").replace("$", "")
    if "(?P<" in route or name is None or name.endswith(NO_FORMS):
        return []
    if re.search(r"\.\w+/?$", route):
        return []  # a document (PDF, CSV, calendar), not a page
    pieces = PARAMETER.split(route)
    # split() yields text, converter, name, text, ...: regroup into text and parameters.
    texts, params = [pieces[0]], []
    for i in range(1, len(pieces), 3):
        params.append((pieces[i], pieces[i + 1]))
        texts.append(pieces[i + 2])
    paths = [("", None)]
    for index, (_converter, param) in enumerate(params):
        before = [w for w in "".join(texts[: index + 1]).split("/") if w]
        word = before[-1] if before else ""
        expanded = []
        for path, model_pk in paths:
            values = _values(name, route, before, word, param, model_pk, unresolved)
            expanded.extend((path + texts[index] + str(v), pk) for v, pk in values)
        paths = expanded
    return ["/" + path + texts[-1] for path, _ in paths]


def _values(name, route, before, word, param, previous, unresolved):
    """[(value, (model, pk) for a later parameter)] for one parameter."""
    if param == "day":
        return [(LOG_DAY if route.rstrip("/").endswith("log") else MOVE_DAY, None)]
    if param == "kind":
        return [(kind, None) for kind in LISTS]
    if word == "history" and previous is not None:
        model, pk = previous
        return [(h, None) for h in history_of(model, pk)]
    model = None
    if route.startswith("setup/") and len(before) >= 3:
        try:
            model = apps.get_model(before[1], before[2])
        except (LookupError, ValueError):
            model = None
    elif param == "questionnaire":
        model = Questionnaire
    else:
        model = SEGMENT_MODELS.get(word)
    if model is None:
        unresolved.add(f"{name}: {route} ({param})")
        return []
    return [(pk, (model, pk)) for pk in objects_of(model)]


def discover(world):
    """Every post form on every page the personas can open, one of each kind."""
    found, unresolved, broken = {}, set(), []
    for name, route in walk(get_resolver()):
        for path in concrete_paths(name, route, unresolved):
            for persona in PERSONAS:
                try:
                    response = world.clients[persona].get(path)
                except Exception:  # noqa: BLE001 - a page that fails to open is reported
                    broken.append(f"GET {path} as {persona}:\n{traceback.format_exc()}")
                    continue
                if response.status_code >= 500:
                    broken.append(f"GET {path} as {persona}: {response.status_code}")
                if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                    continue
                reader = FormReader(path)
                reader.feed(response.content.decode())
                for raw in reader.forms:
                    target = urlsplit(raw["action"])
                    try:
                        match = resolve(target.path)
                    except Resolver404:
                        continue
                    url_name = match.view_name
                    if url_name in NOT_POSTED:
                        continue
                    action = target.path + (f"?{target.query}" if target.query else "")
                    form = Form(path, action, url_name, persona, raw["method"], raw["multipart"])
                    form.fields, form.buttons = raw["fields"], raw["buttons"]
                    found.setdefault(form.key, form)
    return list(found.values()), unresolved, broken


# --- Values: a plausible submission, and hostile variations of it --------------------------------

# Digits that str.isdigit() accepts and int() refuses.
DIGITS = "¹²³⁴⁵⁶"
NUMBERS = [
    "-1",
    "0",
    "32768",
    "2147483648",
    "9223372036854775808",
    "-9223372036854775809",
    "1" * 400,
    "1e309",
    "NaN",
    "-Infinity",
    "3.5",
    "0x1F",
    "١٢",
    DIGITS,
    " 7 ",
]
TIMES = ["25:00", "23:59:60", "-1:00", "00:00", "23:59", "7", "10:30:00.9999999"]
DATETIMES = [
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "2026-02-31T10:00",
    "2026-03-29T01:30",  # does not exist in London (the clocks go forward)
    "2026-10-25T01:30",  # happens twice in London
    "99999-01-01T10:00",
]
CHOICES = [
    "999999999",
    "-1",
    "2147483648",
    "99999999999999999999",
    "abc",
    "²",
    "None",
    "1 OR 1=1",
]
FILES = [
    b"",
    b"\x00\x01\x02\xff\xfe binary junk",
    b"\xff\xfeu\x00p\x00n\x00",
    "upn,legal_first_name\nA1,Zoë\n".encode("latin-1"),
]
# Values that make some forms valid, by field name: a plausible submission reaches the
# services, where a value the form let through can still break something.
PLAUSIBLE = {
    "scale": "Never; Sometimes; Always",
    "email": "someone@example.org",
    "username": "new.staff",
    "old_password": DEMO_PASSWORD,
    "password1": "a long pass phrase 2026",
    "password2": "a long pass phrase 2026",
    "new_password1": "a long pass phrase 2026",
    "new_password2": "a long pass phrase 2026",
    "upn": "T873265400012",
    "reason": "A class trip that morning",
    "completed_by": "The pupil",
    "ends_on": "31/07/2027",
    "next_review_on": "15/01/2027",
    "moved_to": "2026-11-26T11:00",  # the Thursday of the moved session's week
}
MISSING = object()


def plausible(item):
    """What a member of staff might send in the field: what the page offers, else a value of
    its kind. Dates are a day before the test's today (a page may offer the real today)."""
    name = item.name.rsplit("-", 1)[-1]
    if item.disabled:
        return MISSING
    if item.kind == "file":
        roster_file = roster.template_csv().encode()
        return SimpleUploadedFile("roster.csv", roster_file) if name == "file" else MISSING
    if item.kind in ("radio", "select"):
        chosen = [v for v in item.initial if v] or [v for v in item.options if v]
        return chosen[0] if chosen else ""
    if item.kind == "checkbox":
        if len(item.options) > 1 and not item.initial:
            return item.options[:1]  # a list of choices, of which one usually must be ticked
        return item.initial or MISSING
    if item.kind == "select-multiple":
        return item.initial
    value = item.initial[0] if item.initial else ""
    if item.kind == "hidden":
        return value
    if name in PLAUSIBLE:
        return PLAUSIBLE[name]
    if _dated(item) and item.kind != "datetime-local":
        return "20/11/2026"
    if value:
        return value
    if item.kind == "time" or "vTimeField" in item.css:
        return "10:30"
    if item.kind == "number":
        return "1"
    return "Plain words about the pupil" if item.kind == "textarea" else "Plain words"


def hostile_values(item):
    """A strategy for one hostile value of the field, chosen by its kind."""
    if item.kind == "file":
        return st.sampled_from(FILES).map(lambda b: SimpleUploadedFile("roster.csv", b))
    by_kind = list(TEXTS)
    if item.kind == "number" or item.name.endswith(("TOTAL_FORMS", "INITIAL_FORMS", "-id")):
        by_kind += NUMBERS
    if item.kind == "date" or "vDateField" in item.css or item.name.endswith(("_on", "_0")):
        by_kind += DATES
    if item.kind == "time" or "vTimeField" in item.css or item.name.endswith(("_at", "_1")):
        by_kind += TIMES
    if item.kind == "datetime-local":
        by_kind += DATETIMES
    if item.kind in ("select", "select-multiple", "radio", "checkbox", "hidden"):
        by_kind += CHOICES + NUMBERS
    generated = st.text(
        st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=40
    )
    return st.one_of(st.sampled_from(by_kind), generated)


def baseline(form):
    return {name: plausible(item) for name, item in form.fields.items()}


@st.composite
def submissions(draw, form):
    """The plausible submission with some fields changed, left out or sent twice."""
    data = baseline(form)
    for name, item in form.fields.items():
        if name == "csrfmiddlewaretoken":
            continue  # a browser always sends it
        how = draw(st.sampled_from(["keep", "keep", "hostile", "hostile", "missing", "twice"]))
        if how == "hostile":
            data[name] = draw(hostile_values(item))
        elif how == "missing":
            data[name] = MISSING
        elif how == "twice" and data[name] is not MISSING and item.kind != "file":
            one = data[name] if isinstance(data[name], list) else [data[name]]
            data[name] = one + [draw(hostile_values(item))]
    if form.buttons:
        button = draw(st.sampled_from([None, *form.buttons]))
        if button is not None:
            data[button[0]] = button[1]
    return data


def sweeps(form):
    """Whole-form variations tried on every form: each kind of hostile value in every field."""
    fields = [n for n in form.fields if n != "csrfmiddlewaretoken"]
    button = dict(form.buttons[-1:])
    base = {**baseline(form), **button}

    def every(*values, typed=None):
        """Each field gets the next of ``values``; ``typed`` picks by the field's type."""
        data = dict(base)
        for index, name in enumerate(fields):
            item = form.fields[name]
            value = typed(item) if typed else values[index % len(values)]
            if value is not None and item.kind != "file":
                data[name] = value
        return data

    def out_of_range(numbers, dates, times, datetimes, choices, text=None):
        def pick(item):
            if _numeric(item):
                return numbers
            if item.kind == "datetime-local":
                return datetimes
            if _dated(item):
                return dates
            if item.kind == "time" or "vTimeField" in item.css:
                return times
            if item.options:
                return choices
            return text if item.kind in ("text", "textarea") else None

        return pick

    yield "as the page offers it", dict(base)
    yield "every field left out", {**base, **{n: MISSING for n in fields}}
    yield (
        "every field sent twice",
        {
            **base,
            **{n: [_one(base[n]), MARKUP[1]] for n in fields if form.fields[n].kind != "file"},
        },
    )
    yield "markup and script", every(*MARKUP)
    yield "NUL characters", every("\x00", "a\x00b")
    yield "very long text", every("x" * 20_000, "long " * 2000)
    yield "astral, right-to-left, combining and control characters", every(*TEXTS[4:12])
    yield (
        "beyond every range",
        every(
            typed=out_of_range(
                "9223372036854775808", "31/02/2026", "25:00", DATETIMES[2], CHOICES[2]
            )
        ),
    )
    yield (
        "the lowest values",
        every(typed=out_of_range("-1", "0001-01-01", "00:00", DATETIMES[1], CHOICES[1])),
    )
    yield (
        "the highest values",
        every(typed=out_of_range("32768", "9999-12-31", "23:59", DATETIMES[0], CHOICES[5], DIGITS)),
    )
    texts = [n for n in fields if form.fields[n].kind != "file"]
    if texts and form.method == "post":
        yield "more than a request may carry", {**base, texts[0]: "y" * 3_000_000}


def _one(value):
    if value is MISSING:
        return ""
    return value[0] if isinstance(value, list) and value else value


def _numeric(item):
    return item.kind == "number" or item.name.endswith(("TOTAL_FORMS", "-id"))


def _dated(item):
    return (
        item.kind in ("date", "datetime-local")
        or "vDateField" in item.css
        or item.name.endswith("_on")
    )


def encode(data):
    """The POST body as the test client takes it: lists for repeated fields, none for left out."""
    out = {}
    for name, value in data.items():
        if value is MISSING:
            continue
        if isinstance(value, list):
            value = [v for v in value if v is not MISSING]
            if not value:
                continue
        for upload in value if isinstance(value, list) else [value]:
            if hasattr(upload, "seek"):
                upload.seek(0)  # the same file may be posted again
        out[name] = value
    return out


def markup_sent(data):
    sent = []
    for value in data.values():
        values = value if isinstance(value, list) else [value]
        for v in values:
            if isinstance(v, str):
                sent.extend(m for m in MARKUP if m in v)
    return sent


# --- Posting, and what must hold ------------------------------------------------------------------


class Problem(AssertionError):
    pass


def forms_in(context):
    """The forms and formsets a page was rendered with (admin wrappers and record parts too)."""
    found = []
    if context is None:
        return found
    for layer in context:
        for value in layer.flatten().values():
            for item in value if isinstance(value, (list, tuple)) else [value]:
                wrapped = (getattr(item, "form", None), getattr(item, "formset", None))
                for candidate in (item, *wrapped):
                    if isinstance(candidate, (BaseForm, BaseFormSet)) and candidate not in found:
                        found.append(candidate)
    return found


def error_messages(forms):
    """The errors the forms hold, and whether a hidden field has one too: a value nobody can
    see or change (a tampered id or version) has no field to be shown by. Such a post is
    refused all the same, and checked for anything half-saved."""
    messages, hidden = [], False
    for form in forms:
        if not form.is_bound:
            continue
        members = [form]
        if isinstance(form, BaseFormSet):
            messages.extend(form.non_form_errors())
            members = form.forms
        for member in members:
            for name, errors in member.errors.items():
                if name in member.fields and member[name].is_hidden:
                    hidden = True
                    continue
                messages.extend(errors)
    return [str(m) for m in messages], hidden


def error_alerts(response):
    """The error messages the view queued (shown at the top of the next page)."""
    storage = getattr(response.wsgi_request, "_messages", None)
    queued = getattr(storage, "_queued_messages", [])
    return [str(m) for m in queued if m.level >= message_levels.ERROR]


def is_html(response):
    return "html" in response.get("Content-Type", "")


def post(form, data, client, tally, before):
    """Post once, in a savepoint that is rolled back; raise Problem if anything must not be.

    ``before`` is the database as every post finds it: each is rolled back, so one snapshot,
    taken before the first, serves them all. The session is rolled back with the rest, so the
    browser's cookies are put back too (a changed password gives the session a new key)."""
    tally.posts += 1
    tally.forms.add(form.url_name)
    cookies = copy.deepcopy(client.cookies)
    send = client.post if form.method == "post" else client.get
    try:
        with transaction.atomic():
            try:
                response = send(form.action, encode(data))
            except Exception as exc:
                tally.server_errors += 1
                transaction.set_rollback(True)
                raise Problem(f"server error: {exc!r}\n{traceback.format_exc()}") from exc
            try:
                check(form, response, client, markup_sent(data), tally, before)
            finally:
                transaction.set_rollback(True)
    finally:
        client.cookies = cookies


def check(form, response, client, raw, tally, before):
    status = response.status_code
    if status >= 500:
        tally.server_errors += 1
        raise Problem(f"server error: {status}")
    pages = [response]
    # Stored markup shows on the page the form leads to: follow it when markup was sent.
    while raw and 300 <= pages[-1].status_code < 400 and len(pages) < 4:
        location = urlsplit(pages[-1]["Location"])
        following = client.get(location.path + (f"?{location.query}" if location.query else ""))
        if following.status_code >= 500:
            tally.server_errors += 1
            raise Problem(f"server error on the page after: {following.status_code}")
        pages.append(following)
    for page in pages:
        shown = [m for m in raw if is_html(page) and m in page.content.decode(errors="replace")]
        if shown:
            tally.unescaped += 1
            raise Problem(f"rendered unescaped on {page.request['PATH_INFO']}: {shown}")
    errors, tampered = error_messages(forms_in(response.context)) if status == 200 else ([], 0)
    refused = status >= 400 or errors or tampered or error_alerts(response)
    if refused or form.method == "get":  # a search or a filter changes nothing
        changed = hostile.changed_models(before, hostile.snapshot())
        if changed:
            tally.half_saved += 1
            raise Problem(f"refused ({status}) but changed: {', '.join(changed)}")
    if status == 200 and is_html(response):
        body = response.content.decode(errors="replace")
        missing = [m for m in errors if escape(m) not in body and m not in unescape(body)]
        if missing:
            tally.unclear += 1
            raise Problem(f"refused, but the page does not say why: {missing}")
        quiet = not (errors or tampered) and "alert" not in body
        if quiet and form.method == "post" and reshown(form, body):
            tally.unclear += 1
            raise Problem("the form came back with no message at all")


def reshown(form, body):
    """Is the same form on the page again (a refusal, when it says nothing)?"""
    reader = FormReader(form.page)
    reader.feed(body)
    return any(
        urlsplit(raw["action"]).path == urlsplit(form.action).path
        and set(raw["fields"]) == set(form.fields)
        for raw in reader.forms
    )


def fuzz(form, client, tally, before):
    """The sweeps, then generated submissions; raise Problem with the input that broke it."""
    tried = set()
    for label, data in sweeps(form):
        if _shown(data) in tried:
            continue  # a form with few fields gives the same post more than once
        tried.add(_shown(data))
        try:
            post(form, data, client, tally, before)
        except Problem as problem:
            raise Problem(f"{label}: {problem}\n  sent: {_shown(data)}") from None

    @settings(hostile.PROFILE, max_examples=EXAMPLES_PER_FORM, report_multiple_bugs=False)
    @given(st.data())
    def generated(draw):
        data = draw.draw(submissions(form), label="posted")
        post(form, data, client, tally, before)

    generated()


def _shown(data):
    def short(v):
        if isinstance(v, SimpleUploadedFile):
            return f"<file {v.size} bytes>"
        if isinstance(v, list):
            return [short(x) for x in v]
        if isinstance(v, str) and len(v) > 60:
            return f"{v[:40]!r}... ({len(v)} characters)"
        return "(left out)" if v is MISSING else v

    return repr({k: short(v) for k, v in data.items() if k != "csrfmiddlewaretoken"})


# --- The test ------------------------------------------------------------------------------------


@pytest.fixture
def quiet_refusals():
    """Refusals (400, 403, 404, 405) are expected by the hundred here; logging each one's
    traceback would only slow the run. Server errors still fail the test: the test client
    raises them."""
    loggers = [logging.getLogger(name) for name in ("django.request", "django.security")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


def test_every_form_survives_hostile_input(world, request, quiet_refusals):
    hostile.register(request.config)
    forms, unresolved, broken = discover(world)
    assert not unresolved, f"URL parameters the discovery cannot fill: {sorted(unresolved)}"
    assert not broken, "Pages that fail to open:\n" + "\n".join(broken)
    names = {form.url_name for form in forms}
    assert names >= KNOWN_FORMS, f"Forms not found: {sorted(KNOWN_FORMS - names)}"
    assert len(forms) >= len(KNOWN_FORMS)

    tally = hostile.Tally("input")
    failures = []
    before = hostile.snapshot()
    for form in sorted(forms, key=lambda f: f.url_name):
        try:
            fuzz(form, world.clients[form.persona], tally, before)
        except Exception as problem:  # noqa: BLE001 - every form is tried; all are reported
            failures.append(f"{form.url_name} ({form.action} as {form.persona}): {problem}")
    hostile.record(request, tally)
    assert not failures, f"{len(failures)} forms broke:\n\n" + "\n\n".join(failures)
    assert tally.server_errors == tally.unescaped == tally.half_saved == tally.unclear == 0


@pytest.mark.parametrize(
    "url_name", ["letter_wording_edit", "questionnaire_list", "questionnaire_create"]
)
def test_a_school_chosen_in_the_address_is_one_of_theirs_or_refused(
    client_for, coordinator, school, url_name, quiet_refusals
):
    """These form pages take the school from the address (?school=): anything but one of the
    user's schools is refused, never a server error."""
    client = client_for(coordinator)
    assert client.get(reverse(url_name), {"school": school.pk}).status_code == 200
    for value in ["abc", DIGITS, "99999999999999999999", "-1", "\x00", MARKUP[0]]:
        response = client.get(reverse(url_name), {"school": value})
        assert response.status_code == 403, (value, response.status_code)
