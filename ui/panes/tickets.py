"""The Tickets tab: which tickets are about to breach their SLA, who holds them, and acting on them.

The table is a window over ``tickets`` sorted by SLA due time
(``app.views.tickets``); colours come from the SLA state ``app.domain.sla``
returns in business hours.  Actions write a pending event and its outbox entry
in one transaction on the writer thread (``app.domain.tickets``), so they work
offline; the change bus shows them at once as "waiting to send".
"""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from app.clock import utcnow
from app.config.settings import Settings
from app.domain import sla
from app.domain import tickets as domain
from app.store.changes import Changes
from app.store.database import Cache
from app.store.windows import WindowSource
from app.views import tickets as view
from ui import formatting as fmt
from ui.dialogs import ticket_action
from ui.models.sql_table import SqlTableModel
from ui.panes.base import Pane
from ui.widgets.action_bar import ActionBar
from ui.widgets.detail_panel import DetailPanel, DetailView, LogEntry, LogSection
from ui.widgets.master_detail import MasterDetail
from ui.widgets.palette import AMBER, GREY, RED, brush
from ui.workers import LatestRequest, TaskRunner

READ_ONLY_NOTE = "Read-only: your role can view tickets but not change them."
ACTIONS = (("reply", "Reply…"), ("status", "Change status…"), ("assign", "Assign…"), ("escalate", "Escalate…"))
_ACTION_TIPS = {
    "reply": "Reply to the requester or add an internal note (Ctrl+R)",
    "status": "Set the ticket's status",
    "assign": "Give the ticket to someone (or nobody)",
    "escalate": "Hand over to the next support tier with the facts it needs",
}
FILTERS = (
    ("Open", ("open",)),
    ("About to breach (due within 4 h)", ("about_to_breach",)),
    ("Breached", ("breached",)),
    ("Escalated, unsolved", ("escalated",)),
    ("Unassigned, unsolved", ("unassigned",)),
    ("All", ()),
)
SLA_COLORS = {sla.BREACHED: RED, sla.DUE_SOON: AMBER, sla.NO_SLA: GREY}


class TicketTableModel(SqlTableModel):
    """Colours the SLA cell from business-hours SLA maths."""

    def __init__(self, source: WindowSource, runner: TaskRunner, settings: Settings, parent: Any = None) -> None:
        super().__init__(source, runner, parent)
        self._hours = settings.business_hours

    def cell_role(self, column_key: str, row: tuple[Any, ...], role: int) -> Any:
        if column_key != "sla_due_at":
            return None
        due, status = self.value(row, "sla_due_at"), self.value(row, "status")
        if role == Qt.ItemDataRole.ForegroundRole:
            return brush(SLA_COLORS.get(sla.classify(due, status, utcnow(), self._hours)))
        if role == Qt.ItemDataRole.ToolTipRole:
            return sla.describe(due, status, utcnow(), self._hours)
        return None


def _event_heading(event: dict[str, Any]) -> str:
    data = event.get("data_json") or {}
    change = {
        "status": f"status → {data.get('status')}",
        "assignee": f"assigned to {data.get('assignee') or 'nobody'}",
        "priority": f"priority → {data.get('priority')}",
        "escalation": f"escalated to tier {data.get('tier', '?')}",
        "note": "internal note",
    }.get(event["kind"], event["kind"])
    return f"{fmt.when(event['created_at'])} · {event.get('author') or 'unknown'} · {change}"


class TicketsPane(Pane):
    """Tickets by SLA urgency, one ticket's story, and the four actions support takes."""

    pane_id = "tickets"
    title = "Tickets"
    resources = ("ops:tickets", "ops:ticket_events")
    tables = view.SPEC.tables | view.DETAIL_TABLES
    settings: Settings  # never None here: this pane uses the typed settings (Pane.apply_settings swaps them)

    def __init__(self, cache: Cache, runner: TaskRunner, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(cache, runner, parent)
        self.settings = settings
        self.assignees: list[str] = []
        self.buttons: dict[str, QPushButton] = {}
        self._assignees = LatestRequest(runner)

    def build(self) -> None:
        self.model = TicketTableModel(WindowSource(self.engine, view.SPEC), self.runner, self.settings, self)
        self.detail = DetailPanel(
            self.runner, lambda key: view.load_ticket(self.engine, key), self._render,
            placeholder="Select a ticket to see its details and history",
            key_table="tickets", tables=view.DETAIL_TABLES,
        )
        self.detail.loaded.connect(lambda _detail: self.update_actions())
        self.action_bar = ActionBar(READ_ONLY_NOTE)
        for mode, label in ACTIONS:
            self.buttons[mode] = self.action_bar.add(label, _ACTION_TIPS[mode], partial(self.act, mode))
        self.action_bar.finish()
        self.action_status = self.action_bar.status
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.action_bar)
        side_layout.addWidget(self.detail, 1)
        self.split = MasterDetail(
            self.model, self.detail, runner=self.runner, state_key="panes/tickets",
            noun="tickets", filters=FILTERS, search_placeholder="Search subject, message, people, category… (Ctrl+F)",
            side=side, empty="No tickets in the cache yet — File ▸ Sync now",
            no_match="No tickets match this search and filter — try “All” or clear the search",
            sizes=(820, 440),
        )
        self.table = self.split.table
        self.table.add_context_buttons(*self.buttons.values())
        self.table.current_changed.connect(lambda _key: self.action_bar.clear())  # its news was about another row
        self.body.addWidget(self.split, 1)
        QShortcut(QKeySequence("Ctrl+R"), self).activated.connect(lambda: self.act("reply"))
        self._load_assignees()
        self.update_actions()

    # -- Pane hooks

    def changes_landed(self, changes: Changes) -> None:
        self.split.apply_changes(changes)
        if changes.touches(view.SPEC.tables):
            self._load_assignees()

    def save_state(self) -> None:
        self.split.save_state()

    # -- actions

    def _selected(self) -> domain.TicketDetail | None:
        """The current ticket's detail, only once it is the detail of the key the table remembers."""
        detail = self.detail.current
        key = self.table.current_key()
        return detail if detail is not None and key is not None and detail.ticket["id"] == key else None

    def act(self, mode: str) -> None:
        """Ask for the action's details, then write it (event + outbox) on the writer thread."""
        detail = self._selected()
        if self.read_only or detail is None or not self.buttons[mode].isEnabled():
            return
        action = ticket_action.ask(mode, detail, self.assignees, self)
        if action is None:
            return
        self.action_bar.say("Saving…")
        self.runner.run(
            domain.record_event, self.engine, detail.ticket["id"], action.kind, body=action.body, data=action.data,
            writes=True, on_failure=lambda exc: self.action_bar.fail(f"Could not save to the local cache: {exc}"),
            on_success=lambda _changes: self.action_bar.say("Saved — waiting to send; it goes out with the next sync."),
        )

    def update_actions(self) -> None:
        detail = self._selected()
        for mode, button in self.buttons.items():
            enabled, tip = detail is not None and not self.read_only, _ACTION_TIPS[mode]
            if mode == "escalate" and detail is not None and detail.ticket["tier"] >= domain.TOP_TIER:
                enabled, tip = False, "Already at the top support tier"
            button.setEnabled(enabled)
            button.setToolTip(tip)
        self.action_bar.set_read_only(self.read_only)

    def _load_assignees(self) -> None:
        self._assignees.run(view.load_assignees, self.engine, on_success=self._set_assignees)

    def _set_assignees(self, names: list[str]) -> None:
        self.assignees = names

    # -- detail rendering

    def _render(self, detail: domain.TicketDetail) -> DetailView:
        t = detail.ticket
        now = utcnow()
        customer = detail.customer_name or t.get("customer_id") or "not in the cache"
        if detail.customer_plan:
            customer += f" · {detail.customer_plan}"
        if detail.customer_mrr_cents is not None:
            customer += f" · MRR {fmt.cents(detail.customer_mrr_cents)}"
        entries = [
            LogEntry(_event_heading(e), e.get("body") or "", "waiting to send" if e.get("pending") else "")
            for e in detail.events
        ]
        opener = t.get("requester_email") or "requester"
        entries.append(LogEntry(f"{fmt.when(t['created_at'])} · {opener} · opened the ticket", t.get("body") or ""))
        sla_state = sla.describe(t.get("sla_due_at"), t["status"], now, self.settings.business_hours)
        return DetailView(
            title=f"#{t['id']} · {t['subject']}",
            fields=(
                ("Status", f"{t['status']}  ·  priority {t['priority']}  ·  tier {t['tier']}"
                 + ("  ·  escalated" if t.get("escalated") else "")),
                ("Assignee", t.get("assignee") or "unassigned"),
                ("Requester", t.get("requester_email") or ""),
                ("Customer", customer),
                ("Category", t.get("category") or ""),
                ("Created", fmt.when(t["created_at"])),
                ("First response", fmt.when(t.get("first_response_at")) or "not yet"),
                ("SLA due", f"{fmt.when(t.get('sla_due_at'))}  —  {sla_state}"),
                ("Updated", fmt.when(t["updated_at"])),
            ),
            tooltips={"Customer": "Name, plan and monthly recurring revenue from the billing cache"},
            sections=(LogSection("History (newest first)", entries),),
        )
