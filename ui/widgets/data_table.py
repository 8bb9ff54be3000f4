"""A big table with its search box, filter choice and row count: what every pane's table looks like.

The view is tuned for ``SqlTableModel``: fixed row heights (a ResizeToContents
vertical header costs a minute at 100k rows), sort indicator driving SQL
sorts, header state (order, widths, hidden columns) remembered between runs
under ``state_key``.

The highlighted row follows the model's current *key*: when the model says
the key moved (a refresh, a re-sort, rows inserted above it) the selection
moves with it, and ``current_key()`` -- what every action reads -- is the
remembered key, never "the row at the old index".  Several rows may be
selected (Shift/Ctrl+click) for Ctrl+C; the current one is still the one the
detail and the actions follow.

Data goes out the same way from every table: Ctrl+C copies the selected rows
× the visible columns (``table_copy``), Export CSV… writes the whole filtered,
sorted table (``table_export``), and right-click menus on rows and on the
header (``table_menus``) offer those, the detail, the pane's own actions
(``add_context_buttons``) and the columns.  Keyboard: Tab leaves the table
(it does not walk its cells), Enter opens the detail, Escape in the search box
comes back to the rows.  A cell too narrow for its text shows it elided with
the full text in a tooltip.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPersistentModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QContextMenuEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from ui import settings_keys
from ui.models.sql_table import SqlTableModel
from ui.widgets import table_copy, table_export, table_menus
from ui.widgets.rows_view import RowsView
from ui.workers import TaskHandle

SEARCH_DEBOUNCE_MS = 250
_Index = QModelIndex | QPersistentModelIndex


class _TableView(RowsView):
    """The rows: Ctrl+C copies the selection, right-click opens the row menu, Tab leaves the table."""

    def __init__(self, owner: DataTable) -> None:
        super().__init__()
        self._owner = owner
        self.setTabKeyNavigation(False)  # Tab and Shift+Tab move between widgets, not cells

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Qt override
        if event.matches(QKeySequence.StandardKey.Copy):
            self._owner.copy_selection()
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # Qt override
        menu = self._owner.row_menu(self.indexAt(event.pos()))
        menu.exec(event.globalPos())
        menu.deleteLater()


class DataTable(QWidget):
    """Search + filter + count + table over one ``SqlTableModel``."""

    activated = Signal(object)  # the key of the row the user opened (double-click / Enter)
    current_changed = Signal(object)  # the current key (what actions and the detail use), or None
    copied = Signal(int)  # rows put on the clipboard (0: the copy failed)

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
        # The declared columns and widths the remembered header is kept against (settings_keys.restore_header).
        self._layout = ",".join(f"{c.key}:{c.width}" for c in model.spec.columns)
        self._noun = noun
        self._following = False  # the selection is being moved to where the current key went
        self._scroll_to_current = False
        self._context_buttons: list[QAbstractButton] = []
        self.opens_detail = False  # something shows the detail when a row is opened (``MasterDetail``)
        self.last_export: TaskHandle | None = None
        self._count_text = "Counting…"

        self.search = QLineEdit(placeholderText=search_placeholder, clearButtonEnabled=True)
        self.search.setToolTip("Type words to search; every word must match the start of a word (Ctrl+F)")
        self.filter = QComboBox()
        self.filter.setToolTip("Show only the rows of one kind")
        for label, names in filters or (("All", ()),):
            self.filter.addItem(label, names)
        self.filter.setVisible(bool(filters))
        self.count_label = QLabel("Counting…")
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        self.view = _TableView(self)
        self.view.setModel(model)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        header.setSectionsMovable(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._open_header_menu)
        self._set_default_columns()
        if not settings_keys.restore_header(state_key, header, self._layout):
            self._set_default_sort()
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
        back = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.search, context=Qt.ShortcutContext.WidgetShortcut)
        back.activated.connect(self.focus_rows)
        self.filter.currentIndexChanged.connect(lambda _i: model.set_filters(tuple(self.filter.currentData())))
        model.set_filters(tuple(self.filter.currentData()))  # the first choice is the one shown
        model.count_changed.connect(self._show_count)
        model.modelReset.connect(lambda: self._set_count_text("Counting…"))
        model.failed.connect(self._set_count_text)
        model.current_key_changed.connect(self.current_changed)
        model.current_moved.connect(self._follow)
        self.view.doubleClicked.connect(self._emit_activated)
        self.view.activated.connect(self._emit_activated)
        self.view.selectionModel().currentRowChanged.connect(self._row_changed)
        QShortcut(QKeySequence.StandardKey.Find, self).activated.connect(self.focus_search)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def focus_rows(self) -> None:
        """Escape: back to the rows, on the current one."""
        self.view.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # -- data out

    def visible_columns(self) -> list[int]:
        """The model columns the user sees, in the order they see them."""
        header = self.view.horizontalHeader()
        shown = [i for i in range(self.model.columnCount()) if not header.isSectionHidden(i)]
        return sorted(shown, key=header.visualIndex)

    def selected_rows(self) -> list[int]:
        """The selected rows, top to bottom (the current row when nothing is selected)."""
        rows = sorted({index.row() for index in self.view.selectionModel().selectedRows()})
        current = self.view.currentIndex()
        return rows or ([current.row()] if current.isValid() else [])

    def copy_selection(self) -> None:
        """Ctrl+C: the selected rows × the visible columns, tab-separated, with a header line."""
        rows = self.selected_rows()
        if rows:
            table_copy.copy_rows(self.model, rows, self.visible_columns(), self._copied)

    def copy_cell(self, index: QModelIndex) -> None:
        table_copy.put_on_clipboard(str(index.data(Qt.ItemDataRole.DisplayRole) or ""))
        self.say("Copied the cell")

    def export_csv(self) -> TaskHandle | None:
        """Export CSV…: every row of the table as filtered and sorted now, the visible columns in their order."""
        keys = [self.model.spec.columns[i].key for i in self.visible_columns()]
        self.last_export = table_export.export_table(self.window(), self.model, keys, self.say)
        return self.last_export

    def say(self, message: str) -> None:
        """Tell how a copy or export went, beside the row count (until the count changes)."""
        self.count_label.setText(f"{self._count_text} · {message}")
        self.count_label.setToolTip(message)

    def _copied(self, rows: int, message: str) -> None:
        self.say(message)
        self.copied.emit(rows)

    # -- menus

    def add_context_buttons(self, *buttons: QAbstractButton) -> None:
        """The pane's own actions on the current row, offered in the row menu as its buttons stand."""
        self._context_buttons.extend(buttons)

    def row_menu(self, index: QModelIndex) -> QMenu:
        """The right-click menu of ``index``'s row; the clicked row joins (or becomes) the selection."""
        if index.isValid() and not self.view.selectionModel().isRowSelected(index.row(), QModelIndex()):
            self.view.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            )
        return table_menus.row_menu(
            self,
            selected=len(self.selected_rows()),
            copy=self.copy_selection,
            copy_cell=(lambda: self.copy_cell(index)) if index.isValid() else None,
            export=self.export_csv,
            open_detail=self._open_current if self.opens_detail else None,
            buttons=self._context_buttons,
        )

    def header_menu(self) -> QMenu:
        return table_menus.header_menu(self, self.view.horizontalHeader(), self.model.spec.columns, self.reset_columns)

    def reset_columns(self) -> None:
        """Every column back: shown, in the declared order and widths, sorted the declared way."""
        self._set_default_columns()
        self._set_default_sort()

    def _open_header_menu(self, pos: QPoint) -> None:
        menu = self.header_menu()
        menu.exec(self.view.horizontalHeader().mapToGlobal(pos))
        menu.deleteLater()

    def _open_current(self) -> None:
        key = self.current_key()
        if key is not None:
            self.activated.emit(key)

    def _set_default_columns(self) -> None:
        header = self.view.horizontalHeader()
        for i, column in enumerate(self.model.spec.columns):
            header.setSectionHidden(i, False)
            header.moveSection(header.visualIndex(i), i)
            header.resizeSection(i, column.width)

    def _set_default_sort(self) -> None:
        """The declared default sort: enabling sorting sorts by the indicator, which would otherwise be column 0."""
        spec = self.model.spec
        order = Qt.SortOrder.DescendingOrder if spec.default_descending else Qt.SortOrder.AscendingOrder
        self.view.horizontalHeader().setSortIndicator(spec.index_of(spec.default_sort), order)

    def save_state(self) -> None:
        settings_keys.save_header(self._state_key, self.view.horizontalHeader(), self._layout)

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
        """The current key is at ``row`` now (-1: no longer in the window): move the highlight there.

        Where it has not moved, the selection stays as the user made it (several rows, say).
        """
        self._following = True
        try:
            if row < 0:
                self.view.selectionModel().clear()
            elif row != self.view.currentIndex().row() or not self.view.selectionModel().isRowSelected(
                row, QModelIndex()
            ):
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
        self._set_count_text(f"{count:,} {self._noun}")

    def _set_count_text(self, text: str) -> None:
        self._count_text = text
        self.count_label.setText(text)
        self.count_label.setToolTip("")

    def _emit_activated(self, index: QModelIndex) -> None:
        key = self.model.key_at(index.row())
        if key is not None:
            self.activated.emit(key)
