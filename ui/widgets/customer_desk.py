"""The customer desk: one customer diagnosed on one screen, with the actions that fix billing and access.

It is the Customers tab's detail.  The diagnosis is a ``DetailPanel`` (a
worker reads ``app.domain.customer_desk.diagnosis``; the change bus reloads
it when any table it reads changes); above it sit the customer's stage, the
actions, and the actions still waiting or refused, each with Retry and
Discard.  An action is asked for (``ui.dialogs.customer_action``), checked
by the core — against the cache, then against Stripe when it answers, which
also brings the proration preview — confirmed with the money in words, and
queued on the writer thread.  Refusals are shown in the core's words and
nothing is queued.  Roles come from the diagnosis: executive, product and
operations see the desk read-only.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import partial

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QMenu, QPushButton, QVBoxLayout, QWidget

from app.config.settings import Settings
from app.connectors.config import SyncConfig
from app.domain.customer_desk import actions as a
from app.domain.customer_desk import diagnosis
from app.domain.customer_desk.online import Confirmation, prepare
from app.domain.customer_desk.queue import Queued, discard_action, retry_action, submit
from app.domain.customer_desk.state import ActionEntry
from app.domain.customer_desk.summary import escalation_summary
from app.store import outbox
from app.store.database import Cache
from app.tasks import CancelToken
from ui.dialogs import customer_action
from ui.failures import could_not
from ui.widgets.action_bar import ActionBar, button
from ui.widgets.customer_desk_view import STAGE_COLORS, render_diagnosis
from ui.widgets.detail_panel import DetailPanel
from ui.widgets.palette import AMBER, RED
from ui.workers import LatestRequest, TaskRunner

READ_ONLY_NOTE = "Read-only: your role can look at customers but not change their billing or access."
# The first buttons, then the rest in two menus (a row of twelve buttons would not fit beside the table).
MAIN = (a.REFUND, a.RETRY_PAYMENT, a.CHANGE_PLAN)
MENUS = (
    ("Subscription ▾", (a.EXTEND_TRIAL, a.APPLY_COUPON, a.REMOVE_COUPON, a.PAUSE_COLLECTION, a.RESUME_COLLECTION,
                        a.CANCEL_AT_PERIOD_END, a.CANCEL_NOW)),
    ("Access ▾", (a.GRANT_ACCESS, a.REVOKE_ACCESS)),
)


def check_request(
    cache: Cache, stripe_config: Callable[[], SyncConfig], request: a.DeskRequest, settings: Settings,
    cancel: CancelToken,
) -> Confirmation:
    """The worker's job before the confirmation: the backend config (keyring), then the core's checks."""
    return prepare(cache.engine, stripe_config(), request, settings, cancel=cancel)


class PendingActions(QFrame):
    """The customer's actions still waiting to be sent or refused, each with Retry and Discard."""

    def __init__(self, on_retry: Callable[[str], None], on_discard: Callable[[str], None]) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._on_retry, self._on_discard = on_retry, on_discard
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(8, 4, 8, 4)
        self.rows: dict[str, tuple[QLabel, QPushButton, QPushButton]] = {}
        self.hide()

    def show_actions(self, entries: list[ActionEntry], can_act: bool) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.rows = {}
        waiting = [e for e in entries if e.open]
        for entry in waiting:
            refused = entry.state == outbox.REFUSED
            color = RED if refused else AMBER
            label = QLabel(f"<b>{html.escape(entry.summary)}</b><br><span style='color:{color.name()};'>"
                           f"{html.escape(entry.words.capitalize())}</span>")
            label.setWordWrap(True)
            label.setToolTip(f"Queued {entry.created_at:%Y-%m-%d %H:%M} UTC by {entry.actor or 'unknown'}: "
                             f"{entry.reason}")
            retry = button("Retry", "Send it again with the next sync", partial(self._on_retry, entry.id))
            retry.setVisible(refused)
            discard = button("Discard", "Give up on this action: nothing is sent", partial(self._on_discard, entry.id))
            for control in (retry, discard):
                control.setEnabled(can_act)
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            line.addWidget(label, 1)
            line.addWidget(retry)
            line.addWidget(discard)
            self._layout.addWidget(row)
            self.rows[entry.id] = (label, retry, discard)
        self.setVisible(bool(waiting))


class CustomerDesk(QWidget):
    """The detail beside the customers table: diagnosis, stage, actions, and what waits to be sent."""

    def __init__(
        self,
        runner: TaskRunner,
        cache: Cache,
        settings: Callable[[], Settings],
        stripe_config: Callable[[], SyncConfig],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner, self._cache, self._settings, self._stripe_config = runner, cache, settings, stripe_config
        self._check = LatestRequest(runner)
        self.detail = DetailPanel(
            runner, lambda key: diagnosis.load(cache.engine, key, settings()), render_diagnosis,
            placeholder="Select a customer to diagnose them: billing, access, usage, tickets and history",
            key_table="customers", tables=diagnosis.TABLES,
        )
        self.detail.loaded.connect(self._loaded)
        self.stage = QLabel()
        self.stage.setWordWrap(True)
        self.stage.setContentsMargins(8, 0, 0, 0)
        self.stage.setToolTip("Lifecycle stage: trial → active → expanding → at risk → churned "
                              "(docs/metrics.md, \"Lifecycle stage\")")
        self.bar = ActionBar(READ_ONLY_NOTE)
        self.buttons: dict[str, QPushButton] = {}
        self.menu_actions: dict[str, QAction] = {}
        for kind in MAIN:
            self.buttons[kind] = self.bar.add(a.KINDS[kind].label, a.KINDS[kind].tip, partial(self.act, kind))
        self.menus: dict[str, QPushButton] = {}
        for title, kinds in MENUS:
            menu_button = self.bar.add(title, "More actions", lambda: None)
            menu = QMenu(menu_button)
            for kind in kinds:
                entry = menu.addAction(a.KINDS[kind].label, partial(self.act, kind))
                entry.setToolTip(a.KINDS[kind].tip)
                self.menu_actions[kind] = entry
            menu.setToolTipsVisible(True)
            menu_button.setMenu(menu)
            self.menus[title] = menu_button
        self.copy_button = self.bar.add("Copy summary", "Copy the facts an escalation needs, as text",
                                        self.copy_summary)
        self.bar.finish()
        self.pending = PendingActions(self.retry, self.discard)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stage)
        layout.addWidget(self.bar)
        layout.addWidget(self.pending)
        layout.addWidget(self.detail, 1)
        self._loaded(None)

    # -- what is shown

    @property
    def current(self) -> diagnosis.Diagnosis | None:
        found = self.detail.current
        return found if isinstance(found, diagnosis.Diagnosis) else None

    def _loaded(self, found: object) -> None:
        d = found if isinstance(found, diagnosis.Diagnosis) else None
        if d is None:
            self.stage.hide()
        else:
            color = STAGE_COLORS.get(d.stage.stage)
            self.stage.setText(f"<span style='color:{color.name() if color else 'inherit'};'><b>"
                               f"{html.escape(d.stage.stage.capitalize())}</b></span> · "
                               f"{html.escape('; '.join(d.stage.reasons))}")
            self.stage.show()
        self.update_actions()
        self.pending.show_actions(d.actions if d else [], bool(d and d.permissions.can_act))

    def update_actions(self) -> None:
        """Enable what the role may do and what applies to this customer now (the tooltip says why not)."""
        d = self.current
        can_act = d is not None and d.permissions.can_act
        for kind in a.KINDS:
            applies = can_act and d is not None and bool(customer_action.choices(kind, d))
            if kind in self.buttons:
                self.buttons[kind].setEnabled(applies)
            else:
                self.menu_actions[kind].setEnabled(applies)
        for menu_button in self.menus.values():
            menu_button.setEnabled(can_act)
        self.copy_button.setEnabled(d is not None)
        self.bar.set_read_only(d is not None and not can_act)

    # -- actions

    def act(self, kind: str) -> None:
        """Ask, check (cache, then Stripe when it answers), confirm with the money in words, queue."""
        d = self.current
        if d is None or not d.permissions.can_act:
            return
        request = customer_action.ask(kind, d, self)
        if request is None:
            return
        self.bar.say("Checking…")
        self._check.run(check_request, self._cache, self._stripe_config, request, self._settings(),
                        on_success=self._confirm, on_failure=self._failed)

    def _confirm(self, confirmation: Confirmation) -> None:
        if not customer_action.confirm(confirmation, self):
            self.bar.say("Nothing was queued.")
            return
        self.bar.say("Saving…")
        self._runner.run(submit, self._cache.engine, confirmation.planned.request, self._settings(), writes=True,
                         on_success=self._queued, on_failure=self._failed)

    def _queued(self, queued: Queued) -> None:
        # Plain text, not escaped: the label shows it as written ("Driftwood Software's", not "&#x27;s").
        self.bar.say(f"Queued: {queued.summary}. It is sent with the next sync and shows as waiting "
                     "until then.")

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, a.Refusal):
            self.bar.fail(f"{exc} Nothing was queued.")
        else:
            self.bar.fail(could_not("check or save the action", exc))

    def retry(self, action_id: str) -> None:
        self._runner.run(retry_action, self._cache.engine, action_id, writes=True,
                         on_success=lambda _c: self.bar.say("It goes out again with the next sync."),
                         on_failure=self._failed)

    def discard(self, action_id: str) -> None:
        self._runner.run(discard_action, self._cache.engine, action_id, writes=True,
                         on_success=lambda _c: self.bar.say("Discarded: nothing of it is sent."),
                         on_failure=self._failed)

    def copy_summary(self) -> None:
        d = self.current
        if d is None:
            return
        QApplication.clipboard().setText(escalation_summary(d))
        self.bar.say("Summary copied: paste it into the ticket or the escalation.")
