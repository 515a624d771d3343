"""The termly review pack: the programme's figures for one term, and the PDF made of them.

The pack has a cover, a programme summary (caseload; referrals and decisions; waiting times
from referral to decision; sessions expected against held, and why the rest did not happen;
entry against exit staff ratings per outcome area; termly review decisions; closures and
their reasons), each chart beside a table of its figures, then one page per case with its
review decision, its targets and its attendance at sessions.

Two audiences:

``staff``
    names pupils, for the head, the coordinator and the panel.
``governors``
    names no pupil: no name, UPN, date of birth or case reference anywhere, and no free text
    written about a child (target wording). Each case page is "Case 7 of 15", a number
    local to the pack and given in a random order, with no dates and no kind of support, so
    that nothing on it leads back to the staff pack or to a cell of the summary. Every
    count of pupils, cases or referrals under 5 shows as "fewer than 5", wherever it is
    printed: in a table, its total, or a sentence (``count()`` and ``suppress()`` are the one
    rule); a bar under 5 is not drawn. When a table prints its total and only one cell
    would be hidden, the next smallest shows as "not shown" too, so that the hidden one
    cannot be worked out by subtraction. Means (ratings, waiting days) drawn from fewer than
    5 pupils are hidden. Sessions are counted, not pupils, so their figures are shown in full.

``pack_context(school, term, audience)`` gathers the figures in a fixed number of queries
whatever the number of cases; ``render_review_pack`` lays them out through the one PDF
renderer (``mentoring.pdf.render_pdf``). Charts are pygal SVG placed as ``data:`` images,
which WeasyPrint draws as vector paths and text: nothing is rasterised.
"""

import base64
import functools
import logging
import random
import re
import statistics
import threading
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pygal
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone
from pygal.style import Style

from mentoring.models import Case, SupportType, Term, YearGroup
from mentoring.pdf import render_pdf
from referrals.models import Referral
from sessions.book import Adherence, AttendanceBook, adherence
from sessions.models import Allocation

from .models import (
    Answer,
    CaseClosure,
    OutcomeArea,
    Questionnaire,
    Target,
    TargetProgress,
    TermlyReview,
)

STAFF = "staff"
GOVERNORS = "governors"
AUDIENCES = [
    (STAFF, "Staff: names pupils"),
    (GOVERNORS, "Governors: no pupil named, small numbers hidden"),
]
AUDIENCE_NAMES = {STAFF: "staff", GOVERNORS: "governors"}
PACK_NAMES = {STAFF: "staff pack", GOVERNORS: "governors' pack"}

# The smallest count of pupils or cases a governors' pack prints in a breakdown.
SMALL = 5
FEWER = "fewer than 5"
NOT_SHOWN = "not shown"
DECISION_NOT_SHOWN = "Not shown: the table of review decisions does not show how many had it"

PACK_TEMPLATE = "pdf/review_pack.html"


# --- Terms -----------------------------------------------------------------------------------


def term_label(term):
    """The term as the school says it: Autumn 2026/27."""
    return str(term)


def term_slug(term):
    """autumn-2026: the term's name and the calendar year it starts in."""
    return f"{term.name}-{term.starts_on.year}"


TERM_SLUG = re.compile(r"^(autumn|spring|summer)-(\d{4})$")


def find_term(school, text, today=None):
    """The school's term named by ``text``: a term id, ``autumn-2026`` (the term's name and
    the calendar year it starts in: spring-2027 is the spring term of 2026/27), or
    ``current`` (the term containing today, or else the latest that has started).
    Returns None when there is no such term."""
    terms = Term.objects.filter(academic_year__school=school).select_related("academic_year")
    text = (text or "").strip().lower()
    if text.isdecimal():
        return terms.filter(pk=int(text)).first()
    if text == "current":
        today = today or timezone.localdate()
        started = terms.filter(starts_on__lte=today).order_by("-starts_on")
        return started.filter(ends_on__gte=today).first() or started.first()
    match = TERM_SLUG.match(text)
    if match:
        name, year = match.groups()
        return terms.filter(name=name, starts_on__year=int(year)).first()
    return None


def has_begun(term, today=None):
    """A pack is of a term that has begun: a later one has no figures yet, only cases that
    happen to be open, and would read as if the term were over."""
    return term.starts_on <= (today or timezone.localdate())


def not_begun_message(term):
    return (
        f"{term} has not begun yet (it starts on {term.starts_on.day} "
        f"{term.starts_on:%B %Y}): a review pack can be made only for a term that has begun."
    )


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def _in_term(term):
    """Bounds of the term's days as aware datetimes, for filtering moments."""
    return _day_start(term.starts_on), _day_start(term.ends_on + timedelta(days=1))


# --- Cells and suppression -------------------------------------------------------------------


@dataclass
class Cell:
    """One count in a breakdown: a number, or in a governors' pack "fewer than 5" (under 5)
    or "not shown" (5 or more, hidden so that a count under 5 cannot be worked out)."""

    label: str
    value: int
    hidden: bool = False
    secondary: bool = False

    @property
    def shown(self):
        if self.secondary:
            return NOT_SHOWN
        return FEWER if self.hidden else str(self.value)

    @property
    def plotted(self):
        return None if self.hidden else self.value

    @property
    def plural(self):
        """The "s" of the noun after the count: "1 case", "fewer than 5 cases"."""
        return "" if self.shown == "1" else "s"

    def __str__(self):
        # A template printing the count prints what this audience may read.
        return self.shown


@dataclass
class Breakdown:
    """A table of counts of pupils or cases, with its chart."""

    caption: str
    first_column: str
    unit: str
    cells: list
    total: Cell
    total_label: str = "Total"
    chart: str = ""
    chart_alt: str = ""
    note: str = ""

    @property
    def any_hidden(self):
        return any(c.hidden for c in self.cells)


def suppress(cells, *, protect, total_shown=True):
    """Hide counts under 5 when ``protect``, and one more when a single hidden count could
    be worked out from a printed total. Changes ``cells`` in place and returns them.

    A total is a count too (``count()``): under 5 it is hidden, and then every cell is. A
    total of 5 or more stays, as the whole is printed elsewhere anyway (the term's cases on
    the cover); beside it at least two cells are hidden, so subtracting the shown ones
    gives only the sum of the hidden ones, never one of them."""
    if not protect:
        return cells
    for cell in cells:
        cell.hidden = cell.value < SMALL
    hidden = [c for c in cells if c.hidden]
    shown = [c for c in cells if not c.hidden]
    if total_shown and len(hidden) == 1 and shown:
        extra = min(shown, key=lambda c: c.value)
        extra.hidden = extra.secondary = True
    return cells


def count(value, *, protect, label=""):
    """A count of pupils, cases or referrals printed on its own, in a sentence or as a total:
    "fewer than 5" under 5 when ``protect``, by the same rule as a table's cells."""
    return suppress([Cell(label, value)], protect=protect, total_shown=False)[0]


def _breakdown(caption, first_column, unit, counts, labels, *, protect, total, **kwargs):
    """``counts`` maps a key to its count; ``labels`` is [(key, label)] in the order shown."""
    cells = [Cell(label, counts.get(key, 0)) for key, label in labels]
    suppress(cells, protect=protect)
    return Breakdown(caption, first_column, unit, cells, count(total, protect=protect), **kwargs)


def _mean(values):
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _difference(before, after):
    """The mean of ``after`` less the mean of ``before``, rounded once, at the end."""
    change = Decimal(sum(after)) / len(after) - Decimal(sum(before)) / len(before)
    return change.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _signed(number):
    if number is None:
        return ""
    return f"{number:+}" if number else "0"


# --- Charts ----------------------------------------------------------------------------------

# Black on white, like every PDF of the product: series told apart by shade and by the
# legend, never by colour alone, and every value printed in the table beside the chart.
CHART_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#000000",
    foreground_strong="#000000",
    foreground_subtle="#6b6b6b",
    opacity="1",
    opacity_hover="1",
    transition="none",
    colors=("#2b2b2b", "#a6a6a6", "#5e5e5e", "#d0d0d0"),
    value_colors=("#000000",),
    guide_stroke_color="#c8c8c8",
    major_guide_stroke_color="#9a9a9a",
    font_family='"Atkinson Hyperlegible", sans-serif',
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=13,
    value_label_font_size=13,
    legend_font_size=13,
    title_font_size=14,
    no_data_font_size=12,
)

CHART_WIDTH = 420

# What a chart with no bar drawn says, by why its bars are missing.
# Short: pygal writes it on one line across the plot, however narrow (a longer one ran over
# the bars' labels); the note under the table beside the chart says it in full.
UNDER_5_NOT_DRAWN = "Not drawn: under 5"
SOME_NOT_SHOWN = "Not drawn: under 5 or “not shown”"
ALL_NOT_SHOWN = "Not drawn: “not shown”"
FEW_PUPILS_NOT_DRAWN = "Not drawn: under 5 pupils"
# The outcomes chart sits in a narrower column beside its table on the dashboard.
OUTCOME_CHART_WIDTH = 340
# A chart across the page above its table, in a PDF (shown at 80% of the page's width, the
# scale of the charts beside their tables, 420 across 56%): long group names leave the bars
# room.
ACROSS_CHART_WIDTH = 600


class _Bars(pygal.HorizontalBar):
    """pygal's horizontal bars with each value written from just past its bar's end. pygal
    centres the value on a point 6 px past the end, so "79%" covered the tip of its bar."""

    def _static_value(self, serie_node, value, x, y, metadata, align_text="left", classes=None):
        super()._static_value(serie_node, value, x, y, metadata, "start", classes)


# A share runs from 0 to 100 per cent, marked at the ends and the middle only: beside long
# group names the plot is narrow, and six marks ("0%20%40%...") ran together.
PERCENT_MARKS = [{"label": f"{n}%", "value": n} for n in (0, 50, 100)]


def _top(series):
    return max((v for _, values in series for v in values if v is not None), default=0)


def _bar_chart(
    labels,
    series,
    *,
    alt,
    width=CHART_WIDTH,
    value_range=None,
    integers=True,
    not_drawn=UNDER_5_NOT_DRAWN,
    unit="",
):
    """A horizontal bar chart as a ``data:image/svg+xml`` URL, and its alternative text.

    ``series`` is [(name, [value or None per label])]; None draws no bar (a hidden count).
    Bars run top to bottom in the order of ``labels``, as the table beside them does.
    ``not_drawn`` says why the bars left out are missing, for a chart with none drawn;
    ``unit`` follows each value ("%" for shares, so a bar is not read as a count).
    """
    url = _drawn(
        tuple(labels),
        tuple((name, tuple(values)) for name, values in series),
        width,
        tuple(value_range) if value_range else None,
        integers,
        not_drawn,
        unit,
    )
    return url, alt


# Drawing a chart with pygal costs about 10 ms and the same figures are drawn again each
# time a page or pack shows them: keep the last few drawings, which depend only on these
# arguments.
@functools.lru_cache(maxsize=128)
def _drawn(labels, series, width, value_range, integers, not_drawn=UNDER_5_NOT_DRAWN, unit=""):
    rows = len(labels) * len(series)
    # The legend lists the series one under another: side by side, beside long group names
    # ("Asian or Asian British - Bangladeshi"), they ran into each other.
    height = 48 + rows * 22 + (16 * len(series) + 14 if len(series) > 1 else 0)
    formatter = (lambda v: f"{v:.0f}{unit}") if integers else (lambda v: f"{v:.1f}{unit}")
    hidden = any(v is None for _, values in series for v in values)
    if unit == "%":
        value_range, marks = (0, 100), PERCENT_MARKS
    elif value_range:
        # A rating scale gets one whole-number mark per answer; counts find their own.
        marks = [{"label": str(n), "value": n} for n in range(value_range[1] + 1)]
    else:
        marks = None
    chart = _Bars(
        style=CHART_STYLE,
        width=width,
        height=height,
        js=[],
        disable_xml_declaration=True,
        show_legend=len(series) > 1,
        legend_at_bottom=True,
        legend_at_bottom_columns=1,
        legend_box_size=12,
        print_values=True,
        print_values_position="top",
        print_zeroes=False,
        value_formatter=formatter,
        margin=6,
        # Room for the value printed past the end of the longest bar ("5.0", "100%").
        margin_right=44,
        spacing=8,
        truncate_label=-1,
        truncate_legend=-1,
        show_x_guides=True,
        show_y_guides=False,
        range=value_range or (0, max(5, _top(series))),
        y_labels=marks,
        min_scale=2,
        max_scale=6,
        order_min=0 if integers else None,
        no_data_text=not_drawn if hidden else "None this term",
    )
    # pygal draws the first label at the bottom: reverse, so the chart reads like the table.
    chart.x_labels = list(reversed(labels))
    for name, values in series:
        chart.add(name, list(reversed(values)))
    svg = chart.render(is_unicode=True)
    # The comments carry pygal's links and the date; the drawing needs none of them.
    svg = re.sub(r"<!--.*?-->", "", svg)
    encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"


def _not_drawn(cells):
    """Why a breakdown's chart leaves bars out: a count under 5, one "not shown", or both."""
    under_5 = any(c.hidden and not c.secondary for c in cells)
    not_shown = any(c.secondary for c in cells)
    if under_5 and not_shown:
        return SOME_NOT_SHOWN
    return ALL_NOT_SHOWN if not_shown else UNDER_5_NOT_DRAWN


def _chart_for(breakdown, *, alt_prefix):
    cells = breakdown.cells
    url, alt = _bar_chart(
        [c.label for c in cells],
        [(breakdown.unit, [c.plotted for c in cells])],
        alt=alt_prefix
        + ": "
        + "; ".join(f"{c.label} {c.shown}" for c in cells)
        + f". {breakdown.total_label}: {breakdown.total}.",
        not_drawn=_not_drawn(cells),
    )
    breakdown.chart, breakdown.chart_alt = url, alt
    if breakdown.any_hidden:
        breakdown.note = "Counts under 5 are shown as “fewer than 5” and are not drawn."
    if any(c.secondary for c in cells):
        breakdown.note += (
            " One more count is “not shown”, as the total would give away a count under 5."
        )
    return breakdown


# --- Figures ---------------------------------------------------------------------------------


def term_cases(school, term):
    """Cases in the programme at some time during the term."""
    return (
        Case.objects.filter(school=school, opened_on__lte=term.ends_on)
        .exclude(closed_on__lt=term.starts_on)
        .select_related("pupil", "pupil__school_class", "mentor")
    )


def _closed_in_term(case, term):
    return case.closed_on is not None and term.starts_on <= case.closed_on <= term.ends_on


@dataclass
class Caseload:
    """Counts of cases, each a Cell (shown as "fewer than 5" in a governors' document)."""

    total: Cell
    opened: Cell
    closed: Cell
    open_at_end: Cell
    by_support: Breakdown
    by_year: Breakdown


def caseload_figures(cases, term, *, protect, charts=True):
    """The term's caseload; ``charts=False`` leaves the two breakdowns undrawn, for a page
    that shows only the totals."""
    opened = sum(1 for c in cases if c.opened_on >= term.starts_on)
    closed = sum(1 for c in cases if _closed_in_term(c, term))
    total = len(cases)
    support = Counter(c.support_type for c in cases)
    years = Counter(c.pupil.year_group for c in cases)
    by_support = _breakdown(
        "Cases by kind of support",
        "Support",
        "Cases",
        support,
        SupportType.choices,
        protect=protect,
        total=total,
    )
    by_year = _breakdown(
        "Cases by year group",
        "Year group",
        "Cases",
        years,
        YearGroup.choices,
        protect=protect,
        total=total,
    )
    open_at_end = total - sum(1 for c in cases if c.closed_on and c.closed_on <= term.ends_on)
    # Closed and open at the end add up to the total, printed beside them: hidden together.
    ending = suppress(
        [Cell("Closed", closed), Cell("Open at the end", open_at_end)], protect=protect
    )
    return Caseload(
        total=count(total, protect=protect),
        opened=count(opened, protect=protect),
        closed=ending[0],
        open_at_end=ending[1],
        by_support=_chart_for(by_support, alt_prefix="Bar chart of cases by kind of support")
        if charts
        else by_support,
        by_year=_chart_for(by_year, alt_prefix="Bar chart of cases by year group")
        if charts
        else by_year,
    )


# Where a referral made this term is now, in the order a referral moves.
REFERRAL_STATES = [(s, s.label) for s in Referral.Status if s not in (Referral.Status.DRAFT,)]
DECISIONS = [(Referral.Status.ACCEPTED, "Accepted"), (Referral.Status.DECLINED, "Declined")]
WAIT_BANDS = [(0, 7, "Up to 7 days"), (8, 14, "8 to 14 days"), (15, 28, "15 to 28 days")]
WAIT_LAST_BAND = "More than 28 days"


@dataclass
class Waiting:
    """Calendar days from a referral's submission to the panel's decision."""

    decided: int
    mean: Decimal | None
    median: Decimal | None
    shortest: int | None
    longest: int | None
    hidden: bool
    bands: Breakdown


@dataclass
class Referrals:
    made: Cell
    by_state: Breakdown
    decided: Cell
    decisions: Breakdown
    waiting: Waiting


def _band(days):
    for low, high, label in WAIT_BANDS:
        if low <= days <= high:
            return label
    return WAIT_LAST_BAND


def referral_figures(school, term, *, protect, during="this term"):
    """Referrals made, and decisions made, during the term (or any period with
    ``starts_on`` and ``ends_on``; ``during`` names it in captions)."""
    start, end = _in_term(term)
    referrals = list(
        Referral.objects.filter(school=school)
        .exclude(status=Referral.Status.DRAFT)
        .filter(
            Q(submitted_at__gte=start, submitted_at__lt=end)
            | Q(decided_at__gte=start, decided_at__lt=end)
        )
        .only("status", "submitted_at", "decided_at")
    )
    made = [r for r in referrals if r.submitted_at and start <= r.submitted_at < end]
    decided = [
        r
        for r in referrals
        if r.decided_at
        and start <= r.decided_at < end
        and r.status in (Referral.Status.ACCEPTED, Referral.Status.DECLINED)
    ]
    by_state = _breakdown(
        f"Referrals made {during}, by where they are now",
        "Now",
        "Referrals",
        Counter(r.status for r in made),
        REFERRAL_STATES,
        protect=protect,
        total=len(made),
    )
    decisions = _breakdown(
        f"Decisions made {during}",
        "Decision",
        "Referrals",
        Counter(r.status for r in decided),
        DECISIONS,
        protect=protect,
        total=len(decided),
    )
    days = [r.days_waiting() for r in decided if r.submitted_at]
    band_labels = [(label, label) for _, _, label in WAIT_BANDS] + [(WAIT_LAST_BAND,) * 2]
    bands = _breakdown(
        "Time from referral to decision",
        "Waited",
        "Referrals",
        Counter(_band(d) for d in days),
        band_labels,
        protect=protect,
        total=len(days),
        total_label="Decided",
    )
    hide_stats = protect and len(days) < SMALL
    median = statistics.median(days) if days else None
    waiting = Waiting(
        decided=len(days),
        mean=None if hide_stats else _mean(days),
        median=None if hide_stats or median is None else Decimal(str(median)),
        shortest=None if hide_stats or not days else min(days),
        longest=None if hide_stats or not days else max(days),
        hidden=hide_stats and bool(days),
        bands=_chart_for(bands, alt_prefix="Bar chart of days from referral to decision"),
    )
    return Referrals(
        made=by_state.total,
        by_state=_chart_for(by_state, alt_prefix=f"Bar chart of referrals made {during}"),
        decided=decisions.total,
        decisions=_chart_for(decisions, alt_prefix=f"Bar chart of decisions made {during}"),
        waiting=waiting,
    )


def attendance_by_case(case_ids, term, today):
    """{case_id: Adherence} for the sessions expected during the term, up to today."""
    until = min(today, term.ends_on)
    result = defaultdict(Adherence)
    if until < term.starts_on:
        return result
    # Only each record's attendance in the term counts here, not its notes or author.
    book = AttendanceBook(
        Allocation.objects.filter(case_id__in=case_ids), until=until, since=term.starts_on
    )
    figures = adherence(book, until, since=term.starts_on)
    result.update((case_id, f) for case_id, f in figures.items() if f.expected)
    return result


@dataclass
class Sessions:
    """Sessions (not pupils) expected in the term against held, and why the rest were not."""

    figures: Adherence
    cases: Cell
    until: object
    rows: list
    chart: str = ""
    chart_alt: str = ""


def session_figures(attendance, term, today, during="this term", *, protect=False):
    total = Adherence()
    for figures in attendance.values():
        total += figures
    rows = [("Held", total.held)] + total.reason_list
    url, alt = _bar_chart(
        [label for label, _ in rows],
        [("Sessions", [n for _, n in rows])],
        alt=f"Bar chart of sessions expected {during}: "
        + "; ".join(f"{label} {n}" for label, n in rows)
        + f". Expected: {total.expected}.",
    )
    return Sessions(
        figures=total,
        cases=count(sum(1 for f in attendance.values() if f.expected), protect=protect),
        until=min(today, term.ends_on),
        rows=rows,
        chart=url,
        chart_alt=alt,
    )


@dataclass
class AreaRow:
    """One outcome area. ``entry`` and ``exit`` are the means of everyone rated at that
    stage; ``change`` is worked out only over the pupils rated at both (``both``): set
    against the entry of pupils never rated at exit, it would measure who was rated, not
    how they changed."""

    area: str
    entry: Decimal | None
    exit: Decimal | None
    entry_pupils: Cell
    exit_pupils: Cell
    both: Cell
    change: Decimal | None = None

    @property
    def change_display(self):
        return _signed(self.change)


@dataclass
class Outcomes:
    rows: list
    scale: str
    chart: str = ""
    chart_alt: str = ""
    any_hidden: bool = False


def outcome_figures(school, case_ids, term, *, protect, chart_width=ACROSS_CHART_WIDTH):
    """Per outcome area: the mean of every staff-rating answer given at entry, and at exit,
    for the term's cases (answers recorded by the end of the term)."""
    answers = Answer.objects.filter(
        administration__case_id__in=case_ids,
        administration__questionnaire__kind=Questionnaire.Kind.STAFF_RATING,
        administration__completed_on__lte=term.ends_on,
    ).values_list("administration__stage", "item__outcome_area", "administration__case_id", "value")
    values = defaultdict(list)
    by_case = defaultdict(list)
    pupils = defaultdict(set)
    for stage, area, case_id, value in answers:
        values[(area, stage)].append(value)
        by_case[(area, stage, case_id)].append(value)
        pupils[(area, stage)].add(case_id)
    rows = []
    for area, label in OutcomeArea.choices:
        if not values[(area, "entry")] and not values[(area, "exit")]:
            continue
        cells = {}
        means = {}
        for stage in ("entry", "exit"):
            cells[stage] = count(len(pupils[(area, stage)]), protect=protect, label=label)
            means[stage] = None if cells[stage].hidden else _mean(values[(area, stage)])
        paired = pupils[(area, "entry")] & pupils[(area, "exit")]
        both = count(len(paired), protect=protect, label=label)
        change = None
        if paired and not both.hidden:
            before = [v for c in paired for v in by_case[(area, "entry", c)]]
            after = [v for c in paired for v in by_case[(area, "exit", c)]]
            change = _difference(before, after)
        rows.append(
            AreaRow(
                label, means["entry"], means["exit"], cells["entry"], cells["exit"], both, change
            )
        )
    scale = (
        Questionnaire.objects.filter(school=school, kind=Questionnaire.Kind.STAFF_RATING)
        .order_by("-current", "-version")
        .values_list("scale", flat=True)
        .first()
    )
    labels = [s.strip() for s in (scale or "").split(";") if s.strip()]
    scale_text = (
        f"Answers run from 1 ({labels[0]}) to {len(labels)} ({labels[-1]})." if labels else ""
    )
    top = len(labels) or 5
    outcomes = Outcomes(
        rows=rows,
        scale=scale_text,
        any_hidden=any(
            cell.hidden for r in rows for cell in (r.entry_pupils, r.exit_pupils, r.both)
        ),
    )
    if rows:
        outcomes.chart, outcomes.chart_alt = _bar_chart(
            [r.area for r in rows],
            [
                ("Entry", [None if r.entry is None else float(r.entry) for r in rows]),
                ("Exit", [None if r.exit is None else float(r.exit) for r in rows]),
            ],
            alt="Bar chart of the mean staff rating per outcome area at entry and exit: "
            + "; ".join(
                f"{r.area} entry {r.entry if r.entry is not None else 'not shown'}, "
                f"exit {r.exit if r.exit is not None else 'not shown'}"
                for r in rows
            )
            + ".",
            value_range=(0, top),
            integers=False,
            width=chart_width,
            not_drawn=FEW_PUPILS_NOT_DRAWN,
        )
    return outcomes


REVIEW_STATES = [
    *[(d, d.label) for d in TermlyReview.Decision],
    ("undecided", "Prepared, not yet decided"),
    ("none", "No review for this term"),
]


def _review_state(review):
    """The case's row in the table of review decisions."""
    return "none" if review is None else review.decision or "undecided"


def _review_breakdown(cases, reviews, *, protect):
    counts = Counter(_review_state(reviews.get(case.pk)) for case in cases)
    return _breakdown(
        "Termly review decisions for this term",
        "Decision",
        "Cases",
        counts,
        REVIEW_STATES,
        protect=protect,
        total=len(cases),
        total_label="Cases this term",
    )


def review_figures(cases, reviews, *, protect):
    breakdown = _review_breakdown(cases, reviews, protect=protect)
    return _chart_for(breakdown, alt_prefix="Bar chart of this term's review decisions")


def closure_figures(cases, term, *, protect, during="this term"):
    """Cases closed during the term, by the reason recorded at closure (a refusal of consent
    closes a case without a case study, with its own reason)."""
    closed = [c for c in cases if _closed_in_term(c, term)]
    reasons = dict(
        CaseClosure.objects.filter(case__in=[c.pk for c in closed]).values_list("case_id", "reason")
    )
    labels = dict(CaseClosure.Reason.choices)
    counts = Counter(
        labels[reasons[c.pk]] if c.pk in reasons else (c.closed_reason or "Not recorded")
        for c in closed
    )
    order = [(label, label) for label in labels.values()]
    order += [(label, label) for label in sorted(counts) if label not in labels.values()]
    breakdown = _breakdown(
        f"Cases closed {during}, by reason",
        "Reason",
        "Cases",
        counts,
        order,
        protect=protect,
        total=len(closed),
        total_label="Closed",
    )
    return _chart_for(breakdown, alt_prefix=f"Bar chart of cases closed {during} by reason")


# --- One page per case -----------------------------------------------------------------------


@dataclass
class TargetRow:
    number: int
    what: str
    area: str
    by_when: object
    status: str
    latest: str
    latest_on: object
    entries: int


@dataclass
class CasePage:
    """What one case's page shows, already chosen for the audience: a governors' page holds
    no name, UPN, date of birth, case reference, date, kind of support or free text about
    the child."""

    number: int
    reference: str
    heading: str
    facts: list
    decision: str
    decision_detail: str
    targets: list
    attendance: Adherence
    named: bool = False
    # The pupil, on a staff page only: whose access log notes the pack's downloads.
    pupil: object = None


def _targets_by_case(case_ids, term):
    """The targets set by the end of the term, open ones first (as the action plan lists
    them), with the latest progress noted by then."""
    progress = TargetProgress.objects.filter(
        target=OuterRef("pk"), record__date__lte=term.ends_on
    ).order_by("-record__date", "-pk")
    _, end = _in_term(term)
    targets = (
        Target.objects.filter(case_id__in=case_ids, created_at__lt=end)
        .annotate(
            entries=Count("progress", filter=Q(progress__record__date__lte=term.ends_on)),
            latest_rating=Subquery(progress.values("rating")[:1]),
            latest_on=Subquery(progress.values("record__date")[:1]),
        )
        .order_by("case_id", "by_when", "pk")
    )
    found = defaultdict(list)
    for target in targets:
        found[target.case_id].append(target)
    for listed in found.values():
        listed.sort(key=lambda t: t.status != Target.Status.OPEN)  # open ones first
    return found


def _decision(review, term, *, named=True):
    """The review's decision, and for staff its dates and where the case was referred on to
    (for governors neither: a date or a named service could lead back to the child)."""
    if review is None:
        return "No review for this term", ""
    if not review.decision:
        prepared = f"Prepared on {review.prepared_on:%d/%m/%Y}" if review.prepared_on else ""
        return "Not yet decided", prepared if named else ""
    if not named:
        return review.get_decision_display(), ""
    parts = []
    if review.refer_on_to:
        parts.append(f"Referred on to: {review.get_refer_on_to_display()}")
    if review.decided_on:
        parts.append(f"decided on {review.decided_on:%d/%m/%Y}")
    if review.next_review_on:
        parts.append(f"next review {review.next_review_on:%d/%m/%Y}")
    detail = "; ".join(parts)
    return review.get_decision_display(), detail[:1].upper() + detail[1:]


def neutral_order(cases):
    """The cases in a random order, drawn afresh for each pack. Ordered by anything about the
    case (reference, opening date, decision, support), the page numbers of a governors' pack
    would say something about it; a fixed shuffle would let two packs be matched up."""
    return random.SystemRandom().sample(list(cases), len(cases))


def case_pages(cases, reviews, attendance, term, *, named):
    """One page per case: for staff by the pupil's name; for governors "Case 7 of 15", the
    number the page has in this pack alone, in a neutral order (``neutral_order``)."""
    targets = _targets_by_case([c.pk for c in cases], term)
    ordered = (
        sorted(cases, key=lambda c: (c.pupil.legal_last_name, c.pupil.first_name, c.pk))
        if named
        else neutral_order(cases)
    )
    # With fewer than 5 cases the pack does not print how many (the pages can still be
    # counted: a page per case is what the pack is for).
    of = "" if count(len(cases), protect=not named).hidden else f" of {len(cases)}"
    # A decision whose count the table of decisions hides is hidden on its case's page too:
    # otherwise counting the pages would give the count back.
    hidden_states = set()
    if not named:
        cells = _review_breakdown(cases, reviews, protect=True).cells
        states = zip(REVIEW_STATES, cells, strict=True)
        hidden_states = {key for (key, _), cell in states if cell.hidden}
    pages = []
    for place, case in enumerate(ordered, start=1):
        review = reviews.get(case.pk)
        decision, detail = _decision(review, term, named=named)
        if _review_state(review) in hidden_states:
            decision = DECISION_NOT_SHOWN
        facts = []
        if named:
            pupil = case.pupil
            facts += [
                ("Case reference", case.reference),
                ("Class", str(pupil.school_class or pupil.get_year_group_display())),
                ("Mentor", str(case.mentor) if case.mentor else "Not allocated"),
                ("Support", case.get_support_type_display()),
                ("Opened", f"{case.opened_on:%d/%m/%Y}"),
            ]
            if _closed_in_term(case, term):
                facts.append(("Closed", f"{case.closed_on:%d/%m/%Y}"))
        rows = []
        for number, t in enumerate(targets.get(case.pk, []), start=1):
            rows.append(
                TargetRow(
                    number=number,
                    what=t.what if named else "",
                    area=t.get_outcome_area_display(),
                    by_when=t.by_when if named else None,
                    status=t.get_status_display(),
                    latest=TargetProgress.Rating(t.latest_rating).label if t.latest_rating else "",
                    latest_on=t.latest_on if named else None,
                    entries=t.entries,
                )
            )
        figures = attendance.get(case.pk) or Adherence()
        pages.append(
            CasePage(
                number=place,
                reference=case.reference if named else "",
                heading=case.pupil.full_name if named else f"Case {place}{of}",
                facts=facts,
                decision=decision,
                decision_detail=detail,
                targets=rows,
                attendance=figures,
                named=named,
                pupil=case.pupil if named else None,
            )
        )
    return pages


# --- The whole pack --------------------------------------------------------------------------


def pack_title(school, term, audience):
    return f"Termly review pack, {term_label(term)}, {school} ({AUDIENCE_NAMES[audience]})"


def pack_context(school, term, audience, *, today=None):
    """Everything the pack's template shows, chosen for ``audience`` ("staff" or
    "governors"). A fixed number of queries, whatever the number of cases."""
    if audience not in AUDIENCE_NAMES:
        raise ValueError(f"Unknown audience {audience!r}: choose staff or governors.")
    if term.academic_year.school_id != school.pk:
        raise ValueError(f"{term} is not a term of {school}.")
    today = today or timezone.localdate()
    if not has_begun(term, today):
        raise ValueError(not_begun_message(term))
    protect = audience == GOVERNORS
    cases = list(term_cases(school, term))
    case_ids = [c.pk for c in cases]
    reviews = {r.case_id: r for r in TermlyReview.objects.filter(term=term, case_id__in=case_ids)}
    attendance = attendance_by_case(case_ids, term, today)
    return {
        "school": school,
        "term": term,
        "term_label": term_label(term),
        "audience": audience,
        "for_governors": protect,
        "title": pack_title(school, term, audience),
        "as_at": min(today, term.ends_on),
        "small": SMALL,
        "fewer": FEWER,
        "caseload": caseload_figures(cases, term, protect=protect),
        "referrals": referral_figures(school, term, protect=protect),
        "sessions": session_figures(attendance, term, today, protect=protect),
        "outcomes": outcome_figures(school, case_ids, term, protect=protect),
        "reviews": review_figures(cases, reviews, protect=protect),
        "closures": closure_figures(cases, term, protect=protect),
        "cases": case_pages(cases, reviews, attendance, term, named=not protect),
    }


# --- Rendering, with progress ----------------------------------------------------------------

# Pages before the first case's page: the cover and the programme summary.
SUMMARY_PAGES = 5
# Where the progress stands when the figures are gathered, and when layout is done.
GATHERED, LAID_OUT = 10, 95


class _LayoutWatcher(logging.Filter):
    """Hears WeasyPrint's progress messages ("Step 5 - Creating layout - Page 12", logged at
    INFO on ``weasyprint.progress``) for the threads that asked, and keeps those messages out
    of the logs. Only the progress bar depends on their wording: if it changes, progress
    stops moving during layout and nothing else."""

    def __init__(self):
        super().__init__()
        self.lock = threading.Lock()
        self.listeners = {}
        self.logger = logging.getLogger("weasyprint.progress")
        self.level = None
        self.passes = logging.WARNING

    def filter(self, record):
        listener = self.listeners.get(record.thread)
        if listener is None:
            return record.levelno >= self.passes
        message = str(record.msg)
        if message.startswith("Step 5 - Creating layout - Page") and record.args:
            listener(record.args[0])
        elif message.startswith("Step 6"):
            listener(None)
        return False

    @contextmanager
    def listening(self, listener):
        me = threading.get_ident()
        with self.lock:
            if not self.listeners:
                self.level = self.logger.level
                self.passes = self.logger.getEffectiveLevel()
                self.logger.addFilter(self)
                self.logger.setLevel(logging.INFO)
            self.listeners[me] = listener
        try:
            yield
        finally:
            with self.lock:
                self.listeners.pop(me, None)
                if not self.listeners:
                    self.logger.removeFilter(self)
                    self.logger.setLevel(self.level)


_watcher = _LayoutWatcher()


def named_pupils(context):
    """The pupils a pack names, from its ``pack_context``: one per case page of a staff pack,
    none in a governors' pack."""
    pupils = {page.pupil.pk: page.pupil for page in context["cases"] if page.pupil is not None}
    return list(pupils.values())


def render_review_pack(
    school, term, audience, user, progress=None, *, today=None, named=None
) -> bytes:
    """The pack as PDF bytes. ``progress(percent)``, when given, is called with a rising
    whole number as the figures are gathered and as pages (a case a page) are laid out;
    100 once the PDF is written. ``user`` is who the pack was made for (may be None): the
    footer says so, and when it was made. The PDF is stored and may be downloaded later by
    someone else, so it does not claim to be printed by anyone (each download is in the
    access record instead). ``named``, a list when given, receives the pupils the pack
    names (``named_pupils``), for their access logs."""
    reached = [0]

    def report(percent):
        percent = max(0, min(100, int(percent)))
        if progress is not None and percent > reached[0]:
            reached[0] = percent
            progress(percent)

    context = pack_context(school, term, audience, today=today)
    if named is not None:
        named.extend(named_pupils(context))
    report(GATHERED)
    expected_pages = SUMMARY_PAGES + len(context["cases"])

    def laid_out(page):
        if page is None:  # writing the PDF
            report(LAID_OUT)
            return
        share = min(page, expected_pages) / expected_pages
        report(GATHERED + (LAID_OUT - 1 - GATHERED) * share)

    if user is not None:
        context["made_for"] = str(user)
    with _watcher.listening(laid_out):
        data = render_pdf(PACK_TEMPLATE, context, title=context["title"])
    report(100)
    return data
