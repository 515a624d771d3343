"""Who has seen what: a record of views of case content, prints and downloads."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .pupils import Pupil
from .school import School


class AppendOnlyError(Exception):
    """An access log entry may only be added (through ``mentoring.access_log.append``)."""


class AccessEventQuerySet(models.QuerySet):
    """Refuses the bulk operations that would change, remove or skip the chain."""

    def update(self, **kwargs):
        raise AppendOnlyError("Access log entries are never changed.")

    def delete(self):
        raise AppendOnlyError("Access log entries are never removed.")

    def bulk_create(self, *args, **kwargs):
        raise AppendOnlyError("Add access log entries one by one, with access_log.append.")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("Access log entries are never changed.")


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

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return self.sentence()

    def save(self, *args, **kwargs):
        # Only a new, sealed row goes in; access_log.append seals it under the chain's lock.
        if not self._state.adding or not self.digest:
            raise AppendOnlyError(
                "Access log entries are only added, through mentoring.access_log.append."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Access log entries are never removed.")

    @property
    def who(self):
        if self.user_id is not None:
            return str(self.user)
        if self.username:
            return f"“{self.username}”"
        return "Someone at the server's command line"

    def sentence(self):
        """The entry in words, e.g. "Mina Mentor viewed the case page (C00012)"."""
        if self.action == self.Action.RETENTION_LISTED:
            return f"{self.who} listed {self.what} as due for retention"
        verb = self.get_action_display().lower()
        return f"{self.who} {verb} {self.what}".rstrip()
