"""File ▸ Import costs…: choose billing exports, import them on the write queue, say what happened.

The import itself is ``app.costs_import.import_cost_files`` (all or nothing):
the files chosen together are one import, so the parts of a report AWS split
-- or its manifest -- are summed into one report.  This only asks for the
files, shows progress with a Cancel button and tells the result (with the
reports it replaced), or the line that is wrong with the reassurance that
nothing was changed.  The import reports what it wrote, so the task runner's
change bus refreshes every view of costs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from app.costs_import import ImportResult, import_cost_files
from app.store.database import Cache
from app.tasks import Cancelled, Progress
from ui import settings_keys
from ui.workers import TaskHandle, TaskRunner

FILE_FILTER = "Billing exports and AWS manifests (*.csv *.csv.gz *.gz *Manifest.json);;All files (*)"
LAST_DIR_KEY = "costs/import_dir"


def import_costs(
    parent: QWidget | None,
    cache: Cache,
    runner: TaskRunner,
    *,
    paths: Sequence[Path] | None = None,
) -> TaskHandle | None:
    """Import cost files (asked for when ``paths`` is None); the job's handle, or None when none was chosen."""
    if paths is None:
        store = settings_keys.qsettings()
        names, _ = QFileDialog.getOpenFileNames(
            parent, "Import costs: choose a billing export, every part of a report, or its manifest",
            str(store.value(LAST_DIR_KEY, "") or ""), FILE_FILTER,
        )
        if not names:
            return None
        paths = [Path(name) for name in names]
        store.setValue(LAST_DIR_KEY, str(paths[0].parent))
    chosen = list(paths)
    title = chosen[0].name if len(chosen) == 1 else f"{len(chosen)} files"

    dialog = QProgressDialog(f"Reading {title}…", "Cancel", 0, 0, parent)
    dialog.setWindowTitle("Import costs")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setMinimumDuration(400)  # a small file is done before a dialog would flash up

    def progressed(report: Progress) -> None:
        dialog.setLabelText(f"{report.label}…")
        if report.total:
            dialog.setMaximum(report.total)
            dialog.setValue(min(report.done, report.total))

    def finished() -> None:
        dialog.reset()
        dialog.close()
        dialog.deleteLater()

    def succeeded(result: ImportResult) -> None:
        finished()
        QMessageBox.information(parent, "Costs imported", describe(result))

    def failed(exc: BaseException) -> None:
        finished()
        if not isinstance(exc, Cancelled):
            QMessageBox.warning(
                parent, "Costs not imported",
                f"{title} was not imported; nothing in the cache was changed.\n\n{exc}",
            )

    handle = runner.run(
        import_cost_files, cache.engine, chosen, writes=True,
        on_progress=progressed, on_success=succeeded, on_failure=failed,
    )
    dialog.canceled.connect(handle.cancel)
    return handle


def describe(result: ImportResult) -> str:
    """The result as the user reads it: enough to check against the files."""
    return "\n".join(result.summary())
