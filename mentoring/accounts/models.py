"""Backup codes: single-use codes a member of staff keeps on paper, for when the phone is away.

The authenticator app itself is django-otp's ``TOTPDevice``. The codes are one django-otp
device too, so a session verified by a backup code is recorded as such, like one verified by
the app. Only hashes are stored; the codes are shown once, when made.

No change history (unlike the school's records): the rows are hashes of secrets, and the
only change ever made is to use a code or to replace the whole set.
"""

from django.contrib.auth.hashers import check_password
from django.db import models
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin

from .hashers import BACKUP_CODE_HASHER


def normalise_code(text):
    """What the member of staff typed, as the code was hashed: no spaces or dashes, lower case."""
    return "".join(ch for ch in str(text) if ch.isalnum()).lower()


class BackupCodeDevice(ThrottlingMixin, Device):
    """One member of staff's set of backup codes."""

    class Meta(Device.Meta):
        verbose_name = "backup codes"
        verbose_name_plural = "backup codes"

    def verify_token(self, token):
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        code = normalise_code(token)
        if code:
            for backup_code in self.codes.filter(used_at__isnull=True).order_by("pk"):
                if check_password(code, backup_code.code_hash, preferred=BACKUP_CODE_HASHER):
                    backup_code.used_at = timezone.now()
                    backup_code.save(update_fields=["used_at"])
                    self.throttle_reset()
                    return True
        self.throttle_increment()
        return False

    def get_throttle_factor(self):
        return 1

    @property
    def unused(self):
        return self.codes.filter(used_at__isnull=True).count()


class BackupCode(models.Model):
    device = models.ForeignKey(BackupCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=128)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return "used backup code" if self.used_at else "unused backup code"
