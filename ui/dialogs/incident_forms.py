"""The incident forms: Open incident…, Post update… / Resolve…, Post-mortem….

Each is a ``FormDialog`` that stays open until it is complete and gives a
plain value the core writes (``app.domain.availability.incidents``).  The
open form shows what each severity means and who the escalation matrix calls
for it, so the assessment is made with the definitions in front of the person.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from app.config.settings import HealthSettings
from app.domain.availability import incidents as domain
from ui.dialogs.form_dialog import FormDialog


def _text_box(placeholder: str, height: int = 70, text: str = "") -> QPlainTextEdit:
    box = QPlainTextEdit(text)
    box.setPlaceholderText(placeholder)
    box.setMaximumHeight(height)
    return box


class OpenIncidentDialog(FormDialog[domain.NewIncident]):
    """Severity with its definition and escalation, affected services, impact, the first update."""

    def __init__(self, services: Mapping[str, str], health: HealthSettings, now: dt.datetime,
                 draft: domain.DraftIncident | None = None, parent: QWidget | None = None) -> None:
        heading = (
            "Open an incident: assess its severity, say who is affected, and post what is known." if draft is None
            else f"<b>Draft:</b> {html.escape(draft.service_name)} is down. Check the proposal, then open it."
        )
        super().__init__("Open incident", heading, "Open incident", parent, min_width=620)
        self._health, self._started = health, draft.since if draft else now
        self.title = QLineEdit(draft.title if draft else "")
        self.title.setPlaceholderText("What is wrong, in a few words")
        self.severity = QComboBox()
        for level, meaning in domain.SEVERITIES.items():
            self.severity.addItem(f"{level} — {meaning.split(':')[0]}", level)
        self.meaning = QLabel()
        self.meaning.setWordWrap(True)
        self.escalation = QLabel()
        self.escalation.setWordWrap(True)
        self.severity.currentIndexChanged.connect(self._severity_changed)
        self.services = QListWidget()
        self.services.setMaximumHeight(110)
        for service_id, name in services.items():
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, service_id)
            chosen = draft is not None and service_id == draft.service_id
            item.setCheckState(Qt.CheckState.Checked if chosen else Qt.CheckState.Unchecked)
            self.services.addItem(item)
        self.impact = _text_box("Who is affected and how (e.g. all EU customers cannot upload files)", 60,
                                draft.impact if draft else "")
        self.message = _text_box("What is known so far: the first status update (investigating)", 60,
                                 draft.message if draft else "")
        self.form.addRow("Title", self.title)
        self.form.addRow("Severity", self.severity)
        self.form.addRow("", self.meaning)
        self.form.addRow("Escalation", self.escalation)
        self.form.addRow("Affected services", self.services)
        self.form.addRow("Impact", self.impact)
        self.form.addRow("First update", self.message)
        self.form.addRow("Started", QLabel(f"{self._started:%Y-%m-%d %H:%M} UTC"))
        start = self.severity.findData(draft.severity if draft else "P2")
        self.severity.setCurrentIndex(start)
        self._severity_changed()

    def _severity_changed(self) -> None:
        level = str(self.severity.currentData())
        self.meaning.setText(domain.SEVERITIES[level])
        self.escalation.setText(" → ".join(self._health.escalation(level)))

    def chosen_services(self) -> tuple[str, ...]:
        items = (self.services.item(i) for i in range(self.services.count()))
        return tuple(str(i.data(Qt.ItemDataRole.UserRole)) for i in items if i.checkState() == Qt.CheckState.Checked)

    def value(self) -> domain.NewIncident | None:
        title, message = self.title.text().strip(), self.message.toPlainText().strip()
        if not title:
            self.refuse("Give the incident a title.")
            return None
        if not self.chosen_services():
            self.refuse("Tick at least one affected service.")
            return None
        if not message:
            self.refuse("Write the first update: what is known so far.")
            return None
        return domain.NewIncident(title, str(self.severity.currentData()), self.chosen_services(),
                                  self.impact.toPlainText().strip(), message, self._started)


class UpdateDialog(FormDialog[tuple[str, str]]):
    """A status update (investigating → identified → monitoring → resolved); ``resolve`` fixes it at resolved."""

    def __init__(self, detail: domain.IncidentDetail, *, resolve: bool = False, parent: QWidget | None = None) -> None:
        i = detail.incident
        super().__init__("Resolve incident" if resolve else "Post update",
                         f"<b>{html.escape(i['id'])}</b> {html.escape(i['title'])} — now {i['status']}",
                         "Resolve" if resolve else "Post update", parent, min_width=520)
        self.status = QComboBox()
        self.status.addItems(list(domain.STEPS))
        current = domain.STEPS.index(i["status"]) if i["status"] in domain.STEPS else 0
        self.status.setCurrentIndex(len(domain.STEPS) - 1 if resolve else min(current + 1, len(domain.STEPS) - 1))
        self.status.setEnabled(not resolve)
        self.body = _text_box("What changed, what is being done, when the next update comes", 120)
        self.form.addRow("Status", self.status)
        self.form.addRow("Update", self.body)

    def value(self) -> tuple[str, str] | None:
        body = self.body.toPlainText().strip()
        if not body:
            self.refuse("Write the update.")
            return None
        return self.status.currentText(), body


class PostmortemDialog(FormDialog[domain.Postmortem]):
    """Root cause, what went well and badly, follow-up actions each with an owner."""

    def __init__(self, detail: domain.IncidentDetail, parent: QWidget | None = None) -> None:
        i = detail.incident
        super().__init__("Post-mortem", f"<b>{html.escape(i['id'])}</b> {html.escape(i['title'])}", "Save post-mortem",
                         parent, min_width=640)
        old = detail.postmortem or {}
        self.root_cause = _text_box("What caused it (the cause, not the trigger)", 70, old.get("root_cause", ""))
        self.went_well = _text_box("What worked: detection, communication, the fix", 60, old.get("went_well", ""))
        self.went_badly = _text_box("What did not", 60, old.get("went_badly", ""))
        self.follow_ups = QTableWidget(0, 2)
        self.follow_ups.setHorizontalHeaderLabels(["Follow-up action", "Owner"])
        self.follow_ups.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.follow_ups.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.follow_ups.setMaximumHeight(140)
        for f in old.get("follow_ups", []):
            self.add_follow_up(f.get("action", ""), f.get("owner", ""))
        add = QPushButton("Add action")
        add.clicked.connect(lambda _checked=False: self.add_follow_up())
        remove = QPushButton("Remove selected")
        remove.clicked.connect(lambda _checked=False: self.follow_ups.removeRow(self.follow_ups.currentRow()))
        self.form.addRow("Root cause", self.root_cause)
        self.form.addRow("Went well", self.went_well)
        self.form.addRow("Went badly", self.went_badly)
        self.form.addRow("Follow-ups", self.follow_ups)
        self.form.addRow("", add)
        self.form.addRow("", remove)

    def add_follow_up(self, action: str = "", owner: str = "") -> None:
        row = self.follow_ups.rowCount()
        self.follow_ups.insertRow(row)
        self.follow_ups.setItem(row, 0, QTableWidgetItem(action))
        self.follow_ups.setItem(row, 1, QTableWidgetItem(owner))

    def _cells(self) -> list[tuple[str, str]]:
        def text(row: int, column: int) -> str:
            item = self.follow_ups.item(row, column)
            return item.text().strip() if item is not None else ""

        return [(text(r, 0), text(r, 1)) for r in range(self.follow_ups.rowCount()) if text(r, 0) or text(r, 1)]

    def value(self) -> domain.Postmortem | None:
        fields = [b.toPlainText().strip() for b in (self.root_cause, self.went_well, self.went_badly)]
        if not all(fields):
            self.refuse("Fill in the root cause, what went well and what went badly.")
            return None
        cells = self._cells()
        if any(not action or not owner for action, owner in cells):
            self.refuse("Every follow-up action needs an owner (and every owner an action).")
            return None
        root_cause, went_well, went_badly = fields
        return domain.Postmortem(root_cause, went_well, went_badly, tuple(domain.FollowUp(a, o) for a, o in cells))


def ask_open(services: Mapping[str, str], health: HealthSettings, now: dt.datetime,
             draft: domain.DraftIncident | None = None, parent: QWidget | None = None) -> domain.NewIncident | None:
    """Show the Open incident form modally; the incident, or None when cancelled (tests patch this)."""
    return OpenIncidentDialog(services, health, now, draft, parent).ask()


def ask_update(detail: domain.IncidentDetail, resolve: bool = False,
               parent: QWidget | None = None) -> tuple[str, str] | None:
    return UpdateDialog(detail, resolve=resolve, parent=parent).ask()


def ask_postmortem(detail: domain.IncidentDetail, parent: QWidget | None = None) -> domain.Postmortem | None:
    return PostmortemDialog(detail, parent).ask()


def service_names(figures: Sequence[tuple[str, str]]) -> dict[str, str]:
    """(id, name) pairs → the mapping the open form lists, by name."""
    return dict(sorted(figures, key=lambda pair: pair[1].lower()))
