"""Landing-page sections, one per role; apps add theirs, so the home page needs no imports
of apps built on the core.

A section is a function ``(user, schools) -> dict | None`` registered for a role; it returns
the context for its template, or None to stay hidden. A context with ``urgent`` true (a
safeguarding concern not yet seen) puts its section first, whatever the role's order.
"""

from dataclasses import dataclass

from . import permissions


@dataclass(frozen=True)
class Section:
    role: str
    order: int
    template: str
    build: object


_SECTIONS: list[Section] = []


def section(role, template, order=50):
    def register(build):
        _SECTIONS.append(Section(role, order, template, build))
        return build

    return register


def sections_for(user):
    """The sections for every role the user holds, each built for the schools of that role."""
    shown, built = [], set()
    for role in permissions.all_roles(user):
        schools = permissions.schools_where(user, role)
        for s in sorted((s for s in _SECTIONS if s.role == role), key=lambda s: s.order):
            if s.build in built:
                continue  # one section serving several roles the user holds is shown once
            built.add(s.build)
            context = s.build(user, schools)
            if context is not None:
                shown.append({"template": s.template, "role": role, **context})
    shown.sort(key=lambda shown_section: not shown_section.get("urgent"))
    return shown
