"""Mentors' training: what each mentor has done and when it is due again."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from .school import School


class TrainingRecord(models.Model):
    """A course a mentor completed. A course renewed yearly (a safeguarding refresher, say)
    carries its renewal date; a later record of the same course renews it."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="training_records")
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_records"
    )
    course = models.CharField(max_length=200)
    completed_on = models.DateField("completed on")
    renewal_due_on = models.DateField(
        "renewal due",
        null=True,
        blank=True,
        help_text="Leave empty for a course that is never renewed.",
    )
    notes = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-completed_on", "-pk"]

    def __str__(self):
        return f"{self.course}, {self.completed_on:%d/%m/%Y}"
