"""The pupil's feeling is shown as a face drawn in SVG beside its label, never as an emoji:
school machines on closed networks often have no emoji font and show empty boxes."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from sessions import services
from sessions.models import SessionRecord
from sessions.templatetags.sessions_tags import MOUTHS

from ..clock import freeze_today

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 24)
DAY = dt.date(2026, 9, 8)
EMOJI = ["😢", "🙁", "😐", "🙂", "😄"]


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    freeze_today(monkeypatch, TODAY)


def faces(page):
    return re.findall(r"<svg[^>]*>.*?</svg>", page, flags=re.S)


def test_the_log_form_offers_five_drawn_faces_with_their_labels(client_for, allocated, mentor):
    url = reverse("session_log", args=[allocated.case.pk, DAY.isoformat()])
    page = client_for(mentor).get(url).content.decode()
    drawn = [svg for svg in faces(page) if 'class="feeling-face' in svg]
    assert [re.search(r'<path d="([^"]+)"', svg).group(1) for svg in drawn] == list(MOUTHS.values())
    for svg in drawn:
        assert 'aria-hidden="true"' in svg and 'focusable="false"' in svg
        assert 'stroke="currentColor"' in svg
    for label in ["Very sad", "Sad", "OK", "Happy", "Very happy"]:
        assert f'<span class="d-block small">{label}</span>' in page
    assert not any(emoji in page for emoji in EMOJI)


def test_the_record_shows_the_face_for_the_feeling_beside_its_label(client_for, allocated, mentor):
    record = services.session_record_save(
        record=SessionRecord(
            case=allocated.case,
            slot=allocated.slot,
            date=DAY,
            attendance="held",
            what_was_done="Feelings cards",
            pupil_feeling=SessionRecord.Feeling.VERY_HAPPY,
        ),
        user=mentor,
    )
    page = client_for(mentor).get(reverse("session_record", args=[record.pk])).content.decode()
    shown = page.split("How the pupil says they feel</h3>")[1].split("</p>")[0]
    (face,) = faces(shown)
    assert f'<path d="{MOUTHS[5]}"/>' in face
    assert re.search(r"</svg>\s*</span>Very happy$", shown)
    assert not any(emoji in page for emoji in EMOJI)
