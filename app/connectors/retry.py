"""Retrying with jittered exponential back-off, shared by the Ops API and Stripe connectors.

Both backends throttle with 429 + ``Retry-After`` and occasionally fail with 5xx
or a dropped connection; the answer to all of these is the same: wait, then try
again, a bounded number of times.  The wait goes through ``CancelToken.wait`` so
cancelling a sync never waits out a back-off.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from app.tasks import Cancelled, CancelToken

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: ``attempts`` in total, waits growing from ``base_delay`` to ``max_delay``.

    ``retry_after_cap`` bounds a server's ``Retry-After`` so a misbehaving
    backend cannot park a sync for an hour.
    """

    attempts: int = 5
    base_delay: float = 0.25
    max_delay: float = 8.0
    retry_after_cap: float = 30.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based).

        A uniform draw from the upper half of the exponential ceiling spreads
        the retries of many clients while still backing off; a
        ``Retry-After`` is honoured as a floor.
        """
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        wait = random.uniform(ceiling / 2, ceiling)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.retry_after_cap))
        return wait


class RetryableFailure(Exception):
    """Raised by an attempt that may succeed if repeated; carries the server's ``Retry-After``."""

    def __init__(self, error: Exception, retry_after: float | None = None):
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (we only honour the delta-seconds form)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def call_with_retries(
    attempt: Callable[[], T],
    policy: RetryPolicy,
    cancel: CancelToken,
    on_give_up: Callable[[Exception], Exception],
) -> T:
    """Run ``attempt`` until it returns, raising ``on_give_up(last error)`` when retries run out.

    ``attempt`` raises ``RetryableFailure`` for transient trouble; anything else
    propagates at once (a refusal does not get better by asking again).
    """
    for number in range(1, policy.attempts + 1):
        cancel.raise_if_cancelled()
        try:
            return attempt()
        except RetryableFailure as failure:
            if number == policy.attempts:
                raise on_give_up(failure.error) from failure.error
            if cancel.wait(policy.delay(number, failure.retry_after)):
                raise Cancelled from None
    raise AssertionError("unreachable: the loop returns or raises")
