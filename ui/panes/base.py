"""What every tab has in common: lazy construction, refresh after sync, staleness, saved state.

A pane is cheap to construct; it builds its widgets (and imports what only it
needs, like pyqtgraph) the first time it is shown.  After a sync the main
window calls ``refresh()``; panes mark their models stale rather than
rebuilding them.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from sqlalchemy import Engine, select

from app.config.settings import Settings
from app.store.schema import SyncState
from ui.formatting import format_age
from ui.workers import TaskRunner


class Pane(QWidget):
    """Base class of the five tabs.  Subclasses set ``pane_id``, ``title``, ``resources``, implement ``build``."""

    pane_id: str = ""
    title: str = ""
    resources: tuple[str, ...] = ()  # sync_state keys (e.g. "ops:tickets") whose staleness this pane shows
    settings: Settings | None = None  # panes that use typed settings keep them here

    def __init__(self, engine: Engine, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self.runner = runner
        self.read_only = False
        self._built = False
        self.staleness = QLabel()
        self.staleness.setObjectName("staleness")
        self.staleness.setToolTip("When the data shown here was last synced from its source")
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(8, 8, 8, 8)

    @property
    def built(self) -> bool:
        return self._built

    def ensure_built(self) -> None:
        if not self._built:
            self._built = True
            self.build()
            self.body.addWidget(self.staleness)
            self.update_staleness()

    def showEvent(self, event: QShowEvent) -> None:  # Qt override
        self.ensure_built()
        super().showEvent(event)

    def build(self) -> None:
        """Create the pane's widgets and models; called once, on first show."""
        raise NotImplementedError

    def refresh(self) -> None:
        """The cache changed (sync finished, an import, a local action): show fresh data."""
        if self._built:
            self.refresh_models()
            self.update_staleness()

    def refresh_models(self) -> None:
        """Mark the pane's models stale; subclasses with models override."""

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

    def save_state(self) -> None:
        """Persist header/splitter state; called only once the pane is built. Subclasses with tables override."""

    def update_staleness(self) -> None:
        """'Customers synced 3 min ago' from sync_state (a handful of rows: fine on the GUI thread)."""
        if not self.resources:
            self.staleness.hide()
            return
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(SyncState.resource, SyncState.last_success_at, SyncState.last_error).where(
                    SyncState.resource.in_(self.resources)
                )
            ).all()
        successes = [r.last_success_at for r in rows if r.last_success_at is not None]
        errors = [f"{r.resource}: {r.last_error}" for r in rows if r.last_error]
        oldest: dt.datetime | None = min(successes) if len(successes) == len(self.resources) else None
        text = f"Data synced {format_age(oldest)}" if oldest else "Not synced yet — showing what the cache holds"
        if errors:
            text += f" · last sync error: {errors[0]}"
        self.staleness.setText(text)
        self.staleness.setProperty("problem", bool(errors))
        self.staleness.show()
