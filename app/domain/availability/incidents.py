"""Incidents: severities, one incident's story, the console's incident actions and draft incidents.

An action (open, acknowledge, post an update, resolve, write the post-mortem)
changes the cached rows at once, marked ``pending``, *and* queues its outbox
entry, in one transaction: it shows immediately as "waiting to send", works
offline, and sync pushes it exactly once (the entry's ``Idempotency-Key``);
the server's row replaces ours when it answers.

A *draft incident* is what the console proposes when a service is Down and no
open incident covers it: pre-filled (service, since when, a severity for its
criticality, what the checks say) for a person to confirm -- which opens it
-- or dismiss.  Drafts are derived from the current state each time they are
read, so they need no writer; only a dismissal is stored.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.clock import utcnow
from app.domain.availability.impact import NO_IMPACT, Impact, incident_impact
from app.domain.revenue.fx import Rates
from app.domain.tickets import current_author, iso_z
from app.store import outbox
from app.store.changes import Changes
from app.store.schema import DraftDismissal, Incident, IncidentUpdate, Service

_I, _U, _S, _D = Incident.__table__, IncidentUpdate.__table__, Service.__table__, DraftDismissal.__table__

RESOLVED = "resolved"
STEPS = ("investigating", "identified", "monitoring", RESOLVED)  # the status updates, in order
OPEN_INCIDENT = _I.c.status != RESOLVED

# What each severity means: shown in the form, on the incident, and in docs/metrics.md.
SEVERITIES: Mapping[str, str] = {
    "P0": "Critical: a critical service is down for everyone, or data is lost or exposed",
    "P1": "Major: a critical service is badly degraded, or another is down for most customers; no workaround",
    "P2": "Partial outage: part of a service fails for some customers or one region; a workaround may exist",
    "P3": "Minor: slower or a non-critical feature impaired; few customers notice",
    "P4": "Low: cosmetic or internal only; no customer impact",
}
# A draft's proposed severity by the service's criticality: a person confirms or changes it.
DRAFT_SEVERITY = {"critical": "P1", "high": "P2"}
DEFAULT_DRAFT_SEVERITY = "P3"


def affected(incident: Mapping[str, Any]) -> list[str]:
    """Every service an incident affects: its own and the listed others, once each."""
    ids = [incident.get("service_id"), *(incident.get("affected_services_json") or [])]
    return list(dict.fromkeys(str(i) for i in ids if i))


def open_incident_counts(conn: Connection) -> tuple[dict[str, int], int]:
    """Open incidents per affected service, and how many are open in all (a handful of rows)."""
    rows = conn.execute(select(_I.c.service_id, _I.c.affected_services_json).where(OPEN_INCIDENT)).mappings().all()
    per_service: dict[str, int] = {}
    for row in rows:
        for service_id in affected(dict(row)):
            per_service[service_id] = per_service.get(service_id, 0) + 1
    return per_service, len(rows)


# --------------------------------------------------------------------------- one incident


@dataclass(frozen=True)
class IncidentDetail:
    """One incident, its services' names, its status updates (newest first) and its impact."""

    incident: dict[str, Any]
    services: dict[str, str]  # id → name, for every affected service
    updates: list[dict[str, Any]]
    impact: Impact = NO_IMPACT

    @property
    def postmortem(self) -> dict[str, Any] | None:
        value = self.incident.get("postmortem_json")
        return value if isinstance(value, dict) else None


def incident_detail(
    conn: Connection, incident_id: str, now: dt.datetime, rates: Rates, limit: int = 200
) -> IncidentDetail | None:
    """One incident with its updates and impact; the impact's MRR in ``rates.reporting``."""
    row = conn.execute(select(_I).where(_I.c.id == incident_id)).mappings().first()
    if row is None:
        return None
    incident = dict(row)
    ids = affected(incident)
    names = dict(conn.execute(select(_S.c.id, _S.c.name).where(_S.c.id.in_(ids))).tuples().all())
    updates = conn.execute(
        select(_U).where(_U.c.incident_id == incident_id).order_by(_U.c.created_at.desc(), _U.c.id.desc()).limit(limit)
    ).mappings().all()
    impact = incident_impact(conn, ids, incident["started_at"], incident["resolved_at"] or now, rates)
    return IncidentDetail(incident, {i: names.get(i, i) for i in ids}, [dict(u) for u in updates], impact)


def incident_hours(started_at: dt.datetime, resolved_at: dt.datetime | None, now: dt.datetime) -> float:
    """An incident's duration in hours: from its start to its resolution, or to ``now`` while it is open."""
    return ((resolved_at or now) - started_at).total_seconds() / 3600


# --------------------------------------------------------------------------- actions


@dataclass(frozen=True)
class NewIncident:
    """What the Open incident form gives."""

    title: str
    severity: str
    services: tuple[str, ...]  # the first is the incident's main service
    impact: str
    message: str  # the first status update ("investigating")
    started_at: dt.datetime


@dataclass(frozen=True)
class FollowUp:
    action: str
    owner: str


@dataclass(frozen=True)
class Postmortem:
    root_cause: str
    went_well: str
    went_badly: str
    follow_ups: tuple[FollowUp, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Written:
    """What an action wrote: the changes for the bus and the incident it concerns."""

    changes: Changes
    incident_id: str


def _changes(incident_id: str, entries: Iterable[int], updates: Sequence[str] = ()) -> Changes:
    return (
        Changes.rows(Incident.__tablename__, [incident_id])
        | Changes.rows(IncidentUpdate.__tablename__, updates)
        | Changes.rows(outbox.TABLE, entries)
    )


def _queue(conn: Connection, kind: str, path: str, payload: dict[str, Any]) -> int:
    return outbox.enqueue(conn, kind, path, payload, idempotency_key=str(uuid.uuid4()))


def _post_update(conn: Connection, incident_id: str, status: str, body: str, author: str | None,
                 now: dt.datetime) -> tuple[str, int]:
    update_id = str(uuid.uuid4())
    conn.execute(insert(_U).values(id=update_id, incident_id=incident_id, status=status, body=body, author=author,
                                   created_at=now, pending=True))
    values: dict[str, Any] = {"status": status, "updated_at": now, "pending": True,
                              "resolved_at": now if status == RESOLVED else None}
    conn.execute(update(_I).where(_I.c.id == incident_id).values(**values))
    payload = {"id": update_id, "status": status, "body": body, "author": author, "created_at": iso_z(now)}
    return update_id, _queue(conn, "incident_update", f"/v1/incidents/{incident_id}/updates", payload)


def open_incident(engine: Engine, new: NewIncident, now: dt.datetime | None = None) -> Written:
    """Open an incident (and post its first update) in the cache and the outbox, in one transaction."""
    if new.severity not in SEVERITIES:
        raise ValueError(f"unknown severity {new.severity!r}")
    now = now or utcnow()
    incident_id = f"INC-{uuid.uuid4().hex[:12].upper()}"
    main, others = new.services[0] if new.services else None, list(new.services[1:])
    with engine.begin() as conn:
        author = current_author(conn)
        conn.execute(insert(_I).values(
            id=incident_id, service_id=main, title=new.title, severity=new.severity, status=STEPS[0],
            started_at=new.started_at, impact=new.impact or None, affected_services_json=others or None,
            updated_at=now, pending=True,
        ))
        payload = {"id": incident_id, "title": new.title, "severity": new.severity, "service_id": main,
                   "affected_services": others, "impact": new.impact or None, "started_at": iso_z(new.started_at),
                   "author": author}
        entry = _queue(conn, "incident_open", "/v1/incidents", payload)
        update_id, second = _post_update(conn, incident_id, STEPS[0], new.message, author, now)
    return Written(_changes(incident_id, [entry, second], [update_id]), incident_id)


def acknowledge(engine: Engine, incident_id: str, now: dt.datetime | None = None) -> Written:
    """Say someone is on it: who and when, in the cache and the outbox."""
    now = now or utcnow()
    with engine.begin() as conn:
        author = current_author(conn)
        conn.execute(update(_I).where(_I.c.id == incident_id).values(
            acknowledged_at=now, acknowledged_by=author, updated_at=now, pending=True))
        entry = _queue(conn, "incident_acknowledge", f"/v1/incidents/{incident_id}/acknowledge",
                       {"acknowledged_at": iso_z(now), "author": author})
    return Written(_changes(incident_id, [entry]), incident_id)


def post_update(engine: Engine, incident_id: str, status: str, body: str, now: dt.datetime | None = None) -> Written:
    """A status update (``resolved`` resolves the incident)."""
    if status not in STEPS:
        raise ValueError(f"unknown incident status {status!r}")
    now = now or utcnow()
    with engine.begin() as conn:
        update_id, entry = _post_update(conn, incident_id, status, body, current_author(conn), now)
    return Written(_changes(incident_id, [entry], [update_id]), incident_id)


def write_postmortem(engine: Engine, incident_id: str, review: Postmortem, now: dt.datetime | None = None) -> Written:
    """Record the post-mortem of a resolved incident (writing it again replaces it)."""
    now = now or utcnow()
    with engine.begin() as conn:
        author = current_author(conn)
        document = {
            "root_cause": review.root_cause, "went_well": review.went_well, "went_badly": review.went_badly,
            "follow_ups": [{"action": f.action, "owner": f.owner} for f in review.follow_ups],
            "author": author, "written_at": iso_z(now),
        }
        conn.execute(update(_I).where(_I.c.id == incident_id).values(
            postmortem_json=document, updated_at=now, pending=True))
        entry = _queue(conn, "incident_postmortem", f"/v1/incidents/{incident_id}/postmortem", document)
    return Written(_changes(incident_id, [entry]), incident_id)


# --------------------------------------------------------------------------- drafts


@dataclass(frozen=True)
class DraftIncident:
    """A proposed incident for a service that went Down: what the form opens with."""

    key: str
    service_id: str
    service_name: str
    since: dt.datetime
    severity: str
    title: str
    impact: str
    message: str


def draft_key(service_id: str, since: dt.datetime) -> str:
    return f"{service_id}:down:{since:%Y-%m-%dT%H:%M}"


def draft_incidents(
    conn: Connection, down: Sequence[tuple[str, str, str | None, dt.datetime, str]]
) -> list[DraftIncident]:
    """Drafts for ``down`` services (id, name, criticality, down since, why) no open incident covers, not dismissed."""
    covered, _ = open_incident_counts(conn)
    dismissed = set(conn.execute(select(_D.c.key)).scalars())
    drafts = []
    for service_id, name, criticality, since, why in down:
        key = draft_key(service_id, since)
        if covered.get(service_id) or key in dismissed:
            continue
        drafts.append(DraftIncident(
            key, service_id, name, since, DRAFT_SEVERITY.get(criticality or "", DEFAULT_DRAFT_SEVERITY),
            f"{name} is down", f"{name} has been failing its health checks since {since:%Y-%m-%d %H:%M} UTC.",
            f"Investigating: {why}.",
        ))
    return drafts


def dismiss_draft(engine: Engine, draft: DraftIncident, now: dt.datetime | None = None) -> Changes:
    """A person decided this outage needs no incident: the draft stays away (this outage only)."""
    with engine.begin() as conn:
        conn.execute(
            sqlite_insert(_D).values(key=draft.key, service_id=draft.service_id, dismissed_at=now or utcnow())
            .on_conflict_do_nothing(index_elements=("key",))
        )
    return Changes.rows(DraftDismissal.__tablename__, [draft.key])
