"""Where a ticket stands against its SLA right now: the queue's states, order and countdown.

The clocks (``app.sla_rules.clocks``) give absolute instants, stored on the
ticket when it is evaluated: ``sla_rank`` (the next breach instant) and
``sla_warn_at`` (when the pre-breach window opens).  What changes with time is
only the comparison with *now*, written here twice on purpose -- as Python
(``state``, for the live countdown of a painted cell) and as SQL
(``state_sql``, for the filters and the state column) -- with tests holding
the two to the same answers.  One pre-breach threshold therefore drives both
the "about to breach" filter and the amber colour.

A clock paused before its breach has no breach instant.  Its rank is
``PAUSED_BASE`` plus its business seconds left, so in the queue's order it
follows every running clock, the least time left first, and the rank alone
tells "paused, 2 h left" (``paused_left``).  A ticket without a running clock
ranks ``NO_CLOCK_RANK``, last (the column's default, so a ticket never
evaluated -- a long-solved one -- sorts there too): were it NULL, SQLite would
put the million solved tickets first and the queue's first screen would walk
past all of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, literal

from app.sla_rules.clocks import TicketClocks
from app.sla_rules.policies import SOLVED_STATUSES

BREACHED = "breached"
ABOUT_TO_BREACH = "about_to_breach"
ON_TRACK = "on_track"
PAUSED = "paused"
NO_CLOCK = "none"  # solved, or no policy covers the ticket
STATES = (BREACHED, ABOUT_TO_BREACH, ON_TRACK, PAUSED, NO_CLOCK)

PAUSED_BASE = dt.datetime(9000, 1, 1)  # far beyond any real due instant
NO_CLOCK_RANK = dt.datetime(9999, 12, 31)  # ``schema.NO_CLOCK_RANK_SQL``


@dataclass(frozen=True)
class QueueFields:
    """The ticket columns a ticket's clocks set (``tickets.sla_*``)."""

    policy: str | None
    metric: str | None
    rank: dt.datetime | None
    warn_at: dt.datetime | None
    agent_replies: int


def queue_fields(clocks: TicketClocks) -> QueueFields:
    """The queue's view of a ticket's clocks: its next clock's metric, rank and pre-breach instant."""
    clock = clocks.next
    if clock is None:
        return QueueFields(clocks.policy, None, NO_CLOCK_RANK, None, clocks.agent_replies)
    if clock.due_at is not None:
        return QueueFields(clocks.policy, clock.metric, clock.due_at, clock.warn_at, clocks.agent_replies)
    left = clock.left_s or 0.0
    return QueueFields(clocks.policy, clock.metric, PAUSED_BASE + dt.timedelta(seconds=left), None,
                       clocks.agent_replies)


def paused_left(rank: dt.datetime | None) -> float | None:
    """Business seconds left of a paused clock, read off its rank (None: not paused)."""
    if rank is None or not PAUSED_BASE <= rank < NO_CLOCK_RANK:
        return None
    return (rank - PAUSED_BASE).total_seconds()


def state(status: str, rank: dt.datetime | None, warn_at: dt.datetime | None, now: dt.datetime) -> str:
    """The ticket's SLA state at ``now``, from its stored clock fields."""
    if status in SOLVED_STATUSES or rank is None or rank >= NO_CLOCK_RANK:
        return NO_CLOCK
    if rank <= now:
        return BREACHED
    if rank >= PAUSED_BASE:
        return PAUSED
    if warn_at is not None and warn_at <= now:
        return ABOUT_TO_BREACH
    return ON_TRACK


def state_sql(
    status: ColumnElement[Any], rank: ColumnElement[Any], warn_at: ColumnElement[Any], now: ColumnElement[Any]
) -> ColumnElement[str]:
    """``state`` as a SQL expression over the ticket's columns and a bound ``now``."""
    return case(
        (status.in_(SOLVED_STATUSES), literal(NO_CLOCK)),
        (rank.is_(None), literal(NO_CLOCK)),
        (rank >= NO_CLOCK_RANK, literal(NO_CLOCK)),
        (rank <= now, literal(BREACHED)),
        (rank >= PAUSED_BASE, literal(PAUSED)),
        (and_(warn_at.is_not(None), warn_at <= now), literal(ABOUT_TO_BREACH)),
        else_=literal(ON_TRACK),
    )


def filters_sql(
    status: ColumnElement[Any], rank: ColumnElement[Any], warn_at: ColumnElement[Any], now: ColumnElement[Any]
) -> dict[str, ColumnElement[bool]]:
    """The queue's SLA views as conditions that walk the ``sla_rank`` index (same rule as ``state``)."""
    unsolved = status.not_in(SOLVED_STATUSES)
    return {
        BREACHED: and_(unsolved, rank <= now),
        ABOUT_TO_BREACH: and_(unsolved, rank > now, rank < PAUSED_BASE, warn_at <= now),
        PAUSED: and_(unsolved, rank >= PAUSED_BASE, rank < NO_CLOCK_RANK),
        ON_TRACK: and_(unsolved, rank > now, rank < PAUSED_BASE, (warn_at.is_(None)) | (warn_at > now)),
    }


def seconds_to_due(rank: dt.datetime | None, now: dt.datetime) -> float | None:
    """Wall-clock seconds until the breach instant (negative: breached that long ago); None when paused/none."""
    if rank is None or rank >= PAUSED_BASE:
        return None
    return (rank - now).total_seconds()
