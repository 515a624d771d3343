"""The project's URLconf plus one page nobody has decided about: the matrix's coverage check
must fail on it, by name."""

from django.http import HttpResponse
from django.urls import include, path


def unlisted_page(request):
    return HttpResponse("Nobody has said who may see this page.")


urlpatterns = [
    path("", include("mentoring.urls")),
    path("unlisted/", unlisted_page, name="unlisted_page"),
]
