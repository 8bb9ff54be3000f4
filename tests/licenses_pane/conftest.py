"""Licenses pane tests: the pane fixtures (copied cache, runner, leak guard) plus a signing key.

Stretching a passphrase with scrypt costs a noticeable fraction of a second,
so one key is generated once per test run and each test gets a copy of its files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.config.paths import Paths
from app.licensing.issuing import LicenseRequest
from app.licensing.keys import KeyStore
from app.licensing.service import LicenseService
from tests.panes.conftest import filled, runner, settle, show  # noqa: F401 - fixtures
from tests.ui.conftest import isolated_qsettings, no_leftover_work  # noqa: F401 - fixtures
from ui.dialogs import passphrase
from ui.dialogs.passphrase import Unlock
from ui.panes.licenses import LicensesPane

PASSPHRASE = "correct horse battery staple"
KEY_ID = "k-pane"


@pytest.fixture(scope="session")
def key_template(tmp_path_factory) -> Path:
    keys_dir = tmp_path_factory.mktemp("keys") / "keys"
    KeyStore(keys_dir).generate(PASSPHRASE, KEY_ID)
    return keys_dir


@pytest.fixture
def paths(isolated_data_dir) -> Paths:
    return Paths(isolated_data_dir)


@pytest.fixture
def keyed(paths, key_template) -> Paths:
    """``paths`` with one active signing key, ``KEY_ID``, locked."""
    shutil.copytree(key_template, paths.keys_dir)
    return paths


@pytest.fixture
def asked(monkeypatch) -> list[str]:
    """Patch the passphrase prompt: it answers ``PASSPHRASE`` (15 min) and records the error it was shown."""
    calls: list[str] = []

    def fake_ask(parent, key_id, error=""):
        calls.append(error)
        return Unlock(PASSPHRASE, 15)

    monkeypatch.setattr(passphrase, "ask", fake_ask)
    return calls


def pane_for(qtbot, tasks, cache, paths) -> LicensesPane:
    return show(qtbot, tasks, LicensesPane(cache, tasks, LicenseService(paths, cache.engine)))


def issue_directly(pane, *, customer="cus_acme", **changes) -> str:
    """A license in the registry, signed with the (unlocked) key, as if issued earlier."""
    pane.service.unlock(PASSPHRASE, 5)
    fields = {"customer_id": customer, "customer_name": "Acme Corp", "customer_email": "billing@acme.example",
              "plan": "professional"}
    fields.update(changes)
    return pane.service.issue(LicenseRequest(**fields)).license.license_id


def issue_through_dialog(pane, qtbot, tasks, plan: str = "enterprise"):
    pane.issue()
    dialog = pane.issue_dialog
    dialog.find.setText("acme")
    dialog.search()
    settle(qtbot, tasks)
    assert [c["id"] for c in dialog.matches] == ["cus_acme"]
    dialog.set_customer(dialog.matches[0])
    dialog.plan.setCurrentIndex(dialog.plan.findData(plan))
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    settle(qtbot, tasks)
    return dialog
