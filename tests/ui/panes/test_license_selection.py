"""The license the user highlighted is the one Revoke… acts on: selection follows the key, not the row.

A license arriving at the top of the registry (sorted by issue time, newest
first) moves every row down one; the highlight and the actions must stay on
the license they were on.  Issuing a license selects the new one.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from sqlalchemy import update

from app.clock import utcnow
from app.store.changes import Changes
from app.store.schema import License
from tests.ui.helpers import issue_directly, issue_through_dialog, pane_for, settle
from ui.dialogs import license_actions

L = License.__table__


def highlighted(pane) -> object:
    index = pane.table.view.currentIndex()
    return pane.model.key_at(index.row()) if index.isValid() else None


def revoke(pane, qtbot, runner, monkeypatch) -> list[str]:
    """Click Revoke…; the ids the Revoke dialog was asked about."""
    asked: list[str] = []
    monkeypatch.setattr(license_actions, "ask_revoke_reason",
                        lambda parent, record: asked.append(record["id"]) or "Refunded")
    qtbot.mouseClick(pane.revoke_button, Qt.MouseButton.LeftButton)
    settle(qtbot, runner)
    return asked


def test_a_license_arriving_on_top_leaves_the_selection_and_revoke_on_the_same_license(
    qtbot, runner, filled, keyed, monkeypatch
):
    pane = pane_for(qtbot, runner, filled, keyed)
    for _ in range(3):
        issue_directly(pane)
    arriving = issue_directly(pane, customer="cus_bolt")
    with filled.engine.begin() as conn:  # issued a day ago on another workstation: not shown until it syncs
        conn.execute(update(L).where(L.c.id == arriving).values(issued_at=utcnow() - dt.timedelta(days=1)))
    pane.refresh()
    settle(qtbot, runner)
    pane.table.view.selectRow(1)
    settle(qtbot, runner)
    chosen = pane.table.current_key()
    assert chosen is not None and highlighted(pane) == chosen and pane.detail.current["id"] == chosen

    def sync_page(changed) -> None:  # the registry's sync page: the colleague's license, newest of all
        with filled.engine.begin() as conn:
            conn.execute(update(L).where(L.c.id == arriving).values(issued_at=utcnow() + dt.timedelta(hours=1)))
        changed(Changes.rows("licenses", [arriving]))

    runner.run(sync_page, long_running=True)
    settle(qtbot, runner)
    assert pane.model.key_at(0) == arriving  # it went on top: the old row 1 now holds another license
    assert pane.table.current_key() == chosen and highlighted(pane) == chosen
    assert pane.detail.current["id"] == chosen
    assert revoke(pane, qtbot, runner, monkeypatch) == [chosen]
    assert pane.service.record(chosen)["revoked_at"] is not None
    assert all(pane.service.record(k)["revoked_at"] is None
               for k in (pane.model.key_at(r) for r in range(pane.model.rowCount())) if k != chosen)


def test_issuing_selects_the_new_license_and_revoke_acts_on_it(qtbot, runner, filled, keyed, asked, monkeypatch):
    pane = pane_for(qtbot, runner, filled, keyed)
    older = issue_directly(pane)
    pane.refresh()
    settle(qtbot, runner)
    pane.table.view.selectRow(0)
    settle(qtbot, runner)
    assert pane.table.current_key() == older
    dialog = issue_through_dialog(pane, qtbot, runner)
    new = dialog.result_license.license.license_id
    dialog.close()
    settle(qtbot, runner)
    assert pane.table.current_key() == new and highlighted(pane) == new
    assert pane.detail.current["id"] == new and "Issued" in pane.action_status.text()
    assert pane.revoke_button.isEnabled(), pane.action_status.text()
    assert revoke(pane, qtbot, runner, monkeypatch) == [new]
    assert pane.service.record(older)["revoked_at"] is None


def test_a_search_that_hides_the_selected_license_clears_the_selection(qtbot, runner, filled, keyed):
    pane = pane_for(qtbot, runner, filled, keyed)
    acme = issue_directly(pane)
    issue_directly(pane, customer="cus_bolt", customer_name="Bolt Labs")
    pane.refresh()
    settle(qtbot, runner)
    pane.table.view.selectRow([pane.model.key_at(r) for r in range(pane.model.rowCount())].index(acme))
    settle(qtbot, runner)
    pane.table.search.setText("bolt")
    pane.table.search.returnPressed.emit()
    settle(qtbot, runner)
    assert pane.model.rowCount() == 1
    assert pane.table.current_key() is None and highlighted(pane) is None and pane.detail.current is None
    assert not pane.revoke_button.isEnabled()
