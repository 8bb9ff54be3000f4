"""A big table with its search box, filter choice and row count: what every pane's table looks like.

The view is tuned for ``SqlTableModel``: fixed row heights (a ResizeToContents
vertical header costs a minute at 100k rows), sort indicator driving SQL
sorts, header state remembered between runs under ``state_key``.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui import settings_keys
from ui.models.sql_table import SqlTableModel

SEARCH_DEBOUNCE_MS = 250


class DataTable(QWidget):
    """Search + filter + count + table over one ``SqlTableModel``."""

    activated = Signal(object)  # the key of the row the user opened (double-click / Enter)
    current_changed = Signal(object)  # the key of the current row, or None

    def __init__(
        self,
        model: SqlTableModel,
        state_key: str,
        *,
        noun: str = "rows",
        filters: Sequence[tuple[str, tuple[str, ...]]] = (),
        search_placeholder: str = "Search…",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self._state_key = state_key
        self._noun = noun

        self.search = QLineEdit(placeholderText=search_placeholder, clearButtonEnabled=True)
        self.search.setToolTip("Type words to search; every word must match the start of a word (Ctrl+F)")
        self.filter = QComboBox()
        self.filter.setToolTip("Show only the rows of one kind")
        for label, names in filters or (("All", ()),):
            self.filter.addItem(label, names)
        self.filter.setVisible(bool(filters))
        self.count_label = QLabel("Counting…")
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        self.view = QTableView()
        self.view.setModel(model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vheader = self.view.verticalHeader()
        vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vheader.setDefaultSectionSize(vheader.minimumSectionSize() + 6)
        vheader.hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        for i, column in enumerate(model.spec.columns):
            header.resizeSection(i, column.width)
        # The indicator is set before sorting is enabled: enabling it sorts by the
        # indicator, which would otherwise be column 0 ascending.
        index = model.spec.index_of(model.query.sort_key)
        order = Qt.SortOrder.DescendingOrder if model.query.descending else Qt.SortOrder.AscendingOrder
        header.setSortIndicator(index, order)
        settings_keys.restore_header(state_key, header)
        self.view.setSortingEnabled(True)  # sorts by the (restored) indicator, in SQL

        bar = QHBoxLayout()
        bar.addWidget(self.search, 3)
        bar.addWidget(self.filter, 1)
        bar.addWidget(self.count_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view)

        self._debounce = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self._apply_search)
        self.filter.currentIndexChanged.connect(lambda _i: model.set_filters(tuple(self.filter.currentData())))
        model.set_filters(tuple(self.filter.currentData()))  # the first choice is the one shown
        model.count_changed.connect(self._show_count)
        model.modelReset.connect(lambda: self.count_label.setText("Counting…"))
        model.failed.connect(self.count_label.setText)
        self.view.doubleClicked.connect(self._emit_activated)
        self.view.activated.connect(self._emit_activated)
        self.view.selectionModel().currentRowChanged.connect(
            lambda current, _prev: self.current_changed.emit(model.key_at(current.row()) if current.isValid() else None)
        )
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self.focus_search)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def save_state(self) -> None:
        settings_keys.save_header(self._state_key, self.view.horizontalHeader())

    def current_key(self) -> object:
        index = self.view.currentIndex()
        return self.model.key_at(index.row()) if index.isValid() else None

    def select_row(self, row: int) -> None:
        self.view.selectionModel().setCurrentIndex(
            self.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
        )

    def _apply_search(self) -> None:
        self._debounce.stop()
        self.model.set_search(self.search.text())

    def _show_count(self, count: int) -> None:
        self.count_label.setText(f"{count:,} {self._noun}")

    def _emit_activated(self, index: QModelIndex) -> None:
        key = self.model.key_at(index.row())
        if key is not None:
            self.activated.emit(key)
