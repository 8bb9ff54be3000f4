"""The cohort heat map: one row per month of first payment, one column per month since, shaded by retention.

Customer retention or net MRR retention (a choice above the table); the
deeper the shade, the more of the cohort remains.  The shade is blended into
the view's own base colour and the text turns dark or light with it, so the
map reads on light and dark themes.  24 rows × 24 columns at most: a plain
table widget, filled at once.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.revenue.cohorts import Cohorts
from ui import formatting as fmt
from ui.widgets.palette import SERIES, ink_on

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_CENTER = Qt.AlignmentFlag.AlignCenter
_SHADE = QColor(SERIES[0])
FIXED = ("Cohort", "Customers", "MRR")


def shade(base: QColor, ratio: float) -> QColor:
    """``base`` blended towards the heat colour by ``ratio`` (0–1)."""
    r = max(0.0, min(1.0, ratio)) * 0.85
    return QColor(round(base.red() + (_SHADE.red() - base.red()) * r),
                  round(base.green() + (_SHADE.green() - base.green()) * r),
                  round(base.blue() + (_SHADE.blue() - base.blue()) * r))


class CohortView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.customers_mode = QRadioButton("Customers retained")
        self.mrr_mode = QRadioButton("Net MRR retained")
        self.customers_mode.setChecked(True)
        group = QButtonGroup(self)
        for button in (self.customers_mode, self.mrr_mode):
            group.addButton(button)
            button.toggled.connect(lambda _on: self._fill())
        self.customers_mode.setToolTip("Share of the cohort's customers active at the end of each month since "
                                       "their first payment (those who came back count again)")
        self.mrr_mode.setToolTip("The cohort's MRR at the end of each month since, over the MRR it started with: "
                                 "expansion and reactivation add, contraction and churn take away")
        explain = QLabel("Rows: customers by month of first payment · columns: months since · "
                         "shade: share retained")
        explain.setProperty("muted", True)
        top = QHBoxLayout()
        top.addWidget(self.customers_mode)
        top.addWidget(self.mrr_mode)
        top.addStretch(1)
        top.addWidget(explain)
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(30)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        vertical = self.table.verticalHeader()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(vertical.minimumSectionSize() + 2)
        self.empty = QLabel("No cohort yet: no customer has paid in the months shown")
        self.empty.setAlignment(_CENTER)
        self.empty.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        self._cohorts: Cohorts | None = None
        self._currency = "USD"

    def set_cohorts(self, cohorts: Cohorts, currency: str) -> None:
        self._cohorts, self._currency = cohorts, currency
        self._fill()

    def _fill(self) -> None:
        cohorts = self._cohorts
        rows = [r for r in cohorts.rows if r.customers] if cohorts else []
        self.table.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        if not cohorts or not rows:
            return
        by_mrr = self.mrr_mode.isChecked()
        span = cohorts.span
        self.table.clear()
        self.table.setColumnCount(len(FIXED) + span)
        self.table.setHorizontalHeaderLabels([*FIXED, *(str(k) for k in range(span))])
        for k in range(span):
            header = self.table.horizontalHeaderItem(len(FIXED) + k)
            if header is not None:
                header.setToolTip(f"{k} month{'s' if k != 1 else ''} after the cohort's month")
        self.table.setRowCount(len(rows))
        base = self.table.palette().color(QPalette.ColorRole.Base)
        for r, row in enumerate(reversed(rows)):  # newest cohort first, where the eye starts
            self._put(r, 0, fmt.month_name(row.month))
            self._put(r, 1, f"{row.customers:,}", _RIGHT)
            self._put(r, 2, fmt.money(row.mrr, self._currency), _RIGHT)
            values = row.mrr_retention_pct if by_mrr else row.customer_retention_pct
            for k, value in enumerate(values):
                if value is None:
                    continue
                item = self._put(r, len(FIXED) + k, f"{value:.0f}", _CENTER)
                background = shade(base, value / 100)
                item.setBackground(QBrush(background))
                item.setForeground(QBrush(ink_on(background)))
                item.setToolTip(f"{fmt.month_name(row.month)} cohort, {k} months on: {value:.1f} % "
                                f"{'of its starting MRR' if by_mrr else 'of its customers'}")

    def _put(self, row: int, column: int, text: str,
             align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter) -> QTableWidgetItem:
        item = QTableWidgetItem(text)
        item.setTextAlignment(align)
        self.table.setItem(row, column, item)
        return item
