"""Business calendars on absolute instants (rule: "Support and SLA: Business time"), hand-computed.

Every case is worked out by hand from the calendar, the zone's offsets on the
day and the holiday list; the comment says how.  Times are naive UTC.
"""

from __future__ import annotations

import datetime as dt

import pytest

from app.sla_rules.calendars import Calendar, RuleError, format_frame, parse_frame
from app.sla_rules.policies import calendar_from_mapping

H = 3600
NY_OFFICE = calendar_from_mapping({
    "name": "New York", "timezone": "America/New_York", "holiday_country": "US",
    **{d: ["09:00-17:00"] for d in ("monday", "tuesday", "wednesday", "thursday", "friday")},
})
BERLIN_OFFICE = calendar_from_mapping({
    "name": "Berlin", "timezone": "Europe/Berlin", "holiday_country": "DE",
    **{d: ["09:00-12:00", "13:00-17:00"] for d in ("monday", "tuesday", "wednesday", "thursday", "friday")},
})


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args)


@pytest.mark.parametrize(
    ("start", "end", "hours", "why"),
    [
        (utc(2026, 11, 18, 15), utc(2026, 11, 18, 17), 2, "Wed 10:00-12:00 EST inside one day"),
        (utc(2026, 11, 18, 12), utc(2026, 11, 18, 15), 1, "before opening (07:00 EST) counts nothing"),
        (utc(2026, 11, 18, 21), utc(2026, 11, 19, 15), 2, "16:00 EST to 10:00 next day: the night is free"),
        (utc(2026, 11, 20, 21), utc(2026, 11, 23, 15), 2, "Friday 16:00 to Monday 10:00 EST: so is the weekend"),
        (utc(2026, 11, 25, 21), utc(2026, 11, 27, 15), 2, "Wed 16:00 to Fri 10:00 EST: Thanksgiving (Nov 26) is off"),
        (utc(2026, 11, 18, 17), utc(2026, 11, 18, 15), 0, "backwards is zero, not negative"),
    ],
)
def test_business_time_new_york(start, end, hours, why):
    assert NY_OFFICE.business_seconds(start, end) == hours * H, why


def test_frames_with_a_lunch_break_and_a_german_holiday():
    # Tue 2026-12-22 16:00 CET (15:00 UTC) to Mon 2026-12-28 10:00 CET (09:00 UTC): Tuesday 1 h; Wednesday 7 h;
    # Christmas Eve is a working day in the DE calendar of holidays (not a public holiday) 7 h; 25 and 26 are
    # holidays; Monday 1 h.  Total 16 h.
    assert BERLIN_OFFICE.business_seconds(utc(2026, 12, 22, 15), utc(2026, 12, 28, 9)) == 16 * H
    # 11:30 CET + 1 h: half an hour before lunch, half an hour after it.
    assert BERLIN_OFFICE.add(utc(2026, 12, 22, 10, 30), H) == utc(2026, 12, 22, 12, 30)


def test_us_daylight_saving_starts_inside_working_hours():
    # A Sunday night shift 00:00-06:00 New York.  On 2026-03-08 clocks jump from 02:00 EST to 03:00 EDT:
    # 00:00 EST = 05:00 UTC to 06:00 EDT = 10:00 UTC, five real hours.
    shift = calendar_from_mapping({"name": "Night", "timezone": "America/New_York", "sunday": ["00:00-06:00"]})
    assert shift.business_seconds(utc(2026, 3, 8), utc(2026, 3, 9)) == 5 * H
    assert shift.add(utc(2026, 3, 8), 4 * H) == utc(2026, 3, 8, 9)  # 05:00 UTC + 4 h of real time
    # On 2026-11-01 they fall back from 02:00 EDT to 01:00 EST: 00:00 EDT = 04:00 UTC to 06:00 EST = 11:00 UTC.
    assert shift.business_seconds(utc(2026, 11, 1), utc(2026, 11, 2)) == 7 * H


def test_eu_daylight_saving_inside_working_hours():
    # Sunday 00:00-06:00 Berlin.  2026-03-29: 00:00 CET = Sat 23:00 UTC to 06:00 CEST = 04:00 UTC: 5 h.
    shift = calendar_from_mapping({"name": "Night", "timezone": "Europe/Berlin", "sunday": ["00:00-06:00"]})
    assert shift.business_seconds(utc(2026, 3, 28), utc(2026, 3, 30)) == 5 * H
    # 2026-10-25: 00:00 CEST = Sat 22:00 UTC to 06:00 CET = 05:00 UTC: 7 h.
    assert shift.business_seconds(utc(2026, 10, 24), utc(2026, 10, 26)) == 7 * H


@pytest.mark.parametrize(
    ("calendar", "start", "due", "why"),
    [
        (NY_OFFICE, utc(2026, 3, 6, 21), utc(2026, 3, 9, 14),
         "Fri 16:00 EST + 2 h: 1 h Friday, then Monday 09:00 EDT (13:00 UTC, after the change) + 1 h"),
        (NY_OFFICE, utc(2026, 10, 30, 20), utc(2026, 11, 2, 15),
         "Fri 16:00 EDT + 2 h: 1 h Friday, then Monday 09:00 EST (14:00 UTC, after the change) + 1 h"),
        (BERLIN_OFFICE, utc(2026, 3, 27, 15), utc(2026, 3, 30, 8),
         "Fri 16:00 CET + 2 h: 1 h Friday, Monday 09:00 CEST = 07:00 UTC + 1 h"),
        (BERLIN_OFFICE, utc(2026, 10, 23, 14), utc(2026, 10, 26, 9),
         "Fri 16:00 CEST + 2 h: 1 h Friday, Monday 09:00 CET = 08:00 UTC + 1 h"),
    ],
)
def test_a_due_instant_across_both_daylight_saving_changes(calendar, start, due, why):
    assert calendar.add(start, 2 * H) == due, why


def test_created_outside_hours_and_a_minute_before_closing():
    # Tue 20:00 EST (Wed 01:00 UTC): the clock starts at Wednesday's opening, 09:00 EST = 14:00 UTC.
    assert NY_OFFICE.add(utc(2026, 11, 18, 1), 2 * H) == utc(2026, 11, 18, 16)
    # Tue 16:59 EST: one minute today, 119 minutes tomorrow: due Wed 10:59 EST = 15:59 UTC.
    assert NY_OFFICE.add(utc(2026, 11, 17, 21, 59), 2 * H) == utc(2026, 11, 18, 15, 59)


def test_always_open_counts_every_second():
    always = Calendar.always()
    assert always.business_seconds(utc(2026, 3, 7, 20), utc(2026, 3, 8, 20)) == 24 * H
    assert always.add(utc(2026, 12, 24, 23, 45), 1800) == utc(2026, 12, 25, 0, 15)


@pytest.mark.parametrize(
    ("mapping", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"holiday_country": "XX"}, "holiday_country"),
        ({"holiday_country": "DE-ZZ"}, "holiday_country"),
        ({"monday": ["17:00-09:00"]}, "monday[0]"),
        ({"monday": ["09:00-12:00", "11:00-13:00"]}, "monday[1]"),
        ({"tuesday": ["9-5"]}, "tuesday[0]"),
        ({"holidays": ["2026-02-30"]}, "holidays[0]"),
        ({"monday": []}, "monday"),  # no working time at all
    ],
)
def test_bad_calendars_are_refused_naming_the_field(mapping, field):
    with pytest.raises(RuleError) as refused:
        calendar_from_mapping({"name": "Bad", "monday": ["09:00-17:00"], **mapping})
    assert refused.value.field == field


def test_frames_read_and_write_alike():
    assert parse_frame("09:00-24:00") == (540, 1440)
    assert format_frame((540, 1440)) == "09:00-24:00"
