"""The Tickets tab: the queue by SLA urgency, who holds what, the support KPIs, and acting on tickets.

The table is a window over ``tickets`` sorted by the next SLA target the
console computed (``app.views.tickets``); its SLA cell counts down live
("due in 1 h 12 m", "paused · 3 h left", "breached 2 h ago") and takes its
colour from the state column, which the views' filters share, so "about to
breach" means the same amber and the same rows everywhere.  A minute's timer
re-reads the visible rows so states move with time while the tab is open.

Actions write pending events and their outbox entries in one transaction on
the writer thread (``app.domain.tickets``), so they work offline; the change
bus shows them at once as "waiting to send", clocks already moved.  Opening
the window and saving settings hand the SLA settings to the cache; when the
rules in force change, every open ticket is re-evaluated in the background
with progress shown in the action bar.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from app.clock import utcnow
from app.config.settings import Settings
from app.domain import macros
from app.domain import tickets as domain
from app.domain.sla import kpis, queue
from app.store.changes import Changes
from app.store.database import Cache
from app.store.windows import WindowSource
from app.tasks import Progress
from app.views import tickets as view
from ui import formatting as fmt
from ui.dialogs import ticket_action
from ui.failures import could_not
from ui.models.sql_table import SqlTableModel
from ui.panes.base import Pane
from ui.panes.tickets_kpis import TicketKpis
from ui.widgets.action_bar import ActionBar
from ui.widgets.detail_panel import DetailPanel, DetailView, LogEntry, LogSection
from ui.widgets.master_detail import MasterDetail
from ui.widgets.palette import AMBER, GREEN, GREY, RED, brush
from ui.workers import LatestRequest, TaskRunner

READ_ONLY_NOTE = "Read-only: your role can view tickets but not change them."
ACTIONS = (("reply", "Reply…"), ("status", "Status…"), ("priority", "Priority…"), ("assign", "Assign…"),
           ("escalate", "Escalate…"))
_ACTION_TIPS = {
    "reply": "Reply with your own words or a template, and set the status in the same step (Ctrl+R)",
    "status": "Set the ticket's status (pending and on hold pause the SLA clocks)",
    "priority": "Change the priority; the SLA targets follow it",
    "assign": "Give the ticket to someone (or nobody)",
    "escalate": "Hand over to the next support tier with the facts it needs",
}
FILTERS = (
    ("Open", ("open",)),
    ("Mine (assigned to me)", ("mine",)),
    ("Breached", ("breached",)),
    ("About to breach", ("about_to_breach",)),
    ("Paused (waiting on the customer)", ("paused",)),
    ("Unassigned", ("unassigned",)),
    ("Tier 1", ("tier_1",)),
    ("Tier 2", ("tier_2",)),
    ("Tier 3", ("tier_3",)),
    ("Escalated", ("escalated",)),
    ("All", ()),
)
STATE_COLORS = {queue.BREACHED: RED, queue.ABOUT_TO_BREACH: AMBER, queue.ON_TRACK: GREEN, queue.PAUSED: GREY,
                queue.NO_CLOCK: GREY}
STATE_WORDS = {queue.BREACHED: "Breached", queue.ABOUT_TO_BREACH: "About to breach", queue.ON_TRACK: "On track",
               queue.PAUSED: "Paused", queue.NO_CLOCK: fmt.MISSING}
_WORDED = frozenset({"sla_metric", "status", "priority"})
LIVE_MS = 60_000  # states and countdowns move with time: re-read the rows in view once a minute


class TicketTableModel(SqlTableModel):
    """The queue: a live countdown in the SLA cell, states and codes in words, colours by SLA state."""

    cell_roles = (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole)

    def display_text(self, row: tuple[Any, ...], column: int) -> str:
        """The countdown as of when the row was shown (the minute's refresh moves it), states in words."""
        key = self.spec.columns[column].key
        if key == "sla":
            state, rank = self.value(row, "sla_state"), self.value(row, "sla")
            return fmt.countdown(state, queue.seconds_to_due(rank, utcnow()), queue.paused_left(rank))
        if key == "sla_state":
            return STATE_WORDS.get(self.value(row, "sla_state"), "")
        if key in _WORDED:
            return fmt.words(self.value(row, key))
        return super().display_text(row, column)

    def cell_role(self, column_key: str, row: tuple[Any, ...], role: int) -> Any:
        if column_key not in ("sla", "sla_state"):
            return None
        state = self.value(row, "sla_state")
        if role == Qt.ItemDataRole.ForegroundRole:
            return brush(STATE_COLORS.get(state))
        if role == Qt.ItemDataRole.ToolTipRole:
            rank = self.value(row, "sla")
            if state == queue.PAUSED:
                return "Paused while the ticket waits on the customer; business time left when it resumes"
            return f"Due {fmt.when(rank)} (local time)" if rank is not None else "No SLA clock runs"
        return None


def _event_heading(event: dict[str, Any]) -> str:
    data = event.get("data_json") or {}
    change = {
        "status": f"status → {fmt.words(data.get('status'))}",
        "assignee": f"assigned to {data.get('assignee') or 'nobody'}",
        "priority": f"priority → {fmt.words(data.get('priority'))}",
        "escalation": f"escalated to tier {data.get('tier', '?')}",
        "note": "internal note",
        "reply": "reply from the requester" if event.get("author_role") == "customer" else "reply",
    }.get(event["kind"], event["kind"])
    return f"{fmt.when(event['created_at'])} · {event.get('author') or 'unknown'} · {change}"


def _clock_line(clock: dict[str, Any]) -> tuple[str, str]:
    """One SLA clock for the detail: its name and where it stands."""
    name = fmt.words(clock["metric"]) + (f" #{clock['seq'] + 1}" if clock["metric"] == "next_reply" else "")
    target = f"{fmt.duration(clock['target_s'])} target ({clock['policy']})"
    if clock["fulfilled_at"] is not None:
        late = clock["due_at"] is not None and clock["fulfilled_at"] > clock["due_at"]
        took = fmt.business_time(clock["elapsed_s"] or 0)
        verdict = "missed" if late else "met"
        return name, f"{verdict} {fmt.when(clock['fulfilled_at'])} ({took} of business time) · {target}"
    if clock["paused"]:
        return name, f"paused · {fmt.duration(max(0, clock['target_s'] - (clock['elapsed_s'] or 0)))} left · {target}"
    seconds = queue.seconds_to_due(clock["due_at"], utcnow())
    return name, f"{fmt.countdown(queue.ON_TRACK, seconds, None)} ({fmt.when(clock['due_at'])}) · {target}"


class TicketsPane(Pane):
    """Tickets by SLA urgency, the support KPIs, one ticket's story, and the actions support takes."""

    pane_id = "tickets"
    title = "Tickets"
    resources = ("ops:tickets", "ops:ticket_events", "ops:sla-policies")
    tables = view.SPEC.tables | view.DETAIL_TABLES | view.KPI_TABLES
    settings: Settings  # never None here: this pane uses the typed settings (Pane.apply_settings swaps them)

    def __init__(self, cache: Cache, runner: TaskRunner, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(cache, runner, parent)
        self.settings = settings
        self.assignees: list[str] = []
        self.buttons: dict[str, QPushButton] = {}
        self._assignees = LatestRequest(runner)
        self._figures = LatestRequest(runner)
        self.reevaluation: Progress | None = None
        self.live = QTimer(self, interval=LIVE_MS)  # runs while the tab is shown (showEvent, hideEvent)
        self.live.setObjectName("tickets-live")
        self.live.timeout.connect(self._tick)
        self._adopt(settings)

    def build(self) -> None:
        self.model = TicketTableModel(WindowSource(self.engine, view.SPEC), self.runner, self)
        self.kpis = TicketKpis()
        self.detail = DetailPanel(
            self.runner, lambda key: view.load_ticket(self.engine, key), self._render,
            placeholder="Select a ticket to see its SLA clocks, details and history",
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
            no_match="No tickets match this search and view — try “All” or clear the search",
            sizes=(840, 440),
        )
        self.table = self.split.table
        self.table.add_context_buttons(*self.buttons.values())
        self.table.current_changed.connect(lambda _key: self.action_bar.clear())  # its news was about another row
        self.body.addWidget(self.kpis)
        self.body.addWidget(self.split, 1)
        QShortcut(QKeySequence("Ctrl+R"), self).activated.connect(lambda: self.act("reply"))
        self._load_assignees()
        self._load_figures()
        self.update_actions()
        if self.reevaluation is not None:
            self._show_progress(self.reevaluation)

    # -- Pane hooks

    def changes_landed(self, changes: Changes) -> None:
        self.split.apply_changes(changes)
        if changes.touches(view.SPEC.tables):
            self._load_assignees()
        if changes.touches(view.KPI_TABLES):
            self._load_figures()

    def save_state(self) -> None:
        self.split.save_state()

    def showEvent(self, event: QShowEvent) -> None:  # Qt override
        super().showEvent(event)  # builds the pane on first show
        self.live.start()

    def hideEvent(self, event: QHideEvent) -> None:  # Qt override
        self.live.stop()  # a hidden tab does not re-read anything; it catches up when shown
        super().hideEvent(event)

    def apply_settings(self, settings: Settings) -> None:
        changed = settings.sla != self.settings.sla
        super().apply_settings(settings)
        if changed:
            self._adopt(settings)

    # -- time and the rules in force

    def _tick(self) -> None:
        """A minute passed: states, countdowns and the KPIs move with time (the timer runs while shown)."""
        self.model.refresh()
        self._load_figures()

    def _adopt(self, settings: Settings) -> None:
        """Hand the SLA settings to the cache; re-evaluates the open tickets if the rules in force changed."""
        self.runner.run(
            view.adopt_settings, self.engine, settings.sla, writes=True, on_progress=self._show_progress,
            on_success=lambda _changes: self._reevaluated(),
            on_failure=lambda exc: self._reevaluated(could_not("re-evaluate the SLA clocks", exc)),
        )

    def _show_progress(self, progress: Progress) -> None:
        self.reevaluation = progress
        if self.built and progress.total:
            self.action_bar.say(f"{progress.label}: {progress.done:,} of {progress.total:,} open tickets…")

    def _reevaluated(self, problem: str | None = None) -> None:
        done, self.reevaluation = self.reevaluation, None
        if not self.built:
            return
        if problem:
            self.action_bar.fail(problem)
        elif done is not None and done.total:
            self.action_bar.say(f"SLA clocks of {done.total:,} open tickets follow the new rules.")

    # -- actions

    def _selected(self) -> domain.TicketDetail | None:
        """The current ticket's detail, only once it is the detail of the key the table remembers."""
        detail = self.detail.current
        key = self.table.current_key()
        return detail if detail is not None and key is not None and detail.ticket["id"] == key else None

    def act(self, mode: str) -> None:
        """Ask for the action's details, then write it (events + outbox) on the writer thread."""
        detail = self._selected()
        if self.read_only or detail is None or not self.buttons[mode].isEnabled():
            return
        actions = ticket_action.ask(mode, detail, self.assignees, self,
                                    macros=macros.available(self.settings.tickets), agent=detail.agent)
        if not actions:
            return
        self.action_bar.say("Saving…")
        self.runner.run(
            domain.record_actions, self.engine, detail.ticket["id"], actions,
            writes=True, on_failure=self.action_bar.failed_to_save,
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

    def _load_figures(self) -> None:
        self._figures.run(
            view.load_support_figures, self.engine, self.settings, on_success=self._show_figures,
            on_failure=lambda exc: self.kpis.set_unavailable(could_not("compute the support KPIs", exc)),
        )

    def _show_figures(self, figures: kpis.SupportFigures) -> None:
        self.kpis.set_figures(figures)

    # -- detail rendering

    def _render(self, detail: domain.TicketDetail) -> DetailView:
        t = detail.ticket
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
        clocks = tuple(_clock_line(c) for c in detail.clocks)
        rating = detail.rating
        fields = (
            ("Status", f"{fmt.words(t['status'])}  ·  priority {fmt.words(t['priority'])}  ·  tier {t['tier']}"
             + ("  ·  escalated" if t.get("escalated") else "")),
            ("SLA policy", t.get("sla_policy") or "none covers this ticket"),
            *clocks,
            ("Assignee", t.get("assignee") or "unassigned"),
            ("Requester", t.get("requester_email") or ""),
            ("Customer", customer),
            ("Category", t.get("category") or ""),
            ("Created", fmt.when(t["created_at"])),
            ("Updated", fmt.when(t["updated_at"])),
            *((("Rating", f"{rating['score']} / 5" + (f" — “{rating['comment']}”" if rating.get("comment") else "")),)
              if rating else ()),
        )
        return DetailView(
            title=f"#{t['id']} · {t['subject']}",
            fields=fields,
            tooltips={"Customer": "Name, plan and monthly recurring revenue from the billing cache",
                      "SLA policy": "The first policy whose conditions the ticket meets (Settings ▸ SLA, or the "
                                    "Ops API's); targets count in its business calendar"},
            sections=(LogSection("History (newest first)", entries),),
        )
