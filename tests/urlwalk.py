"""Walking the URLconf, for the tests that must see every URL of the project."""

import re
from typing import NamedTuple

from django.urls import URLPattern, URLResolver, get_resolver


class Pattern(NamedTuple):
    name: str | None
    route: str
    namespace: str

    @property
    def key(self):
        """How the tests name the pattern: ``namespace:name``, or its route if unnamed."""
        if not self.name:
            return self.route
        return f"{self.namespace}:{self.name}" if self.namespace else self.name


def walk(resolver=None, prefix="", namespace=""):
    """Every URL pattern under ``resolver`` (the project's by default), with its full route."""
    resolver = get_resolver() if resolver is None else resolver
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or ""
            if namespace and inner:
                inner = f"{namespace}:{inner}"
            yield from walk(entry, prefix + str(entry.pattern), inner or namespace)
        elif isinstance(entry, URLPattern):
            yield Pattern(entry.name, prefix + str(entry.pattern), namespace)


def example_path(route):
    """A concrete path for a route, with made-up values for its parameters."""
    path = re.sub(r"<int:\w+>", "1", route)
    path = re.sub(r"<(path:)?\w+>", "x", path)
    path = re.sub(r"<\w+:\w+>", "x", path)
    # Regex routes (the admin's catch-all and per-app index).
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "x", path)
    return "/" + path.lstrip("^").rstrip("$")
