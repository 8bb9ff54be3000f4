"""The main window: the tabs the role may see, the menus, the status bar, notices, and remembered geometry.

It wires things together and holds no business logic: panes show the cache,
the sync controller keeps it fresh, the notifier raises alerts, dialogs edit
settings.  Writes reach the screen through the task runner's change bus (each
pane listens to it); the window itself keeps the status bar's outbox count in
step with it.

What the user may do follows the role everywhere at once: a tab the role
cannot see has no menu item and no shortcut, Ctrl+1…Ctrl+N number the
visible tabs in order, and commands the role may not run (Import costs for a
role without the Costs tab, or a read-only one) are disabled in the menu and
on their shortcut alike.  The window sizes itself from the screen it is on and
never grows past it: panes scroll instead (``Pane``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu, QTabWidget, QVBoxLayout, QWidget

from app import __version__
from app.roles import COSTS, can_write, visible_panes
from app.store.changes import Changes
from app.store.database import check_integrity, mark_damaged
from ui import formatting as fmt
from ui import settings_keys, theme
from ui.context import AppContext
from ui.notifier import Notifier
from ui.panes.base import Pane
from ui.panes.lazy import PanePlaceholder, PaneSpec
from ui.probe_controller import ProbeController
from ui.status_bar import OFFLINE, ONLINE, SYNCING, StatusBar
from ui.sync_controller import SyncController, config_from
from ui.widgets.notice_bar import NoticeBar
from ui.widgets.notification_bell import NotificationBell

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDialog

    from ui.panes.customers import CustomersPane
    from ui.panes.licenses import LicensesPane
    from ui.panes.overview import OverviewPane
    from ui.widgets.data_table import DataTable
    from ui.widgets.summary_table import SummaryTable

log = logging.getLogger(__name__)

STATE_KEY = "main_window"
DEFAULT_SIZE = QSize(1280, 800)
MINIMUM_SIZE = QSize(640, 400)  # both capped by the screen's available area
FRESHNESS_TICK_MS = 60_000


def _overview(ctx: AppContext) -> Pane:
    from ui.panes.overview import OverviewPane

    return OverviewPane(ctx.cache, ctx.runner, ctx.settings)


def _health(ctx: AppContext) -> Pane:
    from ui.panes.health import HealthPane

    return HealthPane(ctx.cache, ctx.runner, ctx.settings)


def _customers(ctx: AppContext) -> Pane:
    from ui.panes.customers import CustomersPane

    return CustomersPane(ctx.cache, ctx.runner, ctx.settings, stripe_config=partial(config_from, ctx))


def _tickets(ctx: AppContext) -> Pane:
    from ui.panes.tickets import TicketsPane

    return TicketsPane(ctx.cache, ctx.runner, ctx.settings)


def _licenses(ctx: AppContext) -> Pane:
    from ui.panes.licenses import LicensesPane

    return LicensesPane(ctx.cache, ctx.runner, ctx.license_service())


def _costs(ctx: AppContext) -> Pane:
    from ui.panes.costs import CostsPane

    return CostsPane(ctx.cache, ctx.runner, ctx.settings)


def default_panes() -> list[PaneSpec]:
    """The tabs in the order the product brief fixes, the role's overview first; each pane's module is
    imported when the pane is made."""
    return [
        PaneSpec("overview", "Overview", _overview),
        PaneSpec("health", "Health", _health),
        PaneSpec("customers", "Customers", _customers),
        PaneSpec("tickets", "Tickets", _tickets),
        PaneSpec("licenses", "Licenses", _licenses),
        PaneSpec("costs", "Costs", _costs),
    ]


def _table_classes() -> tuple[type[DataTable], type[SummaryTable]]:
    """The big table and the summary table widgets, imported when a command looks for one -- by then the panes
    that hold them have loaded them; the window's first frame does not (the big table loads SQLAlchemy)."""
    from ui.widgets.data_table import DataTable
    from ui.widgets.summary_table import SummaryTable

    return DataTable, SummaryTable


class MainWindow(QMainWindow):
    def __init__(
        self, context: AppContext, panes: Sequence[PaneSpec] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.role = ""
        self._reports: QDialog | None = None  # File ▸ Reports…, kept while open (it is not modal)
        self.setWindowTitle("Ops Console" + (" — demo business" if context.demo else ""))
        self.tabs = QTabWidget(documentMode=True)
        self.tabs.setObjectName("paneTabs")
        self._overview: OverviewPane | None = None
        self._customers: CustomersPane | None = None
        self._licenses: LicensesPane | None = None
        self._offline = False
        self._start_pending = False  # ``start_when_painted`` was called and the first frame is not out yet
        self._pages: list[Pane | PanePlaceholder] = []  # one per tab, in order: a pane once it is made
        for spec in panes if panes is not None else default_panes():
            page = PanePlaceholder(spec)
            page.wanted.connect(self._painted)
            self._pages.append(page)
            self.tabs.addTab(page, page.title)
        self.notice = NoticeBar()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.notice)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        qapp = QApplication.instance()
        assert isinstance(qapp, QApplication)
        self.theme = theme.Theme(qapp, self)
        self.theme.changed.connect(self._theme_changed)
        self.status = StatusBar(self)
        self.setStatusBar(self.status)
        self.bell = NotificationBell(context.cache, context.runner)
        self.bell.record_requested.connect(self.open_record)
        self.status.add_bell(self.bell)
        self.notifier = Notifier(context.cache, context.runner, lambda: self.context.settings,
                                 qapp.windowIcon(), self)
        self.notifier.open_requested.connect(self._open_notifications)
        self.sync = SyncController(context, self)
        self.sync.state_changed.connect(self._state_changed)
        self.sync.progress.connect(self.status.show_progress)
        self.sync.finished.connect(self._sync_finished)
        self.sync.outbox_changed.connect(self.status.show_outbox)
        self.sync.not_stored_changed.connect(self.status.show_not_stored)
        self.sync.role_changed.connect(self.apply_role)
        self.sync.problem.connect(lambda text, details: self.notice.show_notice(text, details))
        self.sync.recovered.connect(self.notice.hide)
        self.status.cancel_requested.connect(self.cancel_sync)
        self.probes = ProbeController(context, self)
        self.sync.state_changed.connect(lambda state, *_: self.probes.set_online(state in (ONLINE, SYNCING)))
        context.runner.bus.changed.connect(self._changes_landed)
        self._freshness_clock = QTimer(self, interval=FRESHNESS_TICK_MS)
        self._freshness_clock.setObjectName("freshnessClock")
        self._freshness_clock.timeout.connect(self._tick)
        self.pane_actions: list[QAction] = []
        self._build_menus()
        self._fit_to_screen()
        self.tabs.setCurrentIndex(settings_keys.int_value(f"{STATE_KEY}/tab", 0))
        self.apply_role(self.sync.current_role())

    def start(self) -> None:
        """The window is up: sync, raise alerts every minute, keep the freshness lines' ages current."""
        self.sync.start()
        self.notifier.start()
        self._freshness_clock.start()

    def start_when_painted(self) -> None:
        """Check the cache file and ``start`` once the first frame is on screen, after the first tab's pane.

        Their first look-ups load SQLAlchemy and the cache's schema (over half a
        second together), which the frame itself does not need.
        """
        self._start_pending = True

    # -- menus

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "&Sync now", self.sync.sync_now, QKeySequence(Qt.Key.Key_F5),
                     "Fetch fresh data from every backend and send waiting changes")
        self.cancel_sync_action = self._action(
            file_menu, "&Cancel sync", self.cancel_sync, None,
            "Stop the sync that is running; the next sync continues where it stopped")
        self.cancel_sync_action.setEnabled(False)
        self.import_action = self._action(
            file_menu, "&Import costs…", self.import_costs, QKeySequence("Ctrl+I"),
            "Import a cloud billing export (AWS CUR, Google Cloud, or date,service,amount,currency)")
        self.open_action = self._action(
            file_menu, "&Open license or activation file…", self.open_license_file, QKeySequence("Ctrl+O"),
            "Answer an activation request, or check a license or activation response (Licenses tab)")
        self._action(file_menu, "&Reports…", self.open_reports, None,
                     "The daily, weekly and monthly business reports: preview, then save as PDF, HTML or CSV")
        file_menu.addSeparator()
        self._action(file_menu, "Se&ttings…", self.open_settings, QKeySequence("Ctrl+,"),
                     "Backends, sync, business hours, budgets, targets and notifications")
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit, "Close Ops Console")

        edit_menu = self.menuBar().addMenu("&Edit")
        self.copy_action = self._action(
            edit_menu, "&Copy", self.copy, QKeySequence.StandardKey.Copy,
            "Copy the selected rows (the visible columns, tab-separated) or the selected text")
        self.export_action = self._action(
            edit_menu, "&Export CSV…", self.export_csv, QKeySequence("Ctrl+E"),
            "Save every row of the table in view, as filtered and sorted, as a CSV file")

        view_menu = self.menuBar().addMenu("&View")
        for page in self._pages:
            action = self._action(view_menu, page.title, lambda _=False, i=page.pane_id: self.show_pane(self.pane(i)),
                                  None, f"Show the {page.title} tab")
            self.pane_actions.append(action)
        view_menu.addSeparator()
        self._action(view_menu, "&Notifications", self._open_notifications, QKeySequence("Ctrl+Shift+N"),
                     "The list of notifications: what happened, and a link to each record")
        theme_menu = view_menu.addMenu("&Theme")
        self.theme_actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        for choice, label in theme.CHOICES.items():
            action = QAction(label, self, checkable=True)
            action.setChecked(choice == self.theme.choice)
            action.setStatusTip("Follow the desktop's light or dark setting" if choice == theme.SYSTEM
                                else f"Always use the {label.lower()} colours")
            action.triggered.connect(lambda _=False, c=choice: self.theme.set_choice(c))
            group.addAction(action)
            theme_menu.addAction(action)
            self.theme_actions[choice] = action

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

    # -- panes, made when first needed

    @property
    def panes(self) -> list[Pane]:
        """Every tab's pane, making the ones not made yet (prefer ``pane(id)`` or ``made_panes()``)."""
        return [self._made(page) for page in list(self._pages)]

    def made_panes(self) -> list[Pane]:
        """The panes made so far; the others are made, from the settings as they are then, when needed."""
        return [page for page in self._pages if isinstance(page, Pane)]

    def _made(self, page: Pane | PanePlaceholder) -> Pane:
        return page if isinstance(page, Pane) else self._make(page)

    def _make(self, placeholder: PanePlaceholder) -> Pane:
        """Make the pane ``placeholder`` stands for and put it in its tab, keeping the tab's place and state."""
        if placeholder not in self._pages:  # made meanwhile (a queued request arrived late)
            return self.pane(placeholder.pane_id)
        pane = placeholder.spec.make(self.context)
        if (pane.pane_id, pane.title) != (placeholder.pane_id, placeholder.title):
            raise ValueError(f"pane spec {placeholder.pane_id!r} made {pane.pane_id!r} ({pane.title!r})")
        index = self._pages.index(placeholder)
        self._pages[index] = pane
        visible, current = self.tabs.isTabVisible(index), self.tabs.currentIndex() == index
        self.tabs.blockSignals(True)  # the same tab stays current: nobody needs to hear of the swap
        try:
            # Insert, then remove the placeholder: removing a current tab first would show (and build) a neighbour.
            self.tabs.insertTab(index, pane, pane.title)
            self.tabs.setTabVisible(index, visible)
            if current:
                self.tabs.setCurrentIndex(index)
            self.tabs.removeTab(index + 1)
        finally:
            self.tabs.blockSignals(False)
        placeholder.deleteLater()
        self._pane_made(pane)
        return pane

    def _pane_made(self, pane: Pane) -> None:
        """A pane joined the window: give it the window's state and its cross-pane links."""
        pane.set_read_only(not can_write(self.role))
        pane.set_offline(self._offline)
        if pane.pane_id == "overview":
            from ui.panes.overview import OverviewPane

            if isinstance(pane, OverviewPane):
                self._overview = pane
                pane.set_role(self.role)
                pane.filter_requested.connect(self.show_filtered)
                pane.record_requested.connect(self.open_record)
        elif pane.pane_id == "customers":
            from ui.panes.customers import CustomersPane

            if isinstance(pane, CustomersPane):
                self._customers = pane
                pane.issue_license_requested.connect(self._issue_license)
                pane.can_issue_licenses = self._tab_allowed("licenses")
        elif pane.pane_id == "licenses":
            from ui.panes.licenses import LicensesPane

            if isinstance(pane, LicensesPane):
                self._licenses = pane

    def _painted(self, placeholder: PanePlaceholder) -> None:
        """A placeholder reached the screen: the window is up, so its pane is made now and the others follow."""
        self._make(placeholder)
        if self._start_pending:
            self._start_pending = False
            self.check_cache_integrity()
            self.start()
        QTimer.singleShot(0, self, self._make_next)

    def _make_next(self) -> None:
        """Once the window is painted, make the panes not made yet, one per event-loop turn, the tab in view first.

        They are cheap to make (each builds its widgets on first show), and
        making them soon after start keeps what a pane does when the window
        opens (the Tickets tab hands the SLA settings to the cache) at start.
        """
        waiting = [page for page in self._pages if isinstance(page, PanePlaceholder)]
        if not waiting:
            return
        in_view = self.tabs.currentWidget()
        self._make(in_view if isinstance(in_view, PanePlaceholder) else waiting[0])
        if len(waiting) > 1:
            QTimer.singleShot(0, self, self._make_next)

    def _tab_allowed(self, pane_id: str) -> bool:
        """The window has this tab and the role may see it."""
        return any(page.pane_id == pane_id for page in self._pages) and pane_id in visible_panes(self.role)

    def _issue_license(self, customer_id: str) -> None:
        licenses = self.pane("licenses")
        self.show_pane(licenses)
        if self._licenses is not None:
            self._licenses.issue(customer_id)

    def _fit_to_screen(self) -> None:
        """Default and minimum sizes from the screen's available area; a remembered size that no longer fits shrinks."""
        screen = self.screen().availableGeometry()
        self.setMinimumSize(MINIMUM_SIZE.boundedTo(screen.size()))
        if not settings_keys.restore_geometry(STATE_KEY, self):
            size = DEFAULT_SIZE.boundedTo(screen.size() * 0.92)
            self.resize(size)
            self.move(screen.center() - self.rect().center())
        elif not screen.contains(self.frameGeometry()):
            self.resize(self.size().boundedTo(screen.size()))
            self.move(screen.topLeft())

    # -- commands

    def show_pane(self, pane: Pane) -> None:
        index = self.tabs.indexOf(pane)
        if index >= 0 and self.tabs.isTabVisible(index):
            self.tabs.setCurrentIndex(index)

    def pane(self, pane_id: str) -> Pane:
        """The tab ``pane_id``'s pane, made now if it was not yet."""
        return self._made(next(p for p in self._pages if p.pane_id == pane_id))

    def current_pane(self) -> Pane | None:
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, Pane) else None

    def apply_role(self, role: str) -> None:
        """Show the tabs the role may see, numbered Ctrl+1… in order; enable what it may do."""
        self.role = role
        if self._overview is not None:
            self._overview.set_role(role)
        allowed = visible_panes(role)
        writable = can_write(role)
        number = 0
        for i, page in enumerate(self._pages):
            visible = page.pane_id in allowed
            self.tabs.setTabVisible(i, visible)
            action = self.pane_actions[i]
            action.setVisible(visible)
            action.setEnabled(visible)
            if visible:
                number += 1
                action.setShortcut(QKeySequence(f"Ctrl+{number}") if number <= 9 else QKeySequence())
            else:
                action.setShortcut(QKeySequence())
            if isinstance(page, Pane):
                page.set_read_only(not writable)
        self.import_action.setVisible(COSTS in allowed)
        self.import_action.setEnabled(COSTS in allowed and writable)
        licenses_shown = self._tab_allowed("licenses")
        self.open_action.setVisible(licenses_shown)
        self.open_action.setEnabled(licenses_shown)
        if self._customers is not None:
            self._customers.can_issue_licenses = licenses_shown
            if self._customers.built:
                self._customers.update_actions()
        if not self.tabs.isTabVisible(self.tabs.currentIndex()):
            first = next((i for i in range(self.tabs.count()) if self.tabs.isTabVisible(i)), 0)
            self.tabs.setCurrentIndex(first)
        self.setWindowTitle(f"Ops Console — {fmt.words(role)}" + (" (demo business)" if self.context.demo else ""))

    def open_record(self, pane_id: str, key: str) -> None:
        """A notification's link: its tab (if the role may see it) with its record selected."""
        if not self._tab_allowed(pane_id):
            self.status.showMessage("That notification's tab is not available to your role", 5000)
            return
        pane = self.pane(pane_id)
        self.show_pane(pane)
        if key:
            pane.show_record(key)

    def show_filtered(self, pane_id: str, token: str = "") -> bool:
        """An overview tile's click-through: ``pane_id``'s tab (if the role may see it) showing ``token``'s rows."""
        if not self._tab_allowed(pane_id):
            self.status.showMessage("That tab is not available to your role", 5000)
            return False
        pane = self.pane(pane_id)
        self.show_pane(pane)
        return pane.apply_filter(token) if token else True

    def focused_table(self) -> DataTable | SummaryTable | None:
        """The table the keyboard is in, else the current tab's first big table."""
        big, summary = _table_classes()
        widget = QApplication.focusWidget()
        while widget is not None:
            if isinstance(widget, big | summary):
                return widget
            widget = widget.parentWidget()
        pane = self.current_pane()
        if pane is None:
            return None
        return next((t for t in pane.findChildren(big) if t.isVisible()), None)

    def copy(self) -> None:
        """Edit ▸ Copy: selected text where there is some, else the selected rows of the table in use."""
        widget = QApplication.focusWidget()
        copy_text = getattr(widget, "copy", None)
        if widget is not None and callable(copy_text) and not isinstance(widget, _table_classes()):
            copy_text()  # a search box, a detail's text
            return
        table = self.focused_table()
        if table is not None:
            table.copy_selection()

    def export_csv(self) -> None:
        """Edit ▸ Export CSV…: the big table in use (the records of the Costs tab, the Tickets list…)."""
        big, _summary = _table_classes()
        table = self.focused_table()
        if isinstance(table, big):
            table.export_csv()
        else:
            self.status.showMessage("This tab has no table to export", 5000)

    def cancel_sync(self) -> None:
        if self.sync.running:
            self.status.show_cancelling()
            self.sync.cancel()

    def open_license_file(self) -> None:
        """File ▸ Open…: the Licenses tab opens the file (answers a request, inspects a license)."""
        if self._tab_allowed("licenses"):
            self.show_pane(self.pane("licenses"))
            if self._licenses is not None:
                self._licenses.open_file()

    def import_costs(self) -> None:
        if not self.import_action.isEnabled():
            return
        from ui.dialogs.import_costs import import_costs

        import_costs(self, self.context.cache, self.context.runner)

    def open_reports(self) -> None:
        from ui.dialogs.reports_dialog import open_reports

        self._reports = open_reports(self, self.context.cache, self.context.settings, self.context.runner, self.role)

    def open_settings(self) -> None:
        from ui.dialogs.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.context, self)
        if dialog.exec():
            self.context.loaded_settings = dialog.saved
            for pane in self.made_panes():  # panes made later read the new settings then
                pane.apply_settings(self.context.settings)
            self.sync.settings_changed()
            self.notifier.run()  # mutes and thresholds may have changed

    def check_cache_integrity(self) -> None:
        """``PRAGMA quick_check`` in the background; a damaged cache is rebuilt at the next start."""
        path = self.context.cache.path
        self.context.runner.run(check_integrity, path, on_success=self._integrity_checked, long_running=True)

    def _integrity_checked(self, problem: str | None) -> None:
        if problem is None:
            return
        from PySide6.QtWidgets import QMessageBox  # message boxes load when one opens, as the dialogs do

        mark_damaged(self.context.cache.path, problem)
        QMessageBox.warning(
            self,
            "Local cache damaged",
            f"The local cache failed its integrity check ({problem}).\n\n"
            "Ops Console will move it aside (it is kept, not deleted) and rebuild it from the "
            "backends the next time it starts; changes waiting to be sent are carried over.",
        )

    def show_about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        paths = self.context.paths
        QMessageBox.about(
            self,
            "About Ops Console",
            f"<h3>Ops Console {__version__}</h3>"
            "<p>Service health, customers, tickets, licenses and costs — offline-first.</p>"
            f"<p><b>Data folder:</b> {paths.data_dir}<br><b>Log file:</b> {paths.log_file}</p>",
        )

    # -- events


    def _open_notifications(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()
        self.bell.show_panel()

    def _state_changed(self, state: str, last_success: dt.datetime | None, detail: str) -> None:
        self.status.show_state(state, last_success, detail)
        self.cancel_sync_action.setEnabled(state == SYNCING)
        self._offline = state == OFFLINE
        for pane in self.made_panes():
            pane.set_offline(self._offline)

    def _sync_finished(self) -> None:
        self.status.hide_progress()
        self.cancel_sync_action.setEnabled(False)
        self.notifier.run()  # the sync may have brought news

    def _tick(self) -> None:
        """Every minute: the freshness line of the tab in view ages ("synced 3 min ago" → "4 min ago")."""
        pane = self.current_pane()
        if pane is not None and pane.built:
            pane.render_staleness()

    def _theme_changed(self, _scheme: object) -> None:
        """Colours painted into cells, tiles and charts were the old scheme's: every pane draws again."""
        for pane in self.made_panes():
            if pane.built:
                pane.refresh()
        self.bell.reload()

    def _changes_landed(self, changes: Changes) -> None:
        """A write landed (the panes hear it too): the outbox count follows the outbox."""
        from app.store import outbox  # the cache's models: not needed to paint the window

        if changes.touches((outbox.TABLE,)):
            self.sync.refresh_outbox()

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt override
        settings_keys.save_geometry(STATE_KEY, self)
        settings_keys.qsettings().setValue(f"{STATE_KEY}/tab", self.tabs.currentIndex())
        for pane in self.made_panes():
            if pane.built:
                pane.save_state()
        self._freshness_clock.stop()
        self.notifier.stop()
        self.sync.stop()
        self.probes.stop()
        self.context.runner.shutdown()
        super().closeEvent(event)
