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
from collections.abc import Callable, Sequence
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
    return formatter(column)(value)


def formatter(column: Column) -> Callable[[Any], str]:
    """The function that writes ``column``'s values: chosen once per column, since an export calls it millions
    of times; codes and their words are remembered (a status column holds a handful of codes)."""
    plain = _plain(column.kind)
    if not (column.labels or column.words):
        return plain
    words: dict[Any, str] = {}

    def labelled(value: Any) -> str:
        found = words.get(value)
        if found is None:
            shown = column.shown(value)
            found = words[value] = shown if isinstance(shown, str) else plain(value)
        return found

    return labelled


def _plain(kind: str) -> Callable[[Any], str]:
    def text(value: Any) -> str:
        return "" if value is None else str(value)

    def dollars(divisor: float) -> Callable[[Any], str]:
        return lambda value: "" if value is None else f"{value / divisor:.2f}"

    def local(day_only: bool) -> Callable[[Any], str]:
        def convert(value: Any) -> str:
            if isinstance(value, dt.datetime):  # the cache holds naive UTC; people read local time
                moment = value.replace(tzinfo=dt.UTC).astimezone()
                return moment.date().isoformat() if day_only else moment.replace(tzinfo=None).isoformat(" ", "seconds")
            return text(value.isoformat() if isinstance(value, dt.date) else value)

        return convert

    chosen: dict[str, Callable[[Any], str]] = {
        w.CENTS: dollars(100),
        w.MICROS: dollars(1_000_000),
        w.PERCENT: lambda value: "" if value is None else f"{value * 100:.2f}",
        w.BOOL: lambda value: "" if value is None else ("yes" if value else "no"),
        w.DATETIME: local(day_only=False),
        w.DATE: local(day_only=True),
    }
    return chosen.get(kind, text)


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
    cells = [(1 + spec.index_of(c.key), formatter(c)) for c in chosen]  # row[0] is the key
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
                out.writerows([write(row[at]) for at, write in cells] for row in page)
                written += len(page)
                progress(Progress(label, written, max(total, written)))
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Exported(path, written)
