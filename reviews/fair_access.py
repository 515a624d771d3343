"""Fair access: do referrals and places in the programme fall fairly across groups of pupils?

For each characteristic the school records (year group, gender, SEN status, pupil premium,
EAL, looked-after, and ethnicity where recorded), three counts of pupils side by side: on
the roll during the period, referred during the period, and with a case in the programme
during the period, each with its share of its column. A pupil counts once per column,
however many referrals or cases they had.

Small numbers could point at a child, so every count under 5 shows as "fewer than 5", with
no share, and is not drawn. Each column prints its total, so when only one count in a
column is hidden, the next smallest is hidden too ("not shown"): otherwise the hidden one
could be worked out by subtracting the rest from the total (``reviews.pack.suppress``).
Zeros are hidden like any other small count, so an empty group cannot be told from a small
one. Every table is built from the same three sets of pupils, so the totals are the same in
each; a table's hidden counts stay hidden whatever the other tables show.
"""

from collections import Counter
from dataclasses import dataclass

from mentoring.models import Gender, Pupil, SenStatus, YearGroup
from referrals.models import Referral

from .charts import inline_svg
from .pack import (
    ACROSS_CHART_WIDTH,
    CHART_WIDTH,
    SMALL,
    Cell,
    _bar_chart,
    _in_term,
    suppress,
    term_cases,
)

FIELDS = (
    "pk",
    "year_group",
    "gender",
    "sen_status",
    "pupil_premium",
    "eal",
    "looked_after",
    "ethnicity",
)
NOT_RECORDED = "Not recorded"


def _yes_no(yes, no):
    return [(True, yes), (False, no)]


# (field, heading, [(value, label)] or None when the values come from the roll itself)
CHARACTERISTICS = (
    ("year_group", "Year group", YearGroup.choices),
    ("gender", "Gender", Gender.choices),
    ("sen_status", "SEN status", SenStatus.choices),
    ("pupil_premium", "Pupil premium", _yes_no("Pupil premium", "Not pupil premium")),
    ("eal", "English as an additional language", _yes_no("EAL", "Not EAL")),
    ("looked_after", "Looked-after children", _yes_no("Looked after", "Not looked after")),
    ("ethnicity", "Ethnicity, where recorded", None),
)
COLUMNS = (("roll", "On the roll"), ("referred", "Referred"), ("cases", "With a case"))


@dataclass
class Share:
    """A count of pupils in one group, and its share of the column's total."""

    cell: Cell
    total: int

    @property
    def shown(self):
        return self.cell.shown

    @property
    def hidden(self):
        return self.cell.hidden

    @property
    def percent(self):
        if self.cell.hidden or not self.total:
            return None
        return round(100 * self.cell.value / self.total)

    @property
    def percent_shown(self):
        return "–" if self.percent is None else f"{self.percent}%"


@dataclass
class Row:
    label: str
    roll: Share
    referred: Share
    cases: Share

    @property
    def shares(self):
        return [self.roll, self.referred, self.cases]


@dataclass
class Table:
    field: str
    heading: str
    rows: list
    totals: dict
    svg: str = ""
    chart_alt: str = ""
    chart: str = ""

    @property
    def any_hidden(self):
        return any(getattr(r, c).hidden for r in self.rows for c, _ in COLUMNS)

    @property
    def any_secondary(self):
        return any(getattr(r, c).cell.secondary for r in self.rows for c, _ in COLUMNS)


@dataclass
class FairAccess:
    tables: list
    totals: dict
    small: int = SMALL


def period_pupils(school, period):
    """The three sets of pupils, as rows of their characteristics: on the roll at some time
    in the period, referred in the period (submitted, not a draft), with a case in the
    programme during the period. Three queries."""
    roll = list(
        Pupil.objects.filter(school=school, anonymised_on__isnull=True)
        .exclude(date_left__lt=period.starts_on)
        .values(*FIELDS)
    )
    start, end = _in_term(period)
    referrals = Referral.objects.filter(
        school=school, submitted_at__gte=start, submitted_at__lt=end
    ).exclude(status=Referral.Status.DRAFT)
    referred = list(Pupil.objects.filter(pk__in=referrals.values("pupil_id")).values(*FIELDS))
    with_case = list(
        Pupil.objects.filter(pk__in=term_cases(school, period).values("pupil_id")).values(*FIELDS)
    )
    return {"roll": roll, "referred": referred, "cases": with_case}


def _labels(field, choices, pupils):
    if choices is not None:
        return choices
    found = sorted({p[field] for column in pupils.values() for p in column if p[field]})
    labels = [(value, value) for value in found]
    if any(not p[field] for column in pupils.values() for p in column):
        labels.append(("", NOT_RECORDED))
    return labels


def fair_access(school, period, *, charts=True, inline=True):
    """Every characteristic's table, small counts hidden. ``inline`` draws charts as inline
    SVG for a web page; otherwise as ``data:`` images for a PDF."""
    pupils = period_pupils(school, period)
    totals = {column: len({p["pk"] for p in rows}) for column, rows in pupils.items()}
    tables = []
    for field, heading, choices in CHARACTERISTICS:
        labels = _labels(field, choices, pupils)
        shares = {}
        for column, _ in COLUMNS:
            counts = Counter(p[field] for p in pupils[column])
            cells = [Cell(label, counts.get(value, 0)) for value, label in labels]
            suppress(cells, protect=True)
            shares[column] = [Share(cell, totals[column]) for cell in cells]
        rows = [
            Row(label, shares["roll"][i], shares["referred"][i], shares["cases"][i])
            for i, (_, label) in enumerate(labels)
        ]
        table = Table(field, heading, rows, totals)
        if charts:
            _draw(table, inline=inline)
        tables.append(table)
    return FairAccess(tables, totals)


def _draw(table, *, inline):
    series = [(name, [getattr(r, column).percent for r in table.rows]) for column, name in COLUMNS]
    alt = (
        f"Bar chart of the share of pupils in each group ({table.heading}), in per cent, on "
        "the roll, referred and with a case: "
        + "; ".join(
            f"{r.label}: roll {r.roll.percent_shown}, referred {r.referred.percent_shown}, "
            f"with a case {r.cases.percent_shown}"
            for r in table.rows
        )
        + ". Shares of groups under 5 pupils are not shown."
    )
    # Beside its table on the web page; across the page, above its table, in the report.
    width = CHART_WIDTH if inline else ACROSS_CHART_WIDTH
    url, alt = _bar_chart([r.label for r in table.rows], series, alt=alt, unit="%", width=width)
    table.chart, table.chart_alt = url, alt
    if inline:
        table.svg = inline_svg(url, title=f"{table.heading}: share of pupils", description=alt)
