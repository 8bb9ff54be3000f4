"""Linux-only clean-up of the bundle's binaries: orphaned libraries and debug information.

Why this exists:

* PyInstaller collects the shared-library dependencies of every plugin
  *before* the spec can prune plugins, so dropping the GTK platform theme still
  leaves the build machine's cairo, pango, gio… behind.  :func:`drop_orphans`
  removes the libraries that only pruned files needed.
* PyInstaller's ``strip=True`` strips every binary, and stripping a library
  that auditwheel/patchelf rewrote (numpy's OpenBLAS in ``numpy.libs``)
  corrupts it ("ELF load command address/offset not page-aligned").
  :func:`strip_binaries` strips the others: debug info and the static symbol
  table (``--strip-unneeded``: the dynamic symbols other libraries link
  against stay), about 35 MB of the build machine's Python, ICU's and
  cryptography's symbols.  Files of an auditwheel-repaired wheel (in a
  ``<package>.libs`` folder, or linked to one through their RPATH) keep their
  symbols, and lose only debug info if they carry any (``--strip-debug`` is
  what left them intact before).

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
_RPATH = re.compile(r"\((?:RPATH|RUNPATH)\)\s+Library r(?:un)?path: \[([^\]]*)\]")


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


def _repaired_by_auditwheel(path: str, dynamic: str) -> bool:
    """A wheel's vendored library, or a module whose RPATH points at one: patchelf rewrote both."""
    return any(part.endswith(".libs") for part in Path(path).parts) or ".libs" in "".join(_RPATH.findall(dynamic))


def strip_binaries(binaries: list[TocEntry], work_dir: Path) -> list[TocEntry]:
    """``binaries`` with each ELF file carrying symbols or debug info replaced by a stripped copy in ``work_dir``."""
    strip = shutil.which("strip")
    if strip is None:
        raise RuntimeError("strip not found: install binutils")
    result: list[TocEntry] = []
    for dest, src, kind in binaries:
        sections = _readelf("-S", "-W", src)
        repaired = _repaired_by_auditwheel(src, _readelf("-d", "-W", src))
        flag = "--strip-debug" if repaired else "--strip-unneeded"
        if ".debug_info" in sections or (not repaired and ".symtab" in sections):
            copy = work_dir / dest
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, copy)
            subprocess.run([strip, flag, str(copy)], check=True)
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
