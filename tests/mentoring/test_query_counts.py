"""List pages cost the same number of queries whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ..factories import CaseFactory, ContactFactory, PupilFactory, SchoolClassFactory

pytestmark = pytest.mark.django_db


def queries_for(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def add_pupils(school, mentor, n):
    for i in range(n):
        klass = SchoolClassFactory(school=school, year_group=i % 7)
        pupil = PupilFactory(school=school, school_class=klass)
        ContactFactory(pupil=pupil)
        CaseFactory(pupil=pupil, mentor=mentor)


@pytest.mark.parametrize(
    "url_name",
    ["home", "pupil_list", "case_list", "staff_list", "admin:mentoring_pupil_changelist"],
)
def test_office_and_coordinator_pages_do_not_grow_with_rows(
    client_for,
    school,
    office,
    coordinator,
    mentor,
    other_mentor,
    url_name,
    django_assert_max_num_queries,
):
    user = office if url_name in {"pupil_list", "admin:mentoring_pupil_changelist"} else coordinator
    if url_name == "case_list":
        user = coordinator
    client = client_for(user)
    url = reverse(url_name)
    add_pupils(school, mentor, 3)
    few = queries_for(client, url)
    add_pupils(school, mentor, 40)
    many = queries_for(client, url)
    assert few == many, f"{url_name}: {few} queries for 3 rows, {many} for 43"
    with django_assert_max_num_queries(25):
        client.get(url)


def test_mentor_home_does_not_grow_with_caseload(client_for, school, mentor):
    client = client_for(mentor)
    add_pupils(school, mentor, 3)
    few = queries_for(client, reverse("home"))
    add_pupils(school, mentor, 30)
    assert queries_for(client, reverse("home")) == few
