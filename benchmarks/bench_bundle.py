"""The frozen bundle: does it start as fast as the source, and did trimming pay?

* start-up: ``opsconsole self-test`` (QApplication, the main window with every
  pane, offscreen) from the bundle against the same command from source in
  this interpreter; goal ≤ 1.2×.  ``self-test`` rather than ``--version``
  because the window is what a user waits for; ``--version`` never loads Qt.
* size: the bundle installer/build.py makes (excludes, Qt pruning, debug info
  stripped) against a plain PyInstaller bundle of the same spec
  (``--untrimmed``), and against the 150 MiB budget.

Reuses ``dist/opsconsole`` when it exists (run ``python installer/build.py``
first for a fresh one) and builds what is missing into a temporary folder,
a minute or two each.  Without PyInstaller the rows say so instead of failing.
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.rows import Row

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "installer" / "build.py"
PREBUILT = ROOT / "dist" / "opsconsole"
BUDGET_MIB = 150.0
MIB = 1024 * 1024


def _program(bundle: Path) -> Path:
    return bundle / ("opsconsole-cli.exe" if sys.platform == "win32" else "opsconsole")


def _build(into: Path, *, untrimmed: bool) -> Path:
    """Build a bundle into ``into`` with installer/build.py; return its folder."""
    flags = ["--untrimmed"] if untrimmed else []
    command = [sys.executable, str(BUILD), "--bundle-only", "--dist", str(into / "dist"), "--work", str(into / "work")]
    done = subprocess.run([*command, *flags], capture_output=True, text=True)
    if done.returncode != 0:
        print(done.stdout[-3000:] + done.stderr[-3000:], file=sys.stderr)
        done.check_returncode()
    return into / "dist" / "opsconsole"


def _size_mib(bundle: Path) -> float:
    return sum(p.lstat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()) / MIB


def _startup_rows(bundle: Path, data_dir: Path, repeat: int = 5) -> list[Row]:
    """Median wall time of each side, run alternately so a noisy neighbour hits both alike."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(QT_QPA_PLATFORM="offscreen", OPSCONSOLE_DATA_DIR=str(data_dir), TMPDIR=str(data_dir.parent))
    commands = {
        "frozen": [str(_program(bundle)), "self-test"],
        "source": [sys.executable, "-m", "ui.cli", "self-test"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(repeat + 1):  # round 0 warms the page cache and the data dir, untimed
        for name, command in commands.items():
            started = time.perf_counter()
            subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True)
            if round_:
                times[name].append(time.perf_counter() - started)
    return [
        Row("bundle start-up: self-test, frozen vs source", statistics.median(times["frozen"]),
            "same command from source (python -m ui.cli)", statistics.median(times["source"]), "s", goal=1.2),
    ]  # fmt: skip


def _size_rows(trimmed: float, untrimmed: float) -> list[Row]:
    return [
        Row("bundle size: trimmed vs plain PyInstaller", trimmed, "untrimmed bundle (--untrimmed)", untrimmed, "MiB"),
        Row("bundle size vs budget", trimmed, f"budget {BUDGET_MIB:g} MiB", BUDGET_MIB, "MiB", goal=1.0),
    ]


def _skipped(what: str, reason: str) -> list[Row]:
    """A row that says why nothing was measured (nan figures, no goal) instead of failing the run."""
    print(f"bench_bundle: {what}: {reason}", file=sys.stderr)
    nan = float("nan")
    return [Row(f"{what}: SKIPPED, {reason}", nan, "(nothing measured)", nan, "")]


def run() -> list[Row]:
    if importlib.util.find_spec("PyInstaller") is None:
        return _skipped("bundle", "PyInstaller not installed (pip install -e '.[build]')")
    with tempfile.TemporaryDirectory(prefix="bench-bundle-") as tmp:
        work = Path(tmp)
        try:
            bundle = PREBUILT if _program(PREBUILT).is_file() else _build(work / "trimmed", untrimmed=False)
            untrimmed = _build(work / "untrimmed", untrimmed=True)
        except subprocess.CalledProcessError as exc:
            return _skipped("bundle", f"the build failed (exit {exc.returncode}); run installer/build.py")
        sizes = _size_rows(_size_mib(bundle), _size_mib(untrimmed))
        try:
            return _startup_rows(bundle, work / "data") + sizes
        except subprocess.CalledProcessError as exc:
            reason = f"self-test exited {exc.returncode}; run installer/smoke_test.py dist/opsconsole"
            return _skipped("bundle start-up", reason) + sizes
