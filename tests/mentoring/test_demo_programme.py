"""The demo's programme: last year's and this year's programme meetings with their actions,
mentors' training with one renewal due soon and one overdue, a few resources (files made in
code, and links), and a mentoring policy whose review is due soon. Seeding again adds nothing."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from mentoring import demo, training
from mentoring.models import Resource, School, TrainingRecord, User
from mentoring.policy import policy_review_notice
from reviews.models import ProgrammeAction, ProgrammeMeeting

from ..clock import freeze_today

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def seeded(monkeypatch, settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    freeze_today(monkeypatch, TODAY)
    return demo.seed(today=TODAY)


def counts():
    models = [ProgrammeMeeting, ProgrammeAction, TrainingRecord, Resource]
    return {m.__name__: (m.objects.count(), m.history.count()) for m in models}


def test_the_programme_has_last_years_and_this_years_meetings(seeded, client_for):
    meetings = ProgrammeMeeting.objects.filter(school=seeded).order_by("met_on")
    assert [(m.kind, m.met_on) for m in meetings] == [
        ("termly", dt.date(2025, 12, 12)),
        ("annual", dt.date(2026, 7, 10)),
        ("end_of_block", dt.date(2026, 10, 16)),
    ]
    last_years = ProgrammeAction.objects.filter(meeting__met_on__lt=dt.date(2026, 9, 1))
    assert last_years.exists() and not last_years.filter(done_on__isnull=True).exists()
    mentor = User.objects.get(username="mentor")
    home = client_for(mentor).get(reverse("home")).content.decode()
    assert "My actions from programme meetings" in home and "Overdue" in home


def test_one_renewal_is_due_soon_and_one_is_overdue(seeded):
    records = TrainingRecord.objects.filter(school=seeded).select_related("mentor")
    due = training.renewals_due(records, TODAY)
    assert sorted((r.record.mentor.username, r.status) for r in due) == [
        ("mentor", "Due soon"),
        ("mentor2", "Overdue"),
    ]


def test_the_resources_files_are_real_documents(seeded, client_for):
    mentor = User.objects.get(username="mentor")
    client = client_for(mentor)
    files = Resource.objects.filter(school=seeded).exclude(file="")
    links = Resource.objects.filter(school=seeded, file="")
    assert files.count() == 2 and links.count() == 2
    for link in links:
        assert link.link.startswith("https://") and ".example.org/" in link.link
    pdf = files.get(content_type="application/pdf")
    answer = client.get(reverse("resource_download", args=[pdf.pk]))
    text = PdfReader(io.BytesIO(b"".join(answer.streaming_content))).pages[0].extract_text()
    assert "The calm corner" in text
    txt = files.get(content_type__startswith="text/plain")
    answer = client.get(reverse("resource_download", args=[txt.pk]))
    assert b"Feelings faces" in b"".join(answer.streaming_content)


def test_the_policy_review_is_due_soon(seeded):
    school = School.objects.get(pk=seeded.pk)
    due, overdue = policy_review_notice(school, TODAY)
    assert not overdue and TODAY < due <= TODAY + dt.timedelta(days=60)


def test_seeding_again_adds_nothing(seeded):
    before = counts()
    demo.seed(today=TODAY)
    assert counts() == before
