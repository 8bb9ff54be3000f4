"""What UI tests call: waiting for the task runner, showing a pane, the Licenses tab's steps.

Plain functions, not fixtures (those are in ``tests/ui/conftest.py``): a test
imports them from here, never from a conftest.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication, QHeaderView, QWidget

from app.licensing.issuing import LicenseRequest
from app.licensing.service import LicenseService
from tests.app.licensing.support import PASSPHRASE
from ui.panes.licenses import LicensesPane
from ui.widgets.rows_view import RowsView
from ui.workers import TaskRunner

SIZE = (1280, 800)
KEY_ID = "k-pane"  # the Licenses tab's signing key (the ``keyed`` fixture)


def title_width(header: QHeaderView, title: str) -> int:
    """The width ``title`` takes in ``header``: the style draws section titles bold."""
    bold = QFont(header.font())
    bold.setBold(True)
    return QFontMetrics(bold).horizontalAdvance(title)


def wait_idle(qtbot, runner: TaskRunner, timeout: int = 10_000) -> None:
    """Wait until every job of ``runner`` has delivered its result on the GUI thread, and no table has work
    queued for the turns to come.

    One event-loop turn goes first: a table asked for rows it does not hold starts their read on the next
    turn.  A table shows rows that arrived once their texts are laid out, a few turns later, and the paint
    that shows them may ask for more rows.
    """
    qtbot.wait(1)
    qtbot.waitUntil(lambda: runner.active_count == 0 and not tables_busy(), timeout=timeout)


def tables_busy() -> bool:
    """Whether a shown table is laying out texts or has rows to ask for on the next turn."""
    views = [view for top in QApplication.topLevelWidgets() for view in top.findChildren(RowsView)]
    views += [top for top in QApplication.topLevelWidgets() if isinstance(top, RowsView)]
    return any(view.laying_out or getattr(view.model(), "pages_wanted", False) for view in views)


def settle(qtbot, tasks: TaskRunner) -> None:
    """Let the pane fetch what it shows: wait until no job runs, a few event rounds in a row."""
    for _ in range(3):
        wait_idle(qtbot, tasks)
        qtbot.wait(20)
    wait_idle(qtbot, tasks)


def show(qtbot, tasks: TaskRunner, pane: QWidget) -> QWidget:
    """Register, size and show ``pane`` offscreen, then wait until it has fetched what it shows."""
    qtbot.addWidget(pane)
    pane.resize(*SIZE)
    pane.show()
    qtbot.waitExposed(pane)
    settle(qtbot, tasks)
    return pane


def pane_for(qtbot, tasks, cache, paths) -> LicensesPane:
    """The Licenses tab on ``cache`` with the signing keys of ``paths``, shown and settled."""
    return show(qtbot, tasks, LicensesPane(cache, tasks, LicenseService(paths, cache.engine)))


def issue_directly(pane, *, customer="cus_acme", **changes) -> str:
    """A license in the registry, signed with the (unlocked) key, as if issued earlier."""
    pane.service.unlock(PASSPHRASE, 5)
    fields = {"customer_id": customer, "customer_name": "Acme Corp", "customer_email": "billing@acme.example",
              "plan": "professional"}
    fields.update(changes)
    return pane.service.issue(LicenseRequest(**fields)).license.license_id


def issue_through_dialog(pane, qtbot, tasks, plan: str = "enterprise"):
    """Issue a license for Acme through the Issue dialog, as a user would; returns the dialog."""
    pane.issue()
    dialog = pane.issue_dialog
    dialog.customer_search.setText("acme")
    dialog.search()
    settle(qtbot, tasks)
    assert [c["id"] for c in dialog.matches] == ["cus_acme"]
    dialog.set_customer(dialog.matches[0])
    dialog.plan.setCurrentIndex(dialog.plan.findData(plan))
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    settle(qtbot, tasks)
    return dialog


def activate(qtbot, window: QWidget) -> None:
    """Make ``window`` the active window (offscreen, only the first window shown becomes active by itself).

    Shortcuts and keyboard focus answer in the active window only.
    """
    from PySide6.QtWidgets import QApplication

    handle = window.windowHandle()
    assert handle is not None, "show the window first"
    handle.requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
