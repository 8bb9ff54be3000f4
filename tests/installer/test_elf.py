"""Pruning's follow-up on Linux: libraries only pruned plugins needed go, debug info is stripped."""

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


@pytest.mark.skipif(not (shutil.which("cc") and shutil.which("strip")), reason="needs a C compiler and binutils")
def test_debug_info_is_stripped_only_where_there_is_some(tmp_path):
    source = tmp_path / "lib.c"
    source.write_text("int answer(void) { return 42; }\n")
    with_debug, without = tmp_path / "libdebug.so", tmp_path / "libplain.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-g", "-o", str(with_debug), str(source)], check=True)
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(without), str(source)], check=True)
    entries = [("libdebug.so", str(with_debug), "BINARY"), ("libplain.so", str(without), "BINARY")]

    stripped = {dest: Path(src) for dest, src, _ in elf.strip_debug_info(entries, tmp_path / "out")}

    assert stripped["libplain.so"] == without  # untouched: the original file is bundled
    assert stripped["libdebug.so"] == tmp_path / "out" / "libdebug.so"
    assert stripped["libdebug.so"].stat().st_size < with_debug.stat().st_size
    assert "answer" in subprocess.run(["nm", "-D", str(stripped["libdebug.so"])], capture_output=True, text=True).stdout
