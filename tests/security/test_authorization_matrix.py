"""The authorization matrix: every URL pattern, every persona, every object, GET and POST.

tests/security/matrix.py is the table. The school is built once for the module, in a
transaction rolled back at its end (tests/security/conftest.py). Each entry's test tries each
persona on each object with each method: what is allowed must work (a page, a download of the
right kind, or for a POST a success redirect or the form shown again), the rest must be
refused with 404 (an object page) or 403. Each request runs in a savepoint rolled back
afterwards, so no case changes what the next one sees, whatever the order. Every response is
also read for the words its persona may never be shown (matrix.SEEN_BY); PDFs too, as the
module lays them out with a stand-in for WeasyPrint that keeps the printed HTML (how they
really look is tested beside each document).

A URL pattern without an entry fails the coverage test, by name. The total of cases checked
and failed is printed at the end of the run (tests/security/summary.py).
"""

import copy
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.urls import Resolver404, resolve, reverse

from mentoring import permissions

from ..pages import mentions
from ..urlwalk import walk
from .matrix import (
    ENTRIES,
    FORBIDDEN,
    NOT_ALLOWED,
    NOT_FOUND,
    OBJECTS,
    OK,
    PERSONAS,
    SEEN_BY,
    SETUP_NAMESPACE,
    SETUP_SITE,
)
from .summary import record

TABLE = ENTRIES + SETUP_SITE
STATUS = {403: FORBIDDEN, 404: NOT_FOUND, 405: NOT_ALLOWED}
TEXT_TYPES = ("text/html", "text/csv", "text/calendar", "text/plain")
# A page that sends a signed-in persona to one of these has not let them in.
SIGN_IN_GATES = {"login", "two_factor_setup", "two_factor_verify"}
# ...unless the page is part of signing in (or out) itself.
SIGN_IN_PAGES = SIGN_IN_GATES | {"logout", "two_factor", "backup_codes"}


# --- Coverage: every URL pattern has an entry ---------------------------------------------------


def check_coverage():
    """Fail, naming them, if any URL pattern of the current URLconf has no entry."""
    listed = {entry.name for entry in TABLE}
    missing = sorted(
        {p.key for p in walk() if p.key not in listed and p.namespace != SETUP_NAMESPACE}
    )
    assert not missing, (
        "URL patterns without an entry in the authorization matrix (tests/security/matrix.py); "
        "say who may use them: " + ", ".join(missing)
    )


def test_every_url_pattern_has_an_entry():
    check_coverage()


def test_an_added_url_pattern_without_an_entry_fails_by_name(settings):
    settings.ROOT_URLCONF = "tests.security.urls_with_an_extra_page"
    with pytest.raises(AssertionError) as failure:
        check_coverage()
    assert "unlisted_page" in str(failure.value)
    assert "case_detail" not in str(failure.value)


def test_every_entry_names_a_url_pattern_and_the_set_up_site_is_one_group():
    keys = {p.key for p in walk()}
    assert sorted(entry.name for entry in TABLE if entry.name not in keys) == []
    setup = [p for p in walk() if p.namespace == SETUP_NAMESPACE]
    assert len(setup) > len(SETUP_SITE)
    assert all(p.route.startswith("setup/") for p in setup)


def test_the_table_speaks_only_of_known_personas_and_objects():
    names = [entry.name for entry in TABLE]
    assert len(names) == len(set(names)), "an entry is listed twice"
    for entry in TABLE:
        assert set(entry.objects) <= {None, *OBJECTS}, entry.name
        for method in ("GET", "POST"):
            for who in (entry.rules(method) or {}).values():
                for item in who:
                    persona, _, obj = item.partition("@")
                    assert persona in PERSONAS, f"{entry.name}: {item}"
                    assert not obj or obj in entry.objects, f"{entry.name}: {item}"
    for key, personas in SEEN_BY.items():
        assert set(personas) <= set(PERSONAS), key


# --- The matrix ---------------------------------------------------------------------------------


def _body(response):
    if response.streaming:
        # Read to the end: the test client then closes the response (and its file) itself,
        # without the end-of-request signal that would close the database connection.
        return b"".join(response.streaming_content)
    return response.content


def _url_name(url):
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return None


def _outcome(entry, method, client, response, body):
    """What the response amounts to, in the table's words (or what went wrong)."""
    status = response.status_code
    if status in STATUS:
        return STATUS[status]
    if status in (301, 302, 303):
        to = response["Location"]
        gate = _url_name(to)
        if gate in SIGN_IN_GATES and entry.name not in SIGN_IN_PAGES:
            return f"sent to {gate} ({to})"
        if to.startswith(reverse("admin:login")):
            # The set-up site sends whoever it refuses to its sign-in, which refuses them.
            refused = client.get(to)
            return FORBIDDEN if refused.status_code == 403 else f"sent to {to}"
        admin_object = entry.name.startswith("admin:") and entry.objects != (None,)
        if admin_object and to == reverse("admin:index"):
            return NOT_FOUND  # the admin's "does not exist" goes back to its front page
        if method == "POST" or entry.redirects:
            return OK
        return f"redirected to {to}"
    if status != 200:
        return f"answered {status}"
    if entry.redirects:
        return "answered 200 instead of sending on"
    if entry.download:
        kind = response.get("Content-Type", "")
        if not kind.startswith(entry.download):
            return f"answered {kind}, not {entry.download}"
        if entry.download.endswith("pdf") and not body.startswith(b"%PDF"):
            return "answered a PDF that is not one"
    return OK


def _leaks(persona, response, body, texts):
    """The words in the response that the persona may never be shown. A PDF is read too: the
    matrix's stand-in for the layout keeps the printed HTML in it (see conftest.py)."""
    kind = response.get("Content-Type", "")
    if not kind.startswith(TEXT_TYPES + ("application/pdf",)):
        return []
    page = body.decode("utf-8", "replace")
    return [
        key
        for key, allowed in SEEN_BY.items()
        if persona not in allowed and mentions(page, texts[key])
    ]


def _attempt(entry, method, client, session, url, data):
    """One request as the persona whose session cookies are given, in a savepoint rolled back
    afterwards, so that nothing it changes (signing out included) reaches the next."""
    client.cookies = copy.deepcopy(session)
    try:
        with transaction.atomic():
            response = client.post(url, data) if method == "POST" else client.get(url)
            body = _body(response)
            got = _outcome(entry, method, client, response, body)
            transaction.set_rollback(True)
    except Exception as exc:  # noqa: BLE001 - an error is one failed case, named
        return f"raised {type(exc).__name__}: {exc}", None, b""
    return got, response, body


def check(entry, matrix):
    """Every persona on every object of the entry with each method: (cases, failures)."""
    world, failures, cases = matrix.world, [], 0
    for persona in PERSONAS:
        session = matrix.sessions[persona]
        for obj in entry.objects:
            url = reverse(entry.name, kwargs=entry.args(world, obj) if entry.args else None)
            data = entry.data(world, obj, persona) if entry.data else {}
            for method in ("GET", "POST"):
                cases += 1
                expected = entry.expected(method, persona, obj)
                got, response, body = _attempt(entry, method, matrix.client, session, url, data)
                where = f"{method} {url} as {persona}" + (f" on the {obj} object" if obj else "")
                shown = [] if response is None else _leaks(persona, response, body, world.texts)
                if got != expected:
                    failures.append(f"{where}: expected {expected}, got {got}")
                elif shown:
                    failures.append(f"{where}: shows what they may not see: {', '.join(shown)}")
    return cases, failures


@pytest.mark.django_db
@pytest.mark.parametrize("entry", TABLE, ids=[entry.name for entry in TABLE])
def test_authorization_matrix(entry, matrix, request):
    cases, failures = check(entry, matrix)
    record(request.config, entry.name, cases, len(failures))
    assert not failures, f"{entry.name} ({entry.note})\n" + "\n".join(failures)


# --- The matrix notices what it is for ----------------------------------------------------------


def _entry(name):
    return next(entry for entry in TABLE if entry.name == name)


@pytest.mark.django_db
def test_a_check_let_slip_is_caught_for_each_persona_it_lets_in(matrix, monkeypatch):
    monkeypatch.setattr(permissions, "can_close_case", lambda user, case: True)
    _, failures = check(_entry("case_close"), matrix)
    wrongly_in = {line.split(" as ")[1].split(":")[0] for line in failures}
    assert "head on the own object" in wrongly_in
    assert "mentor on the own object" in wrongly_in
    assert all("expected 403 forbidden, got works" in line for line in failures)


@pytest.mark.django_db
def test_a_restricted_note_shown_to_the_wrong_reader_is_caught(matrix, monkeypatch):
    monkeypatch.setattr(permissions, "can_read_session_notes", lambda user, record: True)
    _, failures = check(_entry("session_record"), matrix)
    assert any(
        "as coordinator on the own_restricted object: shows what they may not see: "
        "restricted note" in line
        for line in failures
    )
