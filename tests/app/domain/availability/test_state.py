"""Rule "Current state" (docs/metrics.md § Service health): Up, Degraded, Down, Unknown, Maintenance."""

from __future__ import annotations

import datetime as dt

from app.domain.availability import state as st
from app.domain.availability.timeline import Span

NOW = dt.datetime(2026, 3, 10, 12, 0)


def ago(minutes: float) -> dt.datetime:
    return NOW - dt.timedelta(minutes=minutes)


def check(minutes: float, ok: bool = True, latency: float = 100.0, error: str | None = None) -> st.RecentCheck:
    return st.RecentCheck(ago(minutes), ok, latency, error)


def state(recent, **kw) -> st.CurrentState:
    failures, first = st.trailing_failures(recent)
    return st.current_state(recent[-1] if recent else None, failures, first, 60, NOW, **kw)


def test_up_when_the_latest_check_passed():
    assert state([check(3), check(1)]).state == st.UP


def test_one_failure_is_pending_degraded_two_are_down_since_the_first():
    pending = state([check(2), check(1, ok=False, error="HTTP 503")])
    assert (pending.state, pending.since) == (st.DEGRADED, ago(1))
    assert "Pending: 1 of 2" in pending.reason and "HTTP 503" in pending.reason
    down = state([check(3), check(1.5, ok=False), check(1, ok=False, error="timed out")])
    assert (down.state, down.since) == (st.DOWN, ago(1.5))
    assert "timed out" in down.reason
    assert state([check(1, ok=False)], policy=st.StatePolicy(down_after_failures=1)).state == st.DOWN


def test_slow_or_erroring_is_degraded():
    assert state([check(1, latency=2500)]).state == st.DEGRADED
    assert state([check(1, latency=2000)]).state == st.UP  # at the threshold is not over it
    errors = state([check(1)], error_rate=0.06)
    assert errors.state == st.DEGRADED and "6.0%" in errors.reason
    assert state([check(1)], error_rate=0.05).state == st.UP


def test_unknown_without_a_check_covering_now():
    assert state([]).state == st.UNKNOWN
    stale = state([check(2.5)])  # interval 60 s: a check holds 2 min
    assert (stale.state, stale.since) == (st.UNKNOWN, ago(0.5))


def test_maintenance_wins():
    window = Span(ago(30), NOW + dt.timedelta(minutes=30))
    got = state([check(1, ok=False), check(0.5, ok=False)], maintenance=window)
    assert (got.state, got.since) == (st.MAINTENANCE, ago(30))
