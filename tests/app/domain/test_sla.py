"""SLA clocks count business hours only: nights, weekends, holidays and time zones."""

from __future__ import annotations

import datetime as dt

import pytest

from app.config.settings import BusinessHours
from app.domain import sla

NINE_TO_FIVE = BusinessHours()  # UTC, 09:00–17:00, Monday–Friday
WED = dt.datetime(2026, 11, 18)  # a Wednesday
FRI = dt.datetime(2026, 11, 20)


def at(day: dt.datetime, hh: int, mm: int = 0) -> dt.datetime:
    return day.replace(hour=hh, minute=mm)


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        (at(WED, 10), at(WED, 12), 2),  # inside one day
        (at(WED, 7), at(WED, 10), 1),  # before opening counts nothing
        (at(WED, 16), at(WED + dt.timedelta(days=1), 10), 2),  # the night is free
        (at(FRI, 16), at(FRI + dt.timedelta(days=3), 10), 2),  # so is the weekend
        (at(WED, 12), at(WED, 11), 0),  # backwards is zero, not negative
    ],
)
def test_business_hours_between(start, end, hours):
    assert sla.business_seconds_between(start, end, NINE_TO_FIVE) == hours * 3600


def test_holidays_stop_the_clock():
    thursday = WED + dt.timedelta(days=1)
    hours = BusinessHours(holidays=(thursday.date().isoformat(),))
    assert sla.business_seconds_between(at(WED, 16), at(FRI, 10), hours) == 2 * 3600


def test_business_hours_are_local_to_the_team():
    # 09:00–17:00 in New York is 14:00–22:00 UTC in November.
    new_york = BusinessHours(timezone="America/New_York")
    assert sla.business_seconds_between(at(WED, 12), at(WED, 15), new_york) == 3600


def test_stop_after_returns_early_but_past_the_limit():
    far = at(WED, 10) + dt.timedelta(days=3000)
    counted = sla.business_seconds_between(at(WED, 10), far, NINE_TO_FIVE, stop_after=3600)
    assert 3600 < counted <= 8 * 3600


def test_classify():
    now = at(WED, 15)
    assert sla.classify(at(WED, 14), "open", now, NINE_TO_FIVE) == sla.BREACHED
    assert sla.classify(at(WED, 15, 45), "open", now, NINE_TO_FIVE) == sla.DUE_SOON
    assert sla.classify(at(WED, 17), "open", now, NINE_TO_FIVE) == sla.ON_TRACK
    assert sla.classify(at(WED, 14), "solved", now, NINE_TO_FIVE) == sla.NO_SLA
    assert sla.classify(None, "open", now, NINE_TO_FIVE) == sla.NO_SLA


def test_friday_evening_due_monday_morning_is_due_soon():
    # 30 min left on Friday plus 20 min on Monday: under one business hour although 64 wall-clock hours away.
    due = at(FRI + dt.timedelta(days=3), 9, 20)
    assert sla.classify(due, "open", at(FRI, 16, 30), NINE_TO_FIVE) == sla.DUE_SOON
    assert sla.classify(due, "open", at(FRI, 15, 30), NINE_TO_FIVE) == sla.ON_TRACK


def test_describe_says_how_late_or_how_much_is_left():
    now = at(WED, 15)
    assert "breached 1 h ago" in sla.describe(at(WED, 14), "open", now, NINE_TO_FIVE)
    assert "45 min of business hours left" in sla.describe(at(WED, 15, 45), "open", now, NINE_TO_FIVE)
    assert "solved" in sla.describe(at(WED, 14), "closed", now, NINE_TO_FIVE)


@pytest.mark.parametrize(("seconds", "text"), [(59, "0 min"), (720, "12 min"), (3600, "1 h"), (12_000, "3 h 20 min"),
                                                (86_400 * 2 + 3 * 3600, "2 d 3 h")])
def test_format_duration(seconds, text):
    assert sla.format_duration(seconds) == text
