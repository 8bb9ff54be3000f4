"""A big table beside the detail of its current row: the shape of every list-and-detail pane.

It wires the parts every such pane wires the same way -- the current row
drives the detail, Enter (or a double-click) moves the keyboard into the
detail and Escape brings it back to the rows, an empty table explains itself, the splitter and header are
remembered, and a change on the bus refreshes the table (when it touches the
table's tables) and the detail (when it touches its row) -- so a pane only
declares its table, its detail and its words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QSplitter, QWidget

from app.store.changes import Changes
from ui import settings_keys
from ui.models.sql_table import SqlTableModel
from ui.widgets.data_table import DataTable
from ui.widgets.detail_panel import DetailPanel
from ui.widgets.empty_state import EmptyState
from ui.workers import TaskRunner


class MasterDetail(QSplitter):
    """A ``DataTable`` over ``model`` on the left, ``side`` (the detail, perhaps with buttons) on the right."""

    def __init__(
        self,
        model: SqlTableModel,
        detail: DetailPanel,
        *,
        runner: TaskRunner,
        state_key: str,
        noun: str,
        filters: Sequence[tuple[str, tuple[str, ...]]],
        search_placeholder: str,
        empty: str,
        no_match: str,
        side: QWidget | None = None,
        sizes: tuple[int, int] = (780, 480),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        table = DataTable(model, f"{state_key}/table", noun=noun, filters=filters,
                          search_placeholder=search_placeholder)
        self.table, self.detail = table, detail
        self._state_key = state_key
        self.empty_state = EmptyState(table, runner, empty=empty, no_match=no_match)
        self.addWidget(table)
        self.addWidget(side or detail)
        table.opens_detail = True
        back = QShortcut(QKeySequence(Qt.Key.Key_Escape), side or detail,
                         context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        back.activated.connect(table.focus_rows)
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 2)
        self.setChildrenCollapsible(True)
        if not settings_keys.restore_splitter(state_key, self):
            self.setSizes(list(sizes))
        # The filter box starts on its first entry; make the model agree with what it shows.
        table.model.set_filters(tuple(table.filter.currentData() or ()))
        table.current_changed.connect(detail.show_key)
        table.activated.connect(self.open_detail)

    def open_detail(self, _key: Any = None) -> None:
        """Enter on a row: make sure the detail is visible and take the keyboard there."""
        sizes = self.sizes()
        if sizes[1] == 0:
            self.setSizes([sizes[0] * 3 // 5, sizes[0] * 2 // 5])
        self.detail.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def apply_changes(self, changes: Changes) -> None:
        """A write landed: refresh the table if it shows a changed table, the detail if its row changed."""
        if changes.touches(self.table.model.spec.tables):
            self.table.model.refresh()
        self.detail.apply_changes(changes)

    def save_state(self) -> None:
        self.table.save_state()
        settings_keys.save_splitter(self._state_key, self)
