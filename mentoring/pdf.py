"""The one way the product makes a PDF: a Django template, laid out by WeasyPrint.

Consent letters, case files and review packs all go through ``render_pdf``, so they share the
vendored fonts, ``static/css/print.css`` (A4, running header and footer; ``render_pdf`` adds it to
every document, before the template's own styles) and one safety rule:
a PDF may load our own static files and nothing else. Templates extend ``pdf/base.html``.

In a view::

    data = render_pdf("pdf/consent_letter.html", {"school": school, "case": case},
                      request=request, title=f"Consent for mentoring: {pupil}")
    return HttpResponse(data, content_type="application/pdf")
"""

import logging
import mimetypes
import posixpath
import threading
from pathlib import Path
from urllib.parse import unquote, urljoin

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils._os import safe_join
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# Base URL when there is no request. ".invalid" never resolves (RFC 2606); it only gives
# "/static/..." something to be relative to. Nothing is ever fetched over the network.
DEFAULT_BASE_URL = "https://mentoring.invalid/"

# Tagged PDF/UA-1: structure for screen readers, the title shown in the viewer, the language.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}

# data: URLs carry their own bytes (a small logo, an inline SVG), so they reach nothing; the
# cap stops a pasted-in giant from eating the worker's memory.
MAX_DATA_URL_LENGTH = 512 * 1024


class FetchRefused(ValueError):
    """A PDF asked for something that is not one of our static files.

    A ValueError, not WeasyPrint's FatalURLFetchingError: WeasyPrint logs it and leaves the
    image, stylesheet or font out, and the rest of the document still renders.
    """


class StaticFilesFetcher(URLFetcher):
    """Serves WeasyPrint the app's static files from disk and refuses every other URL.

    A URL is served when it lies under ``urljoin(base_url, settings.STATIC_URL)`` and names a
    file that the staticfiles finders or STATIC_ROOT hold. Everything else (http, https, file,
    ftp, other hosts, traversal with ``..`` however encoded) raises FetchRefused, with a
    warning in the log. A template that shows user input can therefore never make the server
    request an internal address (SSRF) or print a file from its disk.

    Call it with a URL (``fetcher(url)``, as WeasyPrint does) or use ``fetch(url)``.
    """

    def __init__(self, base_url=DEFAULT_BASE_URL):
        # Only data: URLs ever reach the urllib machinery of the parent class.
        super().__init__(allowed_protocols=("data",), fail_on_errors=False)
        self.static_prefix = urljoin(base_url, settings.STATIC_URL)

    def fetch(self, url, headers=None):
        if url.lower().startswith("data:"):
            if len(url) > MAX_DATA_URL_LENGTH:
                self._refuse(url, f"data: URL longer than {MAX_DATA_URL_LENGTH} characters")
            return super().fetch(url, headers)
        path = self._static_file(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if content_type == "text/css":
            content_type += "; charset=utf-8"
        # The response keeps the requested URL so that url(...) inside a stylesheet resolves
        # relative to it, and so through this fetcher again.
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    def _static_file(self, url):
        if not url.startswith(self.static_prefix):
            self._refuse(url, "not one of our static files")
        # Drop ?query and #fragment (fonts are often linked as "x.woff?v=2" or "#iefix").
        name = url[len(self.static_prefix) :].split("#", 1)[0].split("?", 1)[0]
        name = unquote(name)
        # Only a plain relative path: no "..", ".", "//", backslashes or NUL, even %-encoded.
        if (
            not name
            or "\\" in name
            or "\x00" in name
            or name.startswith("/")
            or posixpath.normpath(name) != name
            or ".." in name.split("/")
        ):
            self._refuse(url, "not a plain path inside the static files")
        try:
            # Finders first (the source tree, as in development), then STATIC_ROOT (where
            # collectstatic put hashed names in production). Both join with safe_join.
            found = finders.find(name) or safe_join(settings.STATIC_ROOT, name)
        except SuspiciousFileOperation:
            self._refuse(url, "outside the static files")
        path = Path(found)
        if not path.is_file():
            self._refuse(url, "no such static file")
        return path

    def _refuse(self, url, reason):
        # Loud for whoever reads the logs; the user just gets a PDF without that resource.
        shown = url if len(url) <= 200 else url[:200] + "..."
        logger.warning("PDF render refused to fetch %r: %s", shown, reason)
        raise FetchRefused(f"{reason}: {shown}")


_parsed = threading.local()


def print_stylesheet():
    """``static/css/print.css``, parsed, with its fonts loaded: (stylesheet, font config).

    Every PDF uses it, so it is parsed once per thread rather than once per document (in a
    short case file, parsing it and loading its four font files each time cost a tenth of
    the printing time). Once per thread because a font config is not safe to share between
    threads, and the development server renders in several.
    """
    if not hasattr(_parsed, "print_css"):
        font_config = FontConfiguration()
        stylesheet = weasyprint.CSS(
            url=urljoin(urljoin(DEFAULT_BASE_URL, settings.STATIC_URL), "css/print.css"),
            url_fetcher=StaticFilesFetcher(DEFAULT_BASE_URL),
            font_config=font_config,
        )
        _parsed.print_css = (stylesheet, font_config)
    return _parsed.print_css


def render_pdf(template_name, context=None, *, request=None, title=None) -> bytes:
    """Render a Django template (extending ``pdf/base.html``) to the bytes of an A4 PDF.

    ``request``, when given, runs the context processors, says who printed the document and
    makes relative links in the PDF point at this site. ``title`` becomes the PDF's title (and
    ``{{ title }}`` in the template); without it the template's ``<title>`` must give one.
    The context may override ``printed_at`` and ``printed_by`` (the footer shows both).
    """
    context = dict(context or {})
    context.setdefault("printed_at", timezone.localtime())
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context.setdefault("printed_by", str(user))
    if title:
        context.setdefault("title", title)
    html = render_to_string(template_name, context, request=request)

    base_url = request.build_absolute_uri("/") if request is not None else DEFAULT_BASE_URL
    stylesheet, font_config = print_stylesheet()
    document = weasyprint.HTML(
        string=html, base_url=base_url, url_fetcher=StaticFilesFetcher(base_url)
    ).render(stylesheets=[stylesheet], font_config=font_config, **PDF_OPTIONS)
    if title:
        document.metadata.title = title
    if not document.metadata.title:
        # PDF/UA requires a title, and "Untitled" helps no one looking for a letter.
        raise ValueError(f"{template_name} gives its PDF no title: pass title= or fill <title>.")
    return document.write_pdf(**PDF_OPTIONS)
