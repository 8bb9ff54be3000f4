"""Services, their health-check history, maintenance windows and incidents P0-P4 with their whole story.

A check's outcome is a pure function of (seed, service, five-minute slot) and
the disturbance windows, so the history can be extended slot by slot as the
clock moves and the ``/health/<service>`` probe endpoint answers consistently
with it.  The story the demo tells, relative to its "now":

* CDN and Monitoring flap (a few percent of their checks fail at random);
* a real outage: the API Server was down for everyone for 47 minutes two
  days ago -- a P0, resolved, with its post-mortem;
* File Storage has been failing a third of its checks for three hours: a P2
  partial outage, acknowledged, the cause identified;
* the Dashboard turned slow 25 minutes ago: a P3 nobody has acknowledged yet;
* Support went down twelve minutes ago and no one has opened an incident:
  the console proposes a draft;
* Backups is in a maintenance window now (its checks fail, and do not count);
  the Database had one last night; Auth has one tomorrow;
* Auth's TLS certificate expires in nine days;
* older incidents of every severity, resolved, with titles that match them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.demo import vocabulary as words

SLOT_S = 300
EPOCH = dt.datetime(1970, 1, 1)
Row = dict[str, Any]
HOUR, DAY = 3_600, 86_400
STEPS = ("investigating", "identified", "monitoring", "resolved")

# severity -> (weight, shortest and longest duration in hours, share of checks failing, latency factor)
SEVERITIES = {"P0": (1, 1, 2, 1.0, 1.0), "P1": (3, 1, 4, 0.7, 2.0), "P2": (6, 1, 6, 0.35, 2.0),
              "P3": (8, 2, 12, 0.0, 10.0), "P4": (6, 4, 24, 0.0, 1.0)}
TITLES = {
    "P0": ("{service} outage: all requests failing", "{service} down for all customers"),
    "P1": ("{service} unavailable for most customers", "Major disruption of {service}"),
    "P2": ("Partial outage of {service}", "{service} failing for some customers in the EU region"),
    "P3": ("Degraded performance of {service}", "Increased latency for {service}"),
    "P4": ("Stale labels on the {service} status page", "Cosmetic glitch in {service} e-mails"),
}
IMPACTS = {
    "P0": "Every customer: all requests to {service} fail.",
    "P1": "Most customers cannot use {service}.",
    "P2": "Some customers see {service} fail; retrying usually works.",
    "P3": "{service} is slower than usual; nothing fails.",
    "P4": "No customer impact.",
}


@dataclass(frozen=True)
class ServiceSpec:
    id: str
    name: str
    criticality: str
    slo_target: float
    latency_ms: float
    flakiness: float  # share of checks failing outside incidents
    cert_days: int  # days from now until its TLS certificate expires


SERVICES = (
    ServiceSpec("api", "API Server", "critical", 0.999, 80, 0.0005, 63),
    ServiceSpec("database", "Database", "critical", 0.9995, 6, 0.0002, 71),
    ServiceSpec("dashboard", "Dashboard", "high", 0.995, 240, 0.001, 58),
    ServiceSpec("storage", "File Storage", "high", 0.999, 120, 0.0005, 80),
    ServiceSpec("cdn", "CDN", "medium", 0.99, 35, 0.03, 45),
    ServiceSpec("monitoring", "Monitoring", "low", 0.99, 150, 0.05, 66),
    ServiceSpec("billing", "Billing", "critical", 0.999, 180, 0.0005, 77),
    ServiceSpec("support", "Support", "medium", 0.995, 300, 0.001, 52),
    ServiceSpec("backups", "Backups", "medium", 0.99, 900, 0.005, 69),
    ServiceSpec("auth", "Auth", "critical", 0.9995, 60, 0.0005, 9),
)
SERVICE_BY_ID = {s.id: s for s in SERVICES}


@dataclass(frozen=True)
class Disturbance:
    """From ``start`` to ``end`` (epoch seconds) a share of the service's checks fail and latency grows."""

    start: int
    end: int
    failing: float
    slow: float = 1.0


def _seconds(value: dt.datetime) -> int:
    return int((value - EPOCH).total_seconds())


def _at(seconds: int) -> dt.datetime:
    return EPOCH + dt.timedelta(seconds=seconds)


def probe_path(service_id: str) -> str:
    """Where the demo server answers probes for a service (made absolute when served)."""
    return f"/health/{service_id}"


class Health:
    """The generated services, checks, maintenance windows, incidents (with updates) and outage tickets."""

    def __init__(self, seed: int, now: dt.datetime, history_days: int = 7) -> None:
        self._seed = seed
        self.anchor = _seconds(now)
        self.history_s = history_days * DAY
        self._rng = random.Random(f"health:{seed}")
        self.services = [
            {"id": s.id, "name": s.name, "url": probe_path(s.id), "probe_interval_s": SLOT_S, "timeout_s": 5.0,
             "expected_status": 200, "slo_target": s.slo_target, "criticality": s.criticality, "keyword": None,
             "json_path": "ok", "json_value": "true", "updated_at": _at(self.anchor - 90 * DAY)}
            for s in SERVICES
        ]
        self.disturbances: dict[str, list[Disturbance]] = {s.id: [] for s in SERVICES}
        self.incidents: list[Row] = []
        self.updates: list[Row] = []
        self.maintenance: list[Row] = []
        self.outages: list[tuple[str, int]] = []  # (service, start) of the story's outages, for their tickets
        self._history()
        self._story()

    # ------------------------------------------------------------------ the story

    def _history(self) -> None:
        """Resolved incidents of every severity, about one every four days, none in the last three days."""
        rng = self._rng
        span = max(self.history_s, 30 * DAY)
        count = span // (4 * DAY)
        weights = [s.flakiness + 0.002 for s in SERVICES]
        starts = sorted(self.anchor - rng.randint(3 * DAY, span - DAY) for _ in range(count))
        severities = ["P1", "P2", "P3", "P4",
                      *rng.choices(list(SEVERITIES), [v[0] for v in SEVERITIES.values()], k=max(0, count - 4))]
        rng.shuffle(severities)
        for start, severity in zip(starts, severities, strict=True):
            _, shortest, longest, _, _ = SEVERITIES[severity]
            end = start + rng.randint(shortest * HOUR, longest * HOUR)
            self._incident(rng.choices(SERVICES, weights)[0], severity, start, end, last_step=3)

    def _story(self) -> None:
        a = self.anchor
        api = SERVICE_BY_ID["api"]
        outage = self._incident(api, "P0", a - 2 * DAY - 3 * HOUR, a - 2 * DAY - 3 * HOUR + 47 * 60, last_step=3,
                                title="API Server outage: all requests failing")
        outage["postmortem"] = {
            "root_cause": "A configuration change lowered the API gateway's connection limit to 10; every "
                          "request beyond it was refused.",
            "went_well": "The burn-rate page fired within four minutes; the rollback took six.",
            "went_badly": "The change skipped review, and the status page was updated only after 30 minutes.",
            "follow_ups": [
                {"action": "Require review for gateway configuration changes", "owner": "Nadia Petrova"},
                {"action": "Alert on the gateway's refused-connection rate", "owner": "Owen Brooks"},
                {"action": "Post to the status page from the incident form", "owner": "Sam Rivera"},
            ],
            "author": "Nadia Petrova", "written_at": _at(a - DAY),
        }
        self._incident(SERVICE_BY_ID["storage"], "P2", a - 3 * HOUR, None, last_step=1,
                       title="Partial outage of File Storage: uploads fail for some customers")
        self.outages = [("api", a - 2 * DAY - 3 * HOUR), ("storage", a - 3 * HOUR)]
        self._incident(SERVICE_BY_ID["dashboard"], "P3", a - 25 * 60, None, last_step=0, acknowledged=False,
                       title="Dashboard pages load slowly")
        self.disturbances["support"].append(Disturbance(a - 12 * 60, 2**62, 1.0))
        for service, start, length, title in (
            ("backups", a - 30 * 60, HOUR, "Backups storage migration"),
            ("database", (a // DAY - 1) * DAY + 2 * HOUR, HOUR, "Database minor version upgrade"),
            ("auth", (a // DAY + 1) * DAY + 3 * HOUR, 2 * HOUR, "Auth certificate rotation"),
        ):
            self.maintenance.append({
                "id": f"MW-{len(self.maintenance) + 1:03d}", "service_id": service, "title": title,
                "starts_at": _at(start), "ends_at": _at(start + length), "updated_at": _at(min(a, start) - DAY),
            })
            self.disturbances[service].append(Disturbance(start, start + length, 1.0))

    def _incident(
        self, service: ServiceSpec, severity: str, start: int, end: int | None, *, last_step: int,
        title: str | None = None, acknowledged: bool = True,
    ) -> Row:
        rng = self._rng
        _, _, _, failing, slow = SEVERITIES[severity]
        incident_id = f"INC-{len(self.incidents) + 1:04d}"
        stop = end if end is not None else self.anchor - 60
        times = [start + (stop - start) * k // 3 for k in range(last_step + 1)] if last_step else [start]
        for n, (step, at) in enumerate(zip(STEPS, times, strict=False)):
            self.updates.append({
                "id": f"{incident_id}-{n + 1}", "incident_id": incident_id, "status": step,
                "body": rng.choice(words.INCIDENT_UPDATES[step]).format(service=service.name),
                "author": rng.choice(words.OPS_PEOPLE), "created_at": _at(at), "updated_at": _at(at),
            })
        ack = start + rng.randint(120, 600) if acknowledged else None
        row: Row = {
            "id": incident_id, "service_id": service.id,
            "title": title or rng.choice(TITLES[severity]).format(service=service.name), "severity": severity,
            "status": STEPS[last_step], "started_at": _at(start),
            "acknowledged_at": None if ack is None else _at(ack),
            "acknowledged_by": None if ack is None else rng.choice(words.OPS_PEOPLE),
            "resolved_at": None if end is None else _at(end),
            "impact": IMPACTS[severity].format(service=service.name), "affected_services": None, "postmortem": None,
            "updated_at": _at(max(times[-1], ack or start)),
        }
        self.incidents.append(row)
        if failing or slow != 1.0:
            self.disturbances[service.id].append(Disturbance(start, end if end is not None else 2**62, failing, slow))
        return row

    # ------------------------------------------------------------------ checks

    def check(self, service: ServiceSpec, slot: int) -> Row:
        """The check of ``service`` at the slot starting ``slot`` (epoch seconds, multiple of SLOT_S)."""
        rng = random.Random((self._seed * 1_000_003 + slot // SLOT_S) * 31 + SERVICES.index(service))
        active = [d for d in self.disturbances[service.id] if d.start <= slot < d.end]
        failing = max((d.failing for d in active), default=0.0)
        slow = max((d.slow for d in active), default=1.0)
        ok = rng.random() >= max(failing, service.flakiness)
        latency = service.latency_ms * rng.lognormvariate(0, 0.25) * slow
        status: int | None = 200
        error: str | None = None
        if not ok:
            status, error = rng.choice(((503, "HTTP 503 Service Unavailable"), (500, "HTTP 500 Internal Server Error"),
                                        (None, "timed out after 5.0 s")))
            latency = 5_000.0 if status is None else latency
        checked_at = _at(slot)
        return {"id": f"{service.id}:{checked_at.isoformat()}Z", "service_id": service.id, "checked_at": checked_at,
                "ok": ok, "status_code": status, "latency_ms": round(latency, 1), "error": error,
                "cert_expires_at": _at((self.anchor // DAY + service.cert_days) * DAY + 12 * HOUR),
                "updated_at": checked_at}

    def checks(self, after: dt.datetime | None, until: dt.datetime) -> list[Row]:
        """Every service's checks in the slots after ``after`` (None: the kept history) up to ``until``."""
        start = self.anchor - self.history_s if after is None else _seconds(after)
        first = start // SLOT_S * SLOT_S + SLOT_S
        return [self.check(s, slot) for slot in range(first, _seconds(until) + 1, SLOT_S) for s in SERVICES]

    def probe(self, service_id: str, now: dt.datetime) -> Row | None:
        """What the probe endpoint reports now: the current slot's check (None: no such service)."""
        service = SERVICE_BY_ID.get(service_id)
        return None if service is None else self.check(service, _seconds(now) // SLOT_S * SLOT_S)

    # ------------------------------------------------------------------ tickets the outages bring

    def outage_tickets(self, requesters: Sequence[tuple[str, str]], first_id: int) -> list[Row]:
        """Support tickets customers opened about the API outage and the storage trouble (they name the service)."""
        rng = random.Random(f"outage-tickets:{self._seed}")
        subjects = {
            "api": ("API returns 503 for every request", "Our integration cannot reach your API",
                    "API down? All calls fail"),
            "storage": ("File storage uploads failing", "Cannot upload files to storage since this morning",
                        "Storage: some downloads time out"),
        }
        rows: list[Row] = []
        for service_id, start in self.outages:
            for _ in range(9 if service_id == "api" else 6):
                customer_id, email = requesters[rng.randrange(len(requesters))]
                created = start + rng.randint(120, 45 * 60)
                rows.append({
                    "id": first_id + len(rows), "subject": rng.choice(subjects[service_id]),
                    "body": f"Hi team,\n\n{rng.choice(words.TICKET_CATEGORIES['outage'][3])}\n\nThanks",
                    "customer_id": customer_id, "requester_email": email,
                    "status": "new", "priority": "urgent", "tier": 1, "category": "outage", "assignee": None,
                    "created_at": _at(created), "updated_at": _at(created), "first_response_at": None,
                    "resolved_at": None,
                    "sla_due_at": _at(created + 4 * HOUR), "escalated": False,
                })
        return rows
