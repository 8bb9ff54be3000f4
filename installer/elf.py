"""Linux-only clean-up of the bundle's binaries: orphaned libraries and debug information.

Why this exists:

* PyInstaller collects the shared-library dependencies of every plugin
  *before* the spec can prune plugins, so dropping the GTK platform theme still
  leaves the build machine's cairo, pango, gio… behind.  :func:`drop_orphans`
  removes the libraries that only pruned files needed.
* PyInstaller's ``strip=True`` strips every binary, and stripping a library
  that auditwheel/patchelf rewrote (numpy's OpenBLAS in ``numpy.libs``)
  corrupts it ("ELF load command address/offset not page-aligned").  Those
  ship without debug info anyway; the ones that carry it are the build
  machine's Python (libpython, lib-dynload) and a few extension modules, about
  30 MB.  :func:`strip_debug_info` strips only those, with ``--strip-debug``
  so the symbol table (names in native crash traces) stays.

Both read ELF files with binutils (``readelf``, ``strip``), which PyInstaller
needs on Linux anyway.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

TocEntry = tuple[str, str, str]  # (path in the bundle, source path, PyInstaller type code)

_NEEDED = re.compile(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]")


def _readelf(*args: str) -> str:
    readelf = shutil.which("readelf")
    if readelf is None:
        raise RuntimeError("readelf not found: install binutils")
    return subprocess.run([readelf, *args], capture_output=True, text=True).stdout


def needed_libraries(path: str) -> set[str]:
    """The sonames ``path`` links against (its DT_NEEDED entries)."""
    return set(_NEEDED.findall(_readelf("-d", "-W", path)))


def _soname(entry: TocEntry) -> str:
    return Path(entry[0]).name


def drop_orphans(before: Iterable[TocEntry], after: list[TocEntry]) -> list[TocEntry]:
    """``after`` less the libraries that were needed in ``before`` but no longer are.

    A library nothing linked to even before pruning (a plugin, a library
    loaded with dlopen, libpython) is never dropped: only those whose every
    dependent was pruned go.
    """
    needs = {entry[1]: needed_libraries(entry[1]) for entry in before}
    linked_before = set().union(*needs.values())
    kept = list(after)
    while True:
        linked_now = set().union(*(needs.get(entry[1], set()) for entry in kept))
        orphans = [e for e in kept if _soname(e) in linked_before and _soname(e) not in linked_now]
        if not orphans:
            return kept
        kept = [e for e in kept if e not in orphans]


def strip_debug_info(binaries: list[TocEntry], work_dir: Path) -> list[TocEntry]:
    """``binaries`` with each file that carries debug info replaced by a stripped copy in ``work_dir``."""
    strip = shutil.which("strip")
    if strip is None:
        raise RuntimeError("strip not found: install binutils")
    result: list[TocEntry] = []
    for dest, src, kind in binaries:
        if ".debug_info" in _readelf("-S", "-W", src):
            copy = work_dir / dest
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, copy)
            subprocess.run([strip, "--strip-debug", str(copy)], check=True)
            src = str(copy)
        result.append((dest, src, kind))
    return result


def drop_dangling_symlinks(entries: list[TocEntry], present: set[str]) -> list[TocEntry]:
    """``entries`` less the SYMLINK entries whose target (relative to the link) is not ``present``.

    PyInstaller links each Qt library into the bundle's top folder; pruning the
    library must take its link along.
    """
    def target(entry: TocEntry) -> str:
        return str(Path(entry[0]).parent / entry[1])

    return [e for e in entries if e[2] != "SYMLINK" or target(e) in present]
