"""What every tab has in common: lazy construction, changes from the bus, staleness, saved state.

A pane is cheap to construct; it builds its widgets (and imports what only it
needs, like pyqtgraph) the first time it is shown.  It listens to the change
bus of its task runner: every write -- a user's action, a sync page, an import
-- says which tables it changed, and the pane refreshes what shows one of them
(its models mark their pages stale rather than rebuilding).  A hidden tab
keeps what it missed and catches up when it is shown, so a sync does not
re-query five tabs twice a second for the one on screen.

The pane's content sits in a scroll area, so no pane can make the window
larger than the screen (at 200 % a 1080p screen is 960×540 points): where the
window is smaller than a pane needs, the pane scrolls.  Under it, the
freshness line says how old the data is and whether the window is offline
("Cached 2 h ago — offline"); the window re-renders the age every minute.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QAbstractScrollArea, QLabel, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from app.config.settings import Settings
from app.store.changes import NOTHING, Changes
from app.store.database import Cache
from app.views import freshness
from ui import theme
from ui.formatting import format_age
from ui.workers import LatestRequest, TaskRunner


class _Filling(QWidget):
    """Holds what fills a pane: it asks for no height of its own (``Pane.add_filling``).

    No height-for-width either: the scroll area takes a widget that has one at
    its preferred height, whatever the size policy says.
    """

    def __init__(self) -> None:
        super().__init__()
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)

    def hasHeightForWidth(self) -> bool:  # Qt override
        return False


class Pane(QWidget):
    """Base class of the five tabs.

    Subclasses set ``pane_id``, ``title``, ``resources``, ``tables`` and implement
    ``build`` and ``changes_landed``.
    """

    pane_id: str = ""
    title: str = ""
    resources: tuple[str, ...] = ()  # sync_state keys (e.g. "ops:tickets") whose staleness this pane shows
    tables: frozenset[str] = frozenset()  # every cache table the pane shows (from its views' specs)
    settings: Settings | None = None  # panes that use typed settings keep them here

    def __init__(self, cache: Cache, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cache = cache
        self.engine = cache.engine
        self.runner = runner
        self.read_only = False
        self._built = False
        self._freshness = LatestRequest(runner)
        self._fresh: freshness.Freshness | None = None
        self.offline = False  # the window could not reach a backend at its last sync
        self._missed = NOTHING  # changes that landed while the tab was hidden
        self.staleness = QLabel()
        self.staleness.setObjectName("staleness")
        self.staleness.setToolTip("When the data shown here was last synced from its source")
        content = QWidget()
        self.body = QVBoxLayout(content)
        self.body.setContentsMargins(8, 8, 8, 4)
        self.scroll_area = QScrollArea()
        self.scroll_area.setObjectName("paneScroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the pane's widgets, not their frame
        self.scroll_area.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustIgnored)
        self.scroll_area.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.scroll_area, 1)
        self._outer = outer
        runner.bus.changed.connect(self.apply_changes)

    @property
    def built(self) -> bool:
        return self._built

    def ensure_built(self) -> None:
        if not self._built:
            self._built = True
            self.build()
            self.staleness.setContentsMargins(8, 0, 8, 4)
            self._outer.addWidget(self.staleness)
            self.update_staleness()

    def showEvent(self, event: QShowEvent) -> None:  # Qt override
        self.ensure_built()
        missed, self._missed = self._missed, NOTHING
        if missed:
            self.apply_changes(missed)
        super().showEvent(event)

    def build(self) -> None:
        """Create the pane's widgets and models; called once, on first show."""
        raise NotImplementedError

    def add_filling(self, widget: QWidget, minimum_height: int) -> None:
        """Add ``widget`` last, to take the height the pane has left, down to ``minimum_height``.

        Below that height the pane scrolls.  Added plainly, a widget asks for
        its preferred height, and the scroll area grants it whenever a
        word-wrapped label gives the pane a height-for-width: charts and tables
        wanting more than a 1280x720 window has then scrolled the chart's date
        axis out of sight, and the scroll bar took the width of a table's last
        column.
        """
        filling = _Filling()
        filling.setMinimumHeight(minimum_height)
        layout = QVBoxLayout(filling)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(widget)
        self.body.addWidget(filling, 1)

    def apply_changes(self, changes: Changes) -> None:
        """Something was written (published on the bus): refresh what shows a changed table."""
        if not self._built:
            return  # built later, from the cache as it is then
        if not self.isVisible():
            self._missed |= changes
            return
        if changes.touches(freshness.TABLES):
            self.update_staleness()
        self.changes_landed(changes)

    def changes_landed(self, changes: Changes) -> None:
        """Refresh the models, details and figures that read a table in ``changes``; subclasses override."""

    def refresh(self) -> None:
        """Show fresh data everywhere in the pane (new settings): as if every table it shows changed."""
        self.apply_changes(Changes.of(*self.tables, *freshness.TABLES))

    def apply_settings(self, settings: Settings) -> None:
        """The user saved new settings (budgets, business hours…): use them and redraw."""
        if self.settings is not None:
            self.settings = settings
        self.refresh()

    def set_read_only(self, read_only: bool) -> None:
        """Executives see everything but change nothing; panes disable their actions."""
        self.read_only = read_only
        if self._built:
            self.update_actions()

    def update_actions(self) -> None:
        """Enable or disable the pane's actions (read-only role, current selection); panes with actions override."""

    def show_record(self, key: str) -> None:
        """Select the record a notification links to: a summary row standing for ``key``, else that row of
        the pane's big table (``key`` arrives as text; the table's key type is restored).  Panes whose
        records live elsewhere override."""
        from ui.widgets.data_table import DataTable
        from ui.widgets.summary_table import SummaryTable

        self.ensure_built()
        if any(summary.select_key(key) for summary in self.findChildren(SummaryTable)):
            return
        table = next(iter(self.findChildren(DataTable)), None)
        if table is not None:
            table.select_key(table.model.spec.coerce_key(key))
            table.focus_rows()

    def apply_filter(self, token: str) -> bool:
        """Show the rows of the filter named ``token`` (an overview tile's click-through): the first big table
        offering it switches to it.  Panes whose table sits in an inner tab override to show that tab first."""
        from ui.widgets.data_table import DataTable

        self.ensure_built()
        for table in self.findChildren(DataTable):
            for index in range(table.filter.count()):
                if tuple(table.filter.itemData(index) or ()) == (token,):
                    table.filter.setCurrentIndex(index)
                    return True
        return False

    def save_state(self) -> None:
        """Persist header/splitter state; called only once the pane is built. Subclasses with tables override."""

    def update_staleness(self) -> None:
        """'Customers synced 3 min ago' from sync_state, read on a worker."""
        if not self.resources:
            self.staleness.hide()
            return
        self._freshness.run(freshness.freshness, self.engine, self.resources, on_success=self._show_freshness)

    def set_offline(self, offline: bool) -> None:
        """The window's last sync could (not) reach a backend: say so under the data."""
        if offline != self.offline:
            self.offline = offline
            self.render_staleness()

    def _show_freshness(self, fresh: freshness.Freshness) -> None:
        self._fresh = fresh
        self.render_staleness()

    def render_staleness(self, now: dt.datetime | None = None) -> None:
        """The freshness line from what was last read, aged to ``now`` (the window calls this every minute)."""
        fresh = self._fresh
        if fresh is None:
            return
        if fresh.oldest is None:
            text = "Not synced yet — showing what the cache holds"
        else:
            text = f"{'Cached' if self.offline else 'Synced'} {format_age(fresh.oldest, now)}"
        if self.offline:
            text += " — offline"
        if fresh.errors:
            text += f" · last sync: {fresh.errors[0]}"
        self.staleness.setText(text)
        self.staleness.setToolTip("\n".join(fresh.errors) or "When the data shown here was last synced from its source")
        self.staleness.setProperty("problem", bool(fresh.errors))
        theme.restyle(self.staleness)
        self.staleness.show()
