"""The reviews app's pages, one module per area of the case's evaluation."""

from .views import (
    annual_report,
    casefile,
    closure,
    dashboard,
    meetings,
    pack,
    programme,
    questionnaires,
    targets,
    termly,
)

urlpatterns = (
    questionnaires.urlpatterns
    + targets.urlpatterns
    + meetings.urlpatterns
    + termly.urlpatterns
    + closure.urlpatterns
    + casefile.urlpatterns
    + pack.urlpatterns
    + programme.urlpatterns
    + dashboard.urlpatterns
    + annual_report.urlpatterns
)
