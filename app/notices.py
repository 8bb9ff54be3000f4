"""What a notification says: its kinds and severities, the ``Notice`` a rule derives, a recorded one as listed.

Alert rules build ``Notice`` values; ``app.notifications`` records them in
the cache.  These types live apart from the recording so that what only
names a notice -- the rules, the status-bar bell, the desktop messages --
does not load the cache's SQL: the window makes its bell before its first
paint and runs no query until after it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

INFO, WARNING, CRITICAL = "info", "warning", "critical"
SEVERITIES = (INFO, WARNING, CRITICAL)

# Every kind of notification, with the words the settings show next to its "mute" box.
KINDS: dict[str, str] = {
    "health.state": "A service went down or came back up",
    "health.burn_rate": "A service burns its error budget too fast",
    "health.certificate": "A TLS certificate is about to expire",
    "sla.pre_breach": "A ticket is about to breach its SLA",
    "costs.budget": "Spend or its forecast crossed a budget threshold",
    "costs.anomaly": "A day's cost far above its usual level",
    "revenue.at_risk": "A customer newly at risk of churning",
    "licenses.seats": "A license at or over its seat cap",
    "desk.refused": "Stripe or the Ops API refused a billing or access action",
}

# Older than this when first seen, a notice is history: recorded, not announced.
HISTORY_AGE = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Notice:
    """One alert as a rule derives it; ``(kind, key)`` identifies the transition it announces."""

    kind: str
    key: str
    title: str
    body: str = ""
    severity: str = WARNING
    pane: str | None = None  # the tab that shows the record ("tickets")
    record: str | None = None  # the record's key in that tab's table
    occurred_at: dt.datetime | None = None  # naive UTC; None means "now"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown notification kind {self.kind!r}; known: {', '.join(KINDS)}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}; known: {', '.join(SEVERITIES)}")


@dataclass(frozen=True)
class StoredNotice:
    """A recorded notification, as the in-app list shows it."""

    id: int
    notice: Notice
    created_at: dt.datetime
    delivered: bool
    read_at: dt.datetime | None
