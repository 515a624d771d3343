"""The school years adherence is read by: a coordinator looks at this year's practice, and at
an earlier year or every year only when asking for it."""

from dataclasses import dataclass
from datetime import date

from mentoring.models import AcademicYear

ALL_YEARS = "all"


@dataclass(frozen=True)
class SchoolYear:
    name: str
    starts_on: date
    ends_on: date


def school_years(school_ids):
    """The schools' years, newest first. Schools that share a year's name (2026/27) share
    the year, from the earliest of their first days to the latest of their last."""
    spans = {}
    rows = AcademicYear.objects.filter(school_id__in=school_ids).values_list(
        "name", "starts_on", "ends_on"
    )
    for name, starts_on, ends_on in rows:
        first, last = spans.get(name, (starts_on, ends_on))
        spans[name] = (min(first, starts_on), max(last, ends_on))
    years = [SchoolYear(name, first, last) for name, (first, last) in spans.items()]
    return sorted(years, key=lambda year: year.starts_on, reverse=True)


def chosen_year(years, asked, today):
    """The year asked for by name; otherwise the one under way (the latest to have started
    by today). None means every year: asked for, or no year set up yet."""
    if asked == ALL_YEARS:
        return None
    named = {year.name: year for year in years}
    if asked in named:
        return named[asked]
    started = [year for year in years if year.starts_on <= today]
    return started[0] if started else (years[-1] if years else None)


def year_span(year, today):
    """The days a year's figures count, (since, until): from its first day up to today or its
    last day, whichever comes first. Every day up to today for None (every year)."""
    if year is None:
        return None, today
    return year.starts_on, min(today, year.ends_on)
