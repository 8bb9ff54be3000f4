"""The demo's sense of "now": the real time, or a frozen time tests move by hand.

Everything time-dependent (generated history, change stamps, Stripe's 30-day
event retention, health checks appearing every five minutes) reads this one
clock, so a test can freeze it, advance it by a month, and see exactly what a
client would see after that month.
"""

from __future__ import annotations

import datetime as dt
import threading


def real_utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Clock:
    """Naive-UTC time that is either real (``frozen_at=None``) or frozen and moved by tests."""

    def __init__(self, frozen_at: dt.datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._frozen = frozen_at
        self._last = frozen_at or real_utcnow()

    @property
    def frozen(self) -> bool:
        return self._frozen is not None

    def now(self) -> dt.datetime:
        with self._lock:
            return self._frozen if self._frozen is not None else real_utcnow()

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        """Move a frozen clock forward (a real clock cannot be moved)."""
        with self._lock:
            if self._frozen is None:
                raise RuntimeError("the clock follows real time; create the backend with now=... to move it")
            if delta < dt.timedelta(0):
                raise ValueError("the demo clock only moves forward")
            self._frozen += delta
            return self._frozen

    def stamp(self) -> dt.datetime:
        """A change stamp: now, but strictly after every stamp handed out before.

        Change feeds order by ``(updated_at, id)``; strictly increasing stamps
        mean a write always lands after every row a client has already seen,
        even when the clock is frozen.
        """
        with self._lock:
            now = self._frozen if self._frozen is not None else real_utcnow()
            self._last = max(now, self._last + dt.timedelta(microseconds=1))
            return self._last
