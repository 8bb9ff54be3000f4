"""Services, their health-check history and incidents P0-P4 with status updates.

A check's outcome is a pure function of (seed, service, five-minute slot) and
the incident windows, so the history can be extended slot by slot as the clock
moves and the ``/health/<service>`` probe endpoint answers consistently with
it.  Two services (CDN, Monitoring) flap; incidents of P0-P2 take their service
down for part of their window.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from app.demo import vocabulary as words

SLOT_S = 300
HISTORY_S = 7 * 86_400
EPOCH = dt.datetime(1970, 1, 1)
Row = dict[str, Any]

# severity -> (weight, shortest and longest duration in hours, share of checks failing)
SEVERITIES = {"P0": (2, 1, 3, 0.95), "P1": (8, 1, 6, 0.7), "P2": (25, 2, 12, 0.35), "P3": (35, 4, 48, 0.0),
              "P4": (30, 24, 120, 0.0)}
STEPS = ("investigating", "identified", "monitoring", "resolved")


@dataclass(frozen=True)
class ServiceSpec:
    id: str
    name: str
    criticality: str
    slo_target: float
    latency_ms: float
    flakiness: float  # share of checks failing outside incidents


SERVICES = (
    ServiceSpec("api", "API Server", "critical", 0.999, 80, 0.002),
    ServiceSpec("database", "Database", "critical", 0.9995, 6, 0.001),
    ServiceSpec("dashboard", "Dashboard", "high", 0.995, 240, 0.004),
    ServiceSpec("storage", "File Storage", "high", 0.999, 120, 0.002),
    ServiceSpec("cdn", "CDN", "medium", 0.99, 35, 0.03),
    ServiceSpec("monitoring", "Monitoring", "low", 0.99, 150, 0.05),
    ServiceSpec("billing", "Billing", "critical", 0.999, 180, 0.002),
    ServiceSpec("support", "Support", "medium", 0.995, 300, 0.003),
    ServiceSpec("backups", "Backups", "medium", 0.99, 900, 0.01),
    ServiceSpec("auth", "Auth", "critical", 0.9995, 60, 0.002),
)
SERVICE_BY_ID = {s.id: s for s in SERVICES}


def _seconds(value: dt.datetime) -> int:
    return int((value - EPOCH).total_seconds())


def _at(seconds: int) -> dt.datetime:
    return EPOCH + dt.timedelta(seconds=seconds)


def probe_path(service_id: str) -> str:
    """Where the demo server answers probes for a service (made absolute when served)."""
    return f"/health/{service_id}"


class Health:
    """The generated services, incidents (with updates) and the check function."""

    def __init__(self, seed: int, now: dt.datetime) -> None:
        self._seed = seed
        self.anchor = _seconds(now)
        rng = random.Random(f"health:{seed}")
        self.services = [
            {"id": s.id, "name": s.name, "url": probe_path(s.id), "probe_interval_s": 60, "timeout_s": 5.0,
             "expected_status": 200, "slo_target": s.slo_target, "criticality": s.criticality,
             "updated_at": _at(self.anchor - 90 * 86_400)}
            for s in SERVICES
        ]
        self.windows: dict[str, list[tuple[int, int, float]]] = {s.id: [] for s in SERVICES}
        self.incidents: list[Row] = []
        self.updates: list[Row] = []
        weights = [s.flakiness + 0.01 for s in SERVICES]
        starts = sorted(self.anchor - rng.randint(2 * 86_400, 120 * 86_400) for _ in range(40))
        for start in starts:
            self._incident(rng, rng.choices(SERVICES, weights)[0], start, open_step=None)
        for service, ago_s, step in (("cdn", 3 * 3_600, 2), ("backups", 26 * 3_600, 1), ("dashboard", 2_400, 0)):
            self._incident(rng, SERVICE_BY_ID[service], self.anchor - ago_s, open_step=step)

    def _incident(self, rng: random.Random, service: ServiceSpec, start: int, open_step: int | None) -> None:
        severity = rng.choices(list(SEVERITIES), [v[0] for v in SEVERITIES.values()])[0]
        _, shortest, longest, failing = SEVERITIES[severity]
        end = start + rng.randint(shortest * 3_600, longest * 3_600)
        last_step = 3 if open_step is None else open_step
        if open_step is not None:
            end = self.anchor - 60
        incident_id = f"INC-{len(self.incidents) + 1:04d}"
        acknowledged = start + rng.randint(60, 900)
        times = [start + (end - start) * k // 3 for k in range(last_step + 1)] if last_step else [start]
        for n, (step, at) in enumerate(zip(STEPS, times, strict=False)):
            self.updates.append({
                "id": f"{incident_id}-{n + 1}", "incident_id": incident_id, "status": step,
                "body": rng.choice(words.INCIDENT_UPDATES[step]).format(service=service.name),
                "author": rng.choice(words.OPS_PEOPLE), "created_at": _at(at), "updated_at": _at(at),
            })
        self.incidents.append({
            "id": incident_id, "service_id": service.id,
            "title": rng.choice(words.INCIDENT_TITLES).format(service=service.name), "severity": severity,
            "status": STEPS[last_step], "started_at": _at(start), "acknowledged_at": _at(acknowledged),
            "resolved_at": _at(end) if open_step is None else None, "updated_at": _at(max(times[-1], acknowledged)),
        })
        if failing:
            self.windows[service.id].append((start, end if open_step is None else 2**62, failing))

    def check(self, service: ServiceSpec, slot: int) -> Row:
        """The check of ``service`` at the slot starting ``slot`` (epoch seconds, multiple of SLOT_S)."""
        rng = random.Random((self._seed * 1_000_003 + slot // SLOT_S) * 31 + SERVICES.index(service))
        failing = max((share for start, end, share in self.windows[service.id] if start <= slot < end), default=0.0)
        ok = rng.random() >= max(failing, service.flakiness)
        latency = service.latency_ms * rng.lognormvariate(0, 0.35) * (1 if failing == 0 else 4)
        status: int | None = 200
        error: str | None = None
        if not ok:
            status, error = rng.choice(((503, "HTTP 503 Service Unavailable"), (500, "HTTP 500 Internal Server Error"),
                                        (None, "timed out after 5.0 s")))
            latency = 5_000.0 if status is None else latency
        checked_at = _at(slot)
        return {"id": f"{service.id}:{checked_at.isoformat()}Z", "service_id": service.id, "checked_at": checked_at,
                "ok": ok, "status_code": status, "latency_ms": round(latency, 1), "error": error,
                "updated_at": checked_at}

    def checks(self, after: dt.datetime | None, until: dt.datetime) -> list[Row]:
        """Every service's checks in the slots after ``after`` (None: the kept history) up to ``until``."""
        start = self.anchor - HISTORY_S if after is None else _seconds(after)
        first = start // SLOT_S * SLOT_S + SLOT_S
        return [self.check(s, slot) for slot in range(first, _seconds(until) + 1, SLOT_S) for s in SERVICES]

    def probe(self, service_id: str, now: dt.datetime) -> Row | None:
        """What the probe endpoint reports now: the current slot's check (None: no such service)."""
        service = SERVICE_BY_ID.get(service_id)
        return None if service is None else self.check(service, _seconds(now) // SLOT_S * SLOT_S)
