"""The write path: SQLAlchemy Core upserts and deletes, one executemany per table per page.

Sync writes only through here, always inside the caller's transaction, so a
page and its cursor commit together (a full pass may hand several pages over
as one: they are one page here).  Upserts are built with SQLAlchemy Core,
compiled once per (table, key, columns) and run as one executemany per page.
A page the database refuses is written again row by row (``store``), so one
row it cannot hold is named and skipped instead of failing its whole page.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, ColumnElement, Connection, Date, DateTime, Table, and_, delete, tuple_
from sqlalchemy import insert as plain_insert
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.exc import OperationalError, StatementError

from app.store.schema import is_set_once

Row = dict[str, Any]

# SQLite's default limit of host parameters per statement is 32766; stay well below.
_IN_CHUNK = 500

_DIALECT = sqlite.dialect()  # qmark parameters, as the sqlite3 driver takes them

# What one row of a page can fail with where the others do not: a constraint
# (foreign key, NOT NULL) or a value the driver cannot bind.  The database's
# own failures (``OperationalError``: locked, full, I/O) fail the page.
_ROW_FAULTS = (StatementError, OverflowError, ValueError, TypeError)


Values = Sequence[Any]  # one column's values across a page's rows


def _datetimes(values: Values) -> Values:
    first = values[0] if values else None
    if first is not None and all(v is first for v in values):  # one instant for every row: a page's ``synced_at``
        return [first.isoformat(" ", "microseconds")] * len(values)
    return [None if v is None else v.isoformat(" ", "microseconds") for v in values]


def _dates(values: Values) -> Values:
    return [None if v is None else v.isoformat() for v in values]


def _json(values: Values) -> Values:
    return list(map(json.dumps, values))


def _db_values(column_type: Any) -> Callable[[Values], Values] | None:
    """How SQLAlchemy would store a column of Python values of ``column_type`` in SQLite (None: as they are).

    The same text SQLAlchemy's SQLite types write — datetimes as
    ``YYYY-MM-DD HH:MM:SS.ffffff``, dates as ``YYYY-MM-DD``, JSON through
    ``json.dumps`` (``None`` as JSON ``null``, SQLAlchemy's default) — so rows
    written here read back through the ORM exactly like rows it wrote.  A
    whole column at a time: a page's values convert in one comprehension, not
    one function call each.
    """
    if isinstance(column_type, DateTime):
        return _datetimes
    if isinstance(column_type, Date):
        return _dates
    if isinstance(column_type, JSON):
        return _json
    return None


@dataclass(frozen=True)
class PreparedUpsert:
    """An upsert compiled once: its SQL, how to pick its parameters from a row, which columns to convert.

    ``values`` takes a row's values in the statement's parameter order;
    ``conversions`` are (position, ``_db_values``) of the columns SQLite cannot
    take as they are.
    """

    sql: str
    values: Callable[[Row], tuple[Any, ...]]
    conversions: tuple[tuple[int, Callable[[Values], Values]], ...]

    def parameters(self, rows: Sequence[Row]) -> list[tuple[Any, ...]]:
        """The statement's parameters for each of ``rows``, picked and converted column by column."""
        picked = list(map(self.values, rows))
        if not self.conversions or not picked:
            return picked
        columns: list[Values] = list(zip(*picked, strict=True))
        for position, convert in self.conversions:
            columns[position] = convert(columns[position])
        return list(zip(*columns, strict=True))


@lru_cache(maxsize=128)
def prepared_upsert(table: Table, key: tuple[str, ...], columns: tuple[str, ...]) -> PreparedUpsert:
    """``INSERT … ON CONFLICT (key) DO UPDATE`` of ``columns``, built with Core and compiled once.

    Why not ``conn.execute(core_statement, rows)``: SQLAlchemy gives SQLite's
    ``on_conflict_do_update`` no cache key, so it compiles the statement again
    for every page, and its per-row parameter processing costs more than
    SQLite needs to store the row.  Compiling once and converting values with
    ``_db_values`` keeps a sync limited by the network.  Only columns the rows
    carry are set, so a database-assigned id (cost records) is never overwritten,
    and of those not the ones the schema marks ``SET_ONCE``: SQLite rewrites the
    index entry of every column the update sets, even to the value it holds.
    """
    stmt = insert(table)
    excluded = stmt.excluded
    updates = {name: excluded[name] for name in columns if name not in key and not is_set_once(table.c[name])}
    return _compiled(table, stmt.on_conflict_do_update(index_elements=list(key), set_=updates), columns)


@lru_cache(maxsize=128)
def prepared_insert(table: Table, columns: tuple[str, ...]) -> PreparedUpsert:
    """A plain ``INSERT`` of ``columns`` compiled once (rows that only ever get added: histories)."""
    return _compiled(table, plain_insert(table), columns)


def _compiled(table: Table, stmt: Any, columns: tuple[str, ...]) -> PreparedUpsert:
    compiled = stmt.compile(dialect=_DIALECT, column_keys=list(columns))
    order = list(compiled.positiontup or [])
    conversions = tuple((position, convert) for position, name in enumerate(order)
                        if (convert := _db_values(table.c[name].type)) is not None)
    return PreparedUpsert(str(compiled), _picker(order), conversions)


def _picker(names: list[str]) -> Callable[[Row], tuple[Any, ...]]:
    """A row's values of ``names`` as a tuple (``itemgetter`` picks in C; of one name it returns it bare)."""
    if len(names) == 1:
        (name,) = names
        return lambda row: (row[name],)
    return itemgetter(*names)


def upsert(conn: Connection, table: Table, rows: Sequence[Row], key: tuple[str, ...] = ("id",)) -> None:
    """Insert or update ``rows`` (all with the same keys) in one executemany."""
    if rows:
        prepared = prepared_upsert(table, key, tuple(rows[0]))
        conn.exec_driver_sql(prepared.sql, prepared.parameters(rows))


def insert_rows(conn: Connection, table: Table, rows: Sequence[Row]) -> None:
    """Insert ``rows`` (all with the same keys) in one executemany, without SQLAlchemy's per-row processing."""
    if rows:
        prepared = prepared_insert(table, tuple(rows[0]))
        conn.exec_driver_sql(prepared.sql, prepared.parameters(rows))


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
        condition: ColumnElement[bool] = target.in_(chunk)
        if spare_pending:
            condition = and_(condition, table.c.pending.is_(False))
        conn.execute(delete(table).where(condition))


def store(
    conn: Connection,
    table: Table,
    rows: Sequence[Row],
    ids: Sequence[str],
    rejected: dict[str, str],
    *,
    key: tuple[str, ...] = ("id",),
    replace: bool = False,
    strict: tuple[type[Exception], ...] = (),
) -> None:
    """Write a page's ``rows`` in one statement; when that fails, row by row, naming each refused one.

    ``ids`` are the source's ids of ``rows`` (what ``rejected`` is keyed by,
    with the reason).  Rows written before a failed statement are written
    again: upserts and replacements are idempotent.  ``replace`` deletes the
    rows' keys and inserts (tables whose key has no unique constraint).
    Errors in ``strict`` propagate, so the caller can fix their cause (fetch a
    missing parent) and write the page again.
    """
    try:
        _put(conn, table, rows, key, replace)
        return
    except _ROW_FAULTS as exc:
        if isinstance(exc, (OperationalError, *strict)):
            raise
    for row, row_id in zip(rows, ids, strict=True):
        try:
            _put(conn, table, [row], key, replace)
        except _ROW_FAULTS as exc:
            if isinstance(exc, (OperationalError, *strict)):
                raise
            rejected[row_id] = refusal(exc)


def _put(conn: Connection, table: Table, rows: Sequence[Row], key: tuple[str, ...], replace: bool) -> None:
    if not replace:
        upsert(conn, table, rows, key)
    elif rows:
        delete_keys(conn, table, [tuple(row[k] for k in key) for row in rows], key)
        conn.execute(plain_insert(table), list(rows))


def refusal(exc: BaseException) -> str:
    """Why the cache refused a row, in one line (the driver's words when it has them)."""
    original = getattr(exc, "orig", None)
    if original is not None and "FOREIGN KEY" in str(original):
        return "it refers to a row the cache does not hold (not synced, or itself not stored)"
    if original is not None:
        return f"the cache refused it: {original}"
    return f"{type(exc).__name__}: {exc}" if not isinstance(exc, ValueError) else str(exc)
