"""A big table with its search box, filter choice and row count: what every pane's table looks like.

The view is tuned for ``SqlTableModel``: fixed row heights (a ResizeToContents
vertical header costs a minute at 100k rows), sort indicator driving SQL
sorts, header state remembered between runs under ``state_key``.

The highlighted row follows the model's current *key*: when the model says
the key moved (a refresh, a re-sort, rows inserted above it) the selection
moves with it, and ``current_key()`` -- what every action reads -- is the
remembered key, never "the row at the old index".
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
    current_changed = Signal(object)  # the current key (what actions and the detail use), or None

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
        self._following = False  # the selection is being moved to where the current key went
        self._scroll_to_current = False

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
        if not settings_keys.restore_header(state_key, header):
            # The declared default sort: enabling sorting sorts by the indicator, which
            # would otherwise be column 0 ascending.
            index = model.spec.index_of(model.query.sort_key)
            order = Qt.SortOrder.DescendingOrder if model.query.descending else Qt.SortOrder.AscendingOrder
            header.setSortIndicator(index, order)
        self.view.setSortingEnabled(True)  # sorts by the (restored or default) indicator, in SQL

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
        model.current_key_changed.connect(self.current_changed)
        model.current_moved.connect(self._follow)
        self.view.doubleClicked.connect(self._emit_activated)
        self.view.activated.connect(self._emit_activated)
        self.view.selectionModel().currentRowChanged.connect(self._row_changed)
        QShortcut(QKeySequence.StandardKey.Find, self).activated.connect(self.focus_search)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def save_state(self) -> None:
        settings_keys.save_header(self._state_key, self.view.horizontalHeader())

    def current_key(self) -> object:
        """The key every action acts on: the highlighted record's, remembered across refreshes."""
        return self.model.current_key

    def select_key(self, key: object) -> None:
        """Highlight the record ``key`` (one just written, say) once the model knows its row, and show it."""
        self._scroll_to_current = True
        self.model.set_current_key(key)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        """The user moved the selection (rows shifting under it in a refresh do not count)."""
        if current.isValid() and not self._following and not self.model.adjusting:
            self.model.set_current_row(current.row())

    def _follow(self, row: int) -> None:
        """The current key is at ``row`` now (-1: no longer in the window): move the highlight there."""
        self._following = True
        try:
            if row < 0:
                self.view.selectionModel().clear()
            else:
                self._select(row)
                if self._scroll_to_current:
                    self.view.scrollTo(self.model.index(row, 0))
        finally:
            self._following = False
            self._scroll_to_current = False

    def _select(self, row: int) -> None:
        column = max(0, self.view.currentIndex().column())
        self.view.selectionModel().setCurrentIndex(
            self.model.index(row, column),
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
