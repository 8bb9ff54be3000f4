"""How fresh the data behind a pane is: when its synced resources last succeeded, and the last error.

A handful of ``sync_state`` rows read by primary key; the staleness label under
every pane shows the result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.connectors.explain import backend_of, in_words, resource_words

if TYPE_CHECKING:
    from sqlalchemy import Engine

#: What the line reads (``SyncState.__tablename__``, named here: every pane imports this at start-up, and the
#: ORM schema costs about 0.4 s to import; tests/app/views/test_table_names.py holds the two equal).
TABLES = frozenset({"sync_state"})


@dataclass(frozen=True)
class Freshness:
    """``oldest``: the oldest last success among the resources, None unless every one has synced."""

    oldest: dt.datetime | None
    errors: tuple[str, ...]  # in words, of those whose last attempt failed ("The Ops API had a server error…")


def freshness(engine: Engine, resources: Iterable[str]) -> Freshness:
    # SQLAlchemy and the schema load on the worker that asks, not with the panes' base class at start-up.
    from sqlalchemy import select

    from app.store.schema import SyncState

    wanted = tuple(resources)
    with engine.connect() as conn:
        rows = conn.execute(
            select(SyncState.resource, SyncState.last_success_at, SyncState.last_error).where(
                SyncState.resource.in_(wanted)
            )
        ).all()
    successes = [r.last_success_at for r in rows if r.last_success_at is not None]
    oldest = min(successes) if successes and len(successes) == len(wanted) else None
    errors = tuple(
        f"{backend_of(r.resource)} {in_words(r.last_error)} ({resource_words(r.resource)})"
        for r in rows if r.last_error
    )
    return Freshness(oldest, errors)

