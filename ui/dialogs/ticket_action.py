"""The form behind each ticket action: Reply…, Change status…, Change priority…, Assign…, Escalate….

One dialog with five faces, because the actions share everything but their
fields: the ticket they act on, validation before OK, and the result -- the
events (``app.domain.tickets.Action``) written in one transaction.  The reply
face offers the reply templates (macros, placeholders filled for this ticket)
and a status to set with the reply, so "answer and wait on the customer" is
one step.  The escalation face carries what the next tier asks first: a
summary, what was tried, the impact, and the customer's plan and MRR.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from app.domain import macros as templates
from app.domain import tickets as domain
from ui import formatting as fmt
from ui.dialogs.form_dialog import FormDialog

UNASSIGNED = "(nobody)"
KEEP_STATUS = "(keep as it is)"
NO_MACRO = "(write my own)"

Actions = list[domain.Action]


class TicketActionDialog(FormDialog[Actions]):
    """``mode`` is reply | status | priority | assign | escalate."""

    def __init__(
        self,
        mode: str,
        detail: domain.TicketDetail,
        assignees: Sequence[str],
        parent: QWidget | None = None,
        *,
        macros: Sequence[templates.Macro] = templates.STANDARD,
        agent: str | None = None,
    ) -> None:
        ticket = detail.ticket
        super().__init__(
            f"{_TITLES[mode]} — ticket #{ticket['id']}", f"<b>#{ticket['id']}</b> {html.escape(ticket['subject'])}",
            _OK_LABELS[mode], parent, min_width=560,
        )
        self.mode, self.detail = mode, detail
        self.macros = list(macros)
        self._values = templates.placeholders(ticket, detail.customer_name, detail.customer_plan, agent)

        self.text = QPlainTextEdit()
        self.note = QCheckBox("Internal note (not sent to the requester)")
        self.choice = QComboBox()
        self.macro = QComboBox()
        self.then_status = QComboBox()
        self.steps = QPlainTextEdit()
        self.impact = QLineEdit()
        if mode == "reply":
            self._reply_fields(ticket["status"])
        elif mode == "status":
            self._choices(domain.STATUSES, ticket["status"], "New status")
        elif mode == "priority":
            self._choices(domain.PRIORITIES, ticket["priority"], "New priority")
            self.form.addRow("", QLabel("The SLA targets follow the new priority from the ticket's start."))
        elif mode == "assign":
            self.choice.setEditable(True)
            self.choice.addItems([UNASSIGNED, *assignees])
            self.choice.setCurrentText(ticket.get("assignee") or UNASSIGNED)
            self.form.addRow("Assign to", self.choice)
        elif mode == "escalate":
            self._escalation_fields(detail)

    def _choices(self, codes: Sequence[str], current: str, label: str) -> None:
        for code in codes:
            self.choice.addItem(fmt.words(code), code)
        self.choice.setCurrentIndex(list(codes).index(current) if current in codes else 0)
        self.form.addRow(label, self.choice)

    def _reply_fields(self, status: str) -> None:
        self.macro.addItem(NO_MACRO, None)
        for macro in self.macros:
            self.macro.addItem(macro.name, macro)
        self.macro.setToolTip("A reply template; its placeholders are filled in for this ticket")
        self.macro.currentIndexChanged.connect(self._apply_macro)
        self.then_status.addItem(KEEP_STATUS, None)
        for code in domain.STATUSES:
            if code != status:
                self.then_status.addItem(fmt.words(code), code)
        self.then_status.setToolTip("Set the status in the same step (pending pauses the SLA clocks)")
        self.text.setPlaceholderText("Write the reply, or pick a template above…")
        self.form.addRow("Template", self.macro)
        self.form.addRow("Message", self.text)
        self.form.addRow("", self.note)
        self.form.addRow("Then set status", self.then_status)

    def _apply_macro(self, _index: int) -> None:
        macro = self.macro.currentData()
        if not isinstance(macro, templates.Macro):
            return
        self.text.setPlainText(templates.fill(macro.body, self._values))
        index = self.then_status.findData(macro.set_status or None)
        self.then_status.setCurrentIndex(max(0, index))

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

    def value(self) -> Actions | None:
        """The events as entered, or None while a required field is empty (``problem`` says which)."""
        text = self.text.toPlainText().strip()
        ticket = self.detail.ticket
        if self.mode == "reply":
            if not text:
                self.refuse("Write a message first.")
                return None
            actions = [domain.Action("note" if self.note.isChecked() else "reply", text)]
            status = self.then_status.currentData()
            if isinstance(status, str):
                actions.append(domain.Action("status", data={"status": status}))
            return actions
        if self.mode == "status":
            return [domain.Action("status", data={"status": self.choice.currentData()})]
        if self.mode == "priority":
            return [domain.Action("priority", data={"priority": self.choice.currentData(),
                                                    "previous": ticket["priority"]})]
        if self.mode == "assign":
            name = self.choice.currentText().strip()
            return [domain.Action("assignee", data={"assignee": None if name in ("", UNASSIGNED) else name})]
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
        return [domain.Action("escalation", body, data)]


_TITLES = {"reply": "Reply", "status": "Change status", "priority": "Change priority", "assign": "Assign",
           "escalate": "Escalate"}
_OK_LABELS = {"reply": "Save reply", "status": "Change status", "priority": "Change priority", "assign": "Assign",
              "escalate": "Escalate"}


def ask(
    mode: str, detail: domain.TicketDetail, assignees: Sequence[str], parent: QWidget | None = None, **options: Any
) -> Actions | None:
    """Show the form modally (``options``: the dialog's macros and agent); the entered events, or None when
    cancelled (tests patch this)."""
    return TicketActionDialog(mode, detail, assignees, parent, **options).ask()
