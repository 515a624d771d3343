"""The fixed weekly slot, the pupils allocated to it, and the record of every session."""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from simple_history.models import HistoricalRecords

from mentoring.models import Case, Room, School

WEEKDAYS = [(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"), (4, "Friday")]


class Slot(models.Model):
    """A mentor's fixed weekly time in a room, for one pupil or a small group.

    The policy says the time "should not be flexible": a slot changes only by the
    coordinator, with a reason kept in its history.
    """

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="slots")
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="slots"
    )
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="slots")
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAYS)
    starts_at = models.TimeField("start time")
    duration = models.PositiveSmallIntegerField(
        "minutes", default=30, validators=[MinValueValidator(10), MaxValueValidator(180)]
    )
    block_starts_on = models.DateField("block starts")
    block_weeks = models.PositiveSmallIntegerField(
        "block length (school weeks)", validators=[MinValueValidator(1), MaxValueValidator(39)]
    )
    block_ends_on = models.DateField(
        "block ends", help_text="The last session's date, worked out from the school calendar."
    )
    ended_on = models.DateField(
        null=True, blank=True, help_text="Set when the slot stops before the block's end."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["weekday", "starts_at"]
        indexes = [models.Index(fields=["school", "mentor"]), models.Index(fields=["room"])]

    def __str__(self):
        return f"{self.get_weekday_display()}s {self.time_range}, {self.room}"

    @property
    def ends_at(self):
        return (
            datetime.combine(datetime.min, self.starts_at) + timedelta(minutes=self.duration)
        ).time()

    @property
    def time_range(self):
        return f"{self.starts_at:%H:%M}-{self.ends_at:%H:%M}"

    @property
    def last_day(self):
        """The last day the slot runs: the block's end, or earlier if it was stopped."""
        return min(d for d in (self.block_ends_on, self.ended_on) if d is not None)


class Allocation(models.Model):
    """A case placed in a slot. Several cases in one slot make a small group."""

    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="allocations")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="allocations")
    starts_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_on", "pk"]

    def __str__(self):
        return f"{self.case.pupil} in {self.slot}"


class SessionMove(models.Model):
    """A one-off move of one week's session; it still counts against the fixed slot."""

    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="moves")
    original_date = models.DateField()
    moved_to = models.DateTimeField()
    reason = models.CharField(max_length=200)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["slot", "original_date"], name="one_move_per_session")
        ]

    def __str__(self):
        return f"Session of {self.original_date:%d/%m/%Y} moved"

    @property
    def holds_session(self):
        """False for the move of a week after its slot was stopped: no session is held."""
        return self.original_date <= self.slot.last_day


class SessionRecord(models.Model):
    """The brief record of one week's session for one pupil."""

    class Attendance(models.TextChoices):
        HELD = "held", "Held"
        PUPIL_ABSENT = "pupil_absent", "Pupil absent"
        MENTOR_ABSENT = "mentor_absent", "Mentor absent"
        CANCELLED = "cancelled", "Cancelled"
        SCHOOL_CLOSED = "school_closed", "School closed"

    class Feeling(models.IntegerChoices):
        VERY_SAD = 1, "Very sad"
        SAD = 2, "Sad"
        OK = 3, "OK"
        HAPPY = 4, "Happy"
        VERY_HAPPY = 5, "Very happy"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="session_records")
    slot = models.ForeignKey(
        Slot, on_delete=models.PROTECT, related_name="records", null=True, blank=True
    )
    date = models.DateField(help_text="The date of the week's fixed slot.")
    attendance = models.CharField(
        max_length=20, choices=Attendance.choices, default=Attendance.HELD
    )
    cancel_reason = models.CharField("why it did not happen", max_length=200, blank=True)
    what_was_done = models.TextField(blank=True)
    pupil_feeling = models.PositiveSmallIntegerField(
        "how the pupil says they feel", choices=Feeling.choices, null=True, blank=True
    )
    next_steps = models.TextField(blank=True)
    safeguarding_concern = models.BooleanField(
        "safeguarding concern",
        default=False,
        help_text="Alerts the DSL; the note's text is then read only by the DSL and you.",
    )
    # The first meeting's checklist (the policy's list), kept on the first held session.
    explained_role = models.BooleanField("role of the mentor explained", default=False)
    explained_reasons = models.BooleanField("reasons for referral", default=False)
    explained_boundaries = models.BooleanField("boundaries and rules", default=False)
    explained_targets = models.BooleanField("target system and action plan", default=False)
    explained_exit = models.BooleanField("exit criteria", default=False)
    explained_confidentiality = models.BooleanField(
        "confidentiality and child protection", default=False
    )
    explained_observations = models.BooleanField("class observations", default=False)
    explained_feedback = models.BooleanField("feedback to parents and teachers", default=False)

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    revised_at = models.DateTimeField(null=True, blank=True)
    dsl_seen_at = models.DateTimeField(null=True, blank=True)
    dsl_seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    dsl_action = models.TextField("action taken by the DSL", blank=True)
    history = HistoricalRecords()

    FIRST_MEETING_FIELDS = [
        "explained_role",
        "explained_reasons",
        "explained_boundaries",
        "explained_targets",
        "explained_exit",
        "explained_confidentiality",
        "explained_observations",
        "explained_feedback",
    ]

    class Meta:
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "date"], name="one_record_per_case_and_week")
        ]
        indexes = [models.Index(fields=["author", "date"])]

    def __str__(self):
        return f"Session of {self.date:%d/%m/%Y}"

    @property
    def restricted(self):
        return self.safeguarding_concern

    def first_meeting_points(self):
        """The first meeting's checklist: the points covered, and those not yet."""
        covered, missing = [], []
        for name in self.FIRST_MEETING_FIELDS:
            point = capfirst(self._meta.get_field(name).verbose_name)
            (covered if getattr(self, name) else missing).append(point)
        return covered, missing


class CalendarFeed(models.Model):
    """A secret, revocable link to a mentor's or a room's slots as an iCalendar feed."""

    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        null=True,
        blank=True,
    )
    room = models.ForeignKey(
        Room, on_delete=models.CASCADE, related_name="calendar_feeds", null=True, blank=True
    )
    token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["token"])

    def __str__(self):
        return f"Calendar feed for {self.mentor or self.room}"
