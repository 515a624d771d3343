"""The reviews app's pages, one module per area of the case's evaluation."""

from .views import casefile, closure, meetings, pack, questionnaires, targets, termly

urlpatterns = (
    questionnaires.urlpatterns
    + targets.urlpatterns
    + meetings.urlpatterns
    + termly.urlpatterns
    + closure.urlpatterns
    + casefile.urlpatterns
    + pack.urlpatterns
)
