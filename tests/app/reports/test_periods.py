"""Report periods: docs/metrics.md § "Report periods" (UTC days, ISO weeks Monday–Sunday, calendar months)."""

from __future__ import annotations

import datetime as dt

import pytest

from app.reports.periods import period_for

WEDNESDAY = dt.date(2026, 11, 18)


def test_a_day_a_week_and_a_month_holding_a_wednesday():
    assert (period_for("daily", WEDNESDAY).start, period_for("daily", WEDNESDAY).end) == (WEDNESDAY, WEDNESDAY)
    week = period_for("weekly", WEDNESDAY)
    assert (week.start, week.end, week.days) == (dt.date(2026, 11, 16), dt.date(2026, 11, 22), 7)
    assert week.start.weekday() == 0 and "Week 47 of 2026" in week.text()
    month = period_for("monthly", WEDNESDAY)
    assert (month.start, month.end, month.month) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30), dt.date(2026, 11, 1))


def test_the_iso_week_across_a_new_year_belongs_to_the_year_of_its_thursday():
    week = period_for("weekly", dt.date(2027, 1, 1))  # a Friday
    assert (week.start, week.end) == (dt.date(2026, 12, 28), dt.date(2027, 1, 3))
    assert "Week 53 of 2026" in week.text()
    assert week.month == dt.date(2027, 1, 1)  # the month the period ends in


def test_february_of_a_leap_year_ends_on_the_29th():
    assert period_for("monthly", dt.date(2028, 2, 10)).end == dt.date(2028, 2, 29)


def test_figures_are_taken_at_the_end_of_the_period_or_now_while_it_runs():
    now = dt.datetime(2026, 11, 18, 14, 30)
    assert period_for("monthly", WEDNESDAY).as_of(now) == now
    assert period_for("monthly", dt.date(2026, 10, 5)).as_of(now) == dt.datetime(2026, 11, 1)
    assert period_for("daily", dt.date(2026, 11, 17)).as_of(now) == dt.datetime(2026, 11, 18)
    assert period_for("weekly", WEDNESDAY).last_day(now) == WEDNESDAY


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="known: daily, weekly, monthly"):
        period_for("quarterly", WEDNESDAY)
