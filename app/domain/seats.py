"""The seat-cap rule of a license, in Python, for values already read (the SQL twin is ``app.domain.licenses``).

Its own module so that formatting a seat count (the window does at start-up)
needs neither the license queries nor the cache's schema.
"""

from __future__ import annotations

#: From this share of its seats (in percent) a license is near its cap; compared in whole numbers
#: (``100 × in use ≥ 90 × seats``), so SQL and Python agree on every count.
NEAR_CAP_PCT = 90
OVER, NEAR = "over", "near"


def seat_level(in_use: int, seats: int) -> str | None:
    """``over``, ``near`` or None."""
    if in_use > seats:
        return OVER
    return NEAR if in_use * 100 >= seats * NEAR_CAP_PCT else None
