"""The desk's alert rule: a billing or access action the backend refused.

Actions are often queued offline and sent by a later sync, when whoever
queued them is looking elsewhere; a refusal (a declined card, an
over-refund Stripe caught) must reach them.  One notice per refusal: the
key names the action and the attempt, so a retried action refused again is
a new notice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import Connection, select

from app.config.settings import Settings
from app.notices import WARNING, Notice
from app.store import outbox
from app.store.schema import DeskAction, OutboxEntry

KIND = "desk.refused"
_DA, _OB = DeskAction.__table__, OutboxEntry.__table__


def refused_actions(conn: Connection, now: dt.datetime, settings: Settings) -> Iterator[Notice]:
    """A notice per desk action whose outbox entry stands refused (walks the outbox's state index)."""
    rows = conn.execute(
        select(_DA.c.id, _DA.c.customer_id, _DA.c.summary, _OB.c.attempts, _OB.c.last_error, _OB.c.backend)
        .join(_OB, _OB.c.id == _DA.c.outbox_id).where(_OB.c.state == outbox.REFUSED)
    )
    for row in rows:
        backend = "Stripe" if row.backend == outbox.STRIPE else "The Ops API"
        yield Notice(
            KIND, f"{row.id}:refused:{row.attempts}", f"{backend} refused: {row.summary}",
            f"{row.last_error or 'No reason given.'} Retry or discard it on the customer's desk.",
            severity=WARNING, pane="customers", record=row.customer_id,
        )
