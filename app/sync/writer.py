"""The write path: SQLAlchemy Core upserts and deletes, one executemany per table per page.

Sync writes only through here, always inside the caller's transaction, so a
page and its cursor commit together.  Statements are built once per
(table, key, excluded columns) and reused: building an ``on_conflict_do_update``
costs more than executing it for a page of a hundred rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Table, TextClause, and_, bindparam, delete, text, tuple_
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.sqlite import insert

Row = dict[str, Any]

# SQLite's default limit of host parameters per statement is 32766; stay well below.
_IN_CHUNK = 500


# Named parameters, so the compiled SQL can be re-read by ``text`` below.
_NAMED = sqlite.dialect(paramstyle="named")


@lru_cache(maxsize=128)
def upsert_statement(table: Table, key: tuple[str, ...], columns: tuple[str, ...]) -> TextClause:
    """``INSERT … ON CONFLICT (key) DO UPDATE`` of ``columns``, compiled once.

    SQLAlchemy gives SQLite's ``on_conflict_do_update`` no cache key, so it
    would compile the statement again for every page — a few milliseconds a
    page, more than SQLite needs to write it.  The Core statement is
    therefore compiled here once and kept as a ``text`` clause with typed
    parameters (which SQLAlchemy caches, and whose types still convert
    datetimes, booleans and JSON exactly as the ORM does).  Only columns the
    rows carry are set, so a database-assigned id (cost records) is never
    overwritten.
    """
    stmt = insert(table)
    excluded = stmt.excluded
    updates = {name: excluded[name] for name in columns if name not in key}
    core = stmt.on_conflict_do_update(index_elements=list(key), set_=updates)
    sql = str(core.compile(dialect=_NAMED, column_keys=list(columns)))
    return text(sql).bindparams(*(bindparam(name, type_=table.c[name].type) for name in columns))


def upsert(
    conn: Connection,
    table: Table,
    rows: Sequence[Row],
    key: tuple[str, ...] = ("id",),
) -> None:
    """Insert or update ``rows`` (all with the same keys) in one executemany."""
    if rows:
        conn.execute(upsert_statement(table, key, tuple(rows[0])), list(rows))


def delete_keys(
    conn: Connection,
    table: Table,
    keys: Iterable[tuple[Any, ...]],
    key: tuple[str, ...] = ("id",),
    *,
    spare_pending: bool = False,
) -> None:
    """Delete the rows whose ``key`` columns equal one of ``keys``.

    ``spare_pending`` keeps rows the user created locally and has not pushed
    yet: the server cannot have deleted what it has not seen.
    """
    columns = [table.c[name] for name in key]
    target = columns[0] if len(columns) == 1 else tuple_(*columns)
    values = [k[0] if len(columns) == 1 else k for k in keys]
    for start in range(0, len(values), _IN_CHUNK):
        chunk = values[start : start + _IN_CHUNK]
        condition = target.in_(chunk)
        if spare_pending:
            condition = and_(condition, table.c.pending.is_(False))
        conn.execute(delete(table).where(condition))
