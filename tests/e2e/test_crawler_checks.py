"""The crawler's checks can fail: each deliberate fault is reported, on its page, by name.

The faulty pages (faulty_urls.py) are served by the live server with the project's own
middleware, its Content-Security-Policy included. Each has one fault and is otherwise
clean, so a check that names the fault names nothing else.
"""

from django.test import override_settings

from . import faulty_urls
from .crawl import Crawl, axe_rules, validate_html


def path_of(url):
    return "/" + url.split("/", 3)[3]


def on(problems, kind):
    return {path_of(p.url) for p in problems if p.kind == kind}


@override_settings(ROOT_URLCONF="tests.e2e.faulty_urls")
def test_each_fault_fails_its_check_on_its_page(live_server, page):
    page.goto(f"{live_server.url}/")
    crawl = Crawl(page, live_server.url, "anyone").run()
    problems = crawl.problems

    opened = sorted(path_of(url) for url in crawl.visited)
    assert opened == ["/", "/console-errors/", "/invalid-html/", "/server-error/", "/unlabelled/"]

    # A field without a label: axe's rule "label", with the page and the element.
    axe = [p for p in problems if p.kind == "axe"]
    assert on(axe, "axe") == {"/unlabelled/"}
    assert axe_rules(axe) == {"label"}
    assert str(axe[0]).startswith(f"[anyone] {live_server.url}/unlabelled/: axe: label: ")
    assert "(input)" in axe[0].message

    # An inline script refused by the Content-Security-Policy, and a script that throws.
    errors = [p.message for p in problems if p.kind == "console error"]
    assert on(problems, "console error") <= {"/console-errors/", "/server-error/"}
    assert any("Content Security Policy" in error for error in errors), errors
    assert any("uncaught deliberate fault" in error for error in errors), errors

    assert [(path_of(p.url), p.message) for p in problems if p.kind == "server error"] == [
        ("/server-error/", "HTTP 500")
    ]


def test_invalid_html_fails_the_validator_with_every_error_listed(tmp_path):
    valid = faulty_urls.PAGE.format(title="Valid", body=faulty_urls.UNLABELLED)
    invalid = faulty_urls.PAGE.format(title="Invalid", body=faulty_urls.INVALID)
    pages = {("anyone", "/valid/"): valid, ("office", "/invalid-html/"): invalid}

    problems = validate_html(pages, tmp_path / "html")

    assert [str(p).split(": line")[0] for p in problems] == ["[office] /invalid-html/: HTML"] * 2
    messages = [p.message.split(": ", 1)[1] for p in problems]
    assert messages == ["Duplicate ID “twice”.", "Stray end tag “div”."]
