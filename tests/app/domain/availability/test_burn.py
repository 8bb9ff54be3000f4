"""Rule "Burn-rate alerts" (docs/metrics.md § Service health, after the SRE workbook): each alert firing and not."""

from __future__ import annotations

import datetime as dt

import pytest

from app.domain.availability import burn
from app.domain.availability.timeline import Check, Coverage, Timeline

NOW = dt.datetime(2026, 3, 10, 12, 0)
SLO = 0.999


def minutely(down_minutes: set[int], span_min: int) -> Timeline:
    """A check every minute for ``span_min`` minutes before NOW; minute k (0 = the oldest) failed if in the set."""
    start = NOW - dt.timedelta(minutes=span_min)
    return Timeline([Check(start + dt.timedelta(minutes=k), k not in down_minutes) for k in range(span_min)], 60,
                    until=NOW)


def rates(line: Timeline) -> dict[dt.timedelta, float | None]:
    return {w: burn.burn_rate(line.last(w), SLO) for w in burn.WINDOWS}


def names(line: Timeline) -> list[str]:
    return [r.name for r in burn.firing(rates(line))]


def test_burn_rate_is_the_error_ratio_over_the_allowed_one():
    assert burn.burn_rate(Coverage(3600 - 36, 36, 0, 0), 0.999) == pytest.approx(10.0)
    assert burn.burn_rate(Coverage(0, 0, 0, 3600), 0.999) is None  # nothing known: no rate, no alert
    assert burn.burn_rate(Coverage(10, 0, 0, 0), 1.0) is None


def test_fast_page_fires_on_a_short_hard_outage():
    # the last 2 minutes down: 1 h → 2/60 = 3.3 % = 33×; 5 min → 40 % = 400×
    total = 3 * 24 * 60
    line = minutely({total - 2, total - 1}, total)
    assert names(line) == ["page_1h"]
    assert burn.level(burn.firing(rates(line))) == burn.PAGE


def test_fast_page_stays_quiet_once_the_short_window_recovered():
    # 2 minutes down, 10 to 12 minutes ago: 1 h still burns 33×, the last 5 min do not
    total = 3 * 24 * 60
    line = minutely({total - 12, total - 11}, total)
    assert "page_1h" not in names(line)


def test_fast_page_needs_more_than_14_4_over_the_hour():
    # 1 minute down in the last 5: 1 h → 1/60 = 16.7× (fires); with 0.8 minute it would be 13.3× (not)
    total = 3 * 24 * 60
    assert "page_1h" in names(minutely({total - 3}, total))
    hour = Coverage(3600 - 48, 48, 0, 0)  # 1.33 % over the hour: 13.3×
    short = Coverage(300 - 48, 48, 0, 0)
    assert not burn.fires(burn.RULES[0], {dt.timedelta(hours=1): burn.burn_rate(hour, SLO),
                                          dt.timedelta(minutes=5): burn.burn_rate(short, SLO)})


def test_slow_page_fires_on_a_steady_leak():
    # one minute in every 10 down for the last 6 h: 10 % = 100× over 6 h, 30 min and 1 h, 0.8 % = 8× over 3 d;
    # the last 5 minutes happen to hold no failure, so the fast page waits for its confirmation
    total = 3 * 24 * 60
    down = {k for k in range(total - 360, total) if k % 10 == 0}
    assert names(minutely(down, total)) == ["page_6h", "ticket_3d"]
    assert names(minutely(down | {total - 1}, total)) == ["page_1h", "page_6h", "ticket_3d"]


def test_slow_page_but_not_the_fast_one():
    # 0.8 % of the last 6 hours down (8×): above 6, below 14.4
    six_h, half_h = Coverage(21600 - 172.8, 172.8, 0, 0), Coverage(1800 - 14.4, 14.4, 0, 0)
    hour, five = Coverage(3600 - 28.8, 28.8, 0, 0), Coverage(300 - 2.4, 2.4, 0, 0)
    windows = {dt.timedelta(hours=6): six_h, dt.timedelta(minutes=30): half_h, dt.timedelta(hours=1): hour,
               dt.timedelta(minutes=5): five, dt.timedelta(days=3): Coverage(259200, 0, 0, 0)}
    got = burn.firing({w: burn.burn_rate(c, SLO) for w, c in windows.items()})
    assert [r.name for r in got] == ["page_6h"]


def test_ticket_fires_on_a_slow_burn_and_not_without_the_recent_confirmation():
    # 0.2 % down spread over 3 days (2×), of it 0.2 % in the last 6 h too → ticket only
    total = 3 * 24 * 60
    down = set(range(0, total, 500))  # one minute in 500: 0.2 %
    assert names(minutely(down, total)) == ["ticket_3d"]
    # the same 3 days, but the last 6 h clean: the ticket does not fire
    clean_recent = {k for k in down if k < total - 360}
    assert names(minutely(clean_recent, total)) == []


def test_nothing_fires_within_the_budget():
    total = 3 * 24 * 60
    assert names(minutely({100}, total)) == []  # one minute in three days: 0.02 %, 0.2×


def test_episode_start_is_the_first_minute_the_alert_held():
    total = 3 * 24 * 60
    line = minutely({total - 3, total - 2, total - 1}, total)  # down for the last 3 minutes

    def cover(at: dt.datetime, window: dt.timedelta) -> Coverage:
        return line.coverage(at - window, at)

    start = burn.episode_start(burn.RULES[0], cover, SLO, NOW, dt.timedelta(hours=24))
    # 1 h needs > 51.8 s down and 5 min > 4.3 s: both hold from one second past 11:57; whole minutes: 11:58
    assert start == dt.datetime(2026, 3, 10, 11, 58)
    assert burn.episode_start(burn.RULES[2], cover, SLO, NOW, dt.timedelta(hours=24)) is None
