"""The tests mirror the code, and import only what is meant to be shared.

* A folder under ``tests/app`` or ``tests/ui`` is a package of ``app/`` or ``ui/``
  (``tests/app/store`` tests ``app/store``), so a test's place says what it tests.
* Every folder of tests is a package: test modules of the same name in two
  folders (``test_cli.py``) must not clash.  The UI tests have one conftest.
* Tests import helpers (``tests/support``, a package's ``support`` module,
  ``tests/ui/helpers.py``), never a test module, a conftest or ``benchmarks``:
  the benchmarks import the tests' data generators, not the other way round.
* Core tests run without a QApplication: nothing outside ``tests/ui`` and
  ``tests/installer`` imports Qt or asks for a Qt fixture.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.architecture.support import imported_modules
from tests.support.repo import ROOT

TESTS = ROOT / "tests"
KINDS = {
    "app": "mirrors app/",
    "ui": "mirrors ui/, one conftest",
    "installer": "the installer scripts",
    "architecture": "import contracts and this layout",
    "integration": "features meeting across packages, against the demo backend",
    "support": "helpers any test may import",
}
QT_FREE = ("app", "support", "integration", "architecture")
QT_MODULES = {"PySide6", "shiboken6", "pyqtgraph", "pytestqt", "ui"}
QT_FIXTURES = {"qtbot", "qapp", "qapp_args", "qapp_cls"}


def _folders(root: Path) -> list[Path]:
    """Folders of Python files under ``root`` (itself included), caches left out."""
    return sorted({p.parent for p in root.rglob("*.py") if "__pycache__" not in p.parts})


def _shared_by_mistake(module: str) -> bool:
    """A test module, a conftest or the benchmarks: what no test may import."""
    parts = module.split(".")
    if parts[0] == "benchmarks":
        return True
    return parts[0] == "tests" and any(p == "conftest" or p.startswith("test_") for p in parts[1:])


def _qt_names(path: Path) -> list[str]:
    """The Qt modules ``path`` imports and the Qt fixtures its functions ask for."""
    modules = {m for m in imported_modules(path) if m.split(".")[0] in QT_MODULES}
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    fixtures = {
        arg.arg
        for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for arg in node.args.args + node.args.kwonlyargs if arg.arg in QT_FIXTURES
    }
    return sorted(modules | fixtures)


def test_the_top_level_folders_are_the_known_kinds():
    found = {p.name for p in TESTS.iterdir() if p.is_dir() and not p.name.startswith((".", "__"))}
    assert found == set(KINDS), f"a folder of tests is one of: {KINDS}"


def test_folders_under_tests_app_and_tests_ui_are_packages_of_the_code():
    strays = [
        str(folder.relative_to(TESTS))
        for layer in ("app", "ui")
        for folder in _folders(TESTS / layer)
        if not (ROOT / folder.relative_to(TESTS) / "__init__.py").is_file()
    ]
    assert strays == []


def test_every_test_folder_is_a_package():
    assert [str(f.relative_to(ROOT)) for f in _folders(TESTS) if not (f / "__init__.py").is_file()] == []


def test_the_ui_tests_have_one_conftest():
    assert sorted(p.relative_to(TESTS) for p in (TESTS / "ui").rglob("conftest.py")) == [Path("ui/conftest.py")]


def test_tests_import_helpers_never_tests_conftests_or_benchmarks():
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path) if _shared_by_mistake(m))
        for path in sorted(TESTS.rglob("*.py"))
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_core_tests_need_no_qt():
    offenders = {
        str(path.relative_to(ROOT)): _qt_names(path)
        for folder in QT_FREE
        for path in sorted((TESTS / folder).rglob("*.py"))
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_checks_see_what_they_forbid(tmp_path):
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "from benchmarks.rows import Row\n"
        "from tests.app.store import test_salvage\n"
        "from tests.ui.conftest import runner\n"
        "from tests.support.dataset import NOW\n"
        "def test_x(qtbot):\n"
        "    from PySide6.QtCore import Qt\n",
        encoding="utf-8",
    )
    assert sorted(m for m in imported_modules(sample) if _shared_by_mistake(m)) == [
        "benchmarks.rows", "benchmarks.rows.Row", "tests.app.store.test_salvage", "tests.ui.conftest",
        "tests.ui.conftest.runner",
    ]
    assert _qt_names(sample) == ["PySide6.QtCore", "PySide6.QtCore.Qt", "qtbot"]
