"""Personas, so that every test reads like a sentence: ``client_for(mentor)``..."""

import pytest
from django.db import connection
from django.test import Client

from mentoring.models import ClassStaff, Role

from .accounts.second_step import needs_second_step, pass_second_step
from .factories import CaseFactory, PupilFactory, SchoolClassFactory, SchoolFactory, assign, staff

# The authorization matrix's count, printed at the end of the run (in every pytest process).
from .security.summary import (  # noqa: F401
    pytest_sessionfinish,
    pytest_terminal_summary,
    pytest_testnodedown,
)

# The hostile-input tests', the SQLite writers' and the crawler's counts, printed at the end
# of the run (with xdist, by the controller, from the workers' reports).
pytest_plugins = [
    "tests.security.hostile",
    "tests.mentoring.writers_summary",
    "tests.e2e.crawler_summary",
]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test databases, and on PostgreSQL, before they are dropped, an end to the sessions
    other threads of the run left open. PostgreSQL refuses to drop a database in use, and
    the run warned that one was "being accessed by other users": a request thread of the
    browser tests' live server, idle after the second sign-in step's query, can outlive its
    test while the browser keeps its socket alive."""
    yield
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture
def school(db):
    return SchoolFactory(name="Testwood Primary School")


@pytest.fixture
def other_school(db):
    return SchoolFactory(name="Elsewhere Academy")


@pytest.fixture
def coordinator(school):
    return staff(school, Role.COORDINATOR, username="coordinator", first_name="Cora")


@pytest.fixture
def mentor(school):
    return staff(school, Role.MENTOR, username="mentor", first_name="Mina", hours=6)


@pytest.fixture
def other_mentor(school):
    return staff(school, Role.MENTOR, username="mentor2", first_name="Milo", hours=3)


@pytest.fixture
def head(school):
    return staff(school, Role.HEAD, username="head", first_name="Hedda")


@pytest.fixture
def dsl(school):
    return staff(school, Role.DSL, username="dsl", first_name="Desmond")


@pytest.fixture
def sendco(school):
    return staff(school, Role.SENDCO, username="sendco", first_name="Senna")


@pytest.fixture
def office(school):
    return staff(school, Role.OFFICE, username="office", first_name="Olive")


@pytest.fixture
def school_class(school):
    return SchoolClassFactory(school=school, name="Oak", year_group=3)


@pytest.fixture
def other_class(school):
    return SchoolClassFactory(school=school, name="Ash", year_group=4)


@pytest.fixture
def class_teacher(school, school_class):
    user = staff(school, Role.CLASS_TEACHER, username="teacher", first_name="Tess")
    assign(user, school_class, ClassStaff.Kind.TEACHER)
    return user


@pytest.fixture
def other_teacher(school, other_class):
    user = staff(school, Role.CLASS_TEACHER, username="teacher2", first_name="Theo")
    assign(user, other_class, ClassStaff.Kind.TEACHER)
    return user


@pytest.fixture
def teaching_assistant(school, school_class):
    user = staff(school, Role.TEACHING_ASSISTANT, username="ta", first_name="Tam")
    assign(user, school_class, ClassStaff.Kind.ASSISTANT)
    return user


@pytest.fixture
def pupil(school, school_class):
    return PupilFactory(school=school, school_class=school_class, legal_first_name="Robin")


@pytest.fixture
def other_class_pupil(school, other_class):
    return PupilFactory(school=school, school_class=other_class, legal_first_name="Sky")


@pytest.fixture
def case(pupil, mentor):
    return CaseFactory(pupil=pupil, mentor=mentor)


@pytest.fixture
def other_case(other_class_pupil, other_mentor):
    return CaseFactory(pupil=other_class_pupil, mentor=other_mentor)


@pytest.fixture
def client_for(db):
    """A signed-in test client for a user, past two-step sign-in where their role needs it."""

    def make(user):
        client = Client()
        client.force_login(user)
        if needs_second_step(user):
            pass_second_step(client, user)
        return client

    return make


@pytest.fixture
def generated_dir(settings, tmp_path):
    """Review packs made by the test go to a folder of its own."""
    settings.GENERATED_DIR = tmp_path / "generated"
    return settings.GENERATED_DIR


@pytest.fixture(autouse=True)
def own_cache(settings):
    """Each test its own empty cache in memory: what one test's data cached (the dashboard's
    figures) must never be served to another, whose records may carry the same ids."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"}
    }
    from django.core.cache import cache

    cache.clear()
