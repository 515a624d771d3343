"""Fair access against the school of dashboard_fixture.py, counted by hand, with its small
counts hidden and the one more that a printed total would give away."""

import base64
import re

import pytest
from django.urls import reverse

from reviews.dashboard import Period
from reviews.fair_access import fair_access

from .dashboard_fixture import build


def tables_for(school):
    world = build(school)
    result = fair_access(school, Period.of_term(world.term))
    return result, {t.field: t for t in result.tables}


@pytest.fixture
def tables(school):
    return tables_for(school)


def shown(table, column):
    return {r.label: getattr(r, column).shown for r in table.rows}


def shares(table, column):
    return {r.label: getattr(r, column).percent_shown for r in table.rows}


def test_totals_count_each_pupil_once(tables):
    result, _ = tables
    # 12 on the roll; Ann to Eve, Fay and Hal referred; Ann to Eve with a case.
    assert result.totals == {"roll": 12, "referred": 7, "cases": 5}


def test_gender_hides_small_counts_and_the_one_a_total_would_give_away(tables):
    _, by = tables
    gender = by["gender"]
    # Roll: 7 girls, 5 boys, 0 other: the 0 is hidden, and 5 too, or 12 - 7 would give it.
    assert shown(gender, "roll") == {
        "Female": "7",
        "Male": "not shown",
        "Other or not recorded": "fewer than 5",
    }
    assert shares(gender, "roll") == {"Female": "58%", "Male": "–", "Other or not recorded": "–"}
    # Referred: 6 girls, 1 boy, 0 other: two hidden already, nothing more to hide.
    assert shown(gender, "referred") == {
        "Female": "6",
        "Male": "fewer than 5",
        "Other or not recorded": "fewer than 5",
    }
    assert shares(gender, "referred")["Female"] == "86%"
    assert shown(gender, "cases") == {
        "Female": "5",
        "Male": "fewer than 5",
        "Other or not recorded": "fewer than 5",
    }


def test_pupil_premium_a_yes_no_table(tables):
    _, by = tables
    pp = by["pupil_premium"]
    # Roll: 3 with pupil premium (hidden), so the 9 without is hidden too.
    assert shown(pp, "roll") == {"Pupil premium": "fewer than 5", "Not pupil premium": "not shown"}
    assert shown(pp, "referred") == {
        "Pupil premium": "fewer than 5",
        "Not pupil premium": "fewer than 5",
    }


def test_no_hidden_count_can_be_worked_out_from_its_table(tables):
    result, _ = tables
    for table in result.tables:
        for column in ("roll", "referred", "cases"):
            hidden = [getattr(r, column) for r in table.rows if getattr(r, column).hidden]
            assert len(hidden) != 1, (table.heading, column)
            for share in hidden:
                assert share.percent is None


def test_each_table_has_a_chart_without_the_hidden_counts(tables):
    _, by = tables
    assert 'role="img"' in by["gender"].svg
    assert "not shown" in by["gender"].chart_alt


def test_the_charts_say_their_bars_are_shares_and_keep_the_groups_names(client_for, school, head):
    """A share read as a count misleads ("14" beside a table of 30 pupils): every value on
    the chart carries "%". And "SEN status" stays as written, not "sen status"."""
    result, by = tables_for(school)
    values = []
    for table in result.tables:
        svg = base64.b64decode(table.chart.split(",", 1)[1]).decode()
        values += re.findall(r'class="value[^"]*"[^>]*>([^<]+)<', svg)
        assert "in per cent" in table.chart_alt
    assert values and all(v.endswith("%") for v in values), values
    page = client_for(head).get(reverse("dashboard")).content.decode()
    assert "SEN status: pupils in each group" in page and "sen status" not in page


def test_chart_values_start_past_their_bars_on_a_whole_scale_of_shares(school):
    """A value centred on its bar's end covered the tip of the bar; six axis marks beside long
    group names ran together ("0%20%40%"). Values start past the bar; the scale is 0-100%."""
    result, _ = tables_for(school)
    svg = base64.b64decode(result.tables[0].chart.split(",", 1)[1]).decode()
    anchors = re.findall(r'<text text-anchor="(\w+)"[^>]*class="value', svg)
    assert anchors and set(anchors) == {"start"}, anchors
    texts = re.findall(r"<text([^>]*)>(\d+%)</text>", svg)
    marks = [text for attributes, text in texts if 'class="value' not in attributes]
    assert marks == ["0%", "50%", "100%"], marks
