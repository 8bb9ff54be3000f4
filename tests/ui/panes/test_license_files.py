"""License files in and out of the Licenses tab: inspecting (open or drop), saving, the revocation list."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QFileDialog

from tests.ui.helpers import KEY_ID, issue_directly, issue_through_dialog, pane_for, settle, title_width
from ui.dialogs.signing_keys import B64_FILTER


def inspect_via_open(pane, qtbot, runner, monkeypatch, path: Path) -> str:
    """Open ``path`` with the tab's "Open a file…" (File ▸ Open… calls the same)."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    qtbot.mouseClick(pane.inspect_button, Qt.MouseButton.LeftButton)
    settle(qtbot, runner)
    assert pane.inspector.isVisible()
    return pane.inspector.verdict.text()


def test_inspecting_a_valid_file(qtbot, runner, filled, keyed, tmp_path, monkeypatch):
    pane = pane_for(qtbot, runner, filled, keyed)
    license_id = issue_directly(pane)
    path = tmp_path / "acme.lic"
    path.write_text(pane.service.record(license_id)["license_text"])
    assert "Valid until" in inspect_via_open(pane, qtbot, runner, monkeypatch, path)
    assert "not revoked" in pane.inspector.registry.text()


def test_inspecting_a_tampered_file_says_the_signature_does_not_match(qtbot, runner, filled, keyed, tmp_path,
                                                                     monkeypatch):
    pane = pane_for(qtbot, runner, filled, keyed)
    text = pane.service.record(issue_directly(pane))["license_text"]
    path = tmp_path / "tampered.lic"
    path.write_text(text.replace('"seats":50', '"seats":500'))
    verdict = inspect_via_open(pane, qtbot, runner, monkeypatch, path)
    assert "signature does not match" in verdict.lower()


def test_dropping_a_file_inspects_it(qtbot, runner, filled, keyed, tmp_path):
    pane = pane_for(qtbot, runner, filled, keyed)
    path = tmp_path / "junk.lic"
    path.write_text("hello\n")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    pane.dropEvent(drop)
    settle(qtbot, runner)
    assert "not a readable license file" in pane.inspector.verdict.text()
    assert pane.inspector.title.text() == "Inspected file: junk.lic"


def test_issued_license_saves_as_lic(qtbot, runner, filled, keyed, asked, tmp_path, monkeypatch):
    pane = pane_for(qtbot, runner, filled, keyed)
    dialog = issue_through_dialog(pane, qtbot, runner)
    target = tmp_path / "out.lic"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    dialog.save_button.click()
    settle(qtbot, runner)
    assert target.read_text() == dialog.result_license.text
    assert dialog.status.text() == "Saved out.lic."


def test_publishing_the_revocation_list(qtbot, runner, filled, keyed, asked, tmp_path, monkeypatch):
    pane = pane_for(qtbot, runner, filled, keyed)
    license_id = issue_directly(pane)
    pane.service.revoke(license_id, "Refunded")
    pane.lock()
    target = tmp_path / "revocations.txt"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    pane.publish_button.click()
    settle(qtbot, runner)
    assert asked == [""]
    assert target.read_text().startswith("-----BEGIN OPSCONSOLE REVOCATION LIST-----")
    assert license_id in target.read_text()
    pane.publish_button.click()  # unchanged: the same list again, no new signature, no passphrase
    settle(qtbot, runner)
    assert asked == [""] and "still current" in pane.action_status.text()


def test_signing_keys_lists_and_exports_the_public_key(qtbot, runner, filled, keyed, tmp_path, monkeypatch):

    pane = pane_for(qtbot, runner, filled, keyed)
    pane.keys_button.click()
    settle(qtbot, runner)
    dialog = pane.keys_dialog
    assert [k.key_id for k in dialog.keys] == [KEY_ID]
    header = dialog.tree.header()  # every title whole (the last read "Private key he"), and inside the list
    titles = [dialog.tree.headerItem().text(column) for column in range(header.count())]
    assert all(header.sectionSize(c) >= title_width(header, t) for c, t in enumerate(titles))
    assert header.length() <= dialog.tree.viewport().width()
    assert not dialog.buttons["activate"].isEnabled()  # already the active key
    target = tmp_path / "public.txt"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), B64_FILTER))
    dialog.buttons["export"].click()
    settle(qtbot, runner)
    assert target.read_text().strip() == dialog.keys[0].public_key_b64
    dialog.close()
    settle(qtbot, runner)
