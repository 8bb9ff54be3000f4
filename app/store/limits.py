"""What one cache column can hold, checked before a row is written.

SQLite stores what it is given: a string in an INTEGER column, ``NaN`` as
NULL, a 100 MB text; and the driver refuses an integer past 64 bits only when
the whole page is sent (``OverflowError``), failing every row with it.  A
source can send any of these, so sync converters check each value against its
column here — cheap type and range tests, no SQL — and a row that fails is
skipped and quarantined instead of stopping the sync.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Float, Integer, String, Table

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_TEXT_CHARS = 1_000_000  # one text value; far above any subject, body or signed license file

Check = Callable[[Any], Any]


class Unstorable(ValueError):
    """A value its column cannot hold; the message names the column and the value."""


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _integer(value: Any) -> int:
    if isinstance(value, str) and value.lstrip("-").isdigit() and value.isascii():
        value = int(value)  # ids of INTEGER-keyed tables travel as strings ("42")
    if type(value) is not int:
        raise Unstorable(f"{_shown(value)} is not an integer")
    if not INT64_MIN <= value <= INT64_MAX:
        raise Unstorable(f"{_shown(value)} is outside the 64-bit integer range")
    return value


def _number(value: Any) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Unstorable(f"{_shown(value)} is not a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise Unstorable(f"{_shown(value)} is not a finite number")
    if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
        raise Unstorable(f"{_shown(value)} is outside the 64-bit range")
    return value


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Unstorable(f"{_shown(value)} is not true or false")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise Unstorable(f"{_shown(value)} is not text")
    if len(value) > MAX_TEXT_CHARS:
        raise Unstorable(f"text of {len(value):,} characters is longer than {MAX_TEXT_CHARS:,}")
    return value


def _moment(value: Any) -> Any:
    if not isinstance(value, (dt.datetime, dt.date)):
        raise Unstorable(f"{_shown(value)} is not a date or time")
    return value


def check_for(column: Column[Any]) -> Check | None:
    """The check a non-null value of ``column`` must pass (None: any JSON value is fine)."""
    kind = column.type
    if isinstance(kind, Boolean):
        return _boolean
    if isinstance(kind, Integer):
        return _integer
    if isinstance(kind, Float):
        return _number
    if isinstance(kind, (DateTime, Date)):
        return _moment
    if isinstance(kind, String):  # Text is a String
        return _text
    if isinstance(kind, JSON):
        return None
    raise TypeError(f"no check for column {column.name} of type {kind!r}")


@lru_cache(maxsize=64)
def row_check(table: Table) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Check (and normalise) every value of a row of ``table`` the caller built; raises ``Unstorable``.

    Built once per table (cached): the plan keeps only the columns with a check.
    A refusal names the column (what the quarantine shows).  The loop runs for
    every value sync writes, so it calls nothing but the check itself.
    """
    plan = [(c.name, check, not c.nullable and c.default is None) for c in table.columns
            if (check := check_for(c)) is not None]

    def check_row(row: dict[str, Any]) -> dict[str, Any]:
        for name, check, required in plan:
            value = row.get(name)
            if value is None:
                if required and name in row:
                    raise Unstorable(f"{name} is missing")
                continue
            try:
                row[name] = check(value)
            except Unstorable as exc:
                raise Unstorable(f"{name}: {exc}") from None
        return row

    return check_row
