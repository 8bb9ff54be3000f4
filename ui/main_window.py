"""The main window: five tabs, the menus, the status bar, and remembered geometry.

It wires things together and holds no business logic: panes show the cache,
the sync controller keeps it fresh, dialogs edit settings.  Writes reach the
screen through the task runner's change bus (each pane listens to it); the
window itself keeps the status bar's outbox count in step with it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox, QTabWidget, QWidget

from app import __version__
from app.roles import can_write, visible_panes
from app.store import outbox
from app.store.changes import Changes
from app.store.database import check_integrity, mark_damaged
from ui import settings_keys
from ui.context import AppContext
from ui.panes.base import Pane
from ui.probe_controller import ProbeController
from ui.status_bar import ONLINE, SYNCING, StatusBar
from ui.sync_controller import SyncController, config_from

log = logging.getLogger(__name__)

STATE_KEY = "main_window"
PaneFactory = Callable[[AppContext], Pane]


def default_panes() -> list[PaneFactory]:
    """The five tabs in the order the product brief fixes."""
    from ui.panes.costs import CostsPane
    from ui.panes.customers import CustomersPane
    from ui.panes.health import HealthPane
    from ui.panes.licenses import LicensesPane
    from ui.panes.tickets import TicketsPane

    return [
        lambda ctx: HealthPane(ctx.cache, ctx.runner, ctx.settings),
        lambda ctx: CustomersPane(ctx.cache, ctx.runner, ctx.settings, stripe_config=partial(config_from, ctx)),
        lambda ctx: TicketsPane(ctx.cache, ctx.runner, ctx.settings),
        lambda ctx: LicensesPane(ctx.cache, ctx.runner, ctx.license_service()),
        lambda ctx: CostsPane(ctx.cache, ctx.runner, ctx.settings),
    ]


class MainWindow(QMainWindow):
    def __init__(
        self, context: AppContext, panes: Sequence[PaneFactory] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("Ops Console" + (" — demo business" if context.demo else ""))
        self.tabs = QTabWidget(documentMode=True)
        self.tabs.setObjectName("paneTabs")
        self.panes: list[Pane] = [make(context) for make in (panes if panes is not None else default_panes())]
        for pane in self.panes:
            self.tabs.addTab(pane, pane.title)
        self.setCentralWidget(self.tabs)
        self.status = StatusBar(self)
        self.setStatusBar(self.status)
        self.sync = SyncController(context, self)
        self.sync.state_changed.connect(self.status.show_state)
        self.sync.progress.connect(self.status.show_progress)
        self.sync.finished.connect(self._sync_finished)
        self.sync.outbox_changed.connect(self.status.show_outbox)
        self.sync.not_stored_changed.connect(self.status.show_not_stored)
        self.sync.role_changed.connect(self.apply_role)
        self.probes = ProbeController(context, self)
        self.sync.state_changed.connect(lambda state, *_: self.probes.set_online(state in (ONLINE, SYNCING)))
        context.runner.bus.changed.connect(self._changes_landed)
        self.pane_actions: list[QAction] = []
        self._build_menus()
        self._connect_panes()
        if not settings_keys.restore_geometry(STATE_KEY, self):
            self.resize(1280, 800)
        self.tabs.setCurrentIndex(settings_keys.int_value(f"{STATE_KEY}/tab", 0))
        self.apply_role(self.sync.current_role())

    # -- menus

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "&Sync now", self.sync.sync_now, QKeySequence(Qt.Key.Key_F5),
                                        "Fetch fresh data from every backend and send waiting changes")
        self._action(file_menu, "&Import costs…", self.import_costs, QKeySequence("Ctrl+I"),
                     "Import a cloud billing export (AWS CUR, Google Cloud, or date,service,amount,currency)")
        self.open_action = self._action(
            file_menu, "&Open license or activation file…", self.open_license_file, QKeySequence("Ctrl+O"),
            "Answer an activation request, or check a license or activation response (Licenses tab)")
        file_menu.addSeparator()
        self._action(file_menu, "Se&ttings…", self.open_settings, QKeySequence("Ctrl+,"),
                     "Backends, sync, business hours, budgets and targets")
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit, "Close Ops Console")

        view_menu = self.menuBar().addMenu("&View")
        for i, pane in enumerate(self.panes):
            action = self._action(view_menu, pane.title, lambda _=False, p=pane: self.show_pane(p),
                                  QKeySequence(f"Ctrl+{i + 1}"), f"Show the {pane.title} tab")
            self.pane_actions.append(action)

        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&About Ops Console", self.show_about, None, "Version, data folder and log file")

    def _action(
        self, menu: QMenu, text: str, slot: Callable[..., object],
        shortcut: QKeySequence | QKeySequence.StandardKey | None, tip: str,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _connect_panes(self) -> None:
        """Cross-pane requests: issuing a license from the Customers pane uses the Licenses pane's dialog."""
        from ui.panes.customers import CustomersPane
        from ui.panes.licenses import LicensesPane

        self._customers = next((p for p in self.panes if isinstance(p, CustomersPane)), None)
        self._licenses = next((p for p in self.panes if isinstance(p, LicensesPane)), None)
        if self._customers is not None and self._licenses is not None:
            self._customers.issue_license_requested.connect(self._issue_license)

    def _issue_license(self, customer_id: str) -> None:
        assert self._licenses is not None
        self.show_pane(self._licenses)
        self._licenses.issue(customer_id)

    # -- commands

    def show_pane(self, pane: Pane) -> None:
        index = self.tabs.indexOf(pane)
        if index >= 0 and self.tabs.isTabVisible(index):
            self.tabs.setCurrentIndex(index)

    def pane(self, pane_id: str) -> Pane:
        return next(p for p in self.panes if p.pane_id == pane_id)

    def apply_role(self, role: str) -> None:
        """Show the tabs the signed-in role may see; executives see all, read-only."""
        allowed = visible_panes(role)
        for i, pane in enumerate(self.panes):
            visible = pane.pane_id in allowed
            self.tabs.setTabVisible(i, visible)
            self.pane_actions[i].setEnabled(visible)
            pane.set_read_only(not can_write(role))
        self.open_action.setEnabled(self._licenses is not None and "licenses" in allowed)
        if self._customers is not None:
            self._customers.can_issue_licenses = self._licenses is not None and "licenses" in allowed
            if self._customers.built:
                self._customers.update_actions()
        if not self.tabs.isTabVisible(self.tabs.currentIndex()):
            first = next((i for i in range(self.tabs.count()) if self.tabs.isTabVisible(i)), 0)
            self.tabs.setCurrentIndex(first)
        self.setWindowTitle(f"Ops Console — {role}" + (" (demo business)" if self.context.demo else ""))

    def open_license_file(self) -> None:
        """File ▸ Open…: the Licenses tab opens the file (answers a request, inspects a license)."""
        if self._licenses is not None and self.tabs.isTabVisible(self.tabs.indexOf(self._licenses)):
            self.show_pane(self._licenses)
            self._licenses.open_file()

    def import_costs(self) -> None:
        from ui.dialogs.import_costs import import_costs

        import_costs(self, self.context.cache, self.context.runner)

    def open_settings(self) -> None:
        from ui.dialogs.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.context, self)
        if dialog.exec():
            self.context.loaded_settings = dialog.saved
            for pane in self.panes:
                pane.apply_settings(self.context.settings)
            self.sync.settings_changed()

    def check_cache_integrity(self) -> None:
        """``PRAGMA quick_check`` in the background; a damaged cache is rebuilt at the next start."""
        path = self.context.cache.path
        self.context.runner.run(check_integrity, path, on_success=self._integrity_checked, long_running=True)

    def _integrity_checked(self, problem: str | None) -> None:
        if problem is None:
            return
        mark_damaged(self.context.cache.path, problem)
        QMessageBox.warning(
            self,
            "Local cache damaged",
            f"The local cache failed its integrity check ({problem}).\n\n"
            "Ops Console will move it aside (it is kept, not deleted) and rebuild it from the "
            "backends the next time it starts; changes waiting to be sent are carried over.",
        )

    def show_about(self) -> None:
        paths = self.context.paths
        QMessageBox.about(
            self,
            "About Ops Console",
            f"<h3>Ops Console {__version__}</h3>"
            "<p>Service health, customers, tickets, licenses and costs — offline-first.</p>"
            f"<p><b>Data folder:</b> {paths.data_dir}<br><b>Log file:</b> {paths.log_file}</p>",
        )

    # -- events

    def _sync_finished(self) -> None:
        self.status.hide_progress()

    def _changes_landed(self, changes: Changes) -> None:
        """A write landed (the panes hear it too): the outbox count follows the outbox."""
        if changes.touches((outbox.TABLE,)):
            self.sync.refresh_outbox()

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt override
        settings_keys.save_geometry(STATE_KEY, self)
        settings_keys.qsettings().setValue(f"{STATE_KEY}/tab", self.tabs.currentIndex())
        for pane in self.panes:
            if pane.built:
                pane.save_state()
        self.sync.stop()
        self.probes.stop()
        self.context.runner.shutdown()
        super().closeEvent(event)
