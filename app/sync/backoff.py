"""When to sync next: a steady interval while things work, exponential back-off while they fail.

Qt-free policy for the UI's ``QTimer`` (and any other scheduler): after each
``run_once`` ask ``next_delay(failed=...)`` and arm the timer with it.  Jitter
keeps a room full of workstations from retrying in lock-step after an outage.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Backoff:
    """Seconds until the next sync.

    ``interval`` after a success; after failures, doubling from ``first_retry`` up to ``max_delay``.
    """

    interval: float = 300.0
    first_retry: float = 15.0
    max_delay: float = 900.0
    jitter: float = 0.2
    failures: int = field(default=0, init=False)

    def next_delay(self, failed: bool) -> float:
        """Record the outcome of a pass and return how long to wait before the next one."""
        if not failed:
            self.failures = 0
            return self.interval
        self.failures += 1
        delay = min(self.max_delay, self.first_retry * 2.0 ** (self.failures - 1))
        return delay * random.uniform(1 - self.jitter, 1 + self.jitter) if self.jitter else delay

    def reset(self) -> None:
        """Forget past failures (the user pressed "sync now" or the network came back)."""
        self.failures = 0
