"""Secondary indexes a first bulk pass sets aside, and builds once at its end.

Measured on a first sync of 100,000 customers and their subscriptions: the
cache wrote each row into every index of its table as it came, in the
random order of Stripe's ids.  With eleven indexes set aside (those below,
and the history's index by customer, which migration 0021 dropped), the
inserts took 7.9 s instead of 12.7 s and the commits 4.8 s instead of 7.3 s
(fewer index pages written per page of rows); building them once over the
finished tables took 0.5 s, and the whole sync 24.6 s instead of 29.5 s.  So
a full pass that starts on an empty table (a first sync) drops them with its
first page and creates them again with its last one.

SQLite's DDL is transactional: the index's removal and its row in
``deferred_indexes`` (its ``CREATE INDEX`` text, as the migration wrote it)
commit together, and so do its creation and the row's removal.  A pass
killed half-way leaves them aside: the next sync's start (``restore_all``)
builds them, and so does a schema upgrade before it migrates (a migration
must find the schema it wrote).  Meanwhile the screens sort and filter those
tables without their indexes: slower, never wrong.

Only indexes a first pass's own statements do not read are set aside
(``SET_ASIDE``), and never a unique one (an upsert's conflict target).  Those
the panes and reports read, and two that sync reads only for subscriptions
the cache held before a write: a subscription's items by subscription (the
items a write drops) and its history by subscription and time (the last
change recorded).  A foreign key with ``ON DELETE CASCADE`` ties items and
changes to their subscription, so one the cache did not hold has neither,
and a first pass, whose subscriptions are all new, reads neither index.
With those two aside too, a first sync of 100,000 customers took 13.52 to
14.39 s instead of 15.09 to 17.11 s (medians 13.80 and 15.56 s, four runs
each, alternating).  A pass's last page builds them before its sweep, whose
deletes cascade through them.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Select, delete, select, text
from sqlalchemy.dialects.sqlite import insert

from app.store.schema import DeferredIndex

_deferred = DeferredIndex.__table__

# Per table, the indexes a first pass does without (a test checks that each exists and is not unique): those the
# panes' and reports' queries use (sorts, filters, joins), and the items' and history's by subscription.
SET_ASIDE: dict[str, tuple[str, ...]] = {
    "customers": ("ix_customers_created", "ix_customers_delinquent", "ix_customers_email", "ix_customers_name"),
    "subscriptions": (
        "ix_subscriptions_created",
        "ix_subscriptions_current_period_end",
        "ix_subscriptions_customer_id",
        "ix_subscriptions_status",
    ),
    "subscription_items": ("ix_subscription_items_price_id", "ix_subscription_items_subscription_id"),
    "subscription_changes": ("ix_subscription_changes_at", "ix_subscription_changes_subscription_at"),
}

_index_sql = text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :table")


def is_empty(conn: Connection, table: str) -> bool:
    """Whether ``table`` holds no row (where a first pass starts)."""
    return not conn.exec_driver_sql(f'SELECT EXISTS (SELECT 1 FROM "{table}")').scalar_one()  # noqa: S608 - a schema name


def set_aside(conn: Connection, tables: Iterable[str]) -> list[str]:
    """Drop the ``SET_ASIDE`` of ``tables`` still in place, remembering how to build each; returns their names.

    Inside the caller's transaction.  Each row is written before its ``DROP``:
    the driver opens a transaction on a write, not on DDL, so this order keeps
    both in the caller's transaction.
    """
    aside: list[str] = []
    for table in tables:
        wanted = SET_ASIDE.get(table, ())
        for name, sql in conn.execute(_index_sql, {"table": table}).tuples().all():
            if name in wanted:
                conn.execute(insert(_deferred).values(name=name, table_name=table, sql=sql).on_conflict_do_nothing())
                conn.exec_driver_sql(f'DROP INDEX "{name}"')
                aside.append(name)
    return aside


_aside = select(_deferred.c.name, _deferred.c.sql).order_by(_deferred.c.name)


def restore(conn: Connection, tables: Iterable[str]) -> None:
    """Build again the indexes set aside on ``tables`` (inside the caller's transaction)."""
    _build(conn, _aside.where(_deferred.c.table_name.in_(list(tables))))


def restore_all(conn: Connection) -> None:
    """Build every index a pass left aside (it was killed, or its resource dropped); nothing on an older schema."""
    if conn.dialect.has_table(conn, _deferred.name):  # False on a cache not yet upgraded past 0019
        _build(conn, _aside)


def _build(conn: Connection, aside: Select[tuple[str, str]]) -> None:
    for name, sql in conn.execute(aside).tuples().all():
        conn.execute(delete(_deferred).where(_deferred.c.name == name))  # a write first: see ``set_aside``
        conn.exec_driver_sql(sql)
