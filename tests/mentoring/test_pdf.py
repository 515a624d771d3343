"""The PDF renderer: what a reader sees (text, header, footer, A4, our font), what a screen
reader gets (tags, title, language), and that a PDF can load nothing but our static files."""

import datetime as dt
import io
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pypdf
import pytest
import weasyprint
from django.conf import settings
from django.utils import timezone

from mentoring.pdf import DEFAULT_BASE_URL, FetchRefused, StaticFilesFetcher, render_pdf

PRINTED_AT = timezone.make_aware(dt.datetime(2026, 3, 3, 9, 15))
CONTEXT = {"school": "Testwood Primary School", "printed_by": "Cora Coordinator"}
STATIC = DEFAULT_BASE_URL + "static/"


@pytest.fixture
def pdf_template(settings):
    """Templates written in the test: ``pdf_template(body)`` returns the name of a document
    extending pdf/base.html whose content block is ``body``."""
    sources = {}
    engine = dict(settings.TEMPLATES[0])
    engine["APP_DIRS"] = False
    engine["OPTIONS"] = {
        **engine["OPTIONS"],
        "loaders": [
            ("django.template.loaders.locmem.Loader", sources),
            "django.template.loaders.filesystem.Loader",
        ],
    }
    settings.TEMPLATES = [engine]

    def make(body="", *, raw=None):
        name = f"test_pdf/doc{len(sources)}.html"
        sources[name] = raw or (
            f'{{% extends "pdf/base.html" %}}{{% block content %}}{body}{{% endblock %}}'
        )
        return name

    return make


def render(template_name, **kwargs):
    context = {**CONTEXT, "printed_at": PRINTED_AT, **kwargs.pop("context", {})}
    kwargs.setdefault("title", "Consent letter")
    return pypdf.PdfReader(io.BytesIO(render_pdf(template_name, context, **kwargs)))


def page_texts(reader):
    return [page.extract_text() for page in reader.pages]


def embedded_fonts(reader):
    """The BaseFont names (subset tag removed) of fonts embedded on any page."""
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor, f"{font['/BaseFont']} is not embedded"
            names.add(str(font["/BaseFont"]).split("+", 1)[1])
    return names


# What a reader sees


def test_a_letter_prints_its_text_header_and_footer_on_an_a4_page(pdf_template):
    reader = render(pdf_template("<h1>Mentoring for Robin</h1><p>Dear Mrs Testparent,</p>"))

    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert abs(float(page.mediabox.width) - 595.28) < 1
    assert abs(float(page.mediabox.height) - 841.89) < 1
    text = page.extract_text()
    assert "Mentoring for Robin" in text
    assert "Dear Mrs Testparent," in text
    assert "Testwood Primary School" in text  # running header, top left
    assert "CONFIDENTIAL" in text  # top right
    assert "Printed by Cora Coordinator on 3 March 2026 at 09:15" in text
    assert "Page 1 of 1" in text


def test_every_page_carries_the_header_footer_and_its_number(pdf_template):
    body = """
      <h1>Consent for mentoring</h1><p>Please read this letter.</p>
      <section class="new-page"><h2 class="running-title">Reply slip</h2><p>Sign here.</p></section>
    """
    first, second = page_texts(render(pdf_template(body)))

    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    for text in (first, second):
        assert "Testwood Primary School" in text
        assert "CONFIDENTIAL" in text
        assert "Printed by Cora Coordinator" in text
    # .new-page starts the reply slip on a page of its own, and its running-title heading is
    # repeated in that page's header (string-set), but not on the page before it.
    assert "Sign here." in second and "Sign here." not in first
    assert second.count("Reply slip") == 2
    assert "Reply slip" not in first


def test_a_document_can_fill_the_running_header_and_footer_itself(pdf_template):
    name = pdf_template(
        raw='{% extends "pdf/base.html" %}'
        "{% block running_header %}Case file: Robin T.{% endblock %}"
        "{% block protective_marking %}Official-sensitive{% endblock %}"
        "{% block running_footer %}Closed case, keep until 2032{% endblock %}"
        "{% block content %}<p>Notes.</p>{% endblock %}"
    )
    text = render(name).pages[0].extract_text()

    assert "Case file: Robin T." in text
    assert "OFFICIAL-SENSITIVE" in text and "CONFIDENTIAL" not in text
    assert "Closed case, keep until 2032" in text and "Printed by" not in text
    assert "Page 1 of 1" in text


def test_the_vendored_font_is_embedded_in_all_four_styles(pdf_template):
    # Polish and Romanian names need Latin Extended glyphs from the same font files.
    body = "<p>Łucja Wiśniewska, <b>Ștefan</b> <i>Dvořák</i> <b><i>Şahin</i></b></p>"
    reader = render(pdf_template(body))

    assert embedded_fonts(reader) == {
        "Atkinson-Hyperlegible",
        "Atkinson-Hyperlegible-Bold",
        "Atkinson-Hyperlegible-Italic",
        "Atkinson-Hyperlegible-Bold-Italic",
    }
    # Every accented letter comes out as itself (subset fonts sharing one name did not).
    assert "Łucja Wiśniewska, Ștefan Dvořák Şahin" in reader.pages[0].extract_text()


def test_table_headers_repeat_and_a_long_word_wraps_inside_its_cell(pdf_template):
    long_word = "robin.testparent." * 8 + "@example.org"
    rows = "".join(
        f"<tr><td>{day} March</td><td>Session {day}: {long_word}</td></tr>" for day in range(1, 61)
    )
    body = (
        '<table><thead><tr><th class="w-20">Session date</th><th>What we did</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
    texts = page_texts(render(pdf_template(body)))

    assert len(texts) >= 2
    assert all("Session date" in text for text in texts)
    everything = "".join(texts)
    assert "60 March" in everything
    # The word is broken over lines within the cell rather than running off the page.
    assert long_word not in everything
    assert long_word in everything.replace("\n", "")


def test_a_cell_of_long_free_text_lays_out_quickly(pdf_template):
    # "overflow-wrap: anywhere" in table cells took about a minute for this in WeasyPrint 70.
    note = " ".join(f"word{n}" for n in range(600))
    body = f"<table><tr><td>1 March</td><td>{note} end-of-note</td></tr></table>"
    started = time.perf_counter()
    text = "".join(page_texts(render(pdf_template(body))))

    assert time.perf_counter() - started < 10
    assert "end-of-note" in text


# What a screen reader gets


def test_the_pdf_is_tagged_titled_and_in_british_english(pdf_template):
    reader = render(pdf_template("<h1>Consent</h1><p>Text.</p>"), title="Consent letter: Robin")
    catalog = reader.trailer["/Root"]

    assert reader.metadata.title == "Consent letter: Robin"
    assert catalog["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"]
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"]
    assert b"pdfuaid:part" in catalog["/Metadata"].get_object().get_data()


def test_the_title_may_come_from_the_template_instead(pdf_template):
    name = pdf_template(
        raw='{% extends "pdf/base.html" %}{% block title %}Review pack{% endblock %}'
        "{% block content %}<p>Text.</p>{% endblock %}"
    )
    assert render(name, title=None).metadata.title == "Review pack"


def test_a_pdf_without_a_title_is_refused(pdf_template):
    with pytest.raises(ValueError, match="no title"):
        render(pdf_template("<p>Untitled</p>"), title=None)


@pytest.mark.django_db
def test_with_a_request_the_footer_names_the_user_and_links_point_at_the_site(
    pdf_template, rf, mentor
):
    request = rf.get("/cases/1/letter.pdf")
    request.user = mentor
    today = timezone.localdate()
    data = render_pdf(
        pdf_template('<p><a href="/cases/">All cases</a></p>'),
        {"school": "Testwood Primary School"},
        request=request,
        title="Letter",
    )
    page = pypdf.PdfReader(io.BytesIO(data)).pages[0]

    assert f"Printed by {mentor.display_name} on {today:%-d %B %Y}" in page.extract_text()
    uris = [annot.get_object()["/A"]["/URI"] for annot in page["/Annots"]]
    assert uris == ["http://testserver/cases/"]


# Loading nothing but our static files


@pytest.fixture
def web_server():
    """A local web server that records what it was asked for and answers with CSS that would
    print a marker, so a test can tell whether the renderer fetched from it."""
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            body = b'body::after { content: "MARKER-FROM-THE-NETWORK" }'
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()


@pytest.fixture
def secret_css(tmp_path, settings):
    """A stylesheet outside the static files, next to an extra static folder, so that
    ``/static/%2e%2e/secret.css`` would reach it from that folder by traversal."""
    (tmp_path / "static").mkdir()
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, tmp_path / "static"]
    secret = tmp_path / "secret.css"
    secret.write_text('body::before { content: "MARKER-FROM-THE-DISK" }')
    return secret


def hostile_body(server_url, secret_css):
    return f"""
      <link rel="stylesheet" href="{server_url}/remote.css">
      <link rel="stylesheet" href="https://example.org/x.css">
      <link rel="stylesheet" href="{secret_css.as_uri()}">
      <link rel="stylesheet" href="/static/%2e%2e/secret.css">
      <style>@import url("{server_url}/imported.css");</style>
      <img src="http://127.0.0.1:9/x.png" alt="">
      <img src="file:///etc/passwd" alt="">
      <img src="/static/../../../etc/passwd" alt="">
      <p>The letter still prints.</p>
    """


def test_the_markers_would_show_if_a_plain_weasyprint_fetched_them(web_server, secret_css):
    """The control for the next test: without our fetcher, the hostile document does load
    from the network and the disk, so their absence there means something."""
    server_url, hits = web_server
    html = f"<html><body>{hostile_body(server_url, secret_css)}</body></html>"
    text = pypdf.PdfReader(io.BytesIO(weasyprint.HTML(string=html).write_pdf())).pages[0]

    assert "MARKER-FROM-THE-NETWORK" in text.extract_text()
    assert "MARKER-FROM-THE-DISK" in text.extract_text()
    assert "/remote.css" in hits


def test_a_document_asking_for_other_urls_renders_without_them(
    pdf_template, web_server, secret_css, caplog
):
    server_url, hits = web_server
    caplog.set_level(logging.WARNING, logger="mentoring.pdf")
    reader = render(pdf_template(hostile_body(server_url, secret_css)))

    text = reader.pages[0].extract_text()
    assert "The letter still prints." in text
    assert "MARKER" not in text
    assert "root:" not in text
    assert hits == []  # not even a connection
    # Our own static files still loaded in the same render: print.css and its fonts.
    assert "Atkinson-Hyperlegible" in embedded_fonts(reader)
    # Each refusal is a warning for whoever reads the logs.
    refused = {r.args[0] for r in caplog.records if r.name == "mentoring.pdf"}
    assert refused == {
        f"{server_url}/remote.css",
        f"{server_url}/imported.css",
        "https://example.org/x.css",
        secret_css.as_uri(),
        STATIC + "%2e%2e/secret.css",
        "http://127.0.0.1:9/x.png",
        "file:///etc/passwd",
        DEFAULT_BASE_URL + "etc/passwd",  # WeasyPrint resolves the ".." before asking
    }
    assert all(r.levelno == logging.WARNING for r in caplog.records if r.name == "mentoring.pdf")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.png",
        "https://example.org/x.css",
        "ftp://example.org/x.css",
        "file:///etc/passwd",
        f"file://{settings.BASE_DIR}/static/css/print.css",  # ours, but only by its static URL
        "https://other.example/static/css/print.css",  # our path on someone else's host
        "http://mentoring.invalid/static/css/print.css",  # nor another scheme
        DEFAULT_BASE_URL + "media/photo.png",  # uploads are not static files
        STATIC + "../../../etc/passwd",
        STATIC + "%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        STATIC + "css/..%2f..%2f..%2fmentoring/settings.py",
        STATIC + "css/%2e%2e/%2e%2e/mentoring/settings.py",
        STATIC + "css\\..\\..\\mentoring\\settings.py",
        STATIC + "/etc/passwd",
        STATIC + "%2fetc/passwd",
        STATIC + "./css/print.css",
        STATIC + "css/print.css%00.png",
        STATIC + "css/no-such-file.css",
        STATIC + "css/",
        STATIC,
        "data:text/plain," + "x" * 600_000,
    ],
)
def test_the_fetcher_refuses_anything_but_a_static_file(url, caplog):
    caplog.set_level(logging.WARNING, logger="mentoring.pdf")
    with pytest.raises(FetchRefused):
        StaticFilesFetcher()(url)
    assert [r.levelno for r in caplog.records if r.name == "mentoring.pdf"] == [logging.WARNING]


@pytest.mark.parametrize(
    ("url", "content_type", "starts_with"),
    [
        (STATIC + "css/print.css", "text/css", b"/* Print stylesheet"),
        (STATIC + "css/print.css?v=3#top", "text/css", b"/* Print stylesheet"),
        (
            STATIC + "fonts/atkinson-hyperlegible/AtkinsonHyperlegible-Regular.woff",
            None,
            b"wOFF",
        ),
        (STATIC + "favicon.svg", "image/svg+xml", b"<svg"),
        (STATIC + "admin/css/base.css", "text/css", b"/*"),  # an app's static files too
        ("data:text/plain,hello", "text/plain", b"hello"),
    ],
)
def test_the_fetcher_serves_our_static_files_and_small_data_urls(url, content_type, starts_with):
    response = StaticFilesFetcher()(url)

    assert response.read().startswith(starts_with)
    if content_type:
        assert response.content_type == content_type
    assert response.url == url  # so url(...) in a stylesheet resolves against it


def test_the_fetcher_follows_the_sites_own_address_when_there_is_a_request():
    fetcher = StaticFilesFetcher("https://school.example/")

    assert fetcher("https://school.example/static/css/print.css").read().startswith(b"/*")
    with pytest.raises(FetchRefused):
        fetcher(STATIC + "css/print.css")


def test_the_fetcher_serves_collected_files_from_static_root(tmp_path, settings):
    # In production collectstatic writes hashed names that only STATIC_ROOT holds.
    settings.STATIC_ROOT = tmp_path
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "print.0123abcd.css").write_text("/* collected */")

    assert StaticFilesFetcher()(STATIC + "css/print.0123abcd.css").read() == b"/* collected */"
