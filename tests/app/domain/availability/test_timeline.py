"""Rule "Availability by duration" (docs/metrics.md § Service health): hand-computed timelines."""

from __future__ import annotations

import datetime as dt

import pytest

from app.domain.availability.timeline import Check, Span, Timeline, coverage, days, merge_spans
from tests.app.domain.availability.support import T0, at, checks, span

MIN = 60.0


def test_each_check_holds_until_the_next():
    # up at 0, down at 10, up at 20; window 0-30 min, interval 10 min
    cover = coverage(checks((0, True), (10, False), (20, True)), 600, at(0), at(30))
    assert (cover.up_s, cover.down_s, cover.unknown_s) == (20 * MIN, 10 * MIN, 0.0)
    assert cover.availability == pytest.approx(2 / 3)


def test_irregular_intervals_are_weighted_by_duration_not_by_count():
    # one failed check held 2 min among passes held 1, 4 and 3 min: 8 of 10 min up
    cover = coverage(checks((0, True), (1, True), (5, False), (7, True)), 300, at(0), at(10))
    assert (cover.up_s, cover.down_s) == (8 * MIN, 2 * MIN)


def test_retries_while_down_do_not_weigh_more_than_the_downtime():
    # every 5 min while up; down from 10 to 15 with retries every 30 s: 5 min down of 30, whatever the count
    down = [(10 + k / 2, False) for k in range(10)]
    cover = coverage(checks((0, True), (5, True), *down, (15, True), (20, True), (25, True)), 300, at(0), at(30))
    assert cover.down_s == pytest.approx(5 * MIN)
    assert cover.availability == pytest.approx(25 / 30)


def test_a_gap_is_unknown_never_down():
    # interval 5 min: the check at 0 holds at most 10 min; nothing from 10 to 60, then a pass at 60
    cover = coverage(checks((0, True), (60, True)), 300, at(0), at(70))
    assert (cover.up_s, cover.down_s, cover.unknown_s) == (20 * MIN, 0.0, 50 * MIN)
    assert cover.availability == 1.0


def test_a_failure_before_a_gap_counts_only_twice_the_interval():
    cover = coverage(checks((0, False), (60, True)), 300, at(0), at(60))
    assert (cover.down_s, cover.unknown_s) == (10 * MIN, 50 * MIN)
    assert cover.availability == 0.0


def test_no_checks_is_unknown_not_perfect():
    cover = coverage([], 60, at(0), at(60))
    assert cover.availability is None and cover.unknown_s == 60 * MIN


def test_maintenance_is_cut_out():
    # down from 10 to 30 (the failure holds until the pass at 30), maintenance 15-25: 10 min down, 10 maintenance
    cover = coverage(checks((0, True), (10, False), (20, False), (30, True)), 600, at(0), at(40), [span(15, 25)])
    assert (cover.up_s, cover.down_s, cover.maintenance_s, cover.unknown_s) == (20 * MIN, 10 * MIN, 10 * MIN, 0.0)
    assert cover.availability == pytest.approx(2 / 3)


def test_overlapping_maintenance_windows_count_once():
    assert merge_spans([span(10, 20), span(15, 30), span(40, 50)]) == [span(10, 30), span(40, 50)]
    cover = coverage(checks((0, False)), 3600, at(0), at(60), [span(10, 20), span(15, 30)])
    assert (cover.down_s, cover.maintenance_s) == (40 * MIN, 20 * MIN)


def test_checks_at_the_same_instant_count_as_one_that_failed_if_either_failed():
    both = [Check(at(0), True), Check(at(0), False), Check(at(10), True)]
    cover = coverage(both, 600, at(0), at(20))
    assert (cover.up_s, cover.down_s) == (10 * MIN, 10 * MIN)


def test_nothing_holds_past_the_end_and_the_window_start_clips():
    line = Timeline(checks((0, True), (10, False)), 600, until=at(15))
    cover = line.coverage(at(5), at(15))
    assert (cover.up_s, cover.down_s) == (5 * MIN, 5 * MIN)
    assert line.coverage(at(15), at(25)).known_s == 0  # the future is not known
    assert line.last(dt.timedelta(minutes=10)).down_s == 5 * MIN


def test_a_check_before_the_window_covers_its_start():
    cover = coverage(checks((0, False), (8, True)), 600, at(5), at(10))
    assert (cover.down_s, cover.up_s) == (3 * MIN, 2 * MIN)


def test_days_of_the_status_bar_split_at_utc_midnight():
    start = T0 - dt.timedelta(minutes=30)  # 23:30 the day before
    line = Timeline([Check(start, False), Check(T0 + dt.timedelta(minutes=30), True)], 3600, until=at(60),
                    maintenance=[Span(at(40), at(50))])
    (day1, c1), (day2, c2) = days(line, (T0 - dt.timedelta(days=1)).date(), 2)
    assert (day1, c1.down_s, c1.unknown_s) == (dt.date(2026, 2, 28), 30 * MIN, 23.5 * 3600)
    assert (day2, c2.down_s, c2.up_s, c2.maintenance_s, c2.unknown_s) == (dt.date(2026, 3, 1), 30 * MIN, 20 * MIN,
                                                                           10 * MIN, 0.0)
