"""The school's shared library of mentoring resources: files kept here, or links."""

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .school import School


class Resource(models.Model):
    """One resource: an uploaded document or image (``file``), or a link to where it is kept.
    Files are stored outside the static files and only ever sent through a view that checks
    who is asking."""

    class Kind(models.TextChoices):
        ACTIVITY = "activity", "Activity"
        WORKSHEET = "worksheet", "Worksheet"
        GAME = "game", "Game"
        GUIDANCE = "guidance", "Guidance"
        BOOK = "book", "Book"
        WEBSITE = "website", "Website"
        OTHER = "other", "Other"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.TextField(blank=True)
    # Stored under a name the app makes up; the name it was uploaded with is kept apart.
    file = models.FileField(upload_to="resources/", max_length=200, blank=True)
    file_name = models.CharField("file name", max_length=200, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveIntegerField(default=0)
    link = models.URLField(
        max_length=500, blank=True, validators=[URLValidator(schemes=["http", "https"])]
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_on = models.DateField(default=timezone.localdate)
    history = HistoricalRecords()

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self):
        return self.title
