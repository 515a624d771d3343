"""The Content-Security-Policy, and no inline script or style for it to have to allow."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

TEMPLATE_DIRS = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]] + [
    Path(settings.BASE_DIR) / app / "templates"
    for app in ("mentoring", "referrals", "sessions", "reviews")
]
# Documents laid out by WeasyPrint (mentoring/pdf.py) are never sent to a browser, so no CSP
# applies to them; they keep their <style> blocks.
PDF_ONLY = re.compile(r"(^|/)pdf/")

INLINE = {
    "an inline <script>": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "a <style> element": re.compile(r"<style\b", re.IGNORECASE),
    "a style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "an event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def browser_templates():
    for folder in TEMPLATE_DIRS:
        for path in sorted(folder.rglob("*.html")) if folder.exists() else ():
            relative = path.relative_to(folder).as_posix()
            if not PDF_ONLY.search(relative):
                yield relative, path.read_text()


def test_the_scan_sees_the_templates():
    names = {name for name, _ in browser_templates()}
    assert {"base.html", "500.html", "accounts/setup.html", "referrals/lists.html"} <= names


def test_no_template_has_inline_script_style_or_handlers():
    found = [
        f"{name}: {what}: {pattern.search(text).group(0).strip()}"
        for name, text in browser_templates()
        for what, pattern in INLINE.items()
        if pattern.search(text)
    ]
    assert found == []


def policy(response):
    header = response["Content-Security-Policy"]
    return {
        directive.split()[0]: directive.split()[1:]
        for directive in (part.strip() for part in header.split(";"))
        if directive
    }


@pytest.mark.parametrize("signed_in", [False, True])
def test_every_page_has_a_strict_policy(client_for, client, coordinator, signed_in):
    client = client_for(coordinator) if signed_in else client
    response = client.get(reverse("home") if signed_in else reverse("login"))
    assert response.status_code == 200
    rules = policy(response)
    assert rules["default-src"] == ["'self'"]
    assert rules["script-src"] == ["'self'"]
    assert rules["style-src"] == ["'self'"]
    assert rules["img-src"] == ["'self'", "data:"]
    assert rules["frame-ancestors"] == ["'none'"]
    assert rules["form-action"] == ["'self'"]
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header


def test_htmx_is_told_not_to_add_its_own_style(client):
    page = client.get(reverse("login")).content.decode()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page).group(1)
    assert '"includeIndicatorStyles": false' in config


def test_pages_with_case_content_are_never_stored(client_for, coordinator, case):
    response = client_for(coordinator).get(reverse("case_detail", args=[case.pk]))
    assert case.pupil.legal_first_name in response.content.decode()
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= cache_control


def test_static_files_may_still_be_cached(client_for, coordinator):
    response = client_for(coordinator).get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_other_security_headers(client):
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
