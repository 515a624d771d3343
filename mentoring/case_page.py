"""Sections of the case page; each app adds its own, so the core imports none of them.

A section is a function ``(user, case) -> dict | None`` returning its template's context,
or None to stay hidden from this user.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class CaseSection:
    order: int
    template: str
    build: object


_SECTIONS: list[CaseSection] = []


def case_section(template, order=50):
    def register(build):
        _SECTIONS.append(CaseSection(order, template, build))
        return build

    return register


def sections_for(user, case):
    shown = []
    for s in sorted(_SECTIONS, key=lambda s: s.order):
        context = s.build(user, case)
        if context is not None:
            shown.append({"template": s.template, **context})
    return shown
