"""(a) Start-up to the main window shown, with a 1M-row cache, against a bare Qt window.

Both are timed from process spawn to the 'shown' line, in fresh processes, so
interpreter start, imports, cache open (quick_check, migrations check) and the
first pane's construction all count.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.rows import Row
from tests.support.big_cache import make_ticket_cache

ROWS = 1_000_000
REPEAT = 15  # pairs (bare, ours); with 5 the ratio of medians moved by 0.1 between runs


# An installed program runs from compiled bytecode: the probes may write it (the warm-up run does),
# even where the shell says not to, or every module edited since the last write compiles at each start.
_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def _spawn(*args: str) -> float:
    start = time.perf_counter()
    command = [sys.executable, "-m", "benchmarks.startup_probe", *args]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=_ENV)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    proc.wait(timeout=60)
    if line.strip() != "shown":
        raise RuntimeError(f"start-up probe {args} did not show a window (exit {proc.returncode})")
    return elapsed


def run() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        data_dir = Path(tmp)
        make_ticket_cache(data_dir / "cache.sqlite3", ROWS)
        os.sync()  # the 640 MB just written are flushed now, not by the kernel during the timed starts
        _spawn("app", str(data_dir))  # warm the OS file cache for both sides, and write the bytecode
        ours, bare = [], []
        for _ in range(REPEAT):
            bare.append(_spawn("bare"))
            ours.append(_spawn("app", str(data_dir)))
    return [
        Row(f"start-up to window shown ({ROWS:,}-row cache)", statistics.median(ours),
            "bare QApplication + empty QMainWindow", statistics.median(bare), "s", goal=2.0)
    ]
