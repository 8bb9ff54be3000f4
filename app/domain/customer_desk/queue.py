"""Queue an accepted action, and retry or discard one: each a single transaction that says what it changed.

``submit`` re-reads the customer and re-checks the request *inside* the
write transaction, so what is queued is what the rules accept against the
cache as it is at that instant (a refund checked a minute ago may meet
another refund queued since).  It writes the desk's record of the action
(who, why, the sentence confirmed), the outbox entry whose idempotency key
is the action's id — Stripe and the Ops API apply it once however often it
is sent — and, for access actions, the grant as it will be (``pending``
until the Ops API confirms it).  A refusal writes nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, insert, select, update

from app.clock import utcnow
from app.config.settings import Settings
from app.domain.customer_desk import actions as a
from app.domain.customer_desk.diagnosis import Diagnosis, diagnose
from app.domain.customer_desk.validation import plan
from app.store import outbox
from app.store.changes import NOTHING, Changes
from app.store.schema import AccessGrant, DeskAction, OutboxEntry

_DA, _AG, _OB = DeskAction.__table__, AccessGrant.__table__, OutboxEntry.__table__
ACTIONS_TABLE, GRANTS_TABLE = _DA.name, _AG.name


@dataclass(frozen=True)
class Queued:
    """An action written to the outbox: its id, the sentence the user confirmed, what changed in the cache."""

    action_id: str
    summary: str
    changes: Changes


def check(engine: Engine, request: a.DeskRequest, settings: Settings, now: dt.datetime | None = None) -> a.Planned:
    """The action ``request`` would queue, checked against the cache (``Refusal`` when it would not be)."""
    now = now or utcnow()
    with engine.connect() as conn:
        return plan(request, _diagnose(conn, request, settings, now), settings, "check", now)


def _diagnose(conn: Connection, request: a.DeskRequest, settings: Settings, now: dt.datetime) -> Diagnosis | None:
    kind = a.KINDS.get(request.kind)
    invoice = request.target_id if kind is not None and kind.target == a.INVOICE else None
    return diagnose(conn, request.customer_id, now, settings, invoice_id=invoice)


def submit(engine: Engine, request: a.DeskRequest, settings: Settings, now: dt.datetime | None = None) -> Queued:
    """Check ``request`` again and queue it in one transaction; ``Refusal`` (nothing written) when refused."""
    now = now or utcnow()
    action_id = str(uuid.uuid4())
    with engine.begin() as conn:
        diagnosis = _diagnose(conn, request, settings, now)
        planned = plan(request, diagnosis, settings, action_id, now)
        assert diagnosis is not None  # plan() refuses a customer the cache no longer holds
        call = planned.call
        entry = outbox.enqueue(conn, call.kind, call.path, call.payload, method=call.method,
                               idempotency_key=action_id, backend=call.backend)
        changed = _apply_locally(conn, planned, diagnosis, action_id, now)
        conn.execute(insert(_DA).values(
            id=action_id, customer_id=request.customer_id, kind=request.kind, target_id=request.target_id,
            summary=planned.summary, amount_cents=planned.amount_cents, currency=planned.currency,
            reason=request.reason.strip(), actor=diagnosis.permissions.actor, role=diagnosis.permissions.role,
            params_json=planned.details or None, outbox_id=entry, created_at=now,
        ))
    return Queued(action_id, planned.summary,
                  Changes.rows(ACTIONS_TABLE, [action_id]) | Changes.rows(outbox.TABLE, [entry]) | changed)


def _apply_locally(conn: Connection, planned: a.Planned, d: Diagnosis, action_id: str, now: dt.datetime) -> Changes:
    """Access actions show at once: a new grant (pending), or a grant marked revoked (pending)."""
    request = planned.request
    if request.kind == a.GRANT_ACCESS:
        conn.execute(insert(_AG).values(
            id=action_id, customer_id=request.customer_id, feature=request.feature, plan=request.plan,
            effect="grant", reason=request.reason.strip(), granted_by=d.permissions.actor, created_at=now,
            expires_at=request.until, pending=True,
        ))
        return Changes.rows(GRANTS_TABLE, [action_id])
    if request.kind == a.REVOKE_ACCESS and request.target_id is not None:
        conn.execute(update(_AG).where(_AG.c.id == request.target_id).values(
            revoked_at=now, revoked_by=d.permissions.actor, revoke_reason=request.reason.strip(), pending=True,
        ))
        return Changes.rows(GRANTS_TABLE, [request.target_id])
    return NOTHING


def _open_action(conn: Connection, action_id: str) -> dict[str, object] | None:
    row = conn.execute(select(_DA).where(_DA.c.id == action_id)).mappings().first()
    return dict(row) if row is not None else None


def retry_action(engine: Engine, action_id: str) -> Changes:
    """Send a refused action again with the next sync (the user fixed the cause, or wants another try).

    Stripe remembers a refusal under its idempotency key, so a Stripe action
    is retried under a new one (``outbox.retry``).
    """
    with engine.begin() as conn:
        action = _open_action(conn, action_id)
        if action is None or action["outbox_id"] is None:
            return NOTHING
        stripe = a.KINDS[str(action["kind"])].backend == outbox.STRIPE
        outbox.retry(conn, int(str(action["outbox_id"])), new_key=f"{action_id}:{uuid.uuid4().hex[:12]}" if stripe
                     else None)
    return Changes.rows(ACTIONS_TABLE, [action_id]) | Changes.rows(outbox.TABLE, [action["outbox_id"]])


def discard_action(engine: Engine, action_id: str) -> Changes:
    """Give up on a waiting or refused action: its outbox entry goes, and a local grant change is undone.

    An entry already sent cannot be discarded (it happened); then nothing changes.
    """
    with engine.begin() as conn:
        action = _open_action(conn, action_id)
        if action is None or action["outbox_id"] is None:
            return NOTHING
        entry = int(str(action["outbox_id"]))
        state = conn.execute(select(_OB.c.state).where(_OB.c.id == entry)).scalar()
        if state not in (outbox.PENDING, outbox.REFUSED):
            return NOTHING
        outbox.discard(conn, entry)
        changed = Changes.rows(ACTIONS_TABLE, [action_id]) | Changes.rows(outbox.TABLE, [entry])
        if action["kind"] == a.GRANT_ACCESS:
            conn.execute(delete(_AG).where(_AG.c.id == action_id, _AG.c.pending))
            changed |= Changes.rows(GRANTS_TABLE, [action_id])
        elif action["kind"] == a.REVOKE_ACCESS and action["target_id"]:
            conn.execute(update(_AG).where(_AG.c.id == action["target_id"], _AG.c.pending).values(
                revoked_at=None, revoked_by=None, revoke_reason=None, pending=False))
            changed |= Changes.rows(GRANTS_TABLE, [action["target_id"]])
    return changed
