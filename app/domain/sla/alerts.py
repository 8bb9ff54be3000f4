"""The ``sla.pre_breach`` alert rule: a ticket's clock entered its pre-breach window.

Whose tickets: with ``[sla] alert_scope = "mine"`` (the default) the clocks of
tickets assigned to the signed-in user (``/me``'s name, as assignments name
people); with ``"all"`` every ticket's -- the setting a team lead turns on.
The Ops API's roles have no "lead", and a lead's workstation is a choice of
its user, so it is a setting rather than a role.

Each clock announces once: the dedupe key names the ticket, the metric and
the clock (a ticket's second next-reply clock is a new one), so re-evaluating
a clock after a priority change does not repeat it.  A window that opened
more than a day ago is history (``app.notifications``) and is not looked up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import Connection, and_, select

from app.config.settings import Settings
from app.config.support_settings import ALL
from app.notices import HISTORY_AGE, WARNING, Notice
from app.sla_rules.policies import SOLVED_STATUSES
from app.store.app_state import signed_in_name
from app.store.schema import Ticket, TicketSla

KIND = "sla.pre_breach"
METRIC_WORDS = {"first_reply": "first reply", "next_reply": "next reply", "resolution": "resolution"}
_T, _S = Ticket.__table__, TicketSla.__table__


def pre_breach(conn: Connection, now: dt.datetime, settings: Settings) -> Iterator[Notice]:
    """Running clocks whose pre-breach window is open now, on the tickets the user watches."""
    conditions = [
        _S.c.warn_at > now - HISTORY_AGE, _S.c.warn_at <= now, _S.c.due_at > now,
        _S.c.fulfilled_at.is_(None), _S.c.paused.is_(False), _T.c.status.not_in(SOLVED_STATUSES),
    ]
    if settings.sla.alert_scope != ALL:
        me = signed_in_name(conn)
        if me is None:
            return  # nobody signed in yet: no ticket is "mine"
        conditions.append(_T.c.assignee == me)
    rows = conn.execute(
        select(_S.c.ticket_id, _S.c.metric, _S.c.seq, _S.c.started_at, _S.c.warn_at, _S.c.due_at, _T.c.subject,
               _T.c.assignee)
        .select_from(_S.join(_T, _T.c.id == _S.c.ticket_id))
        .where(and_(*conditions))
        .order_by(_S.c.due_at)
    )
    for r in rows:
        words = METRIC_WORDS.get(r.metric, r.metric)
        yield Notice(
            KIND,
            f"{r.ticket_id}:{r.metric}:{r.seq}:{r.started_at:%Y-%m-%dT%H:%M:%S}",
            f"Ticket #{r.ticket_id} is about to breach its {words} target",
            f"{r.subject} — due {r.due_at:%Y-%m-%d %H:%M} UTC; held by {r.assignee or 'nobody'}",
            WARNING,
            pane="tickets",
            record=str(r.ticket_id),
            occurred_at=r.warn_at,
        )
