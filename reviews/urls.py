"""The reviews app's pages, one module per area of the case's evaluation."""

from .views import closure, meetings, questionnaires, targets, termly

urlpatterns = (
    questionnaires.urlpatterns
    + targets.urlpatterns
    + meetings.urlpatterns
    + termly.urlpatterns
    + closure.urlpatterns
)
