"""A message inside an empty table that says *why* it is empty.

"No rows" means two different things to an ops person: the cache has nothing
yet (sync first) or the search/filter matches nothing (change it).  When the
model counts zero rows, one O(1) ``EXISTS`` on the table's source
(``WindowSource.has_rows``, on the read pool) tells the two apart.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QLabel

from ui.widgets.data_table import DataTable
from ui.workers import LatestRequest, TaskRunner


class EmptyState(QLabel):
    """Overlay on ``table``'s viewport, shown only while the model has no rows."""

    def __init__(self, table: DataTable, runner: TaskRunner, *, empty: str, no_match: str) -> None:
        super().__init__(table.view.viewport())
        self._table = table
        self._request = LatestRequest(runner)
        self._empty, self._no_match = empty, no_match
        self.setObjectName("emptyState")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)  # its colour and padding come from the theme (``QLabel#emptyState``)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.hide()
        table.view.viewport().installEventFilter(self)
        table.model.count_changed.connect(self._count_changed)
        table.model.modelReset.connect(self._invalidate)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if event.type() == QEvent.Type.Resize:
            self.resize(self._table.view.viewport().size())
        return False

    def set_empty(self, text: str) -> None:
        """What to say when the cache has no rows (a role that cannot add any is not told how to)."""
        showing_empty = self.isVisible() and self.text() == self._empty
        self._empty = text
        if showing_empty:
            self.setText(text)

    def _invalidate(self) -> None:
        self._request.invalidate()
        self.hide()

    def _count_changed(self, count: int) -> None:
        if count:
            self._invalidate()
            return
        self._request.run(self._table.model.source.has_rows, on_success=self._show)

    def _show(self, has_rows: bool) -> None:
        self.setText(self._no_match if has_rows else self._empty)
        self.resize(self._table.view.viewport().size())
        self.show()
