import django_otp
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from mentoring.forms_util import CrispyMixin

from .services import authenticator_for, backup_codes_for

WRONG_CODE = "That code did not work. Type the newest code from the app, or an unused backup code."


def _code_field(help_text):
    return forms.CharField(
        label="Code",
        max_length=32,
        help_text=help_text,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )


class SetUpForm(CrispyMixin, forms.Form):
    code = _code_field("The 6 digits the app shows for Mentoring.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._crispy()


class VerifyForm(CrispyMixin, forms.Form):
    """The second step: a code from the app (6 digits) or a backup code (10 letters and digits)."""

    code = _code_field("6 digits from your authenticator app, or one of your backup codes.")

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.device = None
        self._crispy()

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        is_app_code = len(code) == 6 and code.isdecimal()
        device = authenticator_for(self.user) if is_app_code else backup_codes_for(self.user)
        if device is None:
            raise ValidationError(WRONG_CODE)
        allowed, detail = device.verify_is_allowed()
        if not allowed:
            raise ValidationError(_wait_message(detail))
        self.device = django_otp.verify_token(self.user, device.persistent_id, code)
        if self.device is None:
            raise ValidationError(WRONG_CODE)
        return code


def _wait_message(detail):
    locked_until = (detail or {}).get("locked_until")
    if locked_until:
        seconds = max(1, int((locked_until - timezone.now()).total_seconds()) + 1)
        unit = "second" if seconds == 1 else "seconds"
        return f"Too many wrong codes. Wait {seconds} {unit}, then try again."
    return "Too many wrong codes. Wait a little, then try again."
