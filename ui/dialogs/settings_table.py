"""The settings dialog's editor for a list of tables (budgets per service, the planning tables).

One row per table, one column per key, headed by the key and its help; rows
are added and removed with the buttons under it.  Values are read back as the
type of the key's default, and a cell that is not a number is passed on as
text, so the settings' own validation names the key that is wrong.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QHBoxLayout,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.action_bar import button


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


class TablesEditor(QWidget):
    """Edits a tuple of ``item`` dataclasses as a table."""

    def __init__(self, values: tuple[Any, ...], item: type, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fields = dataclasses.fields(item)
        self._defaults = item()
        self.table = QTableWidget(0, len(self._fields))
        for column, field in enumerate(self._fields):
            header = QTableWidgetItem(_label(field.name))
            header.setToolTip(field.metadata.get("help", ""))
            self.table.setHorizontalHeaderItem(column, header)
        # Each column as wide as its title and values, the table as wide as its columns (the dialog opens to
        # fit its widest page): stretched into the page's width, six columns of probes read "ted s", "eywo".
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        self.table.verticalHeader().hide()
        self.table.setMinimumHeight(120)
        for value in values:
            self.add_row(value)
        buttons = QHBoxLayout()
        buttons.addWidget(button("Add row", "Add a row at the end", lambda: self.add_row(self._defaults)))
        buttons.addWidget(button("Remove row", "Remove the selected row", self.remove_row))
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    def add_row(self, value: Any) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for column, field in enumerate(self._fields):
            self.table.setItem(row, column, QTableWidgetItem(str(getattr(value, field.name))))

    def remove_row(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)

    def values(self) -> list[dict[str, Any]]:
        """Each row as a table of the settings file (numbers where the key's default is one)."""
        rows = []
        for row in range(self.table.rowCount()):
            values: dict[str, Any] = {}
            for column, field in enumerate(self._fields):
                cell = self.table.item(row, column)
                values[field.name] = typed(cell.text().strip() if cell else "", getattr(self._defaults, field.name))
            rows.append(values)
        return rows


def typed(text: str, default: Any) -> Any:
    """``text`` as the default's type when it reads as one; as text otherwise (validation names it)."""
    if isinstance(default, bool) or not isinstance(default, (int, float)):
        return text
    try:
        return type(default)(float(text)) if isinstance(default, float) else int(text)
    except ValueError:
        return text
