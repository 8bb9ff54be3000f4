"""The sync's back-off between passes: doubling after failures, capped, back to the interval after a success."""

from __future__ import annotations

from app.sync.backoff import Backoff


def test_backoff_doubles_on_failure_and_resets_on_success() -> None:
    backoff = Backoff(interval=300, first_retry=10, max_delay=60, jitter=0)
    assert [backoff.next_delay(failed=True) for _ in range(5)] == [10, 20, 40, 60, 60]
    assert backoff.next_delay(failed=False) == 300
    assert backoff.next_delay(failed=True) == 10
