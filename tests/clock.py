"""Make the app think it is a given day, for tests written against a fixed calendar."""

from django.apps import apps
from django.utils import timezone


def freeze_today(monkeypatch, day):
    """``timezone.localdate()`` returns ``day``, and so do the date fields that default to it.

    A field declared with ``default=timezone.localdate`` holds the function itself, taken when
    the model was defined, so patching the module alone would leave new rows dated today. And
    Django caches the default's getter on the field (``Field._get_default``), so it is that
    getter that is replaced, and put back afterwards.
    """
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if _is_localdate(field.default):
                monkeypatch.setattr(field, "_get_default", lambda: day)
    return day


def _is_localdate(default):
    # By name, not identity: the function object may be wrapped or reloaded by then.
    return (
        getattr(default, "__module__", None) == "django.utils.timezone"
        and getattr(default, "__name__", None) == "localdate"
    )
