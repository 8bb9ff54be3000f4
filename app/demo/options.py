"""What a demo backend is built from: the size and seed of the business, credentials, faults.

Plain frozen dataclasses so the CLI, the desktop app's ``--demo`` mode, the
tests and the benchmarks all describe a backend the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

ROLES = ("executive", "product", "operations", "finance", "support")

# Faults a request can meet.  "before" faults answer instead of the handler, so
# a write they hit is never applied; "after" faults corrupt the answer of a
# handler that already ran, so a write they hit *was* applied (the case
# idempotency keys exist for).
FAULTS_BEFORE = ("rate_limit", "server_error", "unavailable", "disconnect")
FAULTS_AFTER = ("cut_body", "bad_json")
FAULT_KINDS = (*FAULTS_BEFORE, "slow", *FAULTS_AFTER)


@dataclass(frozen=True)
class FaultOptions:
    """Share and kinds of injected faults; deterministic for a given seed and request order."""

    rate: float = 0.0
    kinds: tuple[str, ...] = FAULT_KINDS
    seed: int = 0
    slow_seconds: float = 0.5
    retry_after_s: int = 1

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"fault rate must be within 0..1, not {self.rate}")
        unknown = set(self.kinds) - set(FAULT_KINDS)
        if unknown or not self.kinds:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {', '.join(FAULT_KINDS)}")


@dataclass(frozen=True)
class DemoOptions:
    """Everything that shapes one demo backend.

    ``now`` anchors the generated history and freezes the server's clock (tests
    move it with ``backend.clock.advance``); ``None`` means the real time, so the
    demo always looks current.  Tokens left ``None`` are generated per instance.
    """

    port: int = 0
    seed: int = 1
    customers: int = 1_500
    tickets: int = 20_000
    now: dt.datetime | None = None
    role: str = "executive"
    health_days: int = 7  # days of health-check history (the desktop demo shows 90)
    outage_tickets: bool = False  # tickets customers opened about the outages (the desktop demo has them)
    ops_api_token: str | None = None
    stripe_api_key: str | None = None
    faults: FaultOptions = field(default_factory=FaultOptions)

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, not {self.role!r}")
        if not 1 <= self.health_days <= 400:
            raise ValueError("health_days must be within 1..400")
        if self.customers < 1 or self.tickets < 0:
            raise ValueError("the business needs at least one customer and a non-negative ticket count")
        if self.now is not None and self.now.tzinfo is not None:
            object.__setattr__(self, "now", self.now.astimezone(dt.UTC).replace(tzinfo=None))
