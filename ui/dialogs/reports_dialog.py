"""File ▸ Reports…: choose a report, a day and a role, preview it, and save it as PDF, HTML or CSV.

The report is built in the background (``app.reports.build.report_from_cache``:
it replays revenue and reads every figure set the role may see), with progress
and a Cancel button; the latest choice wins.  The preview is the report's own
HTML in a ``QTextBrowser``: Qt's rich text has no inline SVG, so each chart's
SVG (the same reportlab drawing the PDF places) is turned into an image in the
background job and handed to the document as a resource.  Saving renders the
previewed report to the chosen file, also in the background, written atomically.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QDate, QRectF, Qt, QUrl
from PySide6.QtGui import QImage, QPainter, QTextDocument
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.clock import utcnow
from app.config.settings import Settings
from app.reports import CSV, HTML, KINDS, PDF, charts
from app.reports.build import TITLES, report_from_cache, roles_for
from app.reports.html import render_html
from app.reports.model import Chart, Report
from app.reports.render import SUFFIXES, write_report
from app.store.database import Cache
from app.tasks import Cancelled, CancelToken, Progress, ProgressCallback, no_progress
from ui import formatting as fmt
from ui.failures import could_not
from ui.workers import LatestRequest, TaskHandle, TaskRunner

FILTERS = {PDF: "PDF document (*.pdf)", HTML: "Web page (*.html)", CSV: "CSV tables in a zip (*.zip)"}
PREVIEW_SCALE = 1.5  # chart images drawn at 1.5× their point size: sharp at common screen scales


@dataclass(frozen=True)
class Preview:
    """What the background job hands the dialog: the report, its preview HTML and the charts as images."""

    report: Report
    html: str
    images: dict[str, QImage]


def chart_image(chart: Chart) -> QImage:
    """The chart's SVG (from the same reportlab drawing as the PDF) painted into an image."""
    renderer = QSvgRenderer(QByteArray(charts.svg(chart).encode("utf-8")))
    image = QImage(int(charts.WIDTH * PREVIEW_SCALE), int(charts.HEIGHT * PREVIEW_SCALE), QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.white)  # the report's paper, in either theme
    painter = QPainter(image)
    renderer.render(painter, QRectF(0, 0, image.width(), image.height()))
    painter.end()
    return image


def make_preview(cache: Cache, settings: Settings, kind: str, day: dt.date, role: str,
                 progress: ProgressCallback = no_progress, cancel: CancelToken | None = None) -> Preview:
    """The background job: build the report, then its preview HTML with each chart as an image resource."""
    report = report_from_cache(cache.engine, settings, kind, day, role, progress, cancel)
    images: dict[str, QImage] = {}

    def as_image(chart: Chart) -> str:
        if cancel is not None:
            cancel.raise_if_cancelled()
        name = f"chart-{len(images)}.png"
        images[name] = chart_image(chart)
        return f'<img src="{name}" width="{charts.WIDTH * 1.25:.0f}" height="{charts.HEIGHT * 1.25:.0f}">'

    return Preview(report, render_html(report, as_image), images)


class ReportsDialog(QDialog):
    """Kind, day and role on top; the preview; progress with Cancel; Save as PDF, HTML or CSV at the bottom."""

    def __init__(self, cache: Cache, settings: Settings, runner: TaskRunner, user_role: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Reports")
        self.resize(900, 720)
        self._cache, self._settings, self._runner = cache, settings, runner
        self._latest = LatestRequest(runner)
        self._handle: TaskHandle | None = None
        self.report: Report | None = None

        self.kind = QComboBox()
        for kind in KINDS:
            self.kind.addItem(TITLES[kind], kind)
        self.kind.setCurrentIndex(KINDS.index("monthly"))
        self.day = QDateEdit()
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        today = utcnow().date()
        self.day.setMaximumDate(QDate(today.year, today.month, today.day))
        self.day.setDate(QDate(today.year, today.month, today.day))
        self.day.setToolTip("Any day of the period: the week (Monday–Sunday) or month holding it, in UTC")
        self.role = QComboBox()
        for role in roles_for(user_role):
            self.role.addItem(fmt.words(role), role)
        self.role.setEnabled(self.role.count() > 1)
        self.role.setToolTip("The role the report is made for: it shows what that role's dashboard shows")
        choices = QHBoxLayout()
        for text, widget in (("Report", self.kind), ("Day", self.day), ("For", self.role)):
            choices.addWidget(QLabel(text))
            choices.addWidget(widget)
        choices.addStretch(1)

        self.preview = QTextBrowser()
        self.preview.setOpenExternalLinks(False)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.status = QLabel()
        self.status.setProperty("muted", True)
        self.status.setWordWrap(True)
        busy = QHBoxLayout()
        busy.addWidget(self.progress, 1)
        busy.addWidget(self.cancel_button)

        self.save_buttons: dict[str, QPushButton] = {}
        saves = QHBoxLayout()
        saves.addWidget(self.status, 1)
        for format, text in ((PDF, "Save as PDF…"), (HTML, "Save as HTML…"), (CSV, "Save tables as CSV…")):
            button = QPushButton(text)
            button.clicked.connect(lambda _=False, f=format: self.save(f))
            saves.addWidget(button)
            self.save_buttons[format] = button
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        saves.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(choices)
        layout.addWidget(self.preview, 1)
        layout.addLayout(busy)
        layout.addLayout(saves)

        self.kind.currentIndexChanged.connect(self.refresh)
        self.role.currentIndexChanged.connect(self.refresh)
        self.day.dateChanged.connect(self.refresh)
        self.refresh()

    # -- building the preview

    def choice(self) -> tuple[str, dt.date, str]:
        date = self.day.date()
        day = dt.date(date.year(), date.month(), date.day())
        return str(self.kind.currentData()), day, str(self.role.currentData())

    def refresh(self) -> None:
        """Build the report for the current choice in the background; a newer choice drops an older result."""
        if self._handle is not None:
            self._handle.cancel()
        kind, day, role = self.choice()
        self.report = None
        message = f"Building the {TITLES[kind].lower()}…"
        self.preview.setPlainText(message)  # never the previous choice's report under the new choice
        self._set_busy(True, message)
        self._handle = self._latest.run(make_preview, self._cache, self._settings, kind, day, role,
                                        on_progress=self._progressed, on_success=self._shown,
                                        on_failure=self._failed)

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()

    def _progressed(self, report: Progress) -> None:
        self.progress.setFormat(f"{report.label}…")
        if report.total:
            self.progress.setRange(0, report.total)
            self.progress.setValue(report.done)

    def _shown(self, preview: Preview) -> None:
        document = QTextDocument(self.preview)
        for name, image in preview.images.items():
            document.addResource(QTextDocument.ResourceType.ImageResource.value, QUrl(name), image)
        document.setHtml(preview.html)
        self.preview.setDocument(document)
        self.report = preview.report
        self._set_busy(False, f"{preview.report.title}, {preview.report.period_text}, for the "
                              f"{preview.report.role} role: figures as of {preview.report.as_of_text}.")

    def _failed(self, exc: BaseException) -> None:
        message = ("Cancelled: choose again to build the report." if isinstance(exc, Cancelled)
                   else could_not("build the report", exc))
        self.preview.setPlainText(message)
        self._set_busy(False, message)

    def _set_busy(self, busy: bool, message: str) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if busy:
            self.progress.setRange(0, 0)
            self.progress.setFormat(message)
        for button in self.save_buttons.values():
            button.setEnabled(not busy and self.report is not None)
        self.status.setText("" if busy else message)

    # -- saving

    def save(self, format: str, path: Path | None = None) -> TaskHandle | None:
        """Write the previewed report to ``path`` (asked for when None) in the background."""
        report = self.report
        if report is None:
            return None
        if path is None:
            suggested = f"{report.kind}-report-{report.as_of:%Y-%m-%d}{SUFFIXES[format]}"
            name, _ = QFileDialog.getSaveFileName(self, f"Save the report as {format.upper()}", suggested,
                                                  FILTERS[format])
            if not name:
                return None
            path = Path(name)
        self.status.setText(f"Saving {path.name}…")
        return self._runner.run(write_report, report, format, path,
                                on_success=lambda written: self.status.setText(f"Saved {written}."),
                                on_failure=lambda exc: self.status.setText(f"Not saved: {exc}"))


def open_reports(parent: QWidget | None, cache: Cache, settings: Settings, runner: TaskRunner,
                 user_role: str) -> ReportsDialog:
    """Show the dialog (not modal: the window stays usable while a report builds)."""
    dialog = ReportsDialog(cache, settings, runner, user_role, parent)
    dialog.show()
    return dialog

