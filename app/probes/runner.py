"""Probe the services that are due, concurrently, and store the results as checks from this workstation.

Which services are due is read from the cache each time (no state in memory,
so a restart picks up where it stopped): a service is due ``[health]
probe_interval_s`` after its last workstation check, or ``probe_retry_interval_s``
after a failed one while it has failed fewer than ``down_after_failures``
times in a row -- the retries that decide between "pending" and Down.  The
targets are the services the Ops API names with a URL, and the extra URLs of
``[[health.probes]]`` (stored as services ``local:<name>`` so their checks have
a service like any other).  Results are written in one transaction and
reported as ``Changes``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.clock import utcnow
from app.config.settings import HealthSettings, Settings
from app.probes.http_probe import ProbeResult, ProbeSpec, probe
from app.store.changes import NOTHING, Changes
from app.store.schema import HealthCheck, Service
from app.tasks import CancelToken

_H, _S = HealthCheck.__table__, Service.__table__
WORKSTATION = "workstation"  # the ``source`` of a check this console made
MAX_PARALLEL = 8


@dataclass(frozen=True)
class Target:
    service_id: str
    name: str
    spec: ProbeSpec
    local: bool = False  # from the settings, not the Ops API


def local_id(name: str) -> str:
    """``local:website`` for a settings probe named "Website"."""
    return "local:" + (re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "probe")


def targets(conn: Connection, health: HealthSettings) -> list[Target]:
    """Every URL to probe: the synced services' and the settings' ones."""
    rows = conn.execute(
        select(_S.c.id, _S.c.name, _S.c.url, _S.c.expected_status, _S.c.keyword, _S.c.json_path, _S.c.json_value)
        .where(_S.c.url.is_not(None), _S.c.url != "", _S.c.id.not_like("local:%"))
        .order_by(_S.c.id)
    )
    found = [
        Target(r.id, r.name, ProbeSpec(r.url, r.expected_status or 200, r.keyword, r.json_path, r.json_value))
        for r in rows
    ]
    found += [
        Target(local_id(p.name), p.name, ProbeSpec(p.url, p.expected_status, p.keyword or None, p.json_path or None,
                                                   p.json_value or None), local=True)
        for p in health.probes
    ]
    return found


def _last_local(conn: Connection, service_id: str, limit: int) -> list[tuple[dt.datetime, bool]]:
    rows = conn.execute(
        select(_H.c.checked_at, _H.c.ok)
        .where(_H.c.service_id == service_id, _H.c.source == WORKSTATION)
        .order_by(_H.c.checked_at.desc()).limit(limit)
    )
    return [(at, bool(ok)) for at, ok in rows]


def next_probe_at(history: Sequence[tuple[dt.datetime, bool]], health: HealthSettings) -> dt.datetime | None:
    """When a service is due given its latest workstation checks (newest first); None: at once."""
    if not history:
        return None
    last_at, last_ok = history[0]
    failures = 0
    for _, ok in history:
        if ok:
            break
        failures += 1
    retrying = not last_ok and failures < health.down_after_failures
    wait = health.probe_retry_interval_s if retrying else health.probe_interval_s
    return last_at + dt.timedelta(seconds=wait)


def due(conn: Connection, found: Sequence[Target], now: dt.datetime, health: HealthSettings) -> list[Target]:
    result = []
    for target in found:
        at = next_probe_at(_last_local(conn, target.service_id, health.down_after_failures), health)
        if at is None or at <= now:
            result.append(target)
    return result


@dataclass(frozen=True)
class ProbeRound:
    """What one round did: the results by service, and what it wrote."""

    results: dict[str, ProbeResult]
    changes: Changes


def _store(conn: Connection, probed: Sequence[tuple[Target, ProbeResult]], health: HealthSettings) -> Changes:
    locals_ = [t for t, _ in probed if t.local]
    if locals_:
        stmt = sqlite_insert(_S)
        conn.execute(
            stmt.on_conflict_do_update(index_elements=["id"],
                                       set_={"name": stmt.excluded.name, "url": stmt.excluded.url}),
            [{"id": t.service_id, "name": t.name, "url": t.spec.url, "probe_interval_s": health.probe_interval_s,
              "expected_status": t.spec.expected_status, "slo_target": 0.999, "criticality": None}
             for t in locals_],
        )
    conn.execute(
        sqlite_insert(_H).on_conflict_do_nothing(index_elements=["service_id", "checked_at", "source"]),
        [{"service_id": t.service_id, "checked_at": r.checked_at, "ok": r.ok, "status_code": r.status_code,
          "latency_ms": r.latency_ms, "error": r.error, "cert_expires_at": r.cert_expires_at, "source": WORKSTATION}
         for t, r in probed],
    )
    changes = Changes.of(HealthCheck.__tablename__)
    return changes | Changes.rows(Service.__tablename__, [t.service_id for t in locals_])


def run_probes(
    engine: Engine,
    settings: Settings,
    cancel: CancelToken | None = None,
    now: dt.datetime | None = None,
) -> ProbeRound:
    """Probe every due service (in parallel threads, each bounded by its timeout) and store the results."""
    health = settings.health
    if not health.probes_enabled:
        return ProbeRound({}, NOTHING)
    with engine.connect() as conn:
        todo = due(conn, targets(conn, health), now or utcnow(), health)
    if not todo or (cancel is not None and cancel.cancelled):
        return ProbeRound({}, NOTHING)
    verify = settings.backends.verify_tls

    def one(target: Target) -> ProbeResult:
        return probe(target.spec, timeout_s=health.probe_timeout_s, max_body_bytes=health.probe_max_body_kb * 1024,
                     verify=verify)

    with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(todo)), thread_name_prefix="probe") as pool:
        results = list(pool.map(one, todo))
    probed = list(zip(todo, results, strict=True))
    with engine.begin() as conn:
        changes = _store(conn, probed, health)
    return ProbeRound({t.service_id: r for t, r in probed}, changes)


def probe_count(conn: Connection) -> int:
    """How many checks this workstation has stored (the status line says so)."""
    return int(conn.execute(select(func.count()).select_from(_H).where(_H.c.source == WORKSTATION)).scalar_one())
