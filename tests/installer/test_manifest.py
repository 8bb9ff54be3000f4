"""What the bundle holds, checked against the sources: nothing the app uses is excluded or pruned."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import manifest
import pytest

ROOT = manifest.ROOT


def _bundled() -> set[str]:
    return {f.source.relative_to(ROOT).as_posix() for f in manifest.data_files()}


def test_package_data_declared_in_pyproject_is_bundled_too():
    """pip and the bundle must ship the same data files (package __init__ modules go in as code)."""
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"
    ]
    declared = {
        path.relative_to(ROOT).as_posix()
        for package, patterns in package_data.items()
        for pattern in patterns
        for path in (ROOT / package.replace(".", "/")).glob(pattern)
        if path.is_file() and path.name != "__init__.py"
    }
    assert declared <= _bundled(), f"in pyproject's package-data but not in the bundle: {sorted(declared - _bundled())}"


def _qt_modules_imported(folder: Path) -> set[str]:
    found: set[str] = set()
    for source in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("PySide6"):
                parts = node.module.split(".")
                found |= {parts[1]} if len(parts) > 1 else {alias.name for alias in node.names}
            elif isinstance(node, ast.Import):
                found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("PySide6.")}
    return found


def test_every_qt_module_ui_imports_is_declared_used_and_not_excluded():
    imported = _qt_modules_imported(ROOT / "ui")
    assert imported <= set(manifest.QT_MODULES_USED), (
        f"ui/ imports {sorted(imported - set(manifest.QT_MODULES_USED))}: add to manifest.QT_MODULES_USED"
    )
    excluded = {name.removeprefix("PySide6.") for name in manifest.EXCLUDES}
    assert not excluded & set(manifest.QT_MODULES_USED)


def test_nothing_the_app_imports_is_excluded():
    top_level = {name.split(".")[0] for name in manifest.EXCLUDES if "." not in name}
    for folder in ("app", "ui"):
        for source in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
                names = (
                    [a.name for a in node.names] if isinstance(node, ast.Import)
                    else [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level
                    else []
                )  # fmt: skip
                clash = {n for n in names if n.split(".")[0] in top_level}
                assert not clash, f"{source.relative_to(ROOT)} imports {clash}, which the bundle excludes"


@pytest.mark.parametrize(
    "path",
    [
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/platforms/libqminimal.so",
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/imageformats/libqsvg.so",
        "PySide6/Qt/plugins/iconengines/libqsvgicon.so",
        "PySide6/Qt/plugins/platforminputcontexts/libcomposeplatforminputcontextplugin.so",
        "PySide6/Qt/lib/libQt6Svg.so.6",
        "PySide6/Qt/lib/libQt6XcbQpa.so.6",
        "PySide6/Qt/lib/libQt6WaylandClient.so.6",
    ],
)
def test_what_the_app_needs_on_linux_is_kept(path):
    assert not manifest.is_pruned(path)


@pytest.mark.parametrize(
    "path",
    [
        "PySide6/Qt/translations/qtbase_de.qm",
        "PySide6/Qt/plugins/platforms/libqeglfs.so",
        "PySide6/Qt/plugins/platforms/libqvnc.so",
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
        "PySide6/Qt/plugins/imageformats/libqjpeg.so",
        "PySide6/Qt/plugins/egldeviceintegrations/libqeglfs-kms-integration.so",
    ],
)
def test_what_it_never_loads_is_pruned(path):
    assert manifest.is_pruned(path)


def test_hidden_imports_exist():
    import importlib.util

    missing = [name for name in manifest.hidden_imports() if importlib.util.find_spec(name) is None]
    assert not missing


@pytest.mark.parametrize(
    ("path", "from_host"),
    [
        ("libX11.so.6", True), ("libxcb-cursor.so.0", True), ("libglib-2.0.so.0", True), ("libstdc++.so.6", True),
        ("libdbus-1.so.3", True), ("libfontconfig.so.1", True),
        ("libpython3.11.so.1.0", False), ("libssl.so.3", False), ("libsqlite3.so.0", False), ("libffi.so.8", False),
        ("PySide6/Qt/lib/libQt6Core.so.6", False), ("PySide6/Qt/lib/libicuuc.so.73", False),
        ("numpy.libs/libgfortran-040039e1-0352e75f.so.5.0.0", False), ("libz.so.1", False),
        ("pillow.libs/libxcb-9065bb12.so.1.1.0", False),
    ],
)  # fmt: skip
def test_the_desktops_libraries_come_from_the_host_and_pythons_and_qts_from_the_bundle(path, from_host):
    assert manifest.is_host_library(path) is from_host


def test_the_opengl_binding_is_left_out_with_a_stand_in_in_its_place():
    assert "PySide6.QtOpenGL" in manifest.EXCLUDES
    assert "PySide6.QtOpenGLWidgets" not in manifest.EXCLUDES  # pyqtgraph subclasses its widget at import
    assert manifest.OPENGL_STAND_IN.is_file()


def test_the_report_fonts_are_bundled_where_reportlab_looks():
    files = {f.source.name: f.dest_dir for f in manifest.package_data_files()}
    assert files["Vera.ttf"] == files["VeraBd.ttf"] == "reportlab/fonts"
