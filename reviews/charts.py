"""Charts for web pages: pygal's SVG made fit to sit inline under the Content-Security-Policy.

pygal styles its drawing with a ``<style>`` element (and, unless told not to, a script).
The policy allows no inline style, so a browser would draw such a chart black on black.
``inline_svg`` applies pygal's own style sheet to the drawing once, on the server, as SVG
presentation attributes (``fill="#2b2b2b"``), which the policy does not govern, and drops
the style sheet, the scripts and the tooltip texts (pygal's own titles and descriptions).
The chart then gets a ``<title>`` and ``<desc>`` and ``role="img"``: a screen reader reads
the description, and the table of figures beside it carries every value.

The PDFs keep pygal's SVG as it is (``reviews.pack``): WeasyPrint applies its style sheet.
"""

import base64
import functools
import itertools
import re
from html import escape
from xml.etree import ElementTree as ET

import cssselect2
import tinycss2

SVG = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG)
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")

# The CSS properties that are also SVG presentation attributes, and matter for a still chart.
PRESENTATION = {
    "fill",
    "fill-opacity",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-dasharray",
    "opacity",
    "font-family",
    "font-size",
    "font-weight",
    "text-anchor",
    "dominant-baseline",
    "visibility",
    "display",
}
DATA_URL = "data:image/svg+xml;base64,"
_numbers = itertools.count(1)


def svg_text(chart):
    """The SVG source of a chart given as pygal's text or as a ``data:`` URL (as the pack
    makes them)."""
    if chart.startswith(DATA_URL):
        return base64.b64decode(chart[len(DATA_URL) :]).decode("utf-8")
    return chart


def _declarations(content):
    """[(property, value)] of the presentation properties in a block of CSS declarations."""
    return [
        (d.lower_name, tinycss2.serialize(d.value).strip())
        for d in tinycss2.parse_declaration_list(content, skip_whitespace=True, skip_comments=True)
        if d.type == "declaration" and d.lower_name in PRESENTATION
    ]


# pygal's style sheet is the same for every chart of a style but for the chart's own id,
# and compiling its selectors is most of the cost of a chart: keep one per style sheet,
# the id replaced by ``ROOT_ID``. Matchers are only read once made.
ROOT_ID = "chart"


@functools.lru_cache(maxsize=32)
def _matcher(css):
    matcher = cssselect2.Matcher()
    for rule in tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True):
        if rule.type != "qualified-rule":
            continue
        declarations = _declarations(rule.content)
        if not declarations:
            continue
        try:
            selectors = cssselect2.compile_selector_list(rule.prelude)
        except cssselect2.SelectorError:
            continue  # :hover and the like: nothing to draw on a still chart
        for selector in selectors:
            if selector.pseudo_element is None:
                matcher.add_selector(selector, declarations)
    return matcher


_LABELLED_BY = "chart-labels"


def inline_svg(chart, *, title, description):
    """The chart as inline ``<svg>`` markup with no style element, script or class left."""
    number = next(_numbers)
    ids = f"chart-title-{number}", f"chart-desc-{number}"
    start, rest = _inlined(chart)
    # Each chart of a page needs ids of its own, so the kept drawing has a placeholder;
    # the root's start tag holds nothing else that could match it.
    labelled_by = f'aria-labelledby="{" ".join(ids)}"'
    start = start.replace(f'aria-labelledby="{_LABELLED_BY}"', labelled_by)
    return (
        f'{start}<title id="{ids[0]}">{escape(title, quote=False)}</title>'
        f'<desc id="{ids[1]}">{escape(description, quote=False)}</desc>{rest}'
    )


# A page shows the same charts again and again while its figures stay the same: keep the
# drawings made fit for it, which depend on nothing but pygal's SVG.
@functools.lru_cache(maxsize=128)
def _inlined(chart):
    """(the root's start tag, the rest of the markup) of ``chart`` made fit to sit inline."""
    root = ET.fromstring(svg_text(chart))  # noqa: S314  (pygal's own output, never a user's)
    css = []
    for parent in list(root.iter()):
        for child in list(parent):
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "style":
                css.append(child.text or "")
                parent.remove(child)
            elif tag in ("script", "desc", "title"):
                parent.remove(child)
    own_id = root.get("id")
    css = "\n".join(css)
    if own_id:
        css = css.replace(f"#{own_id}", f"#{ROOT_ID}")
        root.set("id", ROOT_ID)
    matcher = _matcher(css)
    for wrapper in cssselect2.ElementWrapper.from_xml_root(root).iter_subtree():
        matches = matcher.match(wrapper)
        if not matches:
            continue
        values = {}
        for match in sorted(matches, key=lambda m: (m[0], m[1])):
            values.update(match[3])
        for name, value in values.items():
            wrapper.etree_element.set(name, value)
    for element in root.iter():
        element.attrib.pop("class", None)
        # pygal's ids are for its script (and repeat from chart to chart); nothing refers
        # to them once it is gone.
        element.attrib.pop("id", None)
        # pygal leaves out the width of a bar of zero, which HTML requires of a rect.
        if element.tag == f"{{{SVG}}}rect":
            element.attrib.setdefault("width", "0")
            element.attrib.setdefault("height", "0")
        # pygal writes a few style="" attributes of its own; the policy refuses those too.
        for name, value in _declarations(element.attrib.pop("style", "")):
            element.set(name, value)
    width, height = (root.get("viewBox") or "0 0 0 0").split()[2:]
    root.set("width", width)
    root.set("height", height)
    root.set("class", "img-fluid d-block")  # Bootstrap's: no wider than its column
    root.set("role", "img")
    root.set("aria-labelledby", _LABELLED_BY)
    root.set("focusable", "false")
    markup = ET.tostring(root, encoding="unicode")
    # The drawing is one line of markup; the comments pygal leaves carry nothing needed.
    markup = re.sub(r"<!--.*?-->", "", markup)
    # Attribute values have ">" escaped: the first one ends the start tag.
    end = markup.index(">") + 1
    return markup[:end], markup[end:]
