"""Health's alert rules: a service going Down or coming back, a burn-rate alert, a certificate about to expire.

Each rule is a pure function of the cache, the moment and the settings
(``app.alerts`` records what is new), and each notice's key names one
transition, so a rule evaluated every minute announces a thing once:

* ``health.state``: ``"<service>:down:<first failure>"`` when a run of failed
  checks reaches ``[health] down_after_failures`` (not inside maintenance),
  ``"<service>:up:<first pass>"`` when a confirmed Down ends;
* ``health.burn_rate``: ``"<service>:<rule>:<when it began firing>"``;
* ``health.certificate``: ``"<service>:cert:<expiry day>"`` once the
  certificate expires within ``[health] certificate_warn_days``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import Connection, select

from app.config.settings import Settings
from app.domain.availability import burn
from app.domain.availability.coverage_sql import maintenance_spans, spans_for
from app.domain.availability.timeline import Check, Coverage, Timeline
from app.notices import CRITICAL, INFO, WARNING, Notice
from app.store.schema import HealthCheck, Service

_H, _S = HealthCheck.__table__, Service.__table__
LOOK_BACK = dt.timedelta(hours=25)  # transitions of the last day (older ones are history anyway)
PANE = "health"


def _services(conn: Connection) -> list[tuple[str, str, float, float]]:
    rows = conn.execute(select(_S.c.id, _S.c.name, _S.c.probe_interval_s, _S.c.slo_target).order_by(_S.c.id))
    return [(sid, name, float(interval or 60), float(slo)) for sid, name, interval, slo in rows]


def _checks(conn: Connection, service_id: str, since: dt.datetime, now: dt.datetime) -> list[Check]:
    rows = conn.execute(
        select(_H.c.checked_at, _H.c.ok)
        .where(_H.c.service_id == service_id, _H.c.checked_at >= since, _H.c.checked_at <= now)
        .order_by(_H.c.checked_at, _H.c.ok.desc())
    )
    return [Check(at, bool(ok)) for at, ok in rows]


def _minutes(delta: dt.timedelta) -> str:
    minutes = round(delta.total_seconds() / 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes / 60:.1f} h"


def health_state(conn: Connection, now: dt.datetime, settings: Settings) -> Iterator[Notice]:
    """Up→Down and Down→Up of every service over the last day."""
    needed = settings.health.down_after_failures
    maintenance = maintenance_spans(conn, now - LOOK_BACK, now)
    for service_id, name, _, _ in _services(conn):
        spans = spans_for(service_id, maintenance)
        run: list[Check] = []
        down_since: dt.datetime | None = None
        for check in _checks(conn, service_id, now - LOOK_BACK, now):
            if not check.ok:
                run.append(check)
                in_maintenance = any(s.start <= run[0].at < s.end for s in spans)
                if len(run) == needed and not in_maintenance:
                    down_since = run[0].at
                    yield Notice("health.state", f"{service_id}:down:{down_since:%Y-%m-%dT%H:%M}", f"{name} is down",
                                 f"{needed} checks failed in a row since {down_since:%H:%M} UTC.", CRITICAL, PANE,
                                 service_id, check.at)
                continue
            if down_since is not None:
                yield Notice("health.state", f"{service_id}:up:{check.at:%Y-%m-%dT%H:%M}", f"{name} is back up",
                             f"Down for {_minutes(check.at - down_since)}.", INFO, PANE, service_id, check.at)
            run, down_since = [], None


def health_burn_rate(conn: Connection, now: dt.datetime, settings: Settings) -> Iterator[Notice]:
    """A burn-rate alert (SRE workbook) that began firing, per service and rule."""
    horizon = dt.timedelta(hours=24)
    longest = max(burn.WINDOWS)
    maintenance = maintenance_spans(conn, now - longest - horizon, now)
    for service_id, name, interval, slo in _services(conn):
        line = Timeline(_checks(conn, service_id, now - longest - horizon - dt.timedelta(seconds=2 * interval), now),
                        interval, now, spans_for(service_id, maintenance))

        def cover(at: dt.datetime, window: dt.timedelta, line: Timeline = line) -> Coverage:
            return line.coverage(at - window, at)

        for rule in burn.RULES:
            start = burn.episode_start(rule, cover, slo, now, horizon)
            if start is None:
                continue
            rate = burn.burn_rate(cover(now, rule.long), slo) or 0.0
            left = f"; at this rate 30 days of budget last {_minutes(dt.timedelta(days=30) / rate)}" if rate else ""
            yield Notice(
                "health.burn_rate", f"{service_id}:{rule.name}:{start:%Y-%m-%dT%H:%M}",
                f"{name} burns its error budget {rate:,.1f}× too fast",
                f"{rule.severity.capitalize()} alert: burn rate above {rule.label}{left}.",
                CRITICAL if rule.severity == burn.PAGE else WARNING, PANE, service_id, start,
            )


def health_certificate(conn: Connection, now: dt.datetime, settings: Settings) -> Iterator[Notice]:
    """A TLS certificate that expires within the warning days (as the last week's checks report it)."""
    warn = dt.timedelta(days=settings.health.certificate_warn_days)
    for service_id, name, _, _ in _services(conn):
        expires = conn.execute(
            select(_H.c.cert_expires_at)
            .where(_H.c.service_id == service_id, _H.c.checked_at >= now - dt.timedelta(days=7),
                   _H.c.cert_expires_at.is_not(None))
            .order_by(_H.c.checked_at.desc()).limit(1)
        ).scalar_one_or_none()
        if expires is None or expires - now > warn:
            continue
        days = int((expires - now).total_seconds() // 86_400)
        when = f"expired on {expires:%Y-%m-%d}" if expires <= now else f"expires in {days} days ({expires:%Y-%m-%d})"
        yield Notice("health.certificate", f"{service_id}:cert:{expires:%Y-%m-%d}",
                     f"{name}'s TLS certificate {when}", "Renew it before browsers and clients refuse the service.",
                     CRITICAL if days < 3 else WARNING, PANE, service_id)
