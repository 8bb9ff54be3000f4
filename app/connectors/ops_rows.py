"""Ops API items → cache rows, one converter per resource derived from the cache table.

The API names its fields after the cache columns (the contract says so), so a
converter is built from the table: every column is read from the item under
its own name (or the few renamed ones: ``data``, ``features``, ``id`` for keyed
tables), parsed by the column's type.  A column added to the schema and the API
is picked up without touching this file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import Date, DateTime, Table

from app.connectors.convert import identity, parse_date, parse_datetime
from app.store.limits import Unstorable, check_for

Row = dict[str, Any]
Converter = Callable[[dict[str, Any], dt.datetime], Row]

# Columns the cache owns, never read from the API.
LOCAL_COLUMNS = frozenset({"synced_at", "pending", "imported_at"})


def _parser(column: Any) -> Callable[[Any], Any]:
    """Wire value → cache value of ``column``, refusing what the column cannot hold (``app.store.limits``)."""
    if isinstance(column.type, DateTime):
        return parse_datetime
    if isinstance(column.type, Date):
        return parse_date
    return check_for(column) or identity


def _default(column: Any) -> Any:
    default = column.default
    return default.arg if default is not None and default.is_scalar else None


def row_converter(
    table: Table,
    *,
    renames: dict[str, str] | None = None,
    fixed: dict[str, Any] | None = None,
    skip: frozenset[str] = frozenset(),
    stamp: str | None = "synced_at",
) -> Converter:
    """A function turning one API item into one row of ``table``.

    ``renames`` maps column → API field where they differ; ``fixed`` sets
    columns to constants (``source``); ``skip`` leaves columns to the database
    (autoincrement ids); ``stamp`` names the column that records when we heard it.
    Missing fields take the column's default so every row has the same keys,
    which executemany needs.  A value the cache cannot hold (or a required one
    missing) raises ``Unstorable`` naming the field: that item is quarantined.
    """
    renames = renames or {}
    fixed = fixed or {}
    plan = [
        (c.name, renames.get(c.name, c.name), _parser(c), _default(c), not c.nullable)
        for c in table.columns
        if c.name not in LOCAL_COLUMNS and c.name not in fixed and c.name not in skip
    ]
    has_pending = "pending" in table.columns

    def convert(item: dict[str, Any], now: dt.datetime) -> Row:
        row: Row = {}
        for column, field, parse, default, required in plan:
            value = item.get(field)
            if value is None:
                if default is None and required:
                    raise Unstorable(f"{field} is missing")
                row[column] = default
                continue
            try:
                row[column] = parse(value)
            except (ValueError, TypeError, OverflowError) as exc:  # impossible dates, wrong types, ranges
                raise Unstorable(f"{field}: {exc}") from None
        row.update(fixed)
        if has_pending:
            row["pending"] = False  # the server's version of a row is never pending
        if stamp:
            row[stamp] = now
        return row

    return convert
