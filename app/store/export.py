"""Export a table as CSV: every row of a window query, streamed from SQL a page at a time.

What the user exports is what the table shows -- the same columns in the
same order, the same filters, search and sort -- but written for a
spreadsheet rather than for the eye: money as plain numbers with the unit in
the header, times as ``YYYY-MM-DD HH:MM:SS`` in local time, codes in words.
The rows come from ``WindowSource.walk`` (keyset pages), so a million-row
table exports with one page in memory, and the file appears only when it is
complete: the rows go to a ``.part`` file beside it, renamed at the end and
removed when the export is cancelled or fails.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.store import windows as w
from app.store.windows import Column, WindowQuery, WindowSource
from app.tasks import CancelToken, Progress, ProgressCallback, no_progress

PAGE_SIZE = 2_000
# Units of the columns whose figures are written as plain numbers.
_UNITS = {w.CENTS: "USD", w.MICROS: "USD", w.PERCENT: "%"}


@dataclass(frozen=True)
class Exported:
    """What an export wrote."""

    path: Path
    rows: int


def header(column: Column) -> str:
    """The column's title, with the unit its plain numbers are in."""
    unit = _UNITS.get(column.kind)
    return f"{column.title} ({unit})" if unit else column.title


def cell(column: Column, value: Any) -> str:
    """One value as a spreadsheet reads it (see the module doc)."""
    value = column.shown(value)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if column.kind == w.CENTS:
        return f"{value / 100:.2f}"
    if column.kind == w.MICROS:
        return f"{value / 1_000_000:.2f}"
    if column.kind == w.PERCENT:
        return f"{value * 100:.2f}"
    if column.kind == w.BOOL:
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        local = value.replace(tzinfo=dt.UTC).astimezone()  # the cache holds naive UTC; people read local time
        return local.date().isoformat() if column.kind == w.DATE else local.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def export_csv(
    source: WindowSource,
    query: WindowQuery,
    path: Path,
    columns: Sequence[str],
    *,
    progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
    page_size: int = PAGE_SIZE,
) -> Exported:
    """Write every row of ``query`` (``columns`` by key, in that order) to ``path`` as UTF-8 CSV.

    Raises ``app.tasks.Cancelled`` when cancelled; ``path`` is then left as it was.
    """
    cancel = cancel or CancelToken()
    spec = source.spec
    chosen = [spec.column(key) for key in columns]
    positions = [1 + spec.index_of(key) for key in columns]  # row[0] is the key
    total = source.count(query)
    label = f"Exporting {spec.name}"
    progress(Progress(label, 0, total))
    partial = path.with_name(path.name + ".part")
    written = 0
    try:
        # utf-8-sig: spreadsheet programs read the accents in names right only with the byte-order mark.
        with partial.open("w", encoding="utf-8-sig", newline="") as handle:
            out = csv.writer(handle)
            out.writerow([header(c) for c in chosen])
            for page in source.walk(query, page_size):
                cancel.raise_if_cancelled()
                out.writerows([cell(c, row[p]) for c, p in zip(chosen, positions, strict=True)] for row in page)
                written += len(page)
                progress(Progress(label, written, max(total, written)))
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Exported(path, written)
