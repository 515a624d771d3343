"""The access log: who has seen a child's file, sealed in a chain that shows any tampering."""

import datetime as dt
from functools import partial
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mentoring import access_log
from mentoring.audit import record_access
from mentoring.models import AccessEvent, Role
from mentoring.models.access import AppendOnlyError
from sessions.models import SessionRecord

from ..factories import DEMO_PASSWORD, CaseFactory, PupilFactory, UserFactory, staff
from ..pages import mentions
from ..together import at_the_same_moment

pytestmark = pytest.mark.django_db
ADDRESS = "10.0.0.5"


def only_event(action):
    """The one entry of this kind (signing in with force_login adds sign-in entries)."""
    events = list(AccessEvent.objects.filter(action=action))
    assert len(events) == 1, events
    return events[0]


def when(event):
    return f"{timezone.localtime(event.at):%-d %b %Y %H:%M}"


@pytest.fixture
def record(case, mentor):
    return SessionRecord.objects.create(
        case=case, date=dt.date(2026, 9, 8), author=mentor, what_was_done="Feelings cards"
    )


def verify():
    out = StringIO()
    call_command("verify_access_log", stdout=out)
    return out.getvalue()


def verify_fails():
    with pytest.raises(CommandError) as caught:
        verify()
    assert caught.value.returncode != 0  # manage.py exits with this status
    return str(caught.value)


# --- What is recorded ------------------------------------------------------------------------


def test_opening_the_case_page_is_recorded(client_for, mentor, case):
    client_for(mentor).get(reverse("case_detail", args=[case.pk]), REMOTE_ADDR=ADDRESS)
    event = only_event(AccessEvent.Action.VIEW)
    assert (event.user, event.pupil, event.school, event.address) == (
        mentor,
        case.pupil,
        case.school,
        ADDRESS,
    )
    assert event.sentence() == f"Mina Staffperson viewed the case page ({case.reference})"


def test_opening_a_session_record_is_recorded(client_for, coordinator, record):
    page = client_for(coordinator).get(
        reverse("session_record", args=[record.pk]), REMOTE_ADDR=ADDRESS
    )
    assert "Feelings cards" in page.content.decode()
    event = only_event(AccessEvent.Action.VIEW)
    assert (event.user, event.pupil, event.address) == (coordinator, record.case.pupil, ADDRESS)
    assert event.what == "the session record of 8 Sep 2026"


def test_a_restricted_record_opened_without_its_note_says_so(client_for, head, record):
    record.safeguarding_concern = True
    record.save()
    client_for(head).get(reverse("session_record", args=[record.pk]), REMOTE_ADDR=ADDRESS)
    event = only_event(AccessEvent.Action.VIEW)
    assert event.what == "the session record of 8 Sep 2026 (restricted note, not shown)"


def test_printing_the_case_file_is_recorded(client_for, dsl, case):
    response = client_for(dsl).get(reverse("case_file_pdf", args=[case.pk]), REMOTE_ADDR=ADDRESS)
    assert response["Content-Type"] == "application/pdf"
    event = only_event(AccessEvent.Action.PRINT)
    assert (event.user, event.pupil, event.address) == (dsl, case.pupil, ADDRESS)
    assert event.what == f"Case file {case.reference}"


def test_printing_the_consent_letter_is_recorded(client_for, coordinator, case):
    from referrals import services

    letter = services.consent_letter_send(case=case, user=coordinator)
    url = reverse("consent_letter_pdf", args=[letter.pk])
    client_for(coordinator).get(url, REMOTE_ADDR=ADDRESS)
    event = only_event(AccessEvent.Action.PRINT)
    assert (event.user, event.pupil, event.address) == (coordinator, case.pupil, ADDRESS)
    assert event.what.startswith("the consent letter of ")


def test_signing_in_and_out_is_recorded(client, mentor):
    response = client.post(
        reverse("login"),
        {"username": "mentor", "password": DEMO_PASSWORD},
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 302
    event = only_event(AccessEvent.Action.LOGIN)
    assert (event.user, event.address, event.pupil) == (mentor, ADDRESS, None)
    assert event.sentence() == "Mina Staffperson signed in"

    client.post(reverse("logout"), REMOTE_ADDR="10.0.0.6")
    event = only_event(AccessEvent.Action.LOGOUT)
    assert (event.user, event.address) == (mentor, "10.0.0.6")
    assert AccessEvent.objects.count() == 2


def test_a_failed_sign_in_is_recorded_with_the_name_typed(client, mentor):
    response = client.post(
        reverse("login"), {"username": "mentor", "password": "wrong"}, REMOTE_ADDR=ADDRESS
    )
    assert "Please enter a correct username and password" in response.content.decode()
    event = only_event(AccessEvent.Action.LOGIN_FAILED)
    assert (event.user, event.username, event.address) == (None, "mentor", ADDRESS)
    assert event.sentence() == "“mentor” failed to sign in"
    assert AccessEvent.objects.count() == 1


def test_an_address_that_is_not_one_is_left_blank(case, mentor, rf):
    request = rf.get("/", REMOTE_ADDR="unknown")
    request.user = mentor
    event = record_access(request, AccessEvent.Action.VIEW, "the case page", pupil=case.pupil)
    assert event.address is None and event.school == case.school


# --- Append-only ------------------------------------------------------------------------------


def test_entries_cannot_be_changed_or_removed_through_the_models(case, mentor):
    event = record_access(None, AccessEvent.Action.VIEW, "the case page", pupil=case.pupil)
    event.what = "nothing"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.filter(pk=event.pk).update(what="nothing")
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.create(action=AccessEvent.Action.VIEW, what="unsealed")
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.bulk_create([AccessEvent(action="view", what="x", digest="0")])
    assert AccessEvent.objects.get().what == "the case page"


# --- The chain --------------------------------------------------------------------------------


def make_log(pupil, user, n):
    return [
        record_access(None, AccessEvent.Action.VIEW, f"the case page, visit {i}", pupil=pupil)
        if i % 2
        else record_access(None, AccessEvent.Action.PRINT, f"Case file {i}", user=user, pupil=pupil)
        for i in range(n)
    ]


def bypass_guards():
    """A plain queryset, as someone with database access might use."""
    return models.QuerySet(AccessEvent)


def test_an_intact_log_verifies(case, mentor):
    assert verify().startswith("0 entries, chain intact.")
    events = make_log(case.pupil, mentor, 6)
    output = verify()
    assert output.startswith("6 entries, chain intact.")
    assert f"Newest: #{events[-1].pk}" in output and events[-1].digest in output


def test_an_edited_entry_is_found(case, mentor):
    events = make_log(case.pupil, mentor, 6)
    bypass_guards().filter(pk=events[3].pk).update(what="nothing much")
    message = verify_fails()
    assert message.startswith(f"The access log is broken at entry #{events[3].pk} (")
    assert "nothing much): it was changed" in message
    assert "3 entries before it fit the chain." in message


def test_an_entry_edited_with_raw_sql_is_found(case, mentor, other_mentor):
    events = make_log(case.pupil, mentor, 4)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE mentoring_accessevent SET user_id = %s WHERE id = %s",
            [other_mentor.pk, events[0].pk],
        )
    assert f"broken at entry #{events[0].pk} " in verify_fails()


def test_a_removed_entry_is_found(case, mentor):
    events = make_log(case.pupil, mentor, 6)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM mentoring_accessevent WHERE id = %s", [events[2].pk])
    message = verify_fails()
    assert f"broken at entry #{events[3].pk} " in message
    assert f"No entry numbered #{events[2].pk} is left." in message


def test_digests_rebuilt_without_the_key_are_found(case, mentor):
    """Someone with the database but not the settings cannot forge a chain that fits."""
    events = make_log(case.pupil, mentor, 3)
    previous = access_log.START
    for event in AccessEvent.objects.order_by("pk"):
        event.what = "forged" if event.pk == events[1].pk else event.what
        digest = access_log.digest_of(event, previous, secret="a guessed key")
        bypass_guards().filter(pk=event.pk).update(what=event.what, digest=digest)
        previous = digest
    assert f"broken at entry #{events[0].pk} " in verify_fails()


def test_entries_sealed_before_a_key_rotation_still_verify(case, mentor, settings):
    make_log(case.pupil, mentor, 2)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "the new key, long enough to be a real one " * 2
    make_log(case.pupil, mentor, 2)
    assert verify().startswith("4 entries, chain intact.")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: writers on real connections at once; the SQLite run of the suite "
    "uses an in-memory database shared between threads",
)
def test_writers_at_the_same_moment_keep_one_chain(pupil, mentor, coordinator):
    def write(user):
        for i in range(15):
            record_access(None, AccessEvent.Action.VIEW, f"page {i}", user=user, pupil=pupil)

    # Any writer's error is raised here.
    at_the_same_moment(*(partial(write, u) for u in [mentor, coordinator] * 2), timeout=60)
    assert verify().startswith("60 entries, chain intact.")


# --- Who has seen this file: the page ---------------------------------------------------------


def access_log_url(pupil):
    return reverse("pupil_access_log", args=[pupil.pk])


@pytest.mark.parametrize("persona", ["coordinator", "dsl", "head"])
def test_the_leaders_see_who_has_seen_the_file(client_for, mentor, case, persona, request):
    client_for(mentor).get(reverse("case_detail", args=[case.pk]), REMOTE_ADDR=ADDRESS)
    viewed = only_event(AccessEvent.Action.VIEW)
    user = request.getfixturevalue(persona)
    page = client_for(user).get(access_log_url(case.pupil)).content.decode()
    assert f"Who has seen {case.pupil.full_name}'s file" in page
    line = f"Mina Staffperson viewed the case page ({case.reference}), "
    assert line in page and f">{when(viewed)}</time>, from {ADDRESS}" in page
    # Reading the log is not itself an entry in it.
    assert AccessEvent.objects.filter(action=AccessEvent.Action.VIEW).count() == 1


def test_the_newest_comes_first_and_other_pupils_are_not_listed(client_for, coordinator, case):
    other = CaseFactory(pupil=PupilFactory(school=case.school, legal_first_name="Sky"))
    record_access(None, AccessEvent.Action.VIEW, "the first look", pupil=case.pupil)
    record_access(None, AccessEvent.Action.VIEW, "Sky's case page", pupil=other.pupil)
    record_access(None, AccessEvent.Action.PRINT, "the second look", pupil=case.pupil)
    page = client_for(coordinator).get(access_log_url(case.pupil)).content.decode()
    assert page.index("printed the second look") < page.index("viewed the first look")
    assert not mentions(page, "Sky")
    unseen = PupilFactory(school=case.school)
    page = client_for(coordinator).get(access_log_url(unseen)).content.decode()
    assert "No one has opened this pupil's file yet." in page


@pytest.mark.parametrize("persona", ["mentor", "class_teacher", "office", "sendco"])
def test_the_page_is_not_found_for_other_roles(client_for, case, persona, request):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(access_log_url(case.pupil)).status_code == 404


def test_the_page_is_not_found_for_another_schools_leaders(client_for, case, other_school):
    for role in (Role.COORDINATOR, Role.DSL, Role.HEAD):
        user = staff(other_school, role, username=f"elsewhere-{role}")
        assert client_for(user).get(access_log_url(case.pupil)).status_code == 404


def test_the_pupil_and_case_pages_link_to_it_for_those_who_may_see_it(
    client_for, coordinator, mentor, office, case
):
    link = f'href="{access_log_url(case.pupil)}"'
    pupil_page = reverse("pupil_detail", args=[case.pupil.pk])
    case_page = reverse("case_detail", args=[case.pk])
    for url in (pupil_page, case_page):
        assert link in client_for(coordinator).get(url).content.decode()
    assert link not in client_for(mentor).get(case_page).content.decode()
    assert link not in client_for(office).get(pupil_page).content.decode()


def test_the_page_costs_the_same_for_5_and_50_entries(
    client_for, coordinator, case, django_assert_num_queries
):
    client = client_for(coordinator)
    url = access_log_url(case.pupil)
    # A different member of staff for each entry, made before counting so that the two
    # requests follow each other closely (a long gap refreshes the session: one more write).
    users = iter([UserFactory() for _ in range(50)])

    def add(n):
        for i in range(n):
            record_access(
                None, AccessEvent.Action.VIEW, f"p{i}", user=next(users), pupil=case.pupil
            )

    add(5)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(45)
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count('<li class="list-group-item">') == 50
