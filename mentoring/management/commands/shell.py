"""``manage.py shell``, importing the models as Django does, less the history models.

django-simple-history's Historical* models name a module that does not hold them, so the
shell's automatic import listed every one as "could not be automatically imported" (an open
issue of django-simple-history). They are reached through each model's ``history``.
"""

from django.apps import apps
from django.core.management.commands import shell
from simple_history.models import HistoricalChanges


class Command(shell.Command):
    def get_auto_imports(self):
        return [
            f"{model.__module__}.{model.__name__}"
            for model in reversed(apps.get_models())
            if model.__module__ and not issubclass(model, HistoricalChanges)
        ]
