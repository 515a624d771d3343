"""The case file: one PDF per case with every section of the policy's list, in order, with
bookmarks; restricted notes only for the DSL; who may print it; the print recorded; the
command; and a fixed number of queries however many sessions the case has."""

import datetime as dt
import io

import pypdf
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mentoring.audit import save_as
from mentoring.models import AccessEvent, ClosureDay, User
from referrals import services as referrals
from referrals.models import Referral
from reviews import closure, meetings, questionnaires, targets
from reviews.casefile import SECTIONS, case_file_context, render_case_file
from reviews.models import Questionnaire, TermlyReview
from sessions import services as sessions
from sessions.models import SessionRecord

from ..clock import freeze_today
from ..factories import ClosureDayFactory, ContactFactory, RoomFactory, TermFactory, make_referral

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)

SECRET = "Told me about a bruise on her arm from the weekend"
SECRET_STEPS = "Spoke to the DSL straight after the session"
SECRET_PROGRESS = "Too upset to talk about lunchtimes"
HEADINGS = [f"{s.number}. {s.title}" for s in SECTIONS]


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    return freeze_today(monkeypatch, TODAY)


def text_of(data):
    """The PDF's pages as text, whitespace collapsed (lines wrap anywhere)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def outline_titles(data):
    """The bookmarks as (level, title), in order."""
    found = []

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                found.append((level, item.title))

    walk(pypdf.PdfReader(io.BytesIO(data)).outline, 1)
    return found


def log(allocation, mentor, day, **fields):
    record = SessionRecord(case=allocation.case, slot=allocation.slot, date=day, **fields)
    return sessions.session_record_save(record=record, user=mentor, today=TODAY)


@pytest.fixture
def full_case(school, pupil, class_teacher, coordinator, mentor):
    """Robin's case with something in every section, closed with a case study."""
    term = TermFactory(academic_year__school=school)
    ClosureDayFactory(school=school, date=dt.date(2026, 11, 2), kind=ClosureDay.Kind.INSET)
    contact = ContactFactory(pupil=pupil, name="Pat Testparent", relationship="Mother")

    referral = make_referral(
        pupil,
        class_teacher,
        already_tried="A playground buddy and a calm box in class.",
        pupil_willing=Referral.Willing.YES,
    )
    referrals.discussion_add(
        referral=referral,
        user=coordinator,
        discussed_on=dt.date(2026, 8, 24),
        with_whom="Class teacher",
        note="Lunchtimes are the hardest part of the day.",
    )
    referrals.referral_prioritise(
        referral=referral,
        user=coordinator,
        priority=Referral.Priority.HIGH,
        panel=[coordinator],
        prioritised_on=dt.date(2026, 8, 25),
    )
    referral = referrals.referral_decide(
        referral=referral, user=coordinator, decision="accepted", support_type="mentoring"
    )
    case = referral.case
    # Accepted on the day the panel met, as the letter and the answer below are dated.
    case.opened_on = dt.date(2026, 8, 25)
    save_as(case, coordinator)
    referrals.consent_letter_send(
        case=case, user=coordinator, addressed_to=contact, sent_on=dt.date(2026, 8, 26)
    )
    referrals.consent_record(
        case=case,
        user=coordinator,
        decision="given",
        given_by="Pat Testparent",
        relationship="Mother",
        method="slip",
        decided_on=dt.date(2026, 9, 1),
        note="Would like a phone call after the first session.",
    )
    allocation = sessions.allocate(
        case=case,
        user=coordinator,
        mentor=mentor,
        room=RoomFactory(school=school, name="Learning Mentor Room"),
        weekday=1,
        starts_at=dt.time(10, 30),
        duration=30,
        block_starts_on=dt.date(2026, 9, 7),
        block_weeks=6,
    )
    case.refresh_from_db()

    questionnaires.questionnaires_ensure_defaults(school=school)
    for kind in (Questionnaire.Kind.STAFF_RATING, Questionnaire.Kind.PUPIL):
        q = Questionnaire.objects.get(school=school, kind=kind)
        for stage, value, day in (("entry", 1, dt.date(2026, 9, 4)), ("exit", 3, TODAY)):
            questionnaires.administration_record(
                case=case,
                questionnaire=q,
                user=mentor,
                stage=stage,
                completed_on=day,
                completed_by="Tess Staffperson",
                answers={item.pk: value for item in q.items.all()},
            )
    questionnaires.instrument_score_record(
        case=case,
        user=mentor,
        instrument="SDQ total difficulties",
        score=17,
        scored_on=dt.date(2026, 9, 4),
    )
    targets.observation_add(
        case=case,
        user=mentor,
        observed_on=dt.date(2026, 9, 3),
        setting="playground",
        notes="Stood by the fence for most of lunch, watching the football.",
    )
    target = targets.target_add(
        case=case,
        user=mentor,
        what="Robin joins a game at lunchtime",
        measure="Midday supervisor's weekly note",
        success="Robin plays with others on three days of five",
        by_when=dt.date(2026, 12, 11),
        outcome_area="friendships",
    )

    log(
        allocation,
        mentor,
        dt.date(2026, 9, 8),
        what_was_done="Played a feelings board game and made a plan for lunchtimes.",
        pupil_feeling=3,
        next_steps="Try the plan on Wednesday.",
        explained_role=True,
        explained_confidentiality=True,
    )
    second = log(
        allocation,
        mentor,
        dt.date(2026, 9, 15),
        what_was_done="Drew a map of the playground's safe places.",
        pupil_feeling=4,
        next_steps="Share the map with the class teacher.",
    )
    restricted = log(
        allocation,
        mentor,
        dt.date(2026, 9, 22),
        what_was_done=SECRET,
        pupil_feeling=1,
        next_steps=SECRET_STEPS,
        safeguarding_concern=True,
    )
    log(
        allocation,
        mentor,
        dt.date(2026, 9, 29),
        attendance=SessionRecord.Attendance.CANCELLED,
        cancel_reason="Year 3 trip to the castle",
    )
    targets.progress_save(
        record=second, user=mentor, entries={target: (3, "Joined football on two days")}
    )
    targets.progress_save(record=restricted, user=mentor, entries={target: (1, SECRET_PROGRESS)})

    meetings.meeting_record(
        case=case,
        user=mentor,
        met_on=dt.date(2026, 10, 1),
        kind="parents",
        attendees="Pat Testparent, Mina Staffperson",
        notes="Robin is sleeping badly since the move.",
        actions=[
            {
                "action": "Send the reading record home each night",
                "owner": class_teacher,
                "due_on": dt.date(2026, 10, 8),
            }
        ],
    )
    TermlyReview.objects.create(
        case=case,
        term=term,
        progress_summary="Good progress on the lunchtime target.",
        prepared_by=mentor,
        prepared_on=dt.date(2026, 11, 20),
    )
    closure.case_close(
        case=case,
        user=coordinator,
        reason="targets_met",
        closed_on=TODAY,
        background="Referred for friendship worries in Year 3.",
        what_was_done="Weekly sessions and playground buddies.",
        outcomes="Staff rating up from 1.0 to 3.0.",
        lessons="Involving the lunchtime staff early helped.",
        today=TODAY,
    )
    case.refresh_from_db()
    return case


# --- What the file holds --------------------------------------------------------------------------


def test_every_section_in_order_with_its_data_bookmarks_and_running_header(full_case, coordinator):
    data = render_case_file(full_case, coordinator)
    pages = text_of(data)
    assert data.startswith(b"%PDF")

    # The contents page lists the sections with their page numbers.
    assert "Contents" in pages[0]
    for heading in HEADINGS:
        assert heading in pages[0]

    # The sections, in the policy's order, each starting a page of its own.
    body = " ".join(pages[1:])
    starts = [body.index(heading) for heading in HEADINGS]
    assert starts == sorted(starts)
    section_pages = [next(i for i in range(1, len(pages)) if h in pages[i]) for h in HEADINGS]
    assert len(set(section_pages)) == len(HEADINGS)

    # Each section's key data, inside that section.
    key_data = [
        [
            "Finds playtimes hard; loves drawing.",
            "A playground buddy",
            "Lunchtimes are the hardest",
            "Priority: High",
        ],
        ["Letter of 26 August 2026", "Dear Pat Testparent", "we offer some children extra"],
        ["Consent given on 1 September 2026", "Signed slip", "phone call after the first"],
        [
            "Sessions held: 3 of 6",
            "Staff rating of the pupil",
            "SDQ total difficulties",
            "Stood by the fence",
            "Good progress on the lunchtime target.",
        ],
        ["Robin joins a game at lunchtime", "Midday supervisor's weekly note", "Joined football"],
        [
            "Tuesday 8 September 2026: held",
            "Played a feelings board game",
            "role of the mentor explained",
            "Tuesday 29 September 2026: cancelled",
            "Why it did not happen: Year 3 trip to the castle",
        ],
        ["meeting with parents/carers", "sleeping badly", "Send the reading record home"],
        [
            "Pupil evaluation",
            "All about me",
            "I like being me.",
            "Parent/carer evaluation",
            "Not given for this case.",
            "Staff rating (entry and exit)",
        ],
        ["Targets met", "Referred for friendship worries", "Involving the lunchtime staff"],
    ]
    for number, (start, expected) in enumerate(zip(starts, key_data, strict=True)):
        end = starts[number + 1] if number + 1 < len(starts) else len(body)
        section = body[start:end]
        for text in expected:
            assert text in section, f"{HEADINGS[number]}: {text!r} missing"

    # Every page: the school, "Confidential", the pupil and initials, page x of y, who printed.
    pupil = full_case.pupil
    for number, page in enumerate(pages, start=1):
        assert "Testwood Primary School" in page
        assert "CONFIDENTIAL" in page
        assert f"{pupil.full_name} ({pupil.initials})" in page
        assert f"Page {number} of {len(pages)}" in page
        assert "Printed by Cora Staffperson on " in page

    # Bookmarks: the contents and the nine sections at the top, items below them.
    outline = outline_titles(data)
    assert [title for level, title in outline if level == 1] == ["Contents", *HEADINGS]
    assert (2, "Tuesday 8 September 2026: held") in outline


def test_restricted_note_is_only_mentioned_unless_the_dsl_prints(full_case, coordinator, dsl):
    for_coordinator = " ".join(text_of(render_case_file(full_case, coordinator)))
    assert (
        "A restricted note exists for the session of 22 September 2026 "
        "(written by Mina Staffperson)" in for_coordinator
    )
    for secret in (SECRET, SECRET_STEPS, SECRET_PROGRESS):
        assert secret not in for_coordinator
    assert "Played a feelings board game" in for_coordinator  # other notes are printed

    for_dsl = " ".join(text_of(render_case_file(full_case, dsl)))
    for secret in (SECRET, SECRET_STEPS, SECRET_PROGRESS):
        assert secret in for_dsl
    assert "A restricted note exists" not in for_dsl
    assert "printed in full for the designated safeguarding lead" in for_dsl


def test_the_mentor_who_wrote_the_note_still_gets_only_the_mention(full_case, mentor):
    """The file follows the DSL rule alone: a printed file travels further than a screen."""
    context = case_file_context(full_case, mentor)
    restricted = [r for r in context["session_records"] if r.safeguarding_concern]
    assert [r.hidden for r in restricted] == [True]
    assert restricted[0].what_was_done == restricted[0].next_steps == ""
    assert all(e.note == "" for e in restricted[0].progress_entries)


def test_empty_sections_say_so(case, coordinator):
    text = " ".join(text_of(render_case_file(case, coordinator))[1:])
    for plainly in [
        "No referral form is recorded for this case.",
        "No letter to the parents or carers is recorded for this case.",
        "no consent has been given",
        "No weekly slot was allocated, so no sessions were expected.",
        "No action plan: no SMART target has been set for this case.",
        "No session has been recorded for this case.",
        "No meeting about this pupil is recorded.",
        "Not given for this case.",
        "The case is not closed yet",
    ]:
        assert plainly in text


# --- The page -------------------------------------------------------------------------------------


def test_the_case_page_links_to_the_file_and_printing_is_recorded(client_for, mentor, case):
    client = client_for(mentor)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    url = reverse("case_file_pdf", args=[case.pk])
    assert url == f"/cases/{case.pk}/case-file.pdf"
    assert f'href="{url}"' in page and "Print the case file (PDF)" in page

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert f"case-file-{case.reference}.pdf" in response["Content-Disposition"]
    assert "Printed by Mina Staffperson" in text_of(response.content)[0]
    event = AccessEvent.objects.get(action=AccessEvent.Action.PRINT)
    assert event.user == mentor and event.action == AccessEvent.Action.PRINT
    assert event.what == f"Case file {case.reference}"
    assert event.pupil == case.pupil and event.school == case.school


@pytest.mark.parametrize("persona", ["other_mentor", "office", "class_teacher"])
def test_who_may_not_see_the_case_cannot_print_it(client_for, case, persona, request):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(reverse("case_file_pdf", args=[case.pk]))
    assert response.status_code == 404
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.PRINT).exists()


# --- The command ----------------------------------------------------------------------------------


def test_the_command_writes_the_file_and_records_the_print(full_case, dsl, tmp_path):
    output = tmp_path / "file.pdf"
    call_command("print_case_file", full_case.reference, "--output", str(output), "--user", "dsl")
    text = " ".join(text_of(output.read_bytes()))
    assert SECRET in text and "Printed by Desmond Staffperson" in text
    event = AccessEvent.objects.get(action=AccessEvent.Action.PRINT)
    assert (event.user, event.action, event.what) == (
        dsl,
        AccessEvent.Action.PRINT,
        f"Case file {full_case.reference}",
    )
    assert output.stat().st_mode & 0o077 == 0  # readable by its owner only


def test_the_command_without_a_user_names_the_command_line(case, tmp_path):
    output = tmp_path / "file.pdf"
    call_command("print_case_file", str(case.pk), "--output", str(output))
    assert "Printed from the command line" in text_of(output.read_bytes())[0]
    assert AccessEvent.objects.get(action=AccessEvent.Action.PRINT).user is None


def test_the_command_refuses_a_user_who_may_not_see_the_case(case, other_mentor, tmp_path):
    with pytest.raises(CommandError, match="may not open case"):
        call_command(
            "print_case_file", str(case.pk), "-o", str(tmp_path / "f.pdf"), "--user", "mentor2"
        )
    with pytest.raises(CommandError, match="no case 999"):
        call_command("print_case_file", "999", "-o", str(tmp_path / "f.pdf"))
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.PRINT).exists()


# --- Queries --------------------------------------------------------------------------------------


def add_sessions(case, slot, mentor, target, count, first):
    for week in range(count):
        record = SessionRecord.objects.create(
            case=case,
            slot=slot,
            date=first + dt.timedelta(weeks=week),
            what_was_done=f"Session {week}",
            safeguarding_concern=week == 2,
            author=mentor,
        )
        record.target_progress.create(target=target, rating=2, note=f"Note {week}")


def queries_for(case):
    user = User.objects.get(username="coordinator")  # a fresh user: no cached roles
    with CaptureQueriesContext(connection) as queries:
        context = case_file_context(case, user)
    return len(queries), len(context["session_records"])


def test_the_context_costs_the_same_queries_for_5_and_25_sessions(full_case, mentor):
    slot = full_case.allocations.get().slot
    target = full_case.targets.get()
    add_sessions(full_case, slot, mentor, target, 1, dt.date(2025, 1, 7))
    small, records = queries_for(full_case)
    assert records == 5
    add_sessions(full_case, slot, mentor, target, 20, dt.date(2025, 2, 4))
    large, records = queries_for(full_case)
    assert records == 25
    assert small == large <= 40
