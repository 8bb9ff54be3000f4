"""Push the outbox to its backends (the Ops API, Stripe): in id order, each with its ``Idempotency-Key``.

Each backend's entries are pushed by the sync step of that backend, through
anything that can ``send`` (``OpsApiClient``, ``StripeSource``).  Outcomes per
entry:

* accepted → ``sent``; the server's version of the row replaces the local
  pending one (same id: ``pending`` cleared; a new server id: the local
  placeholder is removed in the same transaction); Stripe answers with the
  object it changed (a subscription, an invoice, a refund), which is written
  as a sync would write it — that is the confirmation the desk shows;
* refused (4xx, a declined card) → ``refused`` with the server's message, kept
  until the user retries or discards it (``app.store.outbox.retry`` /
  ``discard``) — never dropped;
* unreachable / 5xx after the connector's retries → stays ``pending`` with
  ``attempts`` and the reason, and pushing stops for this pass.  Only an
  entry the backend keeps failing on (5xx, 429) waits a back-off
  ``next_attempt_at``; when the backend could not be reached at all, the
  sync's own schedule decides when to try again, so everything goes out as
  soon as the network is back.  A pending entry that is not due yet holds
  back the entries after it: later entries never overtake earlier ones, in
  one pass or across passes (a pause and a resume of one subscription must
  reach Stripe in that order).

Resending after a lost answer is safe because the server replays the first
response for a key: every entry is applied exactly once.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.exc import IntegrityError

from app.clock import utcnow
from app.connectors.errors import Refused, Unauthorized, Unavailable
from app.store import outbox
from app.store.changes import NOTHING, ChangeCallback, Changes, no_changes
from app.store.schema import OutboxEntry
from app.sync.ops_resources import RESOURCES
from app.sync.stripe_resources import BY_OBJECT, write_objects, written_tables
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
    "access_grant": "access_grants",
    "access_revoke": "access_grants",
}
_BY_NAME = {r.name: r for r in RESOURCES}

RETRY_BASE_S = 30.0
RETRY_MAX_S = 3600.0


class Sender(Protocol):
    """A backend's client that can make one idempotent write (``OpsApiClient``, ``StripeSource``)."""

    def send(self, method: str, path: str, payload: dict[str, Any], idempotency_key: str) -> dict[str, Any]: ...


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
    engine: Engine,
    client: Sender,
    cancel: CancelToken,
    changed: ChangeCallback = no_changes,
    backend: str = outbox.OPS,
) -> PushResult:
    """Send every due pending entry of ``backend``; raises ``Unavailable``/``Unauthorized`` when it is out of reach.

    ``changed`` hears of each entry once its outcome is committed: the entry
    itself and, when the server answered with it, the row it replaced.
    """
    result = PushResult()
    now = utcnow()
    with engine.connect() as conn:
        waiting = conn.execute(
            select(_outbox)
            .where(_outbox.c.state == outbox.PENDING, _outbox.c.backend == backend)
            .order_by(_outbox.c.id)
        ).mappings().all()
    for entry in waiting:
        cancel.raise_if_cancelled()
        if entry["next_attempt_at"] is not None and entry["next_attempt_at"] > now:
            result.deferred += 1
            break  # not due yet, and nothing after it may go first
        try:
            answer = client.send(entry["method"], entry["path"], entry["payload_json"], entry["idempotency_key"])
        except Refused as refused:
            changed(_finish(engine, entry, state=outbox.REFUSED, error=_refusal(refused, entry["backend"])))
            result.refused += 1
            continue
        except (Unavailable, Unauthorized) as failure:
            attempts = entry["attempts"] + 1
            unreachable = isinstance(failure, Unavailable) and failure.offline
            changed(_finish(
                engine, entry, state=outbox.PENDING, error=str(failure),
                next_attempt_at=None if unreachable else utcnow() + retry_delay(attempts),
            ))
            result.deferred += 1
            raise
        changed(_finish(engine, entry, state=outbox.SENT, answer=answer))
        result.sent += 1
    return result


def _refusal(refused: Refused, backend: str) -> str:
    """What the user reads on a refused entry: Stripe's own sentence ("Your card has expired."), else the answer."""
    if backend == outbox.STRIPE:
        return refused.message.removeprefix("Stripe: ")
    return str(refused)


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
        stored = NOTHING
        if answer is not None:
            stored = (_store_stripe_answer if entry["backend"] == outbox.STRIPE else _store_answer)(conn, entry, answer)
    return Changes.rows(outbox.TABLE, [entry["id"]]) | stored


def _store_stripe_answer(conn: Connection, entry: Any, answer: dict[str, Any]) -> Changes:
    """Write the object Stripe answered with (the subscription, invoice or refund as changed), as sync would."""
    resource = BY_OBJECT.get(str(answer.get("object")))
    if resource is None or "id" not in answer:
        return NOTHING
    embedded = (answer.get("items") or {}).get("data") if resource.object == "subscription" else None
    try:
        with conn.begin_nested():  # the entry is sent whether or not the object can be stored here
            write_objects(conn, resource, [answer], utcnow(), items=None if embedded is None else {
                answer["id"]: list(embedded)})
    except IntegrityError as exc:
        log.info("outbox entry %s: Stripe's object waits for the next pull: %s", entry["id"], exc.orig)
        return NOTHING
    return written_tables(resource, [answer["id"]])


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


