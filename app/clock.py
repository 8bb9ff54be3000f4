"""The console's one "now": naive UTC, the cache's time convention.

Every rule that compares with the present (SLA breached, license expired,
sync back-off, outbox retry) reads this function, so there is one place to
say what "now" means and one thing for a test to patch.
"""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    """Naive UTC now (the cache stores naive UTC everywhere)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
