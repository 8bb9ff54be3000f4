"""The right-click menus of a big table: on rows (copy, export, open, the pane's own actions) and on the header.

Built fresh each time they open, from the table's state then: how many rows
are selected, which columns are visible, which of the pane's buttons the role
and the selection enable.  A pane's own actions are its buttons, mirrored
(text, tooltip, enabled state, click), so a menu item can never do what the
button beside it would refuse.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractButton, QHeaderView, QMenu, QWidget

from app.store.windows import Column


def mirror(menu: QMenu, button: QAbstractButton) -> QAction | None:
    """An item that does what ``button`` does, in its state now; None for a button the pane hides."""
    if button.isHidden():
        return None
    action = menu.addAction(button.text())
    action.setToolTip(button.toolTip())
    action.setEnabled(button.isEnabled())
    action.triggered.connect(lambda _checked=False: button.click())
    return action


def add_item(
    menu: QMenu, text: str, slot: Callable[[], object], *, enabled: bool = True, shortcut: str = ""
) -> QAction:
    action = menu.addAction(text)
    action.setEnabled(enabled)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))  # shown beside the item; the table handles the key
    action.triggered.connect(lambda _checked=False: slot())
    return action


def row_menu(
    parent: QWidget,
    *,
    selected: int,
    copy: Callable[[], object],
    copy_cell: Callable[[], object] | None,
    export: Callable[[], object],
    open_detail: Callable[[], object] | None,
    buttons: Sequence[QAbstractButton],
) -> QMenu:
    """The menu of the row(s) under the mouse; ``selected`` is how many rows a copy takes."""
    menu = QMenu(parent)
    menu.setObjectName("rowMenu")
    noun = "row" if selected == 1 else f"{selected:,} rows"
    add_item(menu, f"Copy {noun}", copy, enabled=selected > 0, shortcut="Ctrl+C")
    if copy_cell is not None:
        add_item(menu, "Copy cell", copy_cell)
    add_item(menu, "Export CSV…", export)
    if open_detail is not None:
        menu.addSeparator()
        add_item(menu, "Open detail", open_detail, enabled=selected > 0, shortcut="Return")
    shown = [b for b in buttons if not b.isHidden()]
    if shown:
        menu.addSeparator()
        for button in shown:
            mirror(menu, button)
    return menu


def header_menu(
    parent: QWidget,
    header: QHeaderView,
    columns: Sequence[Column],
    reset: Callable[[], object],
) -> QMenu:
    """Show or hide each column (the last visible one cannot go), and put every column back as it came."""
    menu = QMenu(parent)
    menu.setObjectName("headerMenu")
    visible = [i for i in range(len(columns)) if not header.isSectionHidden(i)]
    for logical in sorted(range(len(columns)), key=header.visualIndex):
        column = columns[logical]
        action = menu.addAction(column.title)
        action.setCheckable(True)
        action.setChecked(logical in visible)
        action.setEnabled(not (logical in visible and len(visible) == 1))
        action.toggled.connect(lambda on, i=logical: header.setSectionHidden(i, not on))
    menu.addSeparator()
    add_item(menu, "Reset columns", reset)
    return menu
