"""Who has seen what: a record of views of case content, prints and downloads."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .pupils import Pupil
from .school import School


class AccessEvent(models.Model):
    """One look at a child's file: who, what, when, from where. Rows are only ever added."""

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        PRINT = "print", "Printed"
        DOWNLOAD = "download", "Downloaded"
        EXPORT = "export", "Exported"
        LOGIN = "login", "Signed in"
        LOGOUT = "logout", "Signed out"
        LOGIN_FAILED = "login_failed", "Failed to sign in"
        RETENTION_LISTED = "retention_listed", "Listed as due for retention"
        ANONYMISED = "anonymised", "Anonymised"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    # The name typed at a failed sign-in, which may match no account.
    username = models.CharField(max_length=150, blank=True)
    what = models.CharField(max_length=200)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+", null=True)
    pupil = models.ForeignKey(
        Pupil, on_delete=models.PROTECT, related_name="access_events", null=True, blank=True
    )
    address = models.GenericIPAddressField(null=True, blank=True)
    # Each row's digest covers its own fields and the previous row's digest, so changing or
    # removing a row breaks the chain from there on (see verify_access_log).
    digest = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.user} {self.get_action_display().lower()} {self.what}"
