"""Ctrl+C on a big table: the selected rows × the visible columns, as tab-separated text with a header.

What is copied is what the table shows -- the columns the user kept, in the
order they dragged them to, the cells as formatted on screen -- so a paste
into a spreadsheet or a mail looks like the table.  Rows already in the
model's pages are copied at once; a selection reaching rows not fetched yet
(Shift+End in a million rows) is read on a worker, a range at a time, up to
``COPY_LIMIT`` rows (more belongs in Export CSV).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from PySide6.QtGui import QGuiApplication

from app.store.windows import WindowQuery, WindowSource
from ui.failures import could_not
from ui.models.sql_table import SqlTableModel

COPY_LIMIT = 100_000


def tsv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Tab-separated lines; tabs and line breaks inside a cell become spaces so each row stays one line."""

    def clean(text: str) -> str:
        return " ".join(text.replace("\t", " ").splitlines())

    lines = ["\t".join(clean(h) for h in header)]
    lines.extend("\t".join(clean(c) for c in row) for row in rows)
    return "\n".join(lines) + "\n"


def put_on_clipboard(text: str) -> None:
    QGuiApplication.clipboard().setText(text)


def ranges(rows: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted row numbers → (first, count) runs of consecutive rows."""
    runs: list[tuple[int, int]] = []
    for row in sorted(set(rows)):
        if runs and runs[-1][0] + runs[-1][1] == row:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((row, 1))
    return runs


def read_rows(source: WindowSource, query: WindowQuery, runs: Sequence[tuple[int, int]]) -> list[tuple[Any, ...]]:
    """The rows of ``runs`` in ``query``'s order (on a worker; a run is one OFFSET read)."""
    found: list[tuple[Any, ...]] = []
    for first, count in runs:
        found.extend(source.page(query, first, count))
    return found


def copy_rows(
    model: SqlTableModel,
    rows: Sequence[int],
    columns: Sequence[int],
    done: Callable[[int, str], None],
) -> None:
    """Copy ``rows`` × ``columns`` (model column numbers, in screen order); ``done(rows copied, message)``."""
    rows = sorted(set(rows))[:COPY_LIMIT]
    header = [model.spec.columns[c].title for c in columns]

    def deliver(found: Sequence[tuple[Any, ...]]) -> None:
        put_on_clipboard(tsv(header, ([model.display_text(r, c) for c in columns] for r in found)))
        noun = "row" if len(found) == 1 else "rows"
        done(len(found), f"Copied {len(found):,} {noun} × {len(columns)} columns")

    loaded = model.loaded_rows(rows)
    if loaded is not None:
        deliver(loaded)
        return
    model.runner.run(
        read_rows, model.source, model.query, ranges(rows),
        on_success=deliver, on_failure=lambda exc: done(0, could_not("copy", exc)),
    )
