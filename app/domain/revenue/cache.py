"""Movements kept between requests, replayed again only for the customers whose subscriptions changed.

Replaying every customer's history is the expensive part of the revenue
figures; converting and summing the movements per month is cheap.  The window
keeps one ``MovementCache`` and asks it on a worker thread each time the
change bus says subscriptions changed: it finds what changed since its last
answer from the cache itself (history rows and subscriptions written since),
replays only those customers -- and those whose replay changes by itself
with time (a paid period ran out, a past-due clock expired) -- and starts
over when rows were deleted or the policies changed.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from app.domain.revenue import movements
from app.domain.revenue.movements import CUSTOMER, VALID_UNTIL, Account
from app.domain.revenue.policy import Policy
from app.store.schema import Subscription, SubscriptionChange

_H, _S = SubscriptionChange.__table__, Subscription.__table__


@dataclass(frozen=True)
class _Mark:
    """Where the cache stood: the newest history row and subscription write, and how many of each there were."""

    history_id: int
    history_rows: int
    synced_at: dt.datetime | None
    subscriptions: int

    @classmethod
    def read(cls, conn: Connection) -> _Mark:
        history_id, history_rows = conn.execute(select(func.coalesce(func.max(_H.c.id), 0), func.count())).one()
        synced_at, subscriptions = conn.execute(select(func.max(_S.c.synced_at), func.count())).one()
        return cls(int(history_id), int(history_rows), synced_at, int(subscriptions))


def _changed_since(conn: Connection, mark: _Mark, now: _Mark) -> set[str] | None:
    """Customers with history rows or subscription writes since ``mark``; None when rows were deleted."""
    added = int(conn.execute(select(func.count()).where(_H.c.id > mark.history_id)).scalar_one())
    if now.history_rows != mark.history_rows + added or now.subscriptions < mark.subscriptions:
        return None
    changed = set(conn.execute(select(_H.c.customer_id).where(_H.c.id > mark.history_id).distinct()).scalars())
    if mark.synced_at is not None:
        changed |= set(conn.execute(select(_S.c.customer_id).where(_S.c.synced_at > mark.synced_at)
                                    .distinct()).scalars())
    elif now.synced_at is not None or now.subscriptions != mark.subscriptions:
        return None  # written by other means than sync: no way to tell which
    return changed


class MovementCache:
    """Every account's movements for one cache, up to date as of the last ``accounts`` call (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._policy: tuple[object, ...] | None = None
        self._mark: _Mark | None = None
        self._accounts: list[Account] = []
        self.replayed = 0  # customers replayed so far: all of them once, then the changed few each time

    def accounts(self, conn: Connection, policy: Policy, now: dt.datetime) -> Sequence[Account]:
        """The accounts as of ``now`` (later calls replace the list, never change it: the caller may keep it)."""
        with self._lock:
            mark = _Mark.read(conn)
            changed = None
            if self._mark is not None and self._policy == policy.movement_key:
                changed = _changed_since(conn, self._mark, mark)
            if changed is None:
                self._accounts = movements.accounts(conn, policy, now)
                self.replayed += len({a[CUSTOMER] for a in self._accounts})
            else:
                now_ts = movements.to_ts(now)
                changed |= {a[CUSTOMER] for a in self._accounts if a[VALID_UNTIL] <= now_ts}
                if changed:  # a changed customer's accounts are replaced, or gone with its last subscription
                    kept = [a for a in self._accounts if a[CUSTOMER] not in changed]
                    self._accounts = kept + movements.accounts(conn, policy, now, sorted(changed))
                self.replayed += len(changed)
            self._mark, self._policy = mark, policy.movement_key
            return self._accounts
