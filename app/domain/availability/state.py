"""A service's current state: Up, Degraded, Down, Unknown or Maintenance, with the reason in words.

The rule (docs/metrics.md § Service health, "Current state"), first match wins:

1. **Maintenance** while a maintenance window of the service is open;
2. **Unknown** when no check covers now (none for twice the interval);
3. **Down** when the latest ``down_after_failures`` checks all failed — one
   failure alone is *pending* (Uptime Kuma's word): the service may be
   blinking, and a retry decides;
4. **Degraded** when it is pending, when the latest check took longer than
   the latency threshold (2 s), or when more than the error-rate threshold
   (5 %) of the last hour was down;
5. **Up** otherwise.

Checks from every source (the backend's and this workstation's probes) form
one sequence in time order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from app.domain.availability.timeline import HOLD_INTERVALS, Span

UP, DEGRADED, DOWN, UNKNOWN, MAINTENANCE = "Up", "Degraded", "Down", "Unknown", "Maintenance"
STATES = (DOWN, DEGRADED, UNKNOWN, MAINTENANCE, UP)  # problems first: the services table's order
ERROR_RATE_WINDOW = dt.timedelta(hours=1)


@dataclass(frozen=True)
class StatePolicy:
    """The thresholds of the state rule (``[health]`` settings)."""

    latency_threshold_ms: float = 2_000.0
    error_rate_threshold: float = 0.05
    down_after_failures: int = 2


@dataclass(frozen=True)
class RecentCheck:
    """A check as the state rule reads it."""

    at: dt.datetime
    ok: bool
    latency_ms: float | None = None
    error: str | None = None


@dataclass(frozen=True)
class CurrentState:
    state: str
    since: dt.datetime | None  # when this state began, when the checks tell (Down: the first failure of the run)
    reason: str


def trailing_failures(recent: Sequence[RecentCheck]) -> tuple[int, dt.datetime | None]:
    """How many of the newest checks failed in a row (``recent`` oldest first), and when the first of them ran."""
    count, first = 0, None
    for check in reversed(recent):
        if check.ok:
            break
        count, first = count + 1, check.at
    return count, first


def current_state(
    latest: RecentCheck | None,
    failures: int,
    first_failure: dt.datetime | None,
    interval_s: float,
    now: dt.datetime,
    *,
    maintenance: Span | None = None,
    error_rate: float | None = None,
    policy: StatePolicy = StatePolicy(),
) -> CurrentState:
    """The state at ``now`` from the latest check and the run of failures it ends (``failures`` in a row since
    ``first_failure``; 0 when it passed).

    ``maintenance``: the open maintenance window, if any; ``error_rate``: the
    share of known time down over the last hour (by duration).
    """
    if maintenance is not None:
        return CurrentState(MAINTENANCE, maintenance.start, "In a maintenance window")
    horizon = dt.timedelta(seconds=HOLD_INTERVALS * interval_s)
    if latest is None or latest.at + horizon <= now:
        since = None if latest is None else latest.at + horizon
        why = "Never checked" if latest is None else f"No check for more than {HOLD_INTERVALS} × the check interval"
        return CurrentState(UNKNOWN, since, why)
    if failures >= policy.down_after_failures:
        return CurrentState(DOWN, first_failure, f"{failures} checks failed in a row: {latest.error or 'failed'}")
    if failures:
        return CurrentState(
            DEGRADED, first_failure,
            f"Pending: {failures} of {policy.down_after_failures} failed checks before it counts as Down "
            f"({latest.error or 'failed'})",
        )
    if latest.latency_ms is not None and latest.latency_ms > policy.latency_threshold_ms:
        return CurrentState(
            DEGRADED, latest.at,
            f"Slow: the latest check took {latest.latency_ms:,.0f} ms "
            f"(threshold {policy.latency_threshold_ms:,.0f} ms)",
        )
    if error_rate is not None and error_rate > policy.error_rate_threshold:
        return CurrentState(
            DEGRADED, None,
            f"Errors: down {error_rate:.1%} of the last hour (threshold {policy.error_rate_threshold:.0%})",
        )
    return CurrentState(UP, None, "The latest check passed")
