"""No lost updates: two people open the same record's edit form; the first saves; the second
is shown the first's version beside their own instead of saving over it, and can then merge
and save.

Each kind of edit form is opened and posted as a browser would: the form is read from the
page (every field it sends, the hidden ``opened_version`` included) and only the text field
under test is typed into. The two people are two members of staff who may both edit the
record or, where only one may (a draft referral is its referrer's, the DSL's note the DSL's),
the same person in two browser sessions.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse

from mentoring.conflicts import FIELD
from mentoring.forms_util import apply_service
from mentoring.models import Contact, Pupil, Resource, Term, TrainingRecord, User
from referrals.models import Criterion, LetterTemplate, Referral
from reviews import termly
from reviews.forms_termly import TeacherViewForm
from reviews.models import (
    Administration,
    ProgrammeMeeting,
    Questionnaire,
    Target,
    TargetProgress,
    TermlyReview,
)
from sessions.models import SessionMove, SessionRecord, Slot

from ..factories import ContactFactory, PupilFactory, TermFactory, make_referral

pytestmark = pytest.mark.django_db

FIRST_TEXT = "Played the feelings board game; talked about the new baby at home"
SECOND_TEXT = "Drew a map of the playground and marked the safe places"


# --- Reading a form from a page, as a browser would send it ----------------------------------


class FormReader(HTMLParser):
    """Every <form method="post"> of a page: its action and what it would send."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method", "").lower() == "post":
            self._form = {"action": a.get("action") or "", "data": {}, "names": set()}
            self.forms.append(self._form)
        if self._form is None:
            return
        data = self._form["data"]
        name = a.get("name")
        if name:
            self._form["names"].add(name)
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "reset", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            data.setdefault(name, []).append(a.get("value", default))
        elif tag == "textarea" and name:
            self._textarea = name
            data[name] = [""]
        elif tag == "select" and name:
            self._select = {"name": name, "chosen": [], "first": None, "multiple": "multiple" in a}
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                self._select["chosen"].append(value)

    def handle_data(self, text):
        if self._textarea is not None:
            self._form["data"][self._textarea][0] += text

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None:
            value = self._form["data"][self._textarea][0]
            # A browser drops the one newline that follows <textarea>.
            self._form["data"][self._textarea][0] = value[1:] if value[:1] == "\n" else value
            self._textarea = None
        elif tag == "select" and self._select is not None:
            s = self._select
            chosen = s["chosen"] or ([] if s["multiple"] or s["first"] is None else [s["first"]])
            if chosen:
                self._form["data"][s["name"]] = chosen
            self._select = None


def form_with(page, field):
    """The post form of ``page`` that has ``field``: (action, data)."""
    reader = FormReader()
    reader.feed(page.content.decode())
    for form in reader.forms:
        if field in form["names"]:
            return form["action"], dict(form["data"])
    raise AssertionError(f"No form with {field!r} on the page")


def post_form(client, url, page, field, value, fill=None):
    """Type (or choose) ``value`` in ``field`` of the form read from ``page``, and send it."""
    action, data = form_with(page, field)
    data.update(fill or {})
    data[field] = [value]
    return client.post(action or url, data)


# --- The edit forms -------------------------------------------------------------------------


TEXTS = (FIRST_TEXT, SECOND_TEXT, SECOND_TEXT + " (merged with the first)")


@dataclass
class Edit:
    """One kind of edit form: where it is, who edits, which field, where it is kept."""

    url: Callable  # world -> url of the page with the form
    first: str  # the persona who saves first
    second: str  # the persona who then saves over it ("" in a second browser of the first)
    field: str  # the form field typed into (prefix included)
    stored: Callable  # world -> the value kept now, as the form sends it
    history: Callable  # world -> the history entries that each save adds
    name: str  # the first person's name as the page shows it
    setup: Callable = lambda world: None
    values: tuple = TEXTS  # what the first, the second, and the second's merged save send
    shown: str = FIRST_TEXT  # the first's value as the panel shows it
    fill: Callable = lambda world: {}  # other fields to fill in, as the person would
    panel: bool = True  # a row of a list shows the conflict in its own row, not in a panel


def _record(w):
    return w.records["own"]


def _draft(w):
    return w.draft


def _new_draft(w):
    """A draft of the class teacher's for a pupil with no other referral open."""
    pupil = PupilFactory(school=w.pupils["own"].school, school_class=w.pupils["own"].school_class)
    w.draft = make_referral(pupil, w.users["class_teacher"], status="draft")


def _review(w):
    return w.reviews["own"]


def _target(w):
    return w.targets["own"]


def _flag(w):
    return w.records["own_restricted"]


def _first_criterion(w):
    return Criterion.objects.filter(school=w.pupils["own"].school).order_by("position", "pk")[0]


def _progress(w):
    TargetProgress.objects.create(record=_record(w), target=_target(w), rating=2, note="Started")


EDITS = {
    "session record": Edit(
        url=lambda w: reverse("session_record", args=[_record(w).pk]),
        first="mentor",
        second="coordinator",
        field="what_was_done",
        stored=lambda w: SessionRecord.objects.get(pk=_record(w).pk).what_was_done,
        history=lambda w: SessionRecord.history.filter(id=_record(w).pk),
        name="Mina",
    ),
    "progress noted with a session": Edit(
        url=lambda w: reverse("session_record", args=[_record(w).pk]),
        first="mentor",
        second="coordinator",
        field="targets-note_{target}",
        stored=lambda w: TargetProgress.objects.get(record=_record(w)).note,
        history=lambda w: TargetProgress.history.filter(record_id=_record(w).pk),
        name="Mina",
        setup=_progress,
    ),
    "the DSL's action on a concern": Edit(
        url=lambda w: reverse("session_record", args=[_flag(w).pk]),
        first="dsl",
        second="",
        field="action",
        stored=lambda w: SessionRecord.objects.get(pk=_flag(w).pk).dsl_action,
        history=lambda w: SessionRecord.history.filter(id=_flag(w).pk),
        name="Desmond",
    ),
    "draft referral": Edit(
        url=lambda w: reverse("referral_edit", args=[_draft(w).pk]),
        first="class_teacher",
        second="",
        field="needs_and_strengths",
        stored=lambda w: Referral.objects.get(pk=_draft(w).pk).needs_and_strengths,
        history=lambda w: Referral.history.filter(id=_draft(w).pk),
        name="Tess",
        setup=_new_draft,
    ),
    "termly review, mentor's part": Edit(
        url=lambda w: reverse("termly_review_edit", args=[_review(w).pk]),
        first="mentor",
        second="coordinator",
        field="progress_summary",
        stored=lambda w: TermlyReview.objects.get(pk=_review(w).pk).progress_summary,
        history=lambda w: TermlyReview.history.filter(id=_review(w).pk),
        name="Mina",
    ),
    "termly review, class teacher's view": Edit(
        url=lambda w: reverse("termly_review_teacher", args=[_review(w).pk]),
        first="class_teacher",
        second="",
        field="teacher_view",
        stored=lambda w: TermlyReview.objects.get(pk=_review(w).pk).teacher_view,
        history=lambda w: TermlyReview.history.filter(id=_review(w).pk),
        name="Tess",
    ),
    "termly review, decision": Edit(
        url=lambda w: reverse("termly_review_decide", args=[_review(w).pk]),
        first="coordinator",
        second="",
        field="decision",
        stored=lambda w: TermlyReview.objects.get(pk=_review(w).pk).decision,
        history=lambda w: TermlyReview.history.filter(id=_review(w).pk),
        name="Cora",
        values=("continue", "extend", "continue"),
        shown="Continue",
        fill=lambda w: {"next_review_on": ["2027-02-10"]},
    ),
    "target status": Edit(
        url=lambda w: reverse("target_detail", args=[_target(w).pk]),
        first="mentor",
        second="coordinator",
        field="status",
        stored=lambda w: Target.objects.get(pk=_target(w).pk).status,
        history=lambda w: Target.history.filter(id=_target(w).pk),
        name="Mina",
        values=("achieved", "partly", "dropped"),
        shown="Achieved",
    ),
    "referral priority": Edit(
        url=lambda w: reverse("referral_detail", args=[w.referrals["own"].pk]),
        first="coordinator",
        second="head",
        field="priority",
        stored=lambda w: str(Referral.objects.get(pk=w.referrals["own"].pk).priority),
        history=lambda w: Referral.history.filter(id=w.referrals["own"].pk),
        name="Cora",
        values=("1", "3", "2"),
        shown="High",
        fill=lambda w: {
            "panel": [str(w.users["coordinator"].pk), str(w.users["head"].pk)],
            "prioritised_on": ["2026-11-20"],
        },
    ),
    "fixed slot": Edit(
        url=lambda w: reverse("slot_change", args=[w.slots["own"].pk]),
        first="coordinator",
        second="",
        field="duration",
        stored=lambda w: str(Slot.objects.get(pk=w.slots["own"].pk).duration),
        history=lambda w: Slot.history.filter(id=w.slots["own"].pk),
        name="Cora",
        values=("40", "45", "35"),
        shown="40",
        fill=lambda w: {"reason": ["Swimming lessons moved to Tuesday mornings"]},
    ),
    "moving a week's session": Edit(
        url=lambda w: reverse("session_move", args=[w.slots["own"].pk, w.move_day.isoformat()]),
        first="mentor",
        second="coordinator",
        field="reason",
        stored=lambda w: SessionMove.objects.get(original_date=w.move_day).reason,
        history=lambda w: SessionMove.history.filter(original_date=w.move_day),
        name="Mina",
        values=("Class trip to the museum", "Nativity rehearsal", "Nativity dress rehearsal"),
        shown="Class trip to the museum",
        fill=lambda w: {"moved_to": ["2026-12-02T10:30"]},
    ),
    "questionnaire": Edit(
        url=lambda w: reverse("questionnaire_edit", args=[w.questionnaire.pk]),
        first="coordinator",
        second="",
        field="scale",
        stored=lambda w: Questionnaire.objects.get(current=True, name="Settling in").scale,
        history=lambda w: Questionnaire.history.filter(name="Settling in"),
        name="Cora",
        values=("Never; Sometimes; Often; Always", "Not yet; Sometimes; Mostly", "No; Yes"),
        shown="Never; Sometimes; Often; Always",
    ),
    "school's referral criteria": Edit(
        url=lambda w: reverse("referral_lists", args=["criteria"]),
        first="coordinator",
        second="head",
        field="form-0-name",
        stored=lambda w: _first_criterion(w).name,
        history=lambda w: Criterion.history.filter(id=_first_criterion(w).pk),
        name="Cora",
        values=("Finding it hard to settle", "Settling in", "Settling in after a move"),
        shown="Finding it hard to settle",
        panel=False,
    ),
    "pupil (set-up)": Edit(
        url=lambda w: reverse("admin:mentoring_pupil_change", args=[w.pupils["own"].pk]),
        first="office",
        second="",
        field="preferred_name",
        stored=lambda w: Pupil.objects.get(pk=w.pupils["own"].pk).preferred_name,
        history=lambda w: Pupil.history.filter(id=w.pupils["own"].pk),
        name="Olive",
        values=("Robbie", "Rob", "Robin-Lee"),
        shown="Robbie",
        setup=lambda w: ContactFactory(pupil=w.pupils["own"]),
    ),
    "parent or carer (set-up)": Edit(
        url=lambda w: reverse("admin:mentoring_pupil_change", args=[w.pupils["own"].pk]),
        first="office",
        second="",
        field="contacts-0-phone",
        stored=lambda w: Contact.objects.get(pupil=w.pupils["own"]).phone,
        history=lambda w: Contact.history.filter(pupil_id=w.pupils["own"].pk),
        name="Olive",
        values=("01632 960111", "01632 960222", "01632 960333"),
        shown="01632 960111",
        setup=lambda w: ContactFactory(pupil=w.pupils["own"]),
        panel=False,
    ),
    "staff account (set-up)": Edit(
        url=lambda w: reverse("admin:mentoring_user_change", args=[w.users["mentor"].pk]),
        first="office",
        second="",
        field="email",
        stored=lambda w: User.objects.get(pk=w.users["mentor"].pk).email,
        history=lambda w: User.history.filter(id=w.users["mentor"].pk),
        name="Olive",
        values=("mina@example.org", "m.staffperson@example.org", "mina.s@example.org"),
        shown="mina@example.org",
    ),
    "questionnaire with answers, saved as a new version": Edit(
        url=lambda w: reverse("questionnaire_edit", args=[w.questionnaire.pk]),
        first="coordinator",
        second="",
        field="scale",
        stored=lambda w: Questionnaire.objects.get(current=True, name="Settling in").scale,
        history=lambda w: Questionnaire.history.filter(name="Settling in"),
        name="Cora",
        values=("Never; Sometimes; Often; Always", "Not yet; Sometimes; Mostly", "No; Yes"),
        shown="Never; Sometimes; Often; Always",
        setup=lambda w: Administration.objects.create(
            case=w.cases["own"],
            questionnaire=w.questionnaire,
            stage=Administration.Stage.ENTRY,
            completed_by="Robin",
            recorded_by=w.users["mentor"],
        ),
    ),
    "programme meeting": Edit(
        url=lambda w: reverse("programme_meeting_edit", args=[w.programme_meetings["own"].pk]),
        first="coordinator",
        second="",
        field="notes",
        stored=lambda w: ProgrammeMeeting.objects.get(pk=w.programme_meetings["own"].pk).notes,
        history=lambda w: ProgrammeMeeting.history.filter(id=w.programme_meetings["own"].pk),
        name="Cora",
    ),
    "mentor's training record": Edit(
        url=lambda w: reverse("training_edit", args=[w.training["own"].pk]),
        first="coordinator",
        second="office",
        field="notes",
        stored=lambda w: TrainingRecord.objects.get(pk=w.training["own"].pk).notes,
        history=lambda w: TrainingRecord.history.filter(id=w.training["own"].pk),
        name="Cora",
    ),
    "resource": Edit(
        url=lambda w: reverse("resource_edit", args=[w.resources["own"].pk]),
        first="coordinator",
        second="",
        field="description",
        stored=lambda w: Resource.objects.get(pk=w.resources["own"].pk).description,
        history=lambda w: Resource.history.filter(id=w.resources["own"].pk),
        name="Cora",
    ),
    "consent letter wording": Edit(
        url=lambda w: reverse("letter_wording_edit"),
        first="coordinator",
        second="head",
        field="body",
        stored=lambda w: LetterTemplate.objects.get(school=w.pupils["own"].school).body,
        history=lambda w: LetterTemplate.history.all(),
        name="Cora",
    ),
}


@pytest.fixture
def browsers(world, client_for):
    """Two browser sessions of each persona, signed in (two-step where their role needs it)."""
    return (
        {persona: client_for(user) for persona, user in world.users.items()},
        {persona: client_for(user) for persona, user in world.users.items()},
    )


def _field(edit, w):
    return edit.field.format(target=_target(w).pk)


@pytest.mark.parametrize("kind", list(EDITS))
def test_the_second_save_shows_the_first_and_keeps_its_own_text(kind, world, browsers):
    edit, w = EDITS[kind], world
    edit.setup(w)
    clients, second_browsers = browsers
    first = clients[edit.first]
    second = second_browsers[edit.first] if not edit.second else clients[edit.second]
    url, field = edit.url(w), _field(edit, w)
    entries_before = edit.history(w).count()

    first_value, second_value, merged_value = edit.values
    fill = edit.fill(w)

    opened_by_first, opened_by_second = first.get(url), second.get(url)
    saved = post_form(first, url, opened_by_first, field, first_value, fill)
    assert saved.status_code == 302, _errors(saved)
    assert edit.stored(w) == first_value

    refused = post_form(second, url, opened_by_second, field, second_value, fill)
    page = unescape(refused.content.decode())
    assert refused.status_code == 200
    assert "while you were editing" in page and "Nothing was saved" in page
    if edit.panel:
        panel = page[page.index('class="alert alert-warning conflict"') :]
        panel = panel[: panel.index("</section>")]
    else:  # the row's own message says whose version is saved, and what it says
        at = page.index("while you were editing")
        panel = page[page.rfind(">", 0, at) + 1 : page.find("<", at)]
    assert edit.shown in panel
    # Named, or, when it was the same person in another window, told so.
    assert (edit.name if edit.second else "You changed") in panel
    _, kept = form_with(refused, field)
    assert kept[field] == [second_value]
    assert edit.stored(w) == first_value

    merged = post_form(second, url, refused, field, merged_value)
    assert merged.status_code == 302, _errors(merged)
    assert edit.stored(w) == merged_value
    assert edit.history(w).count() >= entries_before + 2


def _errors(response):
    """The messages of a refused form, to say why a save that should succeed did not."""
    page = unescape(response.content.decode())
    found = []
    for marker in ('class="alert alert-danger', "invalid-feedback", "alert alert-warning"):
        start = 0
        while (start := page.find(marker, start)) != -1:
            found.append(page[start : start + 300])
            start += 1
    return "\n".join(found) or page[-2000:]


def test_a_change_to_what_the_form_does_not_edit_is_kept_without_a_conflict(world, browsers):
    """The class teacher adds their view while the mentor revises the mentor's part: both
    are kept, and the mentor is not asked to merge what they never saw."""
    clients, _ = browsers
    review = _review(world)
    edit_url = reverse("termly_review_edit", args=[review.pk])
    teacher_url = reverse("termly_review_teacher", args=[review.pk])
    opened = clients["mentor"].get(edit_url)
    by_teacher = clients["class_teacher"].get(teacher_url)
    added = post_form(clients["class_teacher"], teacher_url, by_teacher, "teacher_view", FIRST_TEXT)
    assert added.status_code == 302, _errors(added)
    saved = post_form(clients["mentor"], edit_url, opened, "progress_summary", SECOND_TEXT)
    assert saved.status_code == 302, _errors(saved)
    review.refresh_from_db()
    assert (review.teacher_view, review.progress_summary) == (FIRST_TEXT, SECOND_TEXT)


# --- Two saves at the same moment ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: two real connections at once (the SQLite run's in-memory "
    "database is shared between threads; tests/mentoring/test_sqlite_writers.py covers SQLite)",
)
def test_two_saves_at_the_same_moment_cannot_both_pass_the_check(case, class_teacher):
    """The check and the save are one transaction with the row locked: a second save that
    arrives while the first is between its check and its commit waits, then sees it."""
    review = TermlyReview.objects.create(
        case=case, term=TermFactory(academic_year__school=case.school), progress_summary="Good"
    )
    opened = TeacherViewForm(record=review)
    token = opened[FIELD].value()
    between_check_and_commit, go_on = threading.Event(), threading.Event()
    outcome = {}

    def save(name, text, pause):
        try:
            form = TeacherViewForm({"teacher_view": text, FIELD: token}, record=review)
            assert form.is_valid()

            def action():
                if pause:
                    between_check_and_commit.set()
                    go_on.wait(10)
                add_view = termly.teacher_view_save
                return add_view(review=review, user=class_teacher, teacher_view=text)

            outcome[name] = "saved" if apply_service(form, action) else form.conflict
        finally:
            connections.close_all()

    first = threading.Thread(target=save, args=("first", FIRST_TEXT, True))
    second = threading.Thread(target=save, args=("second", SECOND_TEXT, False))
    first.start()
    assert between_check_and_commit.wait(10)
    # The review's row only: not its term's, which the default ordering of reviews joins.
    with transaction.atomic():
        assert Term.objects.select_for_update(nowait=True).filter(pk=review.term_id).exists()
    second.start()
    second.join(timeout=1)
    assert second.is_alive(), "the second save must wait for the first's lock"
    go_on.set()
    first.join(timeout=30)
    second.join(timeout=30)

    assert outcome["first"] == "saved"
    assert outcome["second"] is not None and outcome["second"] != "saved"
    assert [c.theirs for c in outcome["second"].changes] == [FIRST_TEXT]
    review.refresh_from_db()
    assert review.teacher_view == FIRST_TEXT
