"""Push the outbox to the Ops API: in id order, each with its ``Idempotency-Key``.

Outcomes per entry:

* accepted → ``sent``; the server's version of the row replaces the local
  pending one (same id: ``pending`` cleared; a new server id: the local
  placeholder is removed in the same transaction);
* refused (4xx) → ``refused`` with the server's message, kept until the user
  retries or discards it (``app.store.outbox.retry`` / ``discard``) — never dropped;
* unreachable / 5xx after the connector's retries → stays ``pending`` with
  ``attempts`` and a back-off ``next_attempt_at``, and pushing stops for this
  pass so later entries never overtake earlier ones.

Resending after a lost answer is safe because the server replays the first
response for a key: every entry is applied exactly once.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.clock import utcnow
from app.connectors.errors import Refused, Unauthorized, Unavailable
from app.connectors.ops_api import OpsApiClient
from app.store import outbox
from app.store.changes import NOTHING, ChangeCallback, Changes, no_changes
from app.store.schema import OutboxEntry
from app.sync.ops_resources import RESOURCES
from app.sync.writer import delete_keys, upsert
from app.tasks import CancelToken

log = logging.getLogger(__name__)

_outbox = OutboxEntry.__table__

# Which cached table an entry's kind changes (its row carries ``pending``).
_KIND_RESOURCE = {
    "ticket_event": "ticket_events",
    "incident_update": "incident_updates",
    "incident_open": "incidents",
    "incident_acknowledge": "incidents",
    "incident_postmortem": "incidents",
    "license_issue": "licenses",
    "license_revoke": "licenses",
    "activation": "activations",
}
_BY_NAME = {r.name: r for r in RESOURCES}

RETRY_BASE_S = 30.0
RETRY_MAX_S = 3600.0


@dataclass
class PushResult:
    sent: int = 0
    refused: int = 0
    deferred: int = 0


def retry_delay(attempts: int) -> dt.timedelta:
    """Back-off between passes for an entry that keeps failing: 30 s doubling up to an hour."""
    return dt.timedelta(seconds=min(RETRY_MAX_S, RETRY_BASE_S * 2 ** max(0, attempts - 1)))


def entries(conn: Connection, state: str | None = None) -> list[dict[str, Any]]:
    """Outbox entries (of one ``state`` or all), oldest first — the UI's list of refused changes."""
    query = select(_outbox).order_by(_outbox.c.id)
    if state is not None:
        query = query.where(_outbox.c.state == state)
    return [dict(row) for row in conn.execute(query).mappings()]


def push(
    engine: Engine, client: OpsApiClient, cancel: CancelToken, changed: ChangeCallback = no_changes
) -> PushResult:
    """Send every due pending entry; raises ``Unavailable``/``Unauthorized`` when the backend is out of reach.

    ``changed`` hears of each entry once its outcome is committed: the entry
    itself and, when the server answered with it, the row it replaced.
    """
    result = PushResult()
    now = utcnow()
    with engine.connect() as conn:
        due = conn.execute(
            select(_outbox)
            .where(
                _outbox.c.state == outbox.PENDING,
                or_(_outbox.c.next_attempt_at.is_(None), _outbox.c.next_attempt_at <= now),
            )
            .order_by(_outbox.c.id)
        ).mappings().all()
    for entry in due:
        cancel.raise_if_cancelled()
        try:
            answer = client.send(entry["method"], entry["path"], entry["payload_json"], entry["idempotency_key"])
        except Refused as refused:
            changed(_finish(engine, entry, state=outbox.REFUSED, error=str(refused)))
            result.refused += 1
            continue
        except (Unavailable, Unauthorized) as failure:
            attempts = entry["attempts"] + 1
            changed(_finish(
                engine, entry, state=outbox.PENDING, error=str(failure),
                next_attempt_at=utcnow() + retry_delay(attempts),
            ))
            result.deferred += 1
            raise
        changed(_finish(engine, entry, state=outbox.SENT, answer=answer))
        result.sent += 1
    return result


def _finish(
    engine: Engine,
    entry: Any,
    *,
    state: str,
    error: str | None = None,
    next_attempt_at: dt.datetime | None = None,
    answer: dict[str, Any] | None = None,
) -> Changes:
    """Record one attempt's outcome (and, on success, the server's row) in one transaction; what it changed."""
    with engine.begin() as conn:
        conn.execute(
            update(_outbox)
            .where(_outbox.c.id == entry["id"])
            .values(
                state=state,
                attempts=entry["attempts"] + 1,
                last_error=error,
                next_attempt_at=next_attempt_at,
                sent_at=utcnow() if state == outbox.SENT else None,
            )
        )
        stored = _store_answer(conn, entry, answer) if answer is not None else NOTHING
    return Changes.rows(outbox.TABLE, [entry["id"]]) | stored


def _store_answer(conn: Connection, entry: Any, answer: dict[str, Any]) -> Changes:
    """Replace the local pending row by the server's version, when the answer carries it."""
    resource = _BY_NAME.get(_KIND_RESOURCE.get(entry["kind"], ""))
    row = _answer_row(answer)
    if resource is None or row is None:
        return NOTHING
    try:
        server_row = resource.to_row(row, utcnow())
    except (KeyError, ValueError, TypeError) as exc:
        # The entry *was* accepted; a row we cannot read here arrives with the next pull.
        log.warning("outbox entry %s: unreadable row in the server's answer: %s", entry["id"], exc)
        return NOTHING
    written = [server_row["id"]]
    try:
        # A savepoint (the entry's UPDATE already opened the transaction): the
        # entry is sent whether or not its row can be stored here — e.g. an entry
        # recovered into a fresh cache, whose ticket has not been pulled yet.
        with conn.begin_nested():
            upsert(conn, resource.table, [server_row], resource.key)
            local_id = (entry["payload_json"] or {}).get("id")
            if local_id is not None and str(local_id) != str(row["id"]):
                delete_keys(conn, resource.table, [resource.tombstone_key(local_id)], resource.tombstone_columns)
                written.append(local_id)
    except IntegrityError as exc:
        log.info("outbox entry %s: the server's row waits for the next pull: %s", entry["id"], exc.orig)
        return NOTHING
    return Changes.rows(resource.table.name, written)


def _answer_row(answer: dict[str, Any]) -> dict[str, Any] | None:
    """The row in an answer: the answer itself or under ``data`` (both shapes are in use)."""
    candidate = answer.get("data", answer)
    return candidate if isinstance(candidate, dict) and "id" in candidate else None


