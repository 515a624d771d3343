"""The crawler's line, printed at the end of every pytest run that crawled.

Each role's crawl puts its counts on its test's report (``user_properties``); the reports
reach the process that prints the summary, with or without pytest-xdist.
"""

import json

PROPERTY = "crawler"
CRAWLS = []
KINDS = ("server error", "console error", "axe", "HTML")


def pytest_runtest_logreport(report):
    if report.when == "call":
        found = (value for name, value in report.user_properties if name == PROPERTY)
        CRAWLS.extend(json.loads(value) for value in found)


def pytest_terminal_summary(terminalreporter):
    if not CRAWLS:
        return
    pages = sum(crawl["pages"] for crawl in CRAWLS)
    per_role = ", ".join(f"{crawl['role']} {crawl['pages']}" for crawl in CRAWLS)
    found = {kind: sum(crawl["problems"].get(kind, 0) for crawl in CRAWLS) for kind in KINDS}
    failed = any(found.values())
    terminalreporter.write_sep("-", "crawler", bold=True)
    terminalreporter.write_line(
        f"Crawler: {pages} pages for {len(CRAWLS)} roles ({per_role}): "
        f"{found['server error']} server errors, {found['console error']} console errors, "
        f"{found['axe']} axe violations, {found['HTML']} HTML errors",
        green=not failed,
        red=failed,
        bold=True,
    )
