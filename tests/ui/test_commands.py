"""``opsconsole self-test`` checks the whole cache file and says what opening it found.

Run as the installer's smoke test runs it: a separate process (the window and
its application state stay out of this test session).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.support.damaged_cache import damage, fill_outbox, outbox_leaf_pages
from tests.support.repo import ROOT


def _self_test(data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
           "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}  # never the user's keyring
    return subprocess.run([sys.executable, "-m", "ui.cli", "--data-dir", str(data_dir), "self-test"],
                          env=env, capture_output=True, text=True, timeout=120, check=False)


def test_self_test_fails_on_a_damaged_cache_and_prints_its_notices(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    cache = data_dir / "cache.sqlite3"
    fill_outbox(cache)
    damage(cache, [outbox_leaf_pages(cache)[2]])  # a page inside the file: the quick structural check passes

    first = _self_test(data_dir)
    assert first.returncode == 1, first.stdout + first.stderr
    assert first.stdout.startswith("self-test FAILED") and "failed its integrity check" in first.stdout
    assert "The local cache was damaged" in first.stdout and "change(s) not yet sent were recovered" in first.stdout

    second = _self_test(data_dir)  # rebuilt: the next run passes
    assert second.returncode == 0 and second.stdout.startswith("self-test ok"), second.stdout + second.stderr
    # what the installer's smoke test reads: an empty cache has no service to probe
    assert re.search(r", \d+ charts drawn, 0 services probed in ", second.stdout), second.stdout
