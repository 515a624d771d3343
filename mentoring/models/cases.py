"""The case: a pupil in the mentoring programme. Later apps add referral, slot and reviews."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .pupils import Pupil
from .school import School


class SupportType(models.TextChoices):
    MENTORING = "mentoring", "Mentoring"
    DRAWING_AND_TALKING = "drawing_talking", "Drawing & Talking"
    SAND_PLAY = "sand_play", "Sand Play"
    NURTURE = "nurture", "Nurture"
    SMALL_GROUP = "small_group", "Small group"


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status=Case.Status.CLOSED)


class Case(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="cases")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    support_type = models.CharField(
        max_length=20, choices=SupportType.choices, default=SupportType.MENTORING
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="caseload",
        null=True,
        blank=True,
    )
    opened_on = models.DateField(default=timezone.localdate)
    closed_on = models.DateField(null=True, blank=True)
    closed_reason = models.CharField(max_length=200, blank=True)
    previous_episode = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_episode",
        help_text="The closed case this one continues, as a new block of support.",
    )
    history = HistoricalRecords()

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "pk"]
        indexes = [models.Index(fields=["school", "status"])]

    def __str__(self):
        return f"Case {self.pk}: {self.pupil}"

    @property
    def reference(self):
        return f"C{self.pk:05d}"

    def clean(self):
        if self.pupil_id and self.school_id and self.pupil.school_id != self.school_id:
            raise ValidationError("The pupil belongs to another school.")
        if self.closed_on and self.closed_on < self.opened_on:
            raise ValidationError({"closed_on": "A case cannot close before it opened."})
