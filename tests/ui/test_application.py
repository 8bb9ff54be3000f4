"""Starting the window: a bad data folder or settings file is one sentence in a dialog; the demo keeps its folder."""

from __future__ import annotations

import argparse

import pytest
from PySide6.QtWidgets import QMessageBox

from app.config.paths import Paths
from ui import application


def _args(data_dir, **extra) -> argparse.Namespace:
    values = {"data_dir": str(data_dir), "demo": False, "fresh": False, "demo_role": "executive", "verbose": False}
    return argparse.Namespace(**(values | extra))


@pytest.fixture
def dialogs(monkeypatch) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append((title, text)))
    return shown


def test_a_data_folder_that_is_a_file_is_a_dialog_and_exit_one(qapp, tmp_path, dialogs, capsys):
    blocker = tmp_path / "data"
    blocker.write_text("")
    assert application.run(_args(blocker)) == 1
    sentence = f"The data folder {blocker} is a file, not a folder: choose another with --data-dir."
    assert dialogs == [("Ops Console cannot start", sentence)]
    assert capsys.readouterr().err == f"opsconsole: {dialogs[0][1]}\n"


def test_an_unreadable_settings_file_is_a_dialog_and_exit_one(qapp, tmp_path, dialogs):
    paths = Paths(tmp_path / "data").ensure()
    paths.settings.write_text("[backends]\nops_api_url = \n")
    assert application.run(_args(paths.data_dir)) == 1
    assert dialogs[0][1].startswith(f"The settings file {paths.settings} is not valid TOML")


def test_the_demo_keeps_its_data_in_one_folder_and_fresh_starts_over(tmp_path):
    first = application.resolve_paths(_args(tmp_path, demo=True))
    assert first.data_dir == tmp_path / "demo"
    (first.data_dir / "window-state").mkdir()
    again = application.resolve_paths(_args(tmp_path, demo=True))
    assert again == first and (again.data_dir / "window-state").is_dir()  # the layout is still there
    fresh = application.resolve_paths(_args(tmp_path, demo=True, fresh=True))
    assert fresh == first and not (fresh.data_dir / "window-state").exists()
    assert application.resolve_paths(_args(tmp_path)).data_dir == tmp_path  # without --demo: the folder itself


_BEFORE_THE_FIRST_PAINT = """
import builtins
import sys
from app.config.paths import Paths
from ui.application import application, build_context
from ui.main_window import MainWindow
application()
window = MainWindow(build_context(Paths.resolve(sys.argv[1])))
print(sorted(m for m in sys.argv[2:] if m in sys.modules))
print(builtins.__import__ is getattr(builtins, "__feature_import__", None))
"""

# What loads with the first query, the first pane or the first dialog, not before the window is up.
_NOT_AT_START = (
    "sqlalchemy",  # about 0.2 s
    "app.store.schema",  # the ORM schema, 0.4 s more
    "app.alerts",
    "tomllib",  # no settings file here: nothing to parse
    "importlib.resources",
    "app.connectors.config",  # the sync's configuration is read after the first paint
    "ui.widgets.notification_panel",  # the bell's list, made when first opened
    "hashlib",  # OpenSSL, 3-4 ms: the SLA rules' fingerprint, computed when clocks are evaluated
)


def test_the_window_is_built_without_what_its_first_paint_does_not_need(tmp_path):
    """Issue 17's start-up rule: nothing the first paint does not need, and no PySide import hook reading
    every later module's source (``ui.feature_hook``)."""
    import os
    import subprocess
    import sys

    from app.store.database import open_cache

    open_cache(tmp_path / "cache.sqlite3").dispose()  # an existing cache: a new one is built through the schema
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", _BEFORE_THE_FIRST_PAINT, str(tmp_path), *_NOT_AT_START], env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip().splitlines()[-2:] == ["[]", "False"]
