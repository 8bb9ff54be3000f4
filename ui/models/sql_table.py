"""The one table model for every big table: a Qt adapter over windows of SQL results.

It keeps only pages of rows near the view (an LRU of ``MAX_PAGES`` pages of
``PAGE_SIZE`` rows), fetches missing pages and the row count on worker
threads, and sorts and filters by asking the store for a different
``WindowQuery`` -- never by sorting in Python.  Memory therefore stays flat
whether the table has a hundred rows or a million, and the GUI thread never
runs a query.

``refresh()`` marks the cache stale instead of clearing it: old rows stay on
screen until their fresh page arrives, so a background sync does not make the
table flicker or lose the user's scroll position.

The current row is followed by *key*, never by position: after a refresh, a
re-sort, a new search or rows inserted above it, the model finds the key again
-- in the pages as they arrive, or with one indexed ``position_of`` query --
and tells the view where it went (``current_moved``), or that the window no
longer holds it.  Until then actions use the remembered key.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any, cast

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from app.store import windows as w
from app.store.windows import WindowQuery, WindowSource
from app.tasks import Cancelled
from ui.failures import could_not
from ui.formatting import format_value
from ui.widgets import palette
from ui.widgets.palette import GREY, brush
from ui.workers import LatestRequest, TaskRunner

PAGE_SIZE = 200
MAX_PAGES = 24
KEY_ROLE = Qt.ItemDataRole.UserRole + 100  # the row's unique key
RAW_ROLE = Qt.ItemDataRole.UserRole + 101  # the cell's unformatted value

_Index = QModelIndex | QPersistentModelIndex
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
# What a delegate asks for on every paint (the rest -- tooltips, the raw value -- only when wanted).
_DISPLAY, _ALIGNMENT = int(Qt.ItemDataRole.DisplayRole), int(Qt.ItemDataRole.TextAlignmentRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_PAINTED = frozenset(int(role) for role in (
    Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.FontRole, Qt.ItemDataRole.DecorationRole,
    Qt.ItemDataRole.CheckStateRole,
))


class SqlTableModel(QAbstractTableModel):
    """A read-only table over ``source`` that fetches what is in view and follows its current row by key."""

    count_changed = Signal(int)  # rows matching the current query (known after the count job)
    failed = Signal(str)  # a count or page query failed; the message is for the user
    current_key_changed = Signal(object)  # the key actions and the detail use (None: no row)
    current_moved = Signal(int)  # the row the current key is at now (-1: not in the window); the view follows

    def __init__(self, source: WindowSource, runner: TaskRunner, parent: Any = None) -> None:
        super().__init__(parent)
        self.source = source
        self.spec = source.spec
        self.runner = runner  # copy and export run their reads on it too
        self._query = WindowQuery(self.spec.default_sort, self.spec.default_descending)
        self._request = LatestRequest(runner)  # the count and pages of the current query and cache state
        self._locator = LatestRequest(runner)  # where the current key went
        self._count = 0
        self._count_known = False
        self._pages: OrderedDict[int, list[tuple[Any, ...]]] = OrderedDict()
        self._stale: dict[int, list[tuple[Any, ...]]] = {}
        self._pending: set[int] = set()
        self._wanted: set[int] = set()  # pages a paint asked for, requested once the paint is over
        self._ask_wanted = QTimer(self, singleShot=True, interval=0)
        self._ask_wanted.timeout.connect(self._request_wanted)
        self._current_key: Any = None
        self._current_row: int | None = None  # where the current key was last seen
        self._awaiting_row: int | None = None  # the user chose a row whose page is still loading
        self._locating = False
        self._move_when_counted = False
        self.adjusting = False  # True while rows are inserted, removed or reset (not the user's doing)
        self._alignments = [_LEFT if c.kind not in w.NUMERIC_KINDS else _RIGHT for c in self.spec.columns]
        self._asked_cell_roles = frozenset(int(r) for r in self.cell_roles)  # as Qt passes roles: plain ints
        self._painted_cell_roles = tuple(self._asked_cell_roles & _PAINTED)
        self._memo: dict[int, list[dict[int, Any]]] = {}  # row → its painted roles per column (``data``)
        self._placeholders: list[dict[int, Any]] | None = None  # ``_loading_cells``, made when first asked
        self._memo_scheme = palette.current()
        for moved in (self.modelReset, self.rowsInserted, self.rowsRemoved, self.layoutChanged):
            moved.connect(self._forget_cells)
        self.dataChanged.connect(self._forget_changed)
        self._request_page(0)
        self._request_count()

    # -- what the panes call

    @property
    def query(self) -> WindowQuery:
        return self._query

    @property
    def row_count_known(self) -> bool:
        return self._count_known

    @property
    def pages_wanted(self) -> bool:
        """Whether a paint asked for rows whose pages are requested on the next event-loop turn."""
        return self._ask_wanted.isActive()

    @property
    def current_key(self) -> Any:
        """The key of the row actions and the detail use: remembered, never read off a row position."""
        return self._current_key

    def set_query(self, query: WindowQuery) -> None:
        """Show a different window (sort, search, filters): rows are re-counted and re-fetched."""
        if query == self._query:
            return
        self.adjusting = True
        self.beginResetModel()
        self._query = query
        self._request.invalidate()
        self._count, self._count_known = 0, False
        self._pages.clear()
        self._stale.clear()
        self._pending.clear()
        self._wanted.clear()  # the view asks again for the rows it shows
        self.endResetModel()
        self.adjusting = False
        self._start_locating()
        self._request_page(0)
        self._request_count()

    def set_search(self, text: str) -> None:
        self.set_query(_replace(self._query, search=text))

    def set_filters(self, names: tuple[str, ...]) -> None:
        self.set_query(_replace(self._query, filters=names))

    def refresh(self) -> None:
        """The cache changed underneath: re-count and re-fetch, keeping rows on screen and the current key."""
        self._request.invalidate()
        self._stale = dict(self._pages) | self._stale
        self._pages.clear()
        self._pending.clear()
        self._start_locating()
        self._request_count()

    def set_current_row(self, row: int) -> None:
        """The user moved to ``row``: its key becomes the current one (once its page is here)."""
        self._locating = False
        self._locator.invalidate()
        self._current_row = row
        key = self.key_at(row)
        self._awaiting_row = row if key is None else None
        self._set_current_key(key)

    def set_current_key(self, key: Any) -> None:
        """Make ``key`` current (a row just written, say); the view follows once its position is known."""
        self._awaiting_row = None
        self._current_row = None
        self._set_current_key(key)
        self._start_locating()

    def key_at(self, row: int) -> Any:
        data = self._row(row)
        return None if data is None else data[0]

    def row_values(self, row: int) -> dict[str, Any] | None:
        """The raw values of a loaded row by column key (None while its page is loading)."""
        data = self._row(row)
        if data is None:
            return None
        return {c.key: data[i + 1] for i, c in enumerate(self.spec.columns)}

    def cached_page_count(self) -> int:
        return len(self._pages) + len(self._stale)

    def loaded_rows(self, rows: Sequence[int]) -> list[tuple[Any, ...]] | None:
        """The rows at ``rows`` if every one is in a page at hand (no fetch is started), else None."""
        found = [self._kept_row(row) for row in rows]
        return None if None in found else cast(list[tuple[Any, ...]], found)

    def display_text(self, row: tuple[Any, ...], column: int) -> str:
        """A loaded row's cell as the table shows it (copy uses this)."""
        spec_column = self.spec.columns[column]
        raw = row[column + 1]
        shown = spec_column.shown(raw)
        if shown is not raw and isinstance(shown, str):  # a label: words, whatever the column's kind
            return shown
        return self.display(spec_column.key, row, raw)

    # -- Qt overrides

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.spec.columns)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """A cell's value for ``role``; the roles a paint asks for come from the memo of the rows in view.

        Qt asks for seven roles per cell on every paint, and a paint of a full
        window is some 300 cells: computing each role afresh cost more than a
        frame.  A loaded row's painted roles are computed once and kept until
        the rows change (``_forget_cells``); other roles (tooltips, the raw
        value, the key) are computed when asked.
        """
        row_no, column = index.row(), index.column()
        cell = self.painted_cell(row_no, column)
        if cell is None:
            return None
        if role in cell:
            return cell[role]
        if role in _PAINTED:
            return None
        return self._other_role(row_no, column, role)

    def multiData(self, index: _Index, span: QModelRoleDataSpan | QModelRoleData) -> None:  # Qt override
        """Every role a delegate paints a cell with, in one call into Python instead of seven.

        Qt's delegate asks for its seven roles through this (``RowDelegate``
        too, for the cells it leaves to the style: a selected row's, say);
        the default answer calls ``data`` once per role.  A loaded row's roles
        come straight from the memo.  It answers exactly as ``data`` would:
        panes shape cells through ``display`` and ``cell_role``, never by
        overriding ``data``.
        """
        # A span iterates by index (its stubs lack ``__iter__``); one QModelRoleData is a span of one.
        roles = [span] if isinstance(span, QModelRoleData) else cast(Iterable[QModelRoleData], span)
        row_no, column = index.row(), index.column()
        cell = self.painted_cell(row_no, column)
        if cell is None:
            for item in roles:
                item.setData(None)
            return
        for item in roles:
            role = item.role()
            if role in cell:
                item.setData(cell[role])
            elif role in _PAINTED:
                item.clearData()
            else:
                item.setData(self._other_role(row_no, column, role))

    def painted_cell(self, row: int, column: int, *, fetch: bool = True) -> dict[int, Any] | None:
        """A cell's painted roles by role number, from the memo; a grey ellipsis while its page loads.

        ``RowDelegate`` draws from this without a call per role.  With
        ``fetch`` False a row not at hand gives None and asks for no page
        (laying out the rows around the view's must not fetch them).
        """
        if row < 0 or not (fetch or self._kept_row(row) is not None):
            return None
        cells = self._painted_cells(row)
        return self._loading_cells()[column] if cells is None else cells[column]

    def _painted_cells(self, row_no: int) -> list[dict[int, Any]] | None:
        """The painted roles of a loaded row per column, from the memo (None while its page is loading)."""
        if palette.current() is not self._memo_scheme:  # kept brushes hold the old scheme's colours
            self._forget_cells()
        cells = self._memo.get(row_no)
        if cells is None:
            row = self._row(row_no)
            if row is None:
                return None
            cells = self._memo[row_no] = self._cells(row)
        return cells

    def _loading_cells(self) -> list[dict[int, Any]]:
        """The painted roles of a row whose page is loading, per column: an ellipsis in grey, aligned like
        the column."""
        if self._placeholders is None:
            grey = brush(GREY)
            self._placeholders = [
                {_DISPLAY: "…" if i == 0 else "", _ALIGNMENT: alignment, _FOREGROUND: grey}
                for i, alignment in enumerate(self._alignments)
            ]
        return self._placeholders

    def _cells(self, row: tuple[Any, ...]) -> list[dict[int, Any]]:
        """A loaded row's painted roles, per column: its text, alignment and the pane's painted ``cell_roles``."""
        cells = []
        for i, column in enumerate(self.spec.columns):
            cell = {_DISPLAY: self.display_text(row, i), _ALIGNMENT: self._alignments[i]}
            for role in self._painted_cell_roles:
                value = self.cell_role(column.key, row, role)
                if value is not None:
                    cell[role] = value
            cells.append(cell)
        return cells

    def _other_role(self, row_no: int, column: int, role: int) -> Any:
        """A role no paint asks for: the raw value, the key, or the pane's (a tooltip)."""
        row = self._row(row_no)
        if row is None:
            return None
        if role == RAW_ROLE:
            return row[column + 1]
        if role == KEY_ROLE:
            return row[0]
        if role in self._asked_cell_roles:
            return self.cell_role(self.spec.columns[column].key, row, role)
        return None

    def _forget_changed(self, top_left: QModelIndex, bottom_right: QModelIndex, *_roles: Any) -> None:
        """Rows changed in place (a page arrived): their painted cells are dropped, the other rows' kept.

        A page arriving beside the rows in view used to drop theirs too, and
        the next paint built them again: 0.9–1.7 ms a window of 29 rows.
        """
        first, last = top_left.row(), bottom_right.row()
        for row in [row for row in self._memo if first <= row <= last]:
            del self._memo[row]

    def _forget_cells(self, *_args: Any) -> None:
        """The rows moved (or the colours changed): the memo of painted cells is dropped."""
        self._memo.clear()
        self._placeholders = None
        self._memo_scheme = palette.current()

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.spec.columns):
            return None
        column = self.spec.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == Qt.ItemDataRole.ToolTipRole:
            why = column.why_unsortable
            tip = column.tooltip + (f"\n\nNot sortable: {why}." if why else "")
            return tip.strip() or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column.kind in w.NUMERIC_KINDS:
            return _RIGHT
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        spec_column = self.spec.columns[column]
        if not spec_column.sortable:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        self.set_query(_replace(self._query, sort_key=spec_column.key, descending=descending))

    # -- hook for panes

    def display(self, column_key: str, row: tuple[Any, ...], value: Any) -> str:
        """A loaded cell's text: its column kind's format; panes override for a column that needs its row."""
        return format_value(self.spec.column(column_key).kind, value)

    # The roles ``cell_role`` answers; a pane that overrides it names them.  Painted ones are kept with the row.
    cell_roles: tuple[int, ...] = ()

    def cell_role(self, column_key: str, row: tuple[Any, ...], role: int) -> Any:
        """Extra roles (colours, tooltips) for a loaded cell, one of ``cell_roles``; panes override.

        ``row[0]`` is the key.  A painted role's value is kept until the row
        changes, so it must depend on the row alone (and the colour scheme).
        """
        return None

    def value(self, row: tuple[Any, ...], column_key: str) -> Any:
        """A raw value of ``row`` by column key (for ``cell_role`` overrides)."""
        return row[self.spec.index_of(column_key) + 1]

    # -- following the current key

    def _set_current_key(self, key: Any) -> None:
        if key != self._current_key:
            self._current_key = key
            self.current_key_changed.emit(key)

    def _start_locating(self) -> None:
        """Find the current key's row in the new window: in the pages as they arrive, or by asking the store."""
        if self._current_key is None:
            return
        self._locating = True
        self._locator.run(
            self.source.position_of, self._query, self._current_key,
            on_success=self._located, on_failure=lambda exc: self._located(None),
        )

    def _located(self, row: int | None) -> None:
        self._locating = False
        self._move_when_counted = False
        self._locator.invalidate()
        self._current_row = row
        if row is None:
            self.current_moved.emit(-1)
            self._set_current_key(None)
        elif row < self._count:
            self.current_moved.emit(row)
        else:
            self._move_when_counted = True  # found beyond the rows counted so far

    def _follow_after_count(self) -> None:
        """The count arrived: move the view to a key found beyond the old count, or look again."""
        row = self._current_row
        if not self._move_when_counted or row is None or self._current_key is None:
            return
        self._move_when_counted = False
        if row < self._count:
            self.current_moved.emit(row)
        else:
            self._start_locating()  # the rows shrank under it meanwhile

    def _look_in_page(self, page_no: int, rows: list[tuple[Any, ...]]) -> None:
        """A fresh page arrived: it may hold the key being located, or the row the user is waiting on."""
        first = page_no * PAGE_SIZE
        if self._locating:
            offset = next((i for i, r in enumerate(rows) if r[0] == self._current_key), None)
            if offset is not None:
                self._located(first + offset)
        elif self._awaiting_row is not None and first <= self._awaiting_row < first + len(rows):
            row, self._awaiting_row = self._awaiting_row, None
            self._set_current_key(rows[row - first][0])

    # -- internals

    def _row(self, row: int) -> tuple[Any, ...] | None:
        if not 0 <= row < self._count:
            return None
        page_no, offset = divmod(row, PAGE_SIZE)
        page = self._pages.get(page_no)
        if page is not None:
            self._pages.move_to_end(page_no)
        else:
            self._want_page(page_no)
            page = self._stale.get(page_no)
        if page is None or offset >= len(page):
            return None
        return page[offset]

    def _kept_row(self, row: int) -> tuple[Any, ...] | None:
        """``row`` if it is in a page kept (fresh or stale); reading it this way fetches nothing."""
        page_no, offset = divmod(row, PAGE_SIZE)
        page = self._pages.get(page_no) or self._stale.get(page_no)
        return page[offset] if 0 <= row < self._count and page is not None and offset < len(page) else None

    def _request_count(self) -> None:
        self._request.also(self.source.count, self._query, on_success=self._count_arrived,
                           on_failure=self._query_failed)

    def _want_page(self, page_no: int) -> None:
        """A row of ``page_no`` was asked for (by a paint, mostly): fetch the page once the paint is over.

        A request starts a reader thread at once, and its Python work (building
        the statement) takes the interpreter lock from the paint in 5 ms slices:
        a paint that asked for two pages took up to three times as long.
        """
        if page_no not in self._pending and page_no not in self._wanted:
            self._wanted.add(page_no)
            self._ask_wanted.start()

    def _request_wanted(self) -> None:
        wanted, self._wanted = sorted(self._wanted), set()
        for page_no in wanted:
            self._request_page(page_no)

    def _request_page(self, page_no: int) -> None:
        if page_no in self._pending:
            return
        self._pending.add(page_no)
        previous = self._pages.get(page_no - 1)
        if previous is not None and len(previous) == PAGE_SIZE:
            job: tuple[Any, ...] = (self.source.page_after, self._query, previous[-1], PAGE_SIZE)
        else:
            job = (self.source.page, self._query, page_no * PAGE_SIZE, PAGE_SIZE)
        self._request.also(*job, on_success=lambda rows: self._page_arrived(page_no, rows),
                           on_failure=self._query_failed)

    def _count_arrived(self, count: int) -> None:
        self._count_known = True
        self._set_row_count(count)
        self._stale = {p: rows for p, rows in self._stale.items() if p * PAGE_SIZE < count}
        if self._stale:
            # Make the view ask again for the stale rows it shows, which fetches fresh pages.
            first = min(self._stale) * PAGE_SIZE
            last = min(count, (max(self._stale) + 1) * PAGE_SIZE) - 1
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.spec.columns) - 1))
        self._follow_after_count()
        self.count_changed.emit(count)

    def _set_row_count(self, count: int) -> None:
        old = self._count
        self.adjusting = True
        if count > old:
            self.beginInsertRows(QModelIndex(), old, count - 1)
            self._count = count
            self.endInsertRows()
        elif count < old:
            self.beginRemoveRows(QModelIndex(), count, old - 1)
            self._count = count
            self.endRemoveRows()
        self.adjusting = False

    def _page_arrived(self, page_no: int, rows: list[tuple[Any, ...]]) -> None:
        self._pending.discard(page_no)
        self._stale.pop(page_no, None)
        self._pages[page_no] = rows
        self._pages.move_to_end(page_no)
        if page_no == 0 and not self._count_known:
            # Show the first screenful before the (slower) count is known; a short
            # first page *is* the count.
            self._count_known = len(rows) < PAGE_SIZE
            self._set_row_count(len(rows) if self._count_known else max(self._count, len(rows)))
            if self._count_known:
                self.count_changed.emit(len(rows))
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        first = page_no * PAGE_SIZE
        last = min(self._count, first + PAGE_SIZE) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.spec.columns) - 1))
        self._look_in_page(page_no, rows)

    def _query_failed(self, exc: BaseException) -> None:
        self._pending.clear()
        if isinstance(exc, Cancelled):  # the runner is shutting down: nobody waits for the rows
            return
        self.failed.emit(could_not(f"read {self.spec.name} from the local cache", exc))


def _replace(query: WindowQuery, **changes: Any) -> WindowQuery:
    from dataclasses import replace

    return replace(query, **changes)
