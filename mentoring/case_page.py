"""Sections of the case page; each app adds its own, so the core imports none of them.

A section is a function ``(user, case) -> dict | None`` returning its template's context,
or None to stay hidden from this user. The page builds its sections only for a case the
user may open (the view found it through ``permissions``), so a section need not ask again.

What several sections read (the consent records, say) is a ``shared`` fact: fetched once
while the page builds its sections, and afresh whenever a section is built on its own.
"""

from dataclasses import dataclass
from functools import wraps


@dataclass(frozen=True)
class CaseSection:
    order: int
    template: str
    build: object


_SECTIONS: list[CaseSection] = []
# Where a page being built keeps its facts: on the case, for as long as ``sections_for`` runs.
_FACTS = "_case_page_facts"


def case_section(template, order=50):
    def register(build):
        _SECTIONS.append(CaseSection(order, template, build))
        return build

    return register


def shared(fetch):
    """Make ``fetch(case)`` a fact the sections of one page share: the first section to ask
    fetches it, the others get the same object (so treat it as read-only)."""

    @wraps(fetch)
    def get(case):
        facts = getattr(case, _FACTS, None)
        if facts is None:
            return fetch(case)
        if fetch not in facts:
            facts[fetch] = fetch(case)
        return facts[fetch]

    return get


def sections_for(user, case):
    shown = []
    setattr(case, _FACTS, {})
    try:
        for s in sorted(_SECTIONS, key=lambda s: s.order):
            context = s.build(user, case)
            if context is not None:
                shown.append({"template": s.template, **context})
    finally:
        # Facts are for this page only: a later change on the same case object must be seen.
        delattr(case, _FACTS)
    return shown
