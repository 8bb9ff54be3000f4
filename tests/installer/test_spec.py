"""The spec, executed with stand-ins for PyInstaller's classes: what would it build?

No build happens: Analysis, EXE, COLLECT and BUNDLE only record their
arguments, so these tests run in well under a second per OS and still read the
real installer/opsconsole.spec.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import manifest
import pytest

pytest.importorskip("PySide6.QtSvg")  # imported now, before any test pretends to be another OS
from app import __version__
from ui.cli import UI_COMMAND_MODULES

SPEC = manifest.ROOT / "installer" / "opsconsole.spec"


@dataclass
class Call:
    """One PyInstaller object the spec made, with its arguments."""

    kind: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    binaries: list[tuple[str, str, str]] = field(default_factory=list)
    datas: list[tuple[str, str, str]] = field(default_factory=list)
    pure: list[Any] = field(default_factory=list)
    scripts: list[Any] = field(default_factory=list)


def run_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, platform: str, **env: str) -> list[Call]:
    """Execute the spec as PyInstaller would on ``platform``; return the objects it made."""
    calls: list[Call] = []

    def recorder(kind: str) -> Any:
        def make(*args: Any, **kwargs: Any) -> Call:
            calls.append(Call(kind, args, kwargs))
            return calls[-1]

        return make

    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(sys, "path", list(sys.path))  # the spec prepends to it
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    namespace = {kind: recorder(kind) for kind in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE")}
    namespace |= {"SPECPATH": str(SPEC.parent), "workpath": str(tmp_path / "work"), "__file__": str(SPEC)}
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)
    return calls


def the(calls: list[Call], kind: str) -> list[Call]:
    return [c for c in calls if c.kind == kind]


@pytest.fixture
def linux_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Call]:
    return run_spec(tmp_path, monkeypatch, "linux")


def test_every_resource_and_migration_is_bundled_where_the_code_looks(linux_build):
    (analysis,) = the(linux_build, "Analysis")
    datas = analysis.kwargs["datas"]
    # An installed package's files (the virtualenv may sit inside the repo, as CI's does) versus the repo's own.
    from_packages = {(Path(src).name, dest) for src, dest in datas if "site-packages" in Path(src).parts}
    bundled = {(Path(src).relative_to(manifest.ROOT).as_posix(), dest) for src, dest in datas
               if "site-packages" not in Path(src).parts}
    assert from_packages == {("Vera.ttf", "reportlab/fonts"), ("VeraBd.ttf", "reportlab/fonts")}  # the reports' fonts
    expected = {
        (p.relative_to(manifest.ROOT).as_posix(), p.parent.relative_to(manifest.ROOT).as_posix())
        for p in (manifest.ROOT / "resources").rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc")
    }
    migrations = manifest.ROOT / "app" / "store" / "migrations"
    expected |= {
        (p.relative_to(manifest.ROOT).as_posix(), p.parent.relative_to(manifest.ROOT).as_posix())
        for p in [migrations / "env.py", migrations / "script.py.mako", *(migrations / "versions").glob("*.py")]
    }
    assert expected <= bundled, f"not bundled: {sorted(expected - bundled)}"
    assert any(dest == "app/store/migrations/versions" for _, dest in bundled)


def test_modules_loaded_by_name_are_hidden_imports(linux_build):
    (analysis,) = the(linux_build, "Analysis")
    hidden = set(analysis.kwargs["hiddenimports"])
    assert set(UI_COMMAND_MODULES) <= hidden
    assert {"alembic.op", "app.store.schema", "PySide6.QtOpenGLWidgets"} <= hidden
    assert {"app.metrics.costs", "app.domain.revenue"} <= hidden  # figure sets, imported by name


def test_linux_build_is_one_console_program_named_opsconsole(linux_build):
    (exe,) = the(linux_build, "EXE")
    assert exe.kwargs["name"] == "opsconsole"
    assert exe.kwargs["exclude_binaries"] is True  # onedir
    (collect,) = the(linux_build, "COLLECT")
    assert collect.kwargs["name"] == "opsconsole"
    assert collect.kwargs["strip"] is False  # stripping everything breaks numpy's OpenBLAS (elf.py)
    assert not the(linux_build, "BUNDLE")


def test_untrimmed_build_has_no_excludes(tmp_path, monkeypatch):
    calls = run_spec(tmp_path, monkeypatch, "linux", OPSCONSOLE_BUNDLE_UNTRIMMED="1")
    (analysis,) = the(calls, "Analysis")
    assert analysis.kwargs["excludes"] == []
    assert analysis.kwargs["runtime_hooks"] == []


@pytest.mark.parametrize("platform", ["linux", "win32", "darwin"])
def test_the_opengl_stand_in_replaces_the_excluded_binding_on_every_os(tmp_path, monkeypatch, platform):
    (analysis,) = the(run_spec(tmp_path, monkeypatch, platform), "Analysis")
    assert "PySide6.QtOpenGL" in analysis.kwargs["excludes"]
    assert analysis.kwargs["runtime_hooks"] == [str(manifest.OPENGL_STAND_IN)]


def test_windows_gets_a_windowed_and_a_console_program_with_the_icon(tmp_path, monkeypatch):
    calls = run_spec(tmp_path, monkeypatch, "win32")
    exes = {c.kwargs["name"]: c.kwargs for c in the(calls, "EXE")}
    assert exes["opsconsole"]["console"] is False
    assert exes["opsconsole-cli"]["console"] is True
    assert all(Path(kw["icon"]).suffix == ".ico" and Path(kw["icon"]).is_file() for kw in exes.values())


def test_macos_app_bundle_carries_the_package_version(tmp_path, monkeypatch):
    calls = run_spec(tmp_path, monkeypatch, "darwin")
    (bundle,) = the(calls, "BUNDLE")
    assert bundle.kwargs["name"] == "Ops Console.app"
    assert bundle.kwargs["version"] == __version__
    plist = bundle.kwargs["info_plist"]
    assert plist["CFBundleShortVersionString"] == __version__
    assert plist["NSHighResolutionCapable"] is True
