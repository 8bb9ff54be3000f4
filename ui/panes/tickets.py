"""The Tickets tab: which tickets are about to breach their SLA, who holds them, and acting on them.

The table is a window over ``tickets`` sorted by SLA due time; colours come
from ``app.domain.sla`` in business hours.  Actions write a pending event and
its outbox entry in one transaction on the writer thread (``app.domain.tickets``),
so they work offline and show at once as "waiting to send".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget
from sqlalchemy import DateTime, Engine, and_, bindparam

from app.config.settings import Settings
from app.domain import sla
from app.domain import tickets as domain
from app.store import windows as w
from app.clock import utcnow
from app.store.schema import Ticket
from app.store.windows import TableSpec, WindowSource
from ui.dialogs import ticket_action
from ui.formatting import format_value
from ui.models.sql_table import SqlTableModel
from ui.panes.base import Pane
from ui.widgets.detail_panel import DetailPanel, DetailView, LogEntry, LogSection
from ui.widgets.master_detail import MasterDetail
from ui.widgets.palette import AMBER, GREY, RED, brush
from ui.workers import TaskRunner

T = Ticket.__table__
ABOUT_TO_BREACH = dt.timedelta(hours=4)
# Evaluated each time a query runs, so "breached" means breached now, not when the tab opened.
_NOW = bindparam("sla_now", callable_=utcnow, type_=DateTime)
_SOON = bindparam("sla_soon", callable_=lambda: utcnow() + ABOUT_TO_BREACH, type_=DateTime)
UNSOLVED = T.c.status.not_in(sla.SOLVED_STATUSES)

SPEC = TableSpec(
    name="tickets",
    source=T,
    key=T.c.id,
    columns=(
        w.Column("id", "#", T.c.id, width=52),
        w.Column(
            "sla_due_at", "SLA due", T.c.sla_due_at, w.DATETIME, width=116,
            tooltip="When the resolution SLA runs out (local time). Red: breached and unsolved; "
            "amber: less than one business hour left",
        ),
        w.Column("subject", "Subject", T.c.subject, width=250),
        w.Column("status", "Status", T.c.status, width=66),
        w.Column("priority", "Priority", T.c.priority, width=60),
        w.Column("tier", "Tier", T.c.tier, w.INT, width=36, tooltip="Support tier holding the ticket (1–3)"),
        w.Column("assignee", "Assignee", T.c.assignee, width=110),
        w.Column("requester", "Requester", T.c.requester_email, width=170),
        w.Column("category", "Category", T.c.category, width=90),
        w.Column("updated_at", "Updated", T.c.updated_at, w.DATETIME, width=116),
    ),
    default_sort="sla_due_at",
    fts_table="tickets_fts",
    filters={
        "open": UNSOLVED,
        "about_to_breach": and_(UNSOLVED, T.c.sla_due_at > _NOW, T.c.sla_due_at <= _SOON),
        "breached": and_(UNSOLVED, T.c.sla_due_at <= _NOW),
        "escalated": and_(UNSOLVED, T.c.escalated.is_(True)),
        "unassigned": and_(UNSOLVED, T.c.assignee.is_(None)),
    },
)
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
            state = sla.classify(due, status, utcnow(), self._hours)
            return brush({sla.BREACHED: RED, sla.DUE_SOON: AMBER, sla.NO_SLA: GREY}.get(state))
        if role == Qt.ItemDataRole.ToolTipRole:
            return sla.describe(due, status, utcnow(), self._hours)
        return None


def load_ticket(engine: Engine, ticket_id: int) -> domain.TicketDetail | None:
    with engine.connect() as conn:
        return domain.ticket_detail(conn, ticket_id)


def load_assignees(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return domain.known_assignees(conn)


def _when(value: dt.datetime | None) -> str:
    return format_value(w.DATETIME, value)


def _event_heading(event: dict[str, Any]) -> str:
    data = event.get("data_json") or {}
    change = {
        "status": f"status → {data.get('status')}",
        "assignee": f"assigned to {data.get('assignee') or 'nobody'}",
        "priority": f"priority → {data.get('priority')}",
        "escalation": f"escalated to tier {data.get('tier', '?')}",
        "note": "internal note",
    }.get(event["kind"], event["kind"])
    return f"{_when(event['created_at'])} · {event.get('author') or 'unknown'} · {change}"


class TicketsPane(Pane):
    """Tickets by SLA urgency, one ticket's story, and the four actions support takes."""

    pane_id = "tickets"
    title = "Tickets"
    resources = ("ops:tickets", "ops:ticket_events")

    def __init__(self, engine: Engine, runner: TaskRunner, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(engine, runner, parent)
        self.settings = settings
        self.assignees: list[str] = []
        self.buttons: dict[str, QPushButton] = {}

    def build(self) -> None:
        self.model = TicketTableModel(WindowSource(self.engine, SPEC), self.runner, self.settings, self)
        self.detail = DetailPanel(
            self.runner, lambda key: load_ticket(self.engine, key), self._render,
            placeholder="Select a ticket to see its details and history",
        )
        self.detail.loaded.connect(lambda _detail: self.update_actions())
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.setContentsMargins(8, 0, 0, 0)
        for mode, label in ACTIONS:
            button = QPushButton(label)
            button.clicked.connect(lambda _checked=False, m=mode: self.act(m))
            self.buttons[mode] = button
            bar.addWidget(button)
        bar.addStretch(1)
        self.action_status = QLabel()
        self.action_status.setWordWrap(True)
        side_layout.addLayout(bar)
        side_layout.addWidget(self.action_status)
        side_layout.addWidget(self.detail, 1)
        self.split = MasterDetail(
            self.model, self.detail, engine=self.engine, runner=self.runner, state_key="panes/tickets",
            noun="tickets", filters=FILTERS, search_placeholder="Search subject, message, people, category… (Ctrl+F)",
            side=side, empty="No tickets in the cache yet — File ▸ Sync now",
            no_match="No tickets match this search and filter — try “All” or clear the search",
            sizes=(820, 440),
        )
        self.table = self.split.table
        self.table.current_changed.connect(lambda _key: self.action_status.clear())  # its news was about another row
        self.body.addWidget(self.split, 1)
        QShortcut(QKeySequence("Ctrl+R"), self, activated=lambda: self.act("reply"))
        self._load_assignees()
        self.update_actions()

    # -- Pane hooks

    def refresh_models(self) -> None:
        self.split.refresh()
        self._load_assignees()

    def save_state(self) -> None:
        self.split.save_state()

    # -- actions

    def act(self, mode: str) -> None:
        """Ask for the action's details, then write it (event + outbox) on the writer thread."""
        detail = self.detail.current
        if self.read_only or detail is None or not self.buttons[mode].isEnabled():
            return
        action = ticket_action.ask(mode, detail, self.assignees, self)
        if action is None:
            return
        ticket_id = detail.ticket["id"]
        self.action_status.setText("Saving…")
        self.runner.run(
            domain.record_event, self.engine, ticket_id, action.kind, body=action.body, data=action.data,
            writes=True, on_success=lambda _id: self._saved(), on_failure=self._save_failed,
        )

    def _saved(self) -> None:
        self.action_status.setText("Saved — waiting to send; it goes out with the next sync.")
        self.refresh()

    def _save_failed(self, exc: BaseException) -> None:
        self.action_status.setText(f"Could not save to the local cache: {exc}")

    def update_actions(self) -> None:
        detail = self.detail.current
        for mode, button in self.buttons.items():
            enabled, tip = detail is not None and not self.read_only, _ACTION_TIPS[mode]
            if mode == "escalate" and detail is not None and detail.ticket["tier"] >= domain.TOP_TIER:
                enabled, tip = False, "Already at the top support tier"
            button.setEnabled(enabled)
            button.setToolTip(tip)
        if self.read_only:
            self.action_status.setText(READ_ONLY_NOTE)
        elif self.action_status.text() == READ_ONLY_NOTE:
            self.action_status.clear()

    def _load_assignees(self) -> None:
        self.runner.run(load_assignees, self.engine, on_success=self._set_assignees)

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
            customer += f" · MRR {format_value(w.CENTS, round(detail.customer_mrr_cents))}"
        entries = [
            LogEntry(_event_heading(e), e.get("body") or "", "waiting to send" if e.get("pending") else "")
            for e in detail.events
        ]
        opener = t.get("requester_email") or "requester"
        entries.append(LogEntry(f"{_when(t['created_at'])} · {opener} · opened the ticket", t.get("body") or ""))
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
                ("Created", _when(t["created_at"])),
                ("First response", _when(t.get("first_response_at")) or "not yet"),
                ("SLA due", f"{_when(t.get('sla_due_at'))}  —  {sla_state}"),
                ("Updated", _when(t["updated_at"])),
            ),
            tooltips={"Customer": "Name, plan and monthly recurring revenue from the billing cache"},
            sections=(LogSection("History (newest first)", entries),),
        )
