"""The Licenses tab: registry table, issuing through the dialog, the passphrase rules, revoke, extend, read-only."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from sqlalchemy import select, update

from app.clock import utcnow
from app.store.schema import License, OutboxEntry
from tests.ui.helpers import PASSPHRASE, issue_directly, issue_through_dialog, pane_for, settle
from ui.dialogs import license_actions, passphrase
from ui.dialogs.passphrase import Unlock
from ui.widgets.palette import AMBER, GREY

L = License.__table__


def choose(pane, qtbot, runner, label: str) -> None:
    pane.table.filter.setCurrentIndex(pane.table.filter.findText(label))
    settle(qtbot, runner)


def statuses(pane) -> dict[str, str]:
    column = pane.model.spec.index_of("status")
    return {pane.model.key_at(r): pane.model.index(r, column).data() for r in range(pane.model.rowCount())}


def test_builds_on_an_empty_cache(qtbot, runner, cache, paths):
    pane = pane_for(qtbot, runner, cache, paths)
    assert pane.model.rowCount() == 0
    assert pane.split.empty_state.text() == "No licenses issued yet — Ctrl+N issues one, even offline"
    assert pane.key_status.text().startswith("No signing key yet")
    assert not pane.revoke_button.isEnabled() and pane.issue_button.isEnabled()


def test_an_empty_registry_does_not_tell_a_read_only_role_how_to_issue(qtbot, runner, cache, paths):
    pane = pane_for(qtbot, runner, cache, paths)
    pane.set_read_only(True)
    assert pane.split.empty_state.text() == "No licenses issued yet"
    assert pane.key_status.text() == "No signing key yet"
    pane.set_read_only(False)
    assert pane.split.empty_state.text() == "No licenses issued yet — Ctrl+N issues one, even offline"
    assert pane.key_status.text() == "No signing key yet — issuing offers to generate one"


def test_issue_writes_registry_and_outbox_and_shows_waiting(qtbot, runner, filled, keyed, asked):
    pane = pane_for(qtbot, runner, filled, keyed)
    dialog = issue_through_dialog(pane, qtbot, runner)
    issued = dialog.result_license
    assert issued is not None, dialog.status.text()
    assert (issued.license.seats, issued.license.features) == (1000, ("audit-log", "offline", "sso"))
    assert asked == [""]
    with filled.engine.connect() as conn:
        row = conn.execute(select(L)).mappings().one()
        entry = conn.execute(select(OutboxEntry.__table__)).mappings().one()
    assert (row["customer_id"], row["plan"], row["pending"]) == ("cus_acme", "enterprise", True)
    assert (entry["kind"], entry["payload_json"]["id"]) == ("license_issue", row["id"])
    assert statuses(pane) == {row["id"]: "Waiting to send"}
    waiting = pane.model.index(0, pane.model.spec.index_of("status")).data(Qt.ItemDataRole.ForegroundRole)
    assert waiting.color() == AMBER
    assert dialog.save_button.isVisible() and not dialog.sign_button.isVisible()
    assert "unlocked until" in pane.key_status.text()


def test_plan_fills_seats_and_features(qtbot, runner, filled, keyed):
    pane = pane_for(qtbot, runner, filled, keyed)
    pane.issue()
    dialog = pane.issue_dialog
    for plan, seats in (("starter", 5), ("professional", 50), ("enterprise", 1000)):
        dialog.plan.setCurrentIndex(dialog.plan.findData(plan))
        assert dialog.seats.value() == seats
    assert [n for n, box in dialog.features.items() if box.isChecked()] == ["audit-log", "offline", "sso"]
    dialog.customer_email.setText("no-at-sign")
    dialog.sign()
    assert "email" in dialog.status.text() and dialog.result_license is None  # refused before any passphrase
    dialog.close()
    settle(qtbot, runner)


def test_passphrase_not_asked_again_while_unlocked(qtbot, runner, filled, keyed, asked):
    pane = pane_for(qtbot, runner, filled, keyed)
    issue_through_dialog(pane, qtbot, runner).close()
    second = issue_through_dialog(pane, qtbot, runner, plan="starter")
    assert second.result_license is not None
    assert asked == [""]  # once for both
    pane.lock()
    issue_through_dialog(pane, qtbot, runner).close()
    assert asked == ["", ""]


def test_wrong_passphrase_asks_again_saying_why(qtbot, runner, filled, keyed, monkeypatch):
    answers = [Unlock("not it", 0), Unlock(PASSPHRASE, 0)]
    errors: list[str] = []

    def fake_ask(parent, key_id, error=""):
        errors.append(error)
        return answers.pop(0)

    monkeypatch.setattr(passphrase, "ask", fake_ask)
    pane = pane_for(qtbot, runner, filled, keyed)
    dialog = issue_through_dialog(pane, qtbot, runner)
    assert dialog.result_license is not None
    assert errors[0] == "" and "wrong" in errors[1]
    assert pane.service.unlocked_seconds_left() == 0  # "just this once"


def test_no_key_yet_offers_to_generate_one(qtbot, runner, filled, paths, monkeypatch):
    monkeypatch.setattr(passphrase, "ask_new", lambda parent, message: Unlock(PASSPHRASE, 10))
    pane = pane_for(qtbot, runner, filled, paths)
    dialog = issue_through_dialog(pane, qtbot, runner)
    assert dialog.result_license is not None, dialog.status.text()
    assert pane.service.list_keys()[0].active
    assert pane.key_status.text().startswith(f"Key {pane.service.keys.active_id}: unlocked")


def test_revoke_marks_it_revoked(qtbot, runner, filled, keyed, monkeypatch):
    monkeypatch.setattr(license_actions, "ask_revoke_reason", lambda parent, record: "Refunded")
    pane = pane_for(qtbot, runner, filled, keyed)
    license_id = issue_directly(pane)
    pane.refresh()
    settle(qtbot, runner)
    pane.table.view.selectRow(0)
    settle(qtbot, runner)
    assert pane.revoke_button.isEnabled()
    pane.table.view.setFocus()
    qtbot.keyClick(pane.table.view, Qt.Key.Key_Delete)
    settle(qtbot, runner)
    record = pane.service.record(license_id)
    assert record["revoke_reason"] == "Refunded" and record["revoked_at"] is not None
    assert not pane.revoke_button.isEnabled()
    choose(pane, qtbot, runner, "Revoked")
    assert statuses(pane) == {license_id: "Revoked · waiting to send"}
    revoked = pane.model.index(0, pane.model.spec.index_of("status")).data(Qt.ItemDataRole.ForegroundRole)
    assert revoked.color() == GREY


def test_extend_reissues_in_one_step(qtbot, runner, filled, keyed, asked, monkeypatch):
    new_expiry = utcnow() + dt.timedelta(days=400)
    monkeypatch.setattr(license_actions, "ask_new_expiry", lambda parent, record: new_expiry)
    pane = pane_for(qtbot, runner, filled, keyed)
    old_id = issue_directly(pane, days=20)
    pane.lock()
    pane.refresh()
    settle(qtbot, runner)
    pane.table.view.selectRow(0)
    settle(qtbot, runner)
    pane.extend_button.click()
    settle(qtbot, runner)
    assert asked == [""]
    new = pane.detail.current
    assert new["supersedes"] == old_id and new["expires_at"] > utcnow() + dt.timedelta(days=399)
    assert pane.service.record(old_id)["revoke_reason"].startswith("superseded by")
    assert pane.save_button.isEnabled()


def test_filters_compare_with_now(qtbot, runner, filled, keyed):
    pane = pane_for(qtbot, runner, filled, keyed)
    soon = issue_directly(pane, days=10)
    later = issue_directly(pane, days=365)
    gone = issue_directly(pane, days=365)
    with filled.engine.begin() as conn:
        conn.execute(update(L).values(pending=False))
        conn.execute(update(L).where(L.c.id == gone).values(expires_at=utcnow() - dt.timedelta(days=3)))
    pane.refresh()
    settle(qtbot, runner)
    assert statuses(pane) == {soon: "Expiring", later: "Active"}
    choose(pane, qtbot, runner, "Expiring within 30 days")
    assert list(statuses(pane)) == [soon]
    choose(pane, qtbot, runner, "Expired")
    assert statuses(pane) == {gone: "Expired"}
    choose(pane, qtbot, runner, "All")
    pane.table.search.setText("billing@acme")
    pane.table.search.returnPressed.emit()
    settle(qtbot, runner)
    assert pane.model.rowCount() == 3


def test_read_only_disables_issue_and_revoke(qtbot, runner, filled, keyed):
    pane = pane_for(qtbot, runner, filled, keyed)
    issue_directly(pane)
    pane.set_read_only(True)
    pane.refresh()
    settle(qtbot, runner)
    pane.table.view.selectRow(0)
    settle(qtbot, runner)
    assert not pane.issue_button.isEnabled()
    assert not pane.revoke_button.isEnabled() and not pane.extend_button.isEnabled()
    assert not pane.publish_button.isEnabled()
    assert pane.save_button.isEnabled() and pane.inspect_button.isEnabled()
    qtbot.keyClick(pane, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert pane.issue_dialog is None
    assert "Read-only" in pane.action_status.text()


def test_issue_dialog_preselects_and_picks_customers(qtbot, runner, filled, keyed):
    pane = pane_for(qtbot, runner, filled, keyed)
    pane.issue("cus_bolt")  # as the Customers pane will open it
    settle(qtbot, runner)
    dialog = pane.issue_dialog
    assert (dialog.customer_id.text(), dialog.customer_email.text()) == ("cus_bolt", "ops@bolt-labs.example")
    dialog.customer_search.setText("fern")
    dialog.search()
    settle(qtbot, runner)
    label = dialog.customer_search.completer().model().index(0, 0).data()
    dialog.customer_search.completer().activated[str].emit(label)
    assert (dialog.customer_id.text(), dialog.customer_name.text()) == ("cus_fern", "Fern Foods")
    dialog.close()
    settle(qtbot, runner)
