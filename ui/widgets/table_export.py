"""Export CSV…: ask where, stream the table into the file on a worker, show progress with Cancel.

The writing is ``app.store.export.export_csv`` (keyset pages, so memory stays
flat at a million rows); this asks for the file, shows "Exporting tickets:
120,000 of 1,000,000 rows" in a progress dialog that does not block the
window, and says how it went.  A cancelled export leaves no file behind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QProgressDialog, QWidget

from app.store.export import Exported, export_csv
from app.tasks import Cancelled, Progress
from ui import settings_keys
from ui.models.sql_table import SqlTableModel
from ui.workers import TaskHandle

FILE_FILTER = "CSV files (*.csv);;All files (*)"
LAST_DIR_KEY = "export/dir"


def suggested_name(model: SqlTableModel) -> str:
    """``tickets-2026-05-01.csv``: the table and the day, so successive exports sort and do not collide."""
    return f"{model.spec.name.replace(' ', '-')}-{dt.date.today().isoformat()}.csv"


def ask_path(parent: QWidget | None, model: SqlTableModel) -> Path | None:
    store = settings_keys.qsettings()
    start = Path(str(store.value(LAST_DIR_KEY, "") or Path.home())) / suggested_name(model)
    name, _ = QFileDialog.getSaveFileName(parent, f"Export {model.spec.name} as CSV", str(start), FILE_FILTER)
    if not name:
        return None
    path = Path(name)
    if not path.suffix:
        path = path.with_suffix(".csv")
    store.setValue(LAST_DIR_KEY, str(path.parent))
    return path


def export_table(
    parent: QWidget | None,
    model: SqlTableModel,
    columns: Sequence[str],
    done: Callable[[str], None],
    *,
    path: Path | None = None,
) -> TaskHandle | None:
    """Export every row of ``model``'s current query (``columns`` by key, in order); None when no file was chosen.

    ``done`` hears how it went, in words ("Exported 1,204 tickets to …"); the
    export reads on the read pool, beside the table's own pages, so it never
    waits for a sync pass to end.
    """
    path = path or ask_path(parent, model)
    if path is None:
        return None
    noun = model.spec.name
    dialog = QProgressDialog(f"Exporting {noun}…", "Cancel", 0, 0, parent)
    dialog.setObjectName("exportProgress")
    dialog.setWindowTitle("Export CSV")
    dialog.setWindowModality(Qt.WindowModality.NonModal)  # the window stays usable meanwhile
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setMinimumDuration(300)

    def progressed(report: Progress) -> None:
        total = report.total or 0
        dialog.setLabelText(f"Exporting {noun}: {report.done:,} of {total:,} rows")
        if total:
            dialog.setMaximum(total)
            dialog.setValue(min(report.done, total))

    def finished() -> None:
        dialog.reset()
        dialog.close()
        dialog.deleteLater()

    def succeeded(result: Exported) -> None:
        finished()
        done(f"Exported {result.rows:,} {noun} to {result.path}")

    def failed(exc: BaseException) -> None:
        finished()
        done(f"Export cancelled — {path.name} was not written" if isinstance(exc, Cancelled)
             else f"Export failed — {path.name} was not written: {exc}")

    handle = model.runner.run(
        export_csv, model.source, model.query, path, list(columns),
        on_progress=progressed, on_success=succeeded, on_failure=failed,
    )
    dialog.canceled.connect(handle.cancel)
    return handle
