"""What the hostile-input tests share: the values they send, their hypothesis profile, the
tally they report, and a snapshot of the database.

The tally rides on each test's report (``user_properties``), so that the summary line is
printed by whichever process shows the terminal summary, with or without pytest-xdist:

    Hostile input: 860 posts to 58 forms: 0 server errors, 0 unescaped outputs, 0 half-saved,
    0 refused without a clear message

This module is a pytest plugin: tests/conftest.py names it in ``pytest_plugins`` (so that an
xdist controller loads it too), and the hostile tests register it if it is not loaded yet.
"""

import functools
import hashlib
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection
from hypothesis import HealthCheck, settings

# The same examples on every run, in CI as on a laptop; no deadline, as a page takes what it
# takes on a busy machine; no example database written into the repository. The health checks
# would only complain that pages are slow and examples large, which is the point here.
settings.register_profile(
    "hostile",
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
PROFILE = settings.get_profile("hostile")

PLUGIN_NAME = "tests.security.hostile"
PROPERTY = "hostile-tally"

# Rows that change whenever anyone opens a page, whatever the form did: the session (our
# messages are kept there), the access log and sign-in attempts. They are not form data.
NOT_FORM_DATA = {"sessions", "axes"}
NOT_FORM_MODELS = {"mentoring.accessevent", "mentoring.historicalaccessevent"}


# --- What is sent ------------------------------------------------------------------------------

MARKUP = [
    '<script>alert("hostile")</script>',
    '"><img src=x onerror=alert("hostile")>',
    "'><svg onload=alert('hostile')>",
    '</textarea><b id="hostile">raw</b>',
]
TEXTS = [
    "",
    " ",
    "x" * 301,
    "long " * 2000,
    "𝕳𝖔𝖘𝖙𝖎𝖑𝖊 👩‍👩‍👧‍👦🏴󠁧󠁢󠁳󠁣󠁴󠁿💩",
    "مرحبا \u202eevil.exe\u202c שלום",
    "Z" + "\u0301\u0308\u0328\u0337" * 60,
    "\x00",
    "before\x00after",
    "\x01\x07\x08\x0b\x0c\x1b[31m\x7f\u0085\u2028\u2029",
    "\r\n\t\r\n",
    "\ufeff\u200b\u200d\ufffe\uffff",
    "{child_name.__class__} {0} %s %(x)s {{ request }} {% debug %}",
    "Robert'); DROP TABLE mentoring_pupil;--",
    *MARKUP,
]
DATES = [
    "31/02/2026",
    "00/00/0000",
    "99999-01-01",
    "2026-02-31",
    "0000-00-00",
    "0001-01-01",
    "01/01/0001",
    "9999-12-31",
    "31/12/9999",
    "2026-13-01",
    "1900-01-01",
    "2026-11-24",  # after the test's today: in the future
    "12/31/2026",
]


@dataclass
class Tally:
    """Counts of one kind of hostile run: what was tried and what went wrong."""

    kind: str  # "input" (forms) or "import" (roster files)
    posts: int = 0
    forms: set = field(default_factory=set)
    server_errors: int = 0
    unescaped: int = 0
    half_saved: int = 0
    unclear: int = 0

    def as_property(self):
        return {
            "kind": self.kind,
            "posts": self.posts,
            "forms": sorted(self.forms),
            "server_errors": self.server_errors,
            "unescaped": self.unescaped,
            "half_saved": self.half_saved,
            "unclear": self.unclear,
        }


def record(request, tally):
    """Attach the tally to the running test's report."""
    request.node.user_properties.append((PROPERTY, tally.as_property()))


def register(config):
    """Load this module as a plugin, unless tests/conftest.py already did."""
    import sys

    module = sys.modules[__name__]
    if not config.pluginmanager.is_registered(module):
        config.pluginmanager.register(module, PLUGIN_NAME)


@functools.cache
def _tables():
    """(model label, SQL) for every table of form data, in a stable row order."""
    quote = connection.ops.quote_name
    tables = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.app_label in NOT_FORM_DATA or meta.label_lower in NOT_FORM_MODELS:
            continue
        if not meta.managed or meta.proxy:
            continue
        # Names from the models, quoted: nothing here comes from outside.
        sql = f"SELECT * FROM {quote(meta.db_table)} ORDER BY {quote(meta.pk.column)}"  # noqa: S608
        tables.append((meta.label, sql))
    return tables


def snapshot():
    """A digest of every row of every model (history included), to tell whether a refused
    form changed anything anywhere. Plain SQL: it runs twice for every post."""
    digest = {}
    with connection.cursor() as cursor:
        for label, sql in _tables():
            cursor.execute(sql)
            digest[label] = hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()
    return digest


def changed_models(before, after):
    return sorted(label for label in before if before[label] != after.get(label))


# --- The plugin's hooks ------------------------------------------------------------------------

_totals = {}


def pytest_runtest_logreport(report):
    if report.when != "call":
        return
    for name, value in getattr(report, "user_properties", ()):
        if name != PROPERTY:
            continue
        total = _totals.setdefault(value["kind"], Tally(value["kind"]))
        total.posts += value["posts"]
        total.forms.update(value["forms"])
        total.server_errors += value["server_errors"]
        total.unescaped += value["unescaped"]
        total.half_saved += value["half_saved"]
        total.unclear += value["unclear"]


def pytest_terminal_summary(terminalreporter):
    if not _totals:
        return
    terminalreporter.write_sep("-", "hostile input")
    forms = _totals.get("input")
    if forms:
        terminalreporter.write_line(
            f"Hostile input: {forms.posts} posts to {len(forms.forms)} forms: "
            f"{forms.server_errors} server errors, {forms.unescaped} unescaped outputs, "
            f"{forms.half_saved} half-saved, {forms.unclear} refused without a clear message"
        )
    files = _totals.get("import")
    if files:
        terminalreporter.write_line(
            f"Hostile roster files: {files.posts} uploads: {files.server_errors} server errors, "
            f"{files.unescaped} unescaped outputs, {files.half_saved} half-saved, "
            f"{files.unclear} refused without a clear message"
        )
