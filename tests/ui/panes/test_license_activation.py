"""The Licenses tab's new work: answering activation requests, seats and figures, renewals, plan changes, files.

Every case goes through the tab as a user would (buttons, a dropped file,
File ▸ Open…), with the file dialogs and confirmations patched.
"""

from __future__ import annotations

import datetime as dt
import json

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QFileDialog
from sqlalchemy import insert, update

from app.cli import main
from app.clock import utcnow
from app.licensing import verifier
from app.licensing.activation import activation_id
from app.store.schema import Activation, License
from tests.ui.helpers import issue_directly, issue_through_dialog, pane_for, settle
from ui.dialogs import license_actions
from ui.main_window import MainWindow
from ui.panes import licenses as licenses_pane
from ui.panes.licenses import NO_FILE_TIP

PRODUCT = "opsconsole-desktop"
L = License.__table__


def select(pane, qtbot, runner, license_id: str) -> None:
    pane.table.select_key(license_id)
    settle(qtbot, runner)
    assert pane.detail.current is not None and pane.detail.current["id"] == license_id


def drop(pane, path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    pane.dropEvent(QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                              Qt.KeyboardModifier.NoModifier))


def fill_machines(engine, license_id: str, count: int) -> None:
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(insert(Activation.__table__), [
            {"id": activation_id(license_id, f"fp-{n}"), "license_id": license_id, "fingerprint": f"fp-{n}",
             "machine_name": f"PC-{n}", "product_version": "4.2", "activated_via": "online",
             "first_seen_at": now, "last_seen_at": now, "pending": False}
            for n in range(count)
        ])


def test_an_opened_request_is_answered_and_the_response_holds_on_that_machine(
    qtbot, runner, filled, keyed, tmp_path, monkeypatch
):
    pane = pane_for(qtbot, runner, filled, keyed)
    license_id = issue_directly(pane, plan="starter", max_version="4.2")
    request_file, response_file = tmp_path / "lab.req", tmp_path / "lab.activation"
    request = verifier.write_activation_request(request_file, license_id, "fp-lab", "4.2.1", product=PRODUCT,
                                                machine_name="LAB-PC-07")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(request_file), ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(response_file), ""))
    qtbot.mouseClick(pane.inspect_button, Qt.MouseButton.LeftButton)
    settle(qtbot, runner)
    dialog = pane.activation_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.verdict.text() == "Can be answered: the machine takes seat 1 of 5."
    assert not dialog.save_button.isVisible()
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)  # the key is still unlocked
    settle(qtbot, runner)
    assert dialog.verdict.text().startswith("Answered: 1 of 5 seats in use (20%)")
    keys = pane.service.trusted_keys()
    accepted = verifier.verify_activation(response_file.read_text(encoding="utf-8"), keys, utcnow(), "fp-lab",
                                          nonce=request.nonce)
    assert accepted.machine_name == "LAB-PC-07" and dialog.status.text() == f"Saved {response_file.name}."
    assert pane.table.current_key() == license_id
    assert pane.detail.current["in_use"] == 1 and pane.detail.current["machines"][0]["pending"]
    dialog.close()
    pane.open_file(response_file)  # support staff checking the response the customer got
    settle(qtbot, runner)
    assert "Valid on the machine with fingerprint fp-lab" in pane.inspector.verdict.text()
    assert "In the registry, not revoked" in pane.inspector.registry.text()


def test_the_issue_dialog_says_which_subscription_the_license_follows(qtbot, runner, filled, keyed, asked):
    pane = pane_for(qtbot, runner, filled, keyed)
    dialog = issue_through_dialog(pane, qtbot, runner)
    assert dialog.follows.text() == "Active, pays for Professional (sub_acme)"
    new = pane.detail.current
    assert new["id"] == dialog.result_license.license.license_id and new["subscription_id"] == "sub_acme"
    assert new["plan_changed"]  # the dialog signed Enterprise on purpose: the registry lists it
    dialog.close()
    settle(qtbot, runner)


def test_the_issue_dialog_takes_the_plan_the_subscription_pays_for_until_one_is_picked(
        qtbot, runner, filled, keyed):
    """The default, Professional, signed for a customer paying for Enterprise was a "plan changed" license."""
    pane = pane_for(qtbot, runner, filled, keyed)
    pane.issue("cus_fern")  # Fern pays for Enterprise
    settle(qtbot, runner)
    dialog = pane.issue_dialog
    assert dialog.follows.text().startswith("Active, pays for Enterprise")
    assert (dialog.plan.currentData(), dialog.seats.value()) == ("enterprise", 1000)
    dialog.plan.setCurrentIndex(dialog.plan.findData("starter"))  # picked: another customer keeps it
    dialog.set_customer({"id": "cus_acme", "name": "Acme Corp", "email": "billing@acme.example"})
    settle(qtbot, runner)
    assert dialog.follows.text() == "Active, pays for Professional (sub_acme)"
    assert (dialog.plan.currentData(), dialog.seats.value()) == ("starter", 5)
    dialog.close()
    settle(qtbot, runner)


def test_a_dropped_request_for_a_full_license_says_why_and_signs_nothing(qtbot, runner, filled, keyed, tmp_path):
    pane = pane_for(qtbot, runner, filled, keyed)
    license_id = issue_directly(pane, plan="starter")
    fill_machines(filled.engine, license_id, 5)
    path = tmp_path / "sixth.req"
    verifier.write_activation_request(path, license_id, "fp-sixth", "4.2", product=PRODUCT)
    drop(pane, path)
    settle(qtbot, runner)
    dialog = pane.activation_dialog
    assert dialog.verdict.text().startswith("Cannot be answered: No seats left: all 5 seats")
    assert not dialog.sign_button.isEnabled()
    dialog.close()
    damaged = tmp_path / "damaged.req"
    damaged.write_text(path.read_text().replace("fp-sixth", "fp-sixty"))
    drop(pane, damaged)
    settle(qtbot, runner)
    assert "checksum does not match" in pane.inspector.verdict.text()


def test_file_open_in_the_window_opens_the_file_on_the_licenses_tab(qtbot, context, tmp_path, monkeypatch):
    win = MainWindow(context)
    qtbot.addWidget(win)
    win.show()
    path = tmp_path / "junk.lic"
    path.write_text("hello\n")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    win.open_action.trigger()
    qtbot.waitUntil(lambda: context.runner.active_count == 0, timeout=10_000)
    licenses = win.pane("licenses")
    assert win.tabs.currentWidget() is licenses
    qtbot.waitUntil(lambda: "not a readable license file" in licenses.inspector.verdict.text(), timeout=10_000)
    win.close()


def test_the_figures_are_the_metrics_commands(qtbot, runner, filled, keyed, capsys):
    """CLI JSON == screen values for the figure set ``licenses``."""
    pane = pane_for(qtbot, runner, filled, keyed)
    crowded = issue_directly(pane, plan="starter", subscription_id="sub_dune")
    issue_directly(pane, plan="professional", subscription_id="sub_acme", days=10)
    fill_machines(filled.engine, crowded, 6)
    pane.refresh()
    settle(qtbot, runner)
    assert main(["metrics", "licenses", "--json"], command_modules=("app.metrics.cli",)) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures == {"live": 2, "seats": 55, "seats_in_use": 6, "over_cap": 1, "near_cap": 1,
                       "expiring_30d": 1, "renewal_due": 1, "subscription_lapsed": 1, "plan_changed": 0}
    shown = {label: tile.value.text() for label, tile in pane.kpis.tiles.items()}
    assert shown == {"Seats in use": "6", "Over the cap": "1", "Near the cap": "1", "Renewal due": "1",
                     "Subscription lapsed": "1", "Plan changed": "0"}
    assert pane.kpis.tiles["Seats in use"].note.text() == "of 55 seats in 2 licenses (10.91 %)"


def test_renewing_the_due_licenses_as_one_batch(qtbot, runner, filled, keyed, asked, monkeypatch):
    pane = pane_for(qtbot, runner, filled, keyed)
    due = issue_directly(pane, plan="professional", subscription_id="sub_acme", days=10)
    issue_directly(pane, plan="starter", subscription_id="sub_dune", days=10)  # past due: not renewed
    pane.lock()
    shown: list[list[str]] = []
    monkeypatch.setattr(license_actions, "ask_renewal",
                        lambda parent, renewals: shown.append([r.license_id for r in renewals]) or [due])
    qtbot.mouseClick(pane.renew_button, Qt.MouseButton.LeftButton)
    settle(qtbot, runner)
    assert shown == [[due]] and asked == [""]
    renewed = pane.table.current_key()
    assert renewed != due and pane.service.record(due)["revoke_reason"] == f"renewed by {renewed}"
    assert pane.detail.current["expires_at"] == pane.service.record(due)["expires_at"] + dt.timedelta(days=10)
    assert "Renewed 1 license —" in pane.action_status.text()


def test_a_plan_change_offers_the_reissue(qtbot, runner, filled, keyed, monkeypatch):
    pane = pane_for(qtbot, runner, filled, keyed)
    fern = issue_directly(pane, plan="professional", subscription_id="sub_fern")  # Fern pays for Enterprise
    acme = issue_directly(pane, plan="professional", subscription_id="sub_acme")
    pane.refresh()
    settle(qtbot, runner)
    select(pane, qtbot, runner, acme)
    assert not pane.plan_button.isEnabled()
    select(pane, qtbot, runner, fern)
    assert pane.plan_button.isEnabled()
    monkeypatch.setattr(license_actions, "ask_plan_reissue", lambda parent, record: True)
    qtbot.mouseClick(pane.plan_button, Qt.MouseButton.LeftButton)
    settle(qtbot, runner)
    new = pane.detail.current
    assert new["id"] != fern and (new["plan"], new["seats"]) == ("enterprise", 1000)
    assert "Re-issued on Enterprise with 1,000 seats" in pane.action_status.text()


def test_a_synced_license_saves_and_copies_its_signed_text(qtbot, runner, filled, keyed, tmp_path, monkeypatch):
    pane = pane_for(qtbot, runner, filled, keyed)
    synced = issue_directly(pane)
    bare = issue_directly(pane, customer="cus_bolt")
    with filled.engine.begin() as conn:  # both came back from the Ops API; one registry holds no text
        conn.execute(update(L).values(pending=False, synced_at=utcnow()))
        conn.execute(update(L).where(L.c.id == bare).values(license_text=None))
    pane.refresh()
    settle(qtbot, runner)
    select(pane, qtbot, runner, synced)
    assert pane.save_button.isEnabled() and pane.copy_button.isEnabled()
    target = tmp_path / "again.lic"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    qtbot.mouseClick(pane.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, runner)
    assert target.read_text() == pane.service.record(synced)["license_text"]
    select(pane, qtbot, runner, bare)
    assert not pane.save_button.isEnabled() and pane.save_button.toolTip() == NO_FILE_TIP
    assert licenses_pane.SAVE_TIP != NO_FILE_TIP
