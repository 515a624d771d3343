"""Pages with one deliberate fault each, served only to the tests of the crawler's checks."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path

PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{title}</title></head>
<body><main><h1>{title}</h1>{body}</main></body>
</html>
"""


def page(title, body):
    return login_not_required(lambda request: HttpResponse(PAGE.format(title=title, body=body)))


@login_not_required
def broken_script(request):
    return HttpResponse(
        'throw new Error("deliberate fault");', content_type="text/javascript; charset=utf-8"
    )


@login_not_required
def server_error(request):
    raise RuntimeError("deliberate fault")


@login_not_required
def no_icon(request):
    return HttpResponse(status=204)


INDEX = """
<p><a href="/unlabelled/">A field without a label</a></p>
<p><a href="/invalid-html/">Invalid HTML</a></p>
<p><a href="/console-errors/">Console errors</a></p>
<p><a href="/server-error/">A server error</a></p>
"""
UNLABELLED = '<form action="/"><input type="text" name="q"><button>Go</button></form>'
INVALID = '<p id="twice">One</p><p id="twice">Two</p></div>'
CONSOLE_ERRORS = (
    '<p>Scripts</p><script>document.title = "inline";</script><script src="/broken.js"></script>'
)

urlpatterns = [
    path("", page("Faults", INDEX)),
    path("unlabelled/", page("Search", UNLABELLED)),
    path("invalid-html/", page("Invalid", INVALID)),
    path("console-errors/", page("Console", CONSOLE_ERRORS)),
    path("broken.js", broken_script),
    path("server-error/", server_error),
    path("favicon.ico", no_icon),
]
