"""The detail panel beside a big table: the selected row's fields, small tables and an event log.

Every pane's detail works the same way -- a bounded, indexed query for one key
on a worker thread, then a rendering -- so this one widget does it for all of
them.  A pane passes ``load(key) -> object`` (runs on the read pool; plain data
only) and ``render(object) -> DetailView`` (GUI thread; builds no queries).
Results of a selection the user already left are dropped (``LatestRequest``),
so fast arrow-key scrolling never shows the wrong row's detail.  On the change
bus it reloads only when its own row changed, or -- where keys say nothing
about it -- one of the other tables it reads.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.store.changes import Changes
from ui.failures import could_not
from ui.widgets.palette import AMBER, MUTED, css
from ui.workers import LatestRequest, TaskRunner

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True)
class TableSection:
    """A few rows (a customer's subscriptions, invoices): headers, cells, optional per-row colour."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]
    numeric: frozenset[int] = frozenset()  # column indexes shown right-aligned
    colors: Sequence[QColor | None] = ()  # one per row, or empty
    empty: str = "None"


@dataclass(frozen=True)
class LogEntry:
    heading: str  # "2026-05-01 14:02 · Maya Chen · reply"
    body: str = ""
    note: str = ""  # emphasised, e.g. "waiting to send"


@dataclass(frozen=True)
class LogSection:
    """A newest-first log (ticket events, incident updates): text that needs room and wrapping."""

    title: str
    entries: Sequence[LogEntry]
    empty: str = "Nothing logged yet"


@dataclass(frozen=True)
class DetailView:
    title: str
    fields: Sequence[tuple[str, str]] = ()
    tooltips: dict[str, str] = field(default_factory=dict)  # field label → explanation
    sections: Sequence[TableSection | LogSection] = ()


class DetailPanel(QWidget):
    """Shows one key's detail, loaded in the background; ``loaded`` carries the raw object."""

    loaded = Signal(object)  # what ``load`` returned for the shown key (None: nothing selected / gone)

    def __init__(
        self,
        runner: TaskRunner,
        load: Callable[[Any], Any],
        render: Callable[[Any], DetailView],
        *,
        placeholder: str,
        key_table: str,
        tables: frozenset[str] = frozenset(),
        parent: QWidget | None = None,
    ) -> None:
        """``key_table``: the table the key names a row of; ``tables``: every other table ``load`` reads."""
        super().__init__(parent)
        self._request = LatestRequest(runner)
        self._load, self._render = load, render
        self._placeholder = placeholder
        self._key_table, self._other_tables = key_table, tables - {key_table}
        self.key: Any = None
        self.current: Any = None

        self.title = QLabel(placeholder)
        self.title.setObjectName("detailTitle")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.title.setFont(font)
        self._content = QWidget()
        self._content_layout = QVBoxLayout(self._content)
        self._content_layout.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self._content)
        scroll.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # arrow keys and Page Up/Down scroll the detail
        self.setFocusProxy(scroll)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(scroll, 1)

    def show_key(self, key: Any) -> None:
        """Load and show ``key``'s detail (None clears the panel)."""
        self.key = key
        if key is None:
            self._request.invalidate()
            self._show(None)
            return
        self.title.setText(self.title.text() if self.current is not None else "Loading…")
        self._request.run(self._load, key, on_success=self._show, on_failure=self._failed)

    def apply_changes(self, changes: Changes) -> None:
        """Reload when the shown row changed, or another table the detail reads did."""
        if self.key is None:
            return
        if changes.touches_key(self._key_table, self.key) or changes.touches(self._other_tables):
            self.show_key(self.key)

    # -- internals

    def _failed(self, exc: BaseException) -> None:
        self.current = None
        self._clear()
        self.title.setText(could_not("read the detail from the local cache", exc))
        self.loaded.emit(None)

    def _show(self, result: Any) -> None:
        self.current = result
        self._clear()
        if result is None:
            self.title.setText(self._placeholder if self.key is None else "This row is no longer in the cache")
        else:
            self._fill(self._render(result))
        self.loaded.emit(result)

    def _clear(self) -> None:
        while self._content_layout.count():
            item = self._content_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()

    def _fill(self, view: DetailView) -> None:
        self.title.setText(view.title)
        if view.fields:
            form_widget = QWidget()
            form = QFormLayout(form_widget)
            form.setContentsMargins(0, 4, 0, 4)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            for label, value in view.fields:
                value_label = QLabel(value or "—")
                value_label.setWordWrap(True)
                value_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                tip = view.tooltips.get(label, "")
                value_label.setToolTip(tip)
                name_label = QLabel(f"{label}:")
                name_label.setToolTip(tip)
                form.addRow(name_label, value_label)
            self._content_layout.addWidget(form_widget)
        stretch = False
        for section in view.sections:
            caption = QLabel(f"<b>{html.escape(section.title)}</b>")
            self._content_layout.addWidget(caption)
            if isinstance(section, TableSection):
                self._content_layout.addWidget(_table(section))
            else:
                self._content_layout.addWidget(_log(section), 1)
                stretch = True
        if not stretch:
            self._content_layout.addStretch(1)


def _table(section: TableSection) -> QWidget:
    if not section.rows:
        return QLabel(section.empty)
    tree = QTreeWidget()
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)
    tree.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    tree.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    tree.setHeaderLabels(list(section.headers))
    for r, cells in enumerate(section.rows):
        item = QTreeWidgetItem([str(c) for c in cells])
        for c in range(len(cells)):
            item.setToolTip(c, str(cells[c]))
        for c in section.numeric:
            item.setTextAlignment(c, _RIGHT)
        color = section.colors[r] if r < len(section.colors) else None
        if color is not None:
            for c in range(len(cells)):
                item.setForeground(c, QBrush(color))
        tree.addTopLevelItem(item)
    # Fit the panel's width: the first column gives way (elided, full text in its tooltip) rather than
    # a horizontal scrollbar covering the few rows.
    tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    tree.setTextElideMode(Qt.TextElideMode.ElideRight)
    header = tree.header()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for c in section.numeric:
        tree.headerItem().setTextAlignment(c, _RIGHT)
    # Tall enough for every row (they are few), so the section never scrolls inside the scrolling panel.
    rows_height = tree.sizeHintForRow(0) * len(section.rows)
    tree.setFixedHeight(rows_height + header.sizeHint().height() + 2 * tree.frameWidth() + 4)
    return tree


def _log(section: LogSection) -> QWidget:
    if not section.entries:
        return QLabel(section.empty)
    parts = []
    for entry in section.entries:
        note = ""
        if entry.note:
            note = f' &nbsp;<span style="color:{css(AMBER)};"><b>{html.escape(entry.note)}</b></span>'
        body = html.escape(entry.body).replace("\n", "<br>") if entry.body else ""
        heading = f'<span style="color:{css(MUTED)};">{html.escape(entry.heading)}</span>{note}'
        if body:
            parts.append(f'<p style="margin:0 0 2px 0;">{heading}</p><p style="margin:0 0 10px 12px;">{body}</p>')
        else:
            parts.append(f'<p style="margin:0 0 10px 0;">{heading}</p>')
    browser = QTextBrowser()
    browser.setOpenLinks(False)
    browser.setHtml("".join(parts))
    browser.setMinimumHeight(160)
    return browser
