"""Alert rules and the pass that turns them into notifications.

Each feature contributes *rules*: pure functions of the cache, the moment and
the settings that return the alerts holding now (``Notice`` values with a
dedupe key per transition).  ``run_alerts`` evaluates every rule and records
what is new through ``app.notifications``; the window runs it after each sync
and on a timer (some alerts, like an SLA's pre-breach window, arrive with the
passing of time, not with new data), the CLI after ``opsconsole sync``.

The first pass after the cache's first sync is quiet: it records what holds
already (a service that has been down for a week, last month's budget
crossings) without announcing it, so a fresh cache does not open with a storm.
A rule that fails is logged and reported; the others still run.  The pass
holds the cache's write lock from its start (``write_first``): a sync that
commits while the rules read makes it wait its turn, not fail.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, select

from app.clock import utcnow
from app.config.settings import Settings
from app.domain import licenses
from app.domain.customer_desk.alerts import refused_actions
from app.domain.revenue.risk import at_risk_alerts
from app.notices import Notice
from app.notifications import record
from app.store.app_state import get_app_value, put_app_value
from app.store.changes import NOTHING, Changes
from app.store.database import write_first
from app.store.schema import Notification, SyncState

log = logging.getLogger(__name__)

AlertRule = Callable[[Connection, dt.datetime, Settings], Iterable[Notice]]
ARMED_KEY = "alerts:armed"  # app_state: set once the first post-sync pass recorded the history quietly


def rules() -> tuple[AlertRule, ...]:
    """Every alert rule of the console, in the order their notifications are listed."""
    from app.domain.availability import alert_rules as health
    from app.domain.costs.alerts import anomaly_alerts, budget_alerts
    from app.domain.sla.alerts import pre_breach

    return (health.health_state, health.health_burn_rate, health.health_certificate, licenses.seat_alerts,
            refused_actions, pre_breach, at_risk_alerts, budget_alerts, anomaly_alerts)


@dataclass(frozen=True)
class AlertRun:
    """What one pass did: notices to announce now, how many were new in all, rules that failed."""

    announced: list[Notice] = field(default_factory=list)
    recorded: int = 0
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def changes(self) -> Changes:
        """What the pass wrote, for the change bus: the notifications table when anything was recorded."""
        return Changes.of(Notification.__tablename__) if self.recorded else NOTHING


def _has_synced(conn: Connection) -> bool:
    stmt = select(SyncState.resource).where(SyncState.last_success_at.is_not(None)).limit(1)
    return conn.execute(stmt).first() is not None


def run_alerts(
    engine: Engine,
    settings: Settings,
    *,
    now: dt.datetime | None = None,
    rule_set: Iterable[AlertRule] | None = None,
) -> AlertRun:
    """Evaluate every rule and record new notices in one transaction; see the module doc."""
    now = now or utcnow()
    announced: list[Notice] = []
    recorded = 0
    errors: dict[str, str] = {}
    muted = settings.notifications.muted
    with write_first(engine) as conn:  # the sync commits while rules read (see write_first)
        armed = bool(get_app_value(conn, ARMED_KEY))
        synced = _has_synced(conn)
        for rule in rules() if rule_set is None else rule_set:
            name = getattr(rule, "__qualname__", repr(rule))
            try:
                with conn.begin_nested():
                    result = record(conn, rule(conn, now, settings), muted=muted, quiet=not armed, now=now)
            except Exception as exc:  # one broken rule must not silence the others
                log.exception("alert rule %s failed", name)
                errors[name] = str(exc) or type(exc).__name__
                continue
            announced.extend(result.announce)
            recorded += result.new
        if synced and not armed:
            put_app_value(conn, ARMED_KEY, True)
    return AlertRun(announced, recorded, errors)
