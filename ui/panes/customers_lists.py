"""The revenue screen's lists: customers behind a figure, customers at risk, and the reconciliation.

Each is a few hundred rows at most, computed on a worker and shown whole
(``SummaryTable``): amounts right-aligned with their currency, statuses in
words, and each row keyed by its customer so a double-click (or Enter) opens
that customer (``customer_chosen``).  An empty list says why it is empty.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QHeaderView, QLabel, QVBoxLayout, QWidget

from app.domain.revenue.drill import DrillRow
from app.domain.revenue.reconciliation import BAD_INPUT, Reconciliation
from app.domain.revenue.risk import AtRisk
from ui import formatting as fmt
from ui.widgets.palette import AMBER, GREEN, RED
from ui.widgets.summary_table import KEY_ROLE, Cell, SummaryTable

GAINS = ("new", "expansion", "reactivation", "trial converted")
NAME_WIDTH = 180
DRILL_COLUMNS = (
    ("Customer", "Double-click to open the customer: subscriptions, invoices and history"),
    ("When", "When the change took effect (changes within an hour are one movement)"),
    ("Movement", "New business, expansion, contraction, churn or reactivation; for trials, their outcome"),
    ("MRR before", "The customer's MRR just before, in their currency"),
    ("MRR after", "The customer's MRR just after, in their currency"),
    ("Change", "After − before, in the reporting currency at that day's rate"),
)
RISK_COLUMNS = (
    ("Customer", "Double-click to open the customer"),
    ("MRR", "The customer's MRR now, in the reporting currency (their own when it has no rate)"),
    ("Signals", "Why the customer is at risk"),
    ("Since", "When the oldest signal started: the start of this risk episode"),
    ("Details", "What each signal saw"),
)
RECONCILIATION_COLUMNS = (
    ("Customer", "Double-click to open the customer"),
    ("Subscription", "The Stripe subscription"),
    ("Status", "The subscription's status"),
    ("MRR", "MRR by the rule, in the subscription's currency"),
    ("Invoice implies", "The latest paid subscription invoice's total ÷ the months of the period it billed"),
    ("Difference", "MRR − what the invoice implies"),
    ("Reason", "What differs, or the input the rule cannot use"),
)


class CustomerList(QWidget):
    """A caption, a table of rows keyed by customer, and a message when there is none."""

    customer_chosen = Signal(str)

    def __init__(self, columns: Sequence[tuple[str, str]], numeric: frozenset[int], empty: str,
                 parent: QWidget | None = None, *, names_stretch: bool = False) -> None:
        """``names_stretch``: the names take the width the figures leave (a list of short figures only).

        Otherwise names have a fixed width and the last column the rest.  The
        movements list's fixed names pushed its last figure, the change, out of
        sight at 1280 px; in the reconciliation, stretched names would give way
        entirely to the long reasons.
        """
        super().__init__(parent)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.table = SummaryTable(columns, numeric, selectable=True, fit=False)
        header = self.table.horizontalHeader()
        if names_stretch:  # only short figures beside the names: the names take the width left, elided
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        else:  # the last column (details, reasons) takes the width left
            header.setStretchLastSection(True)
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)  # names give way, elided
            header.resizeSection(0, NAME_WIDTH)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.activated.connect(self._chosen)
        self.table.doubleClicked.connect(self._chosen)
        self.empty = QLabel(empty)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setProperty("muted", True)
        self.empty.setContentsMargins(24, 24, 24, 24)
        self.empty.setWordWrap(True)
        self._empty_text = empty
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        self.empty.hide()

    def set_rows(self, caption: str, rows: Sequence[Sequence[Cell]], keys: Sequence[Hashable],
                 empty: str | None = None) -> None:
        self.caption.setText(caption)
        self.table.set_rows(rows, keys)
        self.table.setVisible(bool(rows))
        self.empty.setText(empty or self._empty_text)
        self.empty.setVisible(not rows)

    def _chosen(self, index: QModelIndex) -> None:
        key = index.data(KEY_ROLE) if index.isValid() else None
        if isinstance(key, str):
            self.customer_chosen.emit(key)


def drill_rows(rows: Sequence[DrillRow], currency: str) -> list[list[Cell]]:
    cells = []
    for r in rows:
        gain = r.what in GAINS
        change = None if r.after_reporting is None or r.before_reporting is None else (
            r.after_reporting - r.before_reporting)
        amount = fmt.money(change, currency) if change is not None else f"{fmt.money(r.after - r.before, r.currency)}"
        cells.append([
            Cell(r.name, tip=r.customer_id),
            Cell(fmt.local_day(r.at), tip=fmt.when(r.at)),
            Cell(fmt.words(r.what), GREEN if gain else RED if r.what in ("churn", "contraction") else None),
            Cell(fmt.money(r.before, r.currency)),
            Cell(fmt.money(r.after, r.currency)),
            Cell(("+" if change is not None and change > 0 else "") + amount,
                 tip="" if change is not None else f"no rate from {r.currency} to {currency}: in {r.currency}"),
        ])
    return cells


def risk_rows(customers: Sequence[AtRisk], currency: str) -> list[list[Cell]]:
    cells = []
    for c in customers:
        mrr = fmt.money(c.mrr, currency) if c.mrr is not None else fmt.money(c.mrr_native, c.currency)
        signals = ", ".join(s.name for s in c.signals)
        detail = "\n".join(f"{s.name} since {fmt.local_day(s.since)}: {s.detail}" for s in c.signals)
        cells.append([
            Cell(c.name, tip=c.customer_id),
            Cell(mrr, tip="" if c.mrr is not None else f"no rate for {c.currency}: in {c.currency}"),
            Cell(signals, RED if any(s.name in ("Past due", "Payment failed") for s in c.signals) else AMBER,
                 tip=detail),
            Cell(fmt.local_day(c.since)),
            Cell("; ".join(s.detail for s in c.signals), tip=detail),
        ])
    return cells


def reconciliation_rows(rec: Reconciliation) -> list[list[Cell]]:
    cells = []
    for f in rec.findings:
        bad = f.kind == BAD_INPUT
        cells.append([
            Cell(f.customer, tip=f.customer_id),
            Cell(f.subscription_id),
            Cell(fmt.words(f.status)),
            Cell(fmt.money(f.mrr, f.currency) if f.mrr is not None else fmt.MISSING),
            Cell(fmt.money(f.implied, f.currency) if f.implied is not None else fmt.MISSING,
                 tip=f"invoice {f.invoice}" if f.invoice else ""),
            Cell(fmt.money(f.difference, f.currency) if f.difference is not None else fmt.MISSING),
            Cell(("Bad input: " if bad else "") + f.reason, RED if bad else AMBER, tip=f.reason),
        ])
    return cells
