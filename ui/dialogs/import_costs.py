"""File ▸ Import costs…: choose a billing export, import it on the write queue, say what happened.

The import itself is ``app.costs_import.import_cost_file`` (all or nothing);
this only asks for the file, shows progress with a Cancel button and tells
the result — or the line that is wrong, with the reassurance that nothing
was changed.  The import reports what it wrote, so the task runner's change
bus refreshes every view of costs.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from app.costs_import import ImportResult, import_cost_file
from app.store.database import Cache
from app.tasks import Cancelled, Progress
from ui import settings_keys
from ui.workers import TaskHandle, TaskRunner

FILE_FILTER = "Billing exports (*.csv *.csv.gz);;All files (*)"
LAST_DIR_KEY = "costs/import_dir"


def import_costs(
    parent: QWidget | None,
    cache: Cache,
    runner: TaskRunner,
    *,
    path: Path | None = None,
) -> TaskHandle | None:
    """Import a cost file (asked for when ``path`` is None); the job's handle, or None when no file was chosen."""
    if path is None:
        store = settings_keys.qsettings()
        name, _ = QFileDialog.getOpenFileName(
            parent, "Import costs", str(store.value(LAST_DIR_KEY, "") or ""), FILE_FILTER
        )
        if not name:
            return None
        path = Path(name)
        store.setValue(LAST_DIR_KEY, str(path.parent))

    dialog = QProgressDialog(f"Reading {path.name}…", "Cancel", 0, 0, parent)
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
                f"{path.name} was not imported; nothing in the cache was changed.\n\n{exc}",
            )

    handle = runner.run(
        import_cost_file, cache.engine, path, writes=True,
        on_progress=progressed, on_success=succeeded, on_failure=failed,
    )
    dialog.canceled.connect(handle.cancel)
    return handle


def describe(result: ImportResult) -> str:
    """The result as the user reads it: enough to check against the file."""
    services = ", ".join(result.services)
    return (
        f"{result.file_name} ({result.format_title}): {result.lines:,} cost lines imported as "
        f"{result.records:,} daily costs.\n\n"
        f"Days: {result.days:,}, from {result.first_day:%Y-%m-%d} to {result.last_day:%Y-%m-%d}\n"
        f"Services ({len(result.services)}): {services}\n"
        f"Currencies: {', '.join(result.currencies)}"
    )
