"""What the dashboard's, the exports' and the annual report's tests share."""

import pytest
from django.utils import timezone

from .dashboard_fixture import TODAY


@pytest.fixture
def today(monkeypatch):
    """The hand-counted school's today (dashboard_fixture.TODAY). A date or time passed to
    ``localdate`` is still converted, as the figures convert recorded times."""
    real = timezone.localdate
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None, tz=None: real(value, tz) if value else TODAY
    )
    return TODAY
