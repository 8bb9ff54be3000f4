"""Pruning's follow-up on Linux: libraries only pruned plugins needed go, symbols and debug info are stripped."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import elf
import pytest


def test_libraries_only_pruned_files_needed_are_dropped(monkeypatch):
    links = {
        "gtk-theme.so": {"libgtk.so", "libQt6Gui.so"},
        "libgtk.so": {"libcairo.so"},
        "libcairo.so": set(),
        "xcb.so": {"libQt6Gui.so"},
        "libQt6Gui.so": set(),
        "libdlopened.so": set(),  # nothing links it: loaded at run time, never an orphan
    }
    monkeypatch.setattr(elf, "needed_libraries", lambda src: links[src])
    before = [(name, name, "BINARY") for name in links]
    after = [entry for entry in before if entry[0] != "gtk-theme.so"]
    kept = {entry[0] for entry in elf.drop_orphans(before, after)}
    assert kept == {"xcb.so", "libQt6Gui.so", "libdlopened.so"}


def test_links_to_pruned_libraries_go_with_them():
    entries = [
        ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),
        ("libQt6Pdf.so.6", "PySide6/Qt/lib/libQt6Pdf.so.6", "SYMLINK"),
        ("resources/theme.qss", "/src/theme.qss", "DATA"),
    ]
    kept = elf.drop_dangling_symlinks(entries, {"PySide6/Qt/lib/libQt6Core.so.6"})
    assert [e[0] for e in kept] == ["libQt6Core.so.6", "resources/theme.qss"]


def _symbols(path: Path) -> str:
    return subprocess.run(["nm", str(path)], capture_output=True, text=True).stdout + subprocess.run(
        ["readelf", "-S", "-W", str(path)], capture_output=True, text=True).stdout


@pytest.mark.skipif(not (shutil.which("cc") and shutil.which("strip")), reason="needs a C compiler and binutils")
def test_symbols_and_debug_info_are_stripped_but_a_repaired_wheels_libraries_keep_their_symbols(tmp_path):
    source = tmp_path / "lib.c"
    source.write_text("static int helper(void) { return 41; }\nint answer(void) { return helper() + 1; }\n")
    vendored = tmp_path / "numpy.libs"
    vendored.mkdir()
    with_debug, plain, repaired = tmp_path / "libdebug.so", tmp_path / "libplain.so", vendored / "libblas.so"
    for target, flags in ((with_debug, ["-g"]), (plain, []), (repaired, ["-g"])):
        subprocess.run(["cc", "-shared", "-fPIC", *flags, "-o", str(target), str(source)], check=True)
    entries = [(p.name, str(p), "BINARY") for p in (with_debug, plain, repaired)]

    stripped = {dest: Path(src) for dest, src, _ in elf.strip_binaries(entries, tmp_path / "out")}

    for name, original in (("libdebug.so", with_debug), ("libplain.so", plain)):
        assert stripped[name] == tmp_path / "out" / name
        assert stripped[name].stat().st_size < original.stat().st_size
        assert ".symtab" not in _symbols(stripped[name]) and ".debug_info" not in _symbols(stripped[name])
        assert "answer" in subprocess.run(["nm", "-D", str(stripped[name])], capture_output=True, text=True).stdout
    kept = _symbols(stripped["libblas.so"])  # only debug info goes: patchelf'd files break when fully stripped
    assert ".symtab" in kept and ".debug_info" not in kept
