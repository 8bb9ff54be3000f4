"""The core/Qt wall is checked, not hoped: import-linter's contracts from pyproject.toml."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.support.repo import ROOT

# Where suppressions must say why: every folder of Python code.
EXPLAINED = ("app", "ui", "benchmarks", "installer", "tests")
_SUPPRESSION = re.compile(
    r"#\s*(?:noqa\b:?(?P<codes>[\sA-Z0-9,]*)|type:\s*ignore(?P<ignored>\[[^\]]*\])?)(?P<rest>.*)$"
)


def test_import_contracts_hold():
    """Every contract in pyproject.toml is checked and kept, the layers contract among them."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    assert {"forbidden", "layers", "acyclic_siblings"} <= {c["type"] for c in contracts}
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--config", str(ROOT / "pyproject.toml")], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(contracts)} kept, 0 broken" in result.stdout


def test_the_core_runs_without_qt():
    """Importing every core package in a fresh interpreter loads no Qt module."""
    code = (
        "import sys, pkgutil, importlib, app\n"
        "for m in pkgutil.walk_packages(app.__path__, 'app.'):\n"
        "    if m.name.endswith(('__main__', 'migrations.env')) or '.versions' in m.name:\n"
        "        continue  # scripts: they run when imported\n"
        "    importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'pyqtgraph', 'ui'))]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_suppression_names_its_code_and_says_why():
    """A ``# noqa: X`` or ``# type: ignore[x]`` keeps its reason on the same line (STYLE: no silent waivers)."""
    silent = []
    for folder in EXPLAINED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                found = _SUPPRESSION.search(line)
                if found is None:
                    continue
                named = (found["codes"] or "").strip() or found["ignored"]
                if not named or not re.search(r"\w", found["rest"]):
                    silent.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert silent == []
