"""Who is acting and may they, and where each of the customer's desk actions stands.

An action's state is its outbox entry's: waiting to be sent (perhaps with
the reason the last attempt failed), refused by the backend with its words
(a declined card, an over-refund), or sent — Stripe or the Ops API accepted
it and answered with the changed object, which the cache now holds.  An
action whose entry the user discarded is "discarded".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from app.config.settings import Settings
from app.domain.tickets import current_author
from app.roles import SUPPORT, can_act_on_billing, effective_role
from app.store import outbox
from app.store.app_state import ME_KEY, get_app_value
from app.store.schema import DeskAction, OutboxEntry

_DA, _OB = DeskAction.__table__, OutboxEntry.__table__
DISCARDED = "discarded"
RECENT_ACTIONS = 50


@dataclass(frozen=True)
class Permissions:
    role: str
    actor: str | None  # the signed-in user, as the Ops API last named them
    can_act: bool
    refund_cap_cents: int | None  # the most one refund may give back (None: no cap)

    @property
    def why_not(self) -> str:
        """Why the role cannot act, in words ("" when it can)."""
        if self.can_act:
            return ""
        return f"Read-only: the {self.role} role can look at customers but not change their billing or access."


def permissions(conn: Connection, settings: Settings) -> Permissions:
    """The signed-in role (``/me``, else the offline role in settings) and what it may do on the desk."""
    role = effective_role(get_app_value(conn, ME_KEY), settings.sync.offline_role)
    cap = round(settings.desk.support_refund_cap_usd * 100) if role == SUPPORT else None
    return Permissions(role, current_author(conn), can_act_on_billing(role), cap)


@dataclass(frozen=True)
class ActionEntry:
    id: str
    kind: str
    target_id: str | None
    summary: str
    amount_cents: int | None
    currency: str | None
    reason: str
    actor: str | None
    role: str
    created_at: dt.datetime
    outbox_id: int | None
    state: str  # pending | refused | sent | discarded
    error: str | None = None  # the backend's words on a refused entry, or why the last attempt failed
    attempts: int = 0
    sent_at: dt.datetime | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def open(self) -> bool:
        """Still waiting or refused: the user may retry or discard it."""
        return self.state in (outbox.PENDING, outbox.REFUSED)

    @property
    def words(self) -> str:
        if self.state == outbox.PENDING:
            return "waiting to send" + (f" — last attempt: {self.error}" if self.error else "")
        if self.state == outbox.REFUSED:
            return f"refused: {self.error or 'no reason given'}"
        if self.state == outbox.SENT:
            return f"done{f', confirmed {self.sent_at:%Y-%m-%d %H:%M} UTC' if self.sent_at else ''}"
        return DISCARDED


def actions_of(conn: Connection, customer_id: str) -> list[ActionEntry]:
    """The customer's latest desk actions, newest first, each with its outbox state."""
    rows = conn.execute(
        select(_DA, _OB.c.state, _OB.c.last_error, _OB.c.attempts, _OB.c.sent_at)
        .outerjoin(_OB, _OB.c.id == _DA.c.outbox_id)
        .where(_DA.c.customer_id == customer_id)
        .order_by(_DA.c.created_at.desc(), _DA.c.id).limit(RECENT_ACTIONS)
    ).mappings()
    return [
        ActionEntry(
            r["id"], r["kind"], r["target_id"], r["summary"], r["amount_cents"], r["currency"], r["reason"],
            r["actor"], r["role"], r["created_at"], r["outbox_id"], r["state"] or DISCARDED, r["last_error"],
            r["attempts"] or 0, r["sent_at"], dict(r["params_json"] or {}),
        )
        for r in rows
    ]
