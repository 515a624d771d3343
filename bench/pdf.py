"""Benchmark the case file PDF against the floor: WeasyPrint on the same text, minimal.

Run from the project root:

    .venv/bin/python bench/pdf.py

Builds a throwaway SQLite database in a fresh temporary directory, with two cases that have
data in every section of the file (bench/casedata.py): one with 40 session records, one
with 400. Times ``reviews.casefile.render_case_file`` for each (queries, template, layout
and PDF), and the floor: the same headings and paragraphs in a minimal document that meets
the requirements every PDF of the product has, and nothing more: the shipped font and a
tagged PDF (PDF/UA). No stylesheet beyond the font, no header or footer, no contents, no
page breaks. The same text with WeasyPrint's defaults alone (its fallback font, untagged)
is timed and shown too. Each figure is the best of a few runs after a warm-up, the case file
and its floors taking turns so that all meet the same load from other processes.

Targets: 40 records <= 1 s, 400 records <= 5 s, case file / floor <= 1.3 at both sizes.
Exits non-zero when a target is missed, after timing variants that show where the time over
the floor goes.
"""

import argparse
import gc
import io
import os
import sys
import tempfile
import time
from html import escape
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from casedata import build_case, build_school, setup_django  # noqa: E402 (after the path)

SIZES = (40, 400)
TARGET_SECONDS = {40: 1.0, 400: 5.0}
TARGET_RATIO = 1.3
RUNS = 5
EXPLAIN_RUNS = 3


class TextBlocks(HTMLParser):
    """The text of a document's headings, paragraphs, list items and table cells, in order,
    as (tag, text): what a reader reads, without the styling."""

    BLOCKS = {"h1", "h2", "h3", "h4", "p", "li", "dt", "dd", "th", "td", "caption"}

    def __init__(self):
        super().__init__()
        self.blocks, self.tag, self.text, self.skip = [], None, [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "title", "head"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.flush()
            self.tag = tag

    def handle_endtag(self, tag):
        if tag in ("style", "title", "head"):
            self.skip -= 1
        elif tag in self.BLOCKS:
            self.flush()

    def handle_data(self, data):
        if not self.skip and self.tag:
            self.text.append(data)

    def flush(self):
        text = " ".join("".join(self.text).split())
        if self.tag and text:
            self.blocks.append((self.tag, text))
        self.tag, self.text = None, []


# The shipped font, regular and bold (headings), and nothing else.
FLOOR_FONT = """<style>
@font-face { font-family: Floor; src: url(/static/fonts/atkinson-hyperlegible/AtkinsonHyperlegible-Regular.woff); }
@font-face { font-family: Floor; font-weight: 700; src: url(/static/fonts/atkinson-hyperlegible/AtkinsonHyperlegible-Bold.woff); }
html { font-family: Floor; }
</style>"""  # noqa: E501


def floor_html(document_html, *, font=True):
    """The same text as plain HTML: headings stay headings, everything else a paragraph;
    with the shipped font unless ``font`` is false."""
    parser = TextBlocks()
    parser.feed(document_html)
    parser.flush()
    body = "\n".join(
        f"<{t}>{escape(x)}</{t}>" if t in ("h1", "h2", "h3", "h4") else f"<p>{escape(x)}</p>"
        for t, x in parser.blocks
    )
    head = '<meta charset="utf-8"><title>Floor</title>' + (FLOOR_FONT if font else "")
    return f'<!doctype html><html lang="en-GB"><head>{head}</head><body>{body}</body></html>'


def floor(document_html):
    """The floor: the same text, minimal, with the shipped font, tagged."""
    return weasy(floor_html(document_html))


def bare(document_html):
    """The same text with WeasyPrint's defaults alone: fallback font, untagged."""
    return weasy(floor_html(document_html, font=False), fetcher=False, tagged=False)


def timed(action):
    """(CPU seconds, wall seconds) of one run of ``action``.

    CPU time is what the render costs this process (WeasyPrint and SQLite both run in it,
    single-threaded); it grows far less than wall time when other processes share the two
    cores, so the targets are judged on it. Wall time is shown beside it.

    Every run starts from a full garbage collection. Otherwise whether a run pays for a
    collection of the whole heap (a tenth of a second with Django and the test data loaded)
    depends on what ran before it, and a run's time says more about its neighbours than
    about itself."""
    gc.collect()
    start, start_cpu = time.perf_counter(), time.process_time()
    action()
    return time.process_time() - start_cpu, time.perf_counter() - start


def best_of(actions, runs):
    """The best (CPU, wall) of each action over ``runs`` rounds, the actions taking turns.
    The best run is the one least disturbed by other processes: the fairest estimate of
    what the work itself costs."""
    results = [[] for _ in actions]
    for _ in range(runs):
        for action, times in zip(actions, results, strict=True):
            times.append(timed(action))
    return [(min(c for c, _ in times), min(w for _, w in times)) for times in results]


def page_count(data):
    import pypdf

    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


def case_file_html(case, user):
    from django.template.loader import render_to_string
    from django.utils import timezone

    from reviews.casefile import TEMPLATE, case_file_context

    context = case_file_context(case, user)
    context.update(printed_at=timezone.localtime(), printed_by="Benchmark", title="Case file")
    return render_to_string(TEMPLATE, context)


def weasy(html, *, fetcher=True, tagged=True, stylesheet=None):
    """Lay out and write ``html``; ``stylesheet``: a parsed print.css with its font config
    (``mentoring.pdf.print_stylesheet()``), as render_pdf gives every document."""
    import weasyprint

    from mentoring.pdf import DEFAULT_BASE_URL, PDF_OPTIONS, StaticFilesFetcher

    options = PDF_OPTIONS if tagged else {}
    kwargs = {"url_fetcher": StaticFilesFetcher(DEFAULT_BASE_URL)} if fetcher else {}
    document = weasyprint.HTML(string=html, base_url=DEFAULT_BASE_URL, **kwargs)
    if stylesheet is not None:
        css, font_config = stylesheet
        return document.render(stylesheets=[css], font_config=font_config, **options).write_pdf(
            **options
        )
    return document.render(**options).write_pdf(**options)


def print_css_without_fonts():
    """print.css as our static files hold it, minus its @font-face rules (system fonts),
    parsed as render_pdf parses the real one."""
    import re

    import weasyprint
    from django.contrib.staticfiles import finders
    from weasyprint.text.fonts import FontConfiguration

    css = Path(finders.find("css/print.css")).read_text()
    font_config = FontConfiguration()
    parsed = weasyprint.CSS(
        string=re.sub(r"@font-face\s*{[^}]*}", "", css), font_config=font_config
    )
    return parsed, font_config


def explain(case, user, runs):
    """Where the time over the floor goes: the case file's HTML laid out with one thing taken
    away at a time, and the floor with one requirement taken away at a time."""
    import re

    from mentoring.pdf import print_stylesheet

    html = case_file_html(case, user)
    printed = print_stylesheet()
    system_fonts = print_css_without_fonts()
    own_css = re.compile(r"<style>.*?</style>", re.S)

    def restyled(css):
        return html.replace("</style>", css + "</style>", 1)

    no_margins = "@page { " + " ".join(
        f"@{box} {{ content: none }}"
        for box in ("top-left", "top-right", "bottom-left", "bottom-right")
    )
    no_tables = re.sub(r"<table.*?</table>", "", html, flags=re.S)
    no_labels = re.sub(r'<span class="label">(.*?)</span>', r"\1", html)
    text = floor_html(html)
    variants = [
        ("case file, as printed", lambda: weasy(html, stylesheet=printed)),
        ("  without tagging (PDF/UA)", lambda: weasy(html, tagged=False, stylesheet=printed)),
        (
            "  without header and footer",
            lambda: weasy(restyled(no_margins + "}"), stylesheet=printed),
        ),
        (
            "  without the contents' page numbers",
            lambda: weasy(restyled(".contents a::after { content: none }"), stylesheet=printed),
        ),
        ("  without its tables", lambda: weasy(no_tables, stylesheet=printed)),
        ("  without bold labels", lambda: weasy(no_labels, stylesheet=printed)),
        ("  without the shipped font", lambda: weasy(html, stylesheet=system_fonts)),
        ("  without print.css", lambda: weasy(html)),
        (
            "  without the case file's own CSS",
            lambda: weasy(own_css.sub("", html), stylesheet=printed),
        ),
        ("floor (same text, shipped font, tagged)", lambda: weasy(text)),
        ("  untagged", lambda: weasy(text, tagged=False)),
        ("  WeasyPrint's defaults alone", lambda: bare(html)),
    ]
    records = case.session_records.count()
    print(f"\nWhere the time goes, {records} records (CPU s, best of {runs}):")
    timings = best_of([action for _, action in variants], runs)
    floor_cpu = timings[-3][0]
    for (label, _), (cpu, _) in zip(variants, timings, strict=True):
        print(f"  {label:<42}{cpu:>7.3f}{cpu / floor_cpu:>7.2f} x floor")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=RUNS, help="Timed runs per figure.")
    parser.add_argument("--explain", action="store_true", help="Always show where time goes.")
    args = parser.parse_args()

    var_dir = tempfile.TemporaryDirectory(prefix="bench-pdf-")
    os.environ["VAR_DIR"] = var_dir.name
    os.environ.pop("DATABASE_URL", None)
    try:
        setup_django()
        from reviews.casefile import render_case_file

        school, people, room = build_school()
        cases = {n: build_case(school, people, room, n, serial) for serial, n in enumerate(SIZES)}
        user = people["coordinator"]
        render_case_file(cases[SIZES[0]], user)  # warm-up: fonts, templates, imports

        rows = []
        for n, case in cases.items():
            data = render_case_file(case, user)
            html = case_file_html(case, user)
            floor_pages = page_count(floor(html))
            (cpu, wall), (floor_cpu, floor_wall), (bare_cpu, _) = best_of(
                [
                    lambda c=case: render_case_file(c, user),
                    lambda h=html: floor(h),
                    lambda h=html: bare(h),
                ],
                args.runs,
            )
            rows.append(
                (n, cpu, wall, page_count(data), floor_cpu, floor_wall, floor_pages, bare_cpu)
            )

        load = os.getloadavg()[0]
        print("Case file PDF (render_case_file: queries, template, WeasyPrint, tagged PDF/UA)")
        print("against the floor (the same text as headings and paragraphs, shipped font, tagged).")
        print(
            f"Seconds of CPU (wall in brackets), best of {args.runs} runs; "
            f"load average {load:.1f} on {os.cpu_count()} cores."
        )
        print(
            f"{'records':>7} {'case file':>16} {'pages':>5} {'floor':>16} {'pages':>5}"
            f" {'ratio':>6}  targets{'':<38}defaults alone"
        )
        failed = []
        for n, cpu, wall, pages, floor_cpu, floor_wall, floor_pages, bare_cpu in rows:
            ratio = cpu / floor_cpu
            time_ok = cpu <= TARGET_SECONDS[n]
            ratio_ok = ratio <= TARGET_RATIO
            if not time_ok:
                failed.append((n, f"{n} records took {cpu:.2f} s (target {TARGET_SECONDS[n]:g} s)"))
            if not ratio_ok:
                failed.append((n, f"{n} records: ratio {ratio:.2f} (target {TARGET_RATIO:g})"))
            verdict = (
                f"<= {TARGET_SECONDS[n]:g} s {'PASS' if time_ok else 'FAIL'}, "
                f"ratio <= {TARGET_RATIO:g} {'PASS' if ratio_ok else 'FAIL'}"
            )
            print(
                f"{n:>7} {cpu:>7.2f} ({wall:>5.2f} s) {pages:>5} {floor_cpu:>7.2f}"
                f" ({floor_wall:>5.2f} s) {floor_pages:>5} {ratio:>6.2f}  {verdict:<44}"
                f" {bare_cpu:.2f} s, x{cpu / bare_cpu:.2f}"
            )
        print(
            "(defaults alone: the same text with WeasyPrint's fallback font, untagged; shown "
            "for comparison, not a target.)"
        )
        if load > 1.5:
            print(f"The machine was busy (load {load:.1f}): wall times include waiting for a core.")
        from results import record  # the summary table of `make bench`

        for n, cpu, _, _, floor_cpu, *_ in rows:
            limit, ratio = TARGET_SECONDS[n], cpu / floor_cpu
            record(
                "pdf", f"case file, {n} records", round(cpu, 2), f"<= {limit:g}", cpu <= limit, "s"
            )
            record(
                "pdf",
                f"case file / floor, {n} records",
                round(ratio, 2),
                f"<= {TARGET_RATIO:g}",
                ratio <= TARGET_RATIO,
                "x",
            )
        missed_sizes = {n for n, _ in failed}
        for n, *_ in rows:
            if n in missed_sizes or args.explain:
                explain(cases[n], user, min(args.runs, EXPLAIN_RUNS))
        for _, message in failed:
            print(f"MISSED: {message}")
        return 1 if failed else 0
    finally:
        var_dir.cleanup()


if __name__ == "__main__":
    sys.exit(main())
