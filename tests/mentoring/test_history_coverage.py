"""Every model of the four apps keeps a history of who changed what."""

from django.apps import apps
from simple_history.models import HistoricalChanges

APPS = ["mentoring", "referrals", "mentoring_sessions", "reviews"]
# Models that are themselves a record of events, only ever added to: a history of them
# would repeat every row.
APPEND_ONLY = {"mentoring.AccessEvent"}


def audited_models():
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            if not issubclass(model, HistoricalChanges):
                yield model


def test_every_model_of_the_four_apps_has_history():
    missing = [
        model._meta.label
        for model in audited_models()
        if not hasattr(model, "history") and model._meta.label not in APPEND_ONLY
    ]
    assert not missing, f"Models without HistoricalRecords(): {missing}"


def test_the_walk_sees_the_core_models():
    labels = {model._meta.label for model in audited_models()}
    assert {"mentoring.Pupil", "mentoring.Case", "mentoring.User"} <= labels
