"""Deterministic fault injection for the reliability tests.

Each API request draws its fate from a generator seeded by the options, so a
single-threaded client meets the same faults in the same places every run;
``script`` forces the next outcomes when a test needs one fault exactly where
it wants it.  The HTTP layer acts the faults out (see ``httpd``).
"""

from __future__ import annotations

import random
import threading
from collections import Counter, deque

from app.demo.messages import OpsError, Response, StripeError
from app.demo.options import FAULT_KINDS, FaultOptions


class FaultInjector:
    """Decides per request whether (and which) fault happens; counts what it injected."""

    def __init__(self, options: FaultOptions) -> None:
        self.options = options
        self.injected: Counter[str] = Counter()
        self._rng = random.Random(f"faults:{options.seed}")
        self._script: deque[str | None] = deque()
        self._lock = threading.Lock()

    def script(self, *outcomes: str | None) -> None:
        """Force the outcomes of the next API requests, in order (``None``: no fault)."""
        unknown = {o for o in outcomes if o is not None} - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}")
        with self._lock:
            self._script.extend(outcomes)

    def draw(self) -> str | None:
        with self._lock:
            if self._script:
                fault = self._script.popleft()
            elif self.options.rate and self._rng.random() < self.options.rate:
                fault = self._rng.choice(self.options.kinds)
            else:
                fault = None
            if fault is not None:
                self.injected[fault] += 1
            return fault

    def refusal(self, fault: str, stripe: bool) -> Response:
        """The answer a "before" fault gives instead of the handler's, in the API's own error shape."""
        status, code, message = {
            "rate_limit": (429, "rate_limited", "Too many requests; retry after the given delay."),
            "server_error": (500, "internal_error", "The demo backend failed (injected fault)."),
            "unavailable": (503, "unavailable", "The demo backend is unavailable (injected fault)."),
        }[fault]
        if stripe:
            error_type = "invalid_request_error" if status == 429 else "api_error"
            response = StripeError(status, message, type=error_type,
                                   code="rate_limit" if status == 429 else None).response()
        else:
            response = OpsError(status, code, message).response()
        if status in (429, 503):
            response.headers["Retry-After"] = str(self.options.retry_after_s)
        return response
