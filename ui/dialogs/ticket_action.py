"""The form behind each ticket action: Reply…, Change status…, Assign…, Escalate….

One dialog with four faces, because the actions share everything but their
fields: the ticket they act on, validation before OK, and the result -- a
``TicketAction`` (event kind, body, data) that ``app.domain.tickets`` writes.
The escalation face carries what the next tier asks first: a summary, what
was tried, the impact, and the customer's plan and MRR from the cache.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from app.domain import tickets as domain
from ui import formatting as fmt
from ui.dialogs.form_dialog import FormDialog

UNASSIGNED = "(nobody)"


@dataclass(frozen=True)
class TicketAction:
    kind: str
    body: str | None = None
    data: dict[str, Any] | None = None


class TicketActionDialog(FormDialog[TicketAction]):
    """``mode`` is reply | status | assign | escalate."""

    def __init__(
        self, mode: str, detail: domain.TicketDetail, assignees: Sequence[str], parent: QWidget | None = None
    ) -> None:
        ticket = detail.ticket
        super().__init__(
            f"{_TITLES[mode]} — ticket #{ticket['id']}", f"<b>#{ticket['id']}</b> {html.escape(ticket['subject'])}",
            _OK_LABELS[mode], parent, min_width=520,
        )
        self.mode, self.detail = mode, detail

        self.text = QPlainTextEdit()
        self.note = QCheckBox("Internal note (not sent to the requester)")
        self.choice = QComboBox()
        self.steps = QPlainTextEdit()
        self.impact = QLineEdit()
        if mode == "reply":
            self.text.setPlaceholderText("Write the reply…")
            self.form.addRow("Message", self.text)
            self.form.addRow("", self.note)
        elif mode == "status":
            self.choice.addItems(domain.STATUSES)
            self.choice.setCurrentText(ticket["status"])
            self.form.addRow("New status", self.choice)
        elif mode == "assign":
            self.choice.setEditable(True)
            self.choice.addItems([UNASSIGNED, *assignees])
            self.choice.setCurrentText(ticket.get("assignee") or UNASSIGNED)
            self.form.addRow("Assign to", self.choice)
        elif mode == "escalate":
            self._escalation_fields(detail)

    def _escalation_fields(self, detail: domain.TicketDetail) -> None:
        tier = detail.ticket["tier"]
        mrr = "unknown" if detail.customer_mrr_cents is None else fmt.cents(detail.customer_mrr_cents)
        self.form.addRow("Tier", QLabel(f"{tier} → {domain.next_tier(tier)}"))
        self.form.addRow("Customer", QLabel(f"{detail.customer_name or 'not in the cache'}"))
        self.form.addRow("Plan · MRR", QLabel(f"{detail.customer_plan or 'no subscription'} · {mrr}"))
        self.text.setPlaceholderText("What is wrong, in one or two sentences")
        self.text.setMaximumHeight(80)
        self.steps.setPlaceholderText("What was tried already, and what happened")
        self.steps.setMaximumHeight(80)
        self.impact.setPlaceholderText("Who is affected and how badly (e.g. all 40 seats cannot sign in)")
        self.form.addRow("Summary", self.text)
        self.form.addRow("Steps tried", self.steps)
        self.form.addRow("Impact", self.impact)

    def value(self) -> TicketAction | None:
        """The action as entered, or None while a required field is empty (``problem`` says which)."""
        text = self.text.toPlainText().strip()
        if self.mode == "reply":
            if not text:
                self.refuse("Write a message first.")
                return None
            return TicketAction("note" if self.note.isChecked() else "reply", text)
        if self.mode == "status":
            return TicketAction("status", data={"status": self.choice.currentText()})
        if self.mode == "assign":
            name = self.choice.currentText().strip()
            return TicketAction("assignee", data={"assignee": None if name in ("", UNASSIGNED) else name})
        if not text:
            self.refuse("The next tier needs a summary.")
            return None
        d = self.detail
        tier = domain.next_tier(d.ticket["tier"])
        steps, impact = self.steps.toPlainText().strip(), self.impact.text().strip()
        body = domain.escalation_body(text, steps, impact, d.customer_plan, d.customer_mrr_cents)
        data = {
            "tier": tier, "summary": text, "steps_tried": steps, "impact": impact,
            "customer_plan": d.customer_plan, "customer_mrr_cents": d.customer_mrr_cents,
        }
        return TicketAction("escalation", body, data)



_TITLES = {"reply": "Reply", "status": "Change status", "assign": "Assign", "escalate": "Escalate"}
_OK_LABELS = {"reply": "Save reply", "status": "Change status", "assign": "Assign", "escalate": "Escalate"}


def ask(
    mode: str, detail: domain.TicketDetail, assignees: Sequence[str], parent: QWidget | None = None
) -> TicketAction | None:
    """Show the form modally; the entered action, or None when cancelled (tests patch this)."""
    return TicketActionDialog(mode, detail, assignees, parent).ask()
