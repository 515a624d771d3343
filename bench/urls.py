"""The project's pages plus a trivial one: the floor each page's latency is compared with.

The trivial page passes through the same middleware (session, sign-in, second step) as
every other page, so the ratio shows what the page itself costs."""

from django.http import HttpResponse
from django.urls import include, path


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/trivial/", trivial, name="bench_trivial"),
    path("", include("mentoring.urls")),
]
