"""Independent cases: the calendar agrees with ``businesstimedelta`` on generated spans (rule: "Business time").

``businesstimedelta`` is a separate business-hours library (pytz zones, its
own holiday rule); neither shares code with the other.  Spans are drawn over
2026 in New York and Berlin, so they cross weekends, public holidays and both
daylight-saving changes of each zone; both elapsed time and due instants are
compared, to the second.
"""

from __future__ import annotations

import datetime as dt
import random

import businesstimedelta
import holidays
import pytest
import pytz

from app.sla_rules.calendars import Calendar
from app.sla_rules.policies import calendar_from_mapping

CASES = 150
ZONES = {"America/New_York": "US", "Europe/Berlin": "DE"}


def _ours(zone: str, country: str) -> Calendar:
    return calendar_from_mapping({"name": zone, "timezone": zone, "holiday_country": country,
                                  **{d: ["08:30-17:15"] for d in ("monday", "tuesday", "wednesday", "thursday",
                                                                  "friday")}})


def _theirs(zone: str, country: str) -> businesstimedelta.Rules:
    tz = pytz.timezone(zone)
    workday = businesstimedelta.WorkDayRule(dt.time(8, 30), dt.time(17, 15), working_days=[0, 1, 2, 3, 4], tz=tz)
    days_off = businesstimedelta.HolidayRule(holidays.country_holidays(country, years=range(2025, 2028)), tz=tz)
    return businesstimedelta.Rules([workday, days_off])


def _aware(naive_utc: dt.datetime) -> dt.datetime:
    return naive_utc.replace(tzinfo=dt.UTC)


@pytest.mark.parametrize("zone", sorted(ZONES))
def test_elapsed_business_time_agrees(zone):
    ours, theirs = _ours(zone, ZONES[zone]), _theirs(zone, ZONES[zone])
    rng = random.Random(f"elapsed:{zone}")
    for _ in range(CASES):
        start = dt.datetime(2026, 1, 1) + dt.timedelta(minutes=rng.randrange(365 * 24 * 60))
        end = start + dt.timedelta(minutes=rng.randrange(1, 21 * 24 * 60))
        delta = theirs.difference(_aware(start), _aware(end))
        expected = delta.hours * 3600 + delta.seconds
        assert ours.business_seconds(start, end) == expected, (start, end)


@pytest.mark.parametrize("zone", sorted(ZONES))
def test_due_instants_agree(zone):
    ours, theirs = _ours(zone, ZONES[zone]), _theirs(zone, ZONES[zone])
    rng = random.Random(f"due:{zone}")
    for _ in range(CASES):
        start = dt.datetime(2026, 1, 1) + dt.timedelta(minutes=rng.randrange(365 * 24 * 60))
        hours = rng.choice((0.5, 1, 2, 4, 8, 48))
        expected = _aware(start) + businesstimedelta.BusinessTimeDelta(theirs, hours=int(hours),
                                                                       seconds=int(hours % 1 * 3600))
        due = ours.add(start, hours * 3600)
        assert due is not None and _aware(due) == expected.astimezone(dt.UTC), (start, hours)
