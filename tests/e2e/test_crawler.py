"""Every page each demo role can reach: no server error, no console error, no axe-core
violation under WCAG 2.2 A/AA, and valid HTML.

The live server holds the demo school (``seed_demo``); each role signs in through the form
and follows the links from their landing page (see crawl.py for the budget and what is left
out). The roles go in two groups, one per test, so that the demo school is made and the
HTML checker started once per group rather than once per role. Every problem is listed at
once: role, page, rule and message.
"""

import json
from collections import Counter

import pytest

from mentoring import demo

from .crawl import Crawl, validate_html
from .crawler_summary import PROPERTY
from .signin import sign_in_on

# Two groups taking about the same time: the coordinator reaches the most pages, and the
# heaviest ones.
GROUPS = [
    ["coordinator", "sendco", "teacher", "ta"],
    ["head", "mentor", "mentor2", "office"],
]
PAGES_PER_ROLE = 80
# The set-up area is Django's admin: a sample of its pages, not all of them.
SAMPLED = {"/setup/": 15}


@pytest.mark.parametrize("roles", GROUPS, ids="-".join)
def test_every_page_each_role_reaches_passes_the_checks(
    roles, demo_school, live_server, new_context, tmp_path, record_property
):
    problems, html, pages = [], {}, {}
    for role in roles:
        # A browser of their own for each role: no cookie or listener carries over.
        context = new_context()
        page = sign_in_on(context.new_page(), live_server.url, role, demo.DEMO_PASSWORD)
        crawl = Crawl(page, live_server.url, role, limit=PAGES_PER_ROLE, sampled=SAMPLED).run()
        context.close()
        problems += crawl.problems
        html.update({(role, url): text for url, text in crawl.html.items()})
        pages[role] = len(crawl.visited)
    problems += validate_html(html, tmp_path / "html")

    for role in roles:
        counts = Counter(problem.kind for problem in problems if problem.role == role)
        record_property(
            PROPERTY, json.dumps({"role": role, "pages": pages[role], "problems": counts})
        )
    assert all(pages.values()), f"a role opened no page: {pages}"
    assert not problems, f"{len(problems)} problems on {sum(pages.values())} pages:\n" + "\n".join(
        map(str, problems)
    )
