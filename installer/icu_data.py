"""A smaller ICU data library for the Linux bundle: English and the root locale instead of 800 locales.

Why: Qt Core links ICU, and ICU's data library (``libicudata.so.NN``, one
30 MB array ``icudtNN_dat``) is the largest file in the bundle.  The app
uses none of what the bulk of it serves: no ``QCollator`` or locale-aware
comparison (tables sort in SQL), no ``QTimeZone`` display names, no legacy
codecs through ``QStringConverter``, no transliteration.  Qt keeps its own
CLDR tables for ``QLocale`` formatting, its own Unicode tables and its own
IDNA, so dates and numbers read the same in every locale without ICU's.

What is kept: every item that is not per-locale (normalisation, break
rules, time-zone rules, plural rules, the collation root) and, in each
locale tree, ``root``, ``pool``, ``res_index`` and English.  Another locale
falls back to root in ICU (sorting in code-point-plus-UCA order, English
time-zone names); legacy converters (``.cnv``), character names
(``unames.icu``), transliterators and the CJK/Thai word dictionaries go.

How: the data is ICU's "common data" format (``CmnD``: a header, a table of
contents sorted by name, items aligned to 16 bytes), so the kept items are
copied into a new array and assembled into a library of the same soname
with binutils (``as`` + ``ld``), which PyInstaller needs on Linux anyway.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

_LOCALE_ITEM = re.compile(r"^[a-z]{2,3}(?:_[A-Za-z0-9]+)*\.res$")  # af.res, sr_Latn_BA.res, zh_Hant.res
KEPT_LOCALE_ITEMS = frozenset({"root.res", "pool.res", "res_index.res", "en.res", "en_US.res", "en_001.res",
                               "en_GB.res", "en_150.res"})  # fmt: skip
_DROPPED_TREES = ("translit/",)
_DROPPED_SUFFIXES = (".cnv", ".dict")
_DROPPED_NAMES = frozenset({"unames.icu"})
_ALIGN = 16


def is_kept(item: str) -> bool:
    """True for an item (``coll/root.res``, ``de.res``, ``ibm-943_P15A-2003.cnv``…) the trimmed data keeps."""
    name = item.rsplit("/", 1)[-1]
    if item.startswith(_DROPPED_TREES) or name.endswith(_DROPPED_SUFFIXES) or name in _DROPPED_NAMES:
        return False
    return name in KEPT_LOCALE_ITEMS or not _LOCALE_ITEM.match(name)


def read_items(data: bytes) -> tuple[bytes, dict[str, bytes]]:
    """Split a ``CmnD`` package into its header and ``{"icudt73l/coll/root.res": bytes}``."""
    header_size, magic1, magic2 = struct.unpack_from("<HBB", data, 0)
    if (magic1, magic2) != (0xDA, 0x27) or data[12:16] != b"CmnD":
        raise ValueError("not an ICU common data package (little-endian CmnD)")
    (count,) = struct.unpack_from("<I", data, header_size)
    toc = [struct.unpack_from("<II", data, header_size + 4 + 8 * i) for i in range(count)]
    ends = [offset for _, offset in toc[1:]] + [len(data) - header_size]
    items = {}
    for (name_at, offset), end in zip(toc, ends, strict=True):
        start = header_size + name_at
        name = data[start : data.index(b"\0", start)].decode("ascii")
        items[name] = data[header_size + offset : header_size + end]
    return data[:header_size], items


def write_items(header: bytes, items: dict[str, bytes]) -> bytes:
    """The ``CmnD`` package of ``items`` (names sorted, as ICU's binary search expects)."""
    names = sorted(items)
    toc_size = 4 + 8 * len(names)
    name_block = b"".join(n.encode("ascii") + b"\0" for n in names)
    first = toc_size + len(name_block)
    first += -(len(header) + first) % _ALIGN
    entries, body, name_at, offset = [], bytearray(), toc_size, first
    for name in names:
        entries.append(struct.pack("<II", name_at, offset))
        name_at += len(name) + 1
        item = items[name] + b"\0" * (-len(items[name]) % _ALIGN)
        body += item
        offset += len(item)
    toc = struct.pack("<I", len(names)) + b"".join(entries) + name_block
    return header + toc + b"\0" * (first - len(toc)) + bytes(body)


def subset(data: bytes) -> bytes:
    """``data`` with only the items :func:`is_kept` keeps (item names carry a ``icudt73l/`` prefix)."""
    header, items = read_items(data)
    return write_items(header, {name: blob for name, blob in items.items() if is_kept(name.split("/", 1)[1])})


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"{name} not found: install binutils")
    return path


def _symbol(library: Path) -> tuple[str, int, int]:
    """The data array's name, file offset and size (``icudt73_dat`` sits alone in ``.rodata``)."""
    out = subprocess.run([_tool("readelf"), "-sW", "-SW", str(library)], capture_output=True, text=True).stdout
    symbol = re.search(r"\s([0-9a-f]+)\s+(\d+|0x[0-9a-f]+)\s+OBJECT\s+GLOBAL\s+DEFAULT\s+\d+\s+(icudt\d+_dat)", out)
    rodata = re.search(r"\.rodata\s+PROGBITS\s+([0-9a-f]+)\s+([0-9a-f]+)", out)
    if symbol is None or rodata is None:
        raise RuntimeError(f"no ICU data array in {library}")
    address, size, name = int(symbol[1], 16), int(symbol[2], 0), symbol[3]
    return name, address - int(rodata[1], 16) + int(rodata[2], 16), size


def trim_library(library: Path, work_dir: Path) -> Path:
    """Write a trimmed copy of ICU's data ``library`` (same soname) into ``work_dir``; return its path."""
    name, offset, size = _symbol(library)
    with library.open("rb") as f:
        f.seek(offset)
        data = f.read(size)
    work_dir.mkdir(parents=True, exist_ok=True)
    blob = work_dir / f"{name}.bin"
    blob.write_bytes(subset(data))
    source, obj, target = work_dir / f"{name}.s", work_dir / f"{name}.o", work_dir / library.name
    source.write_text(
        '\t.section .note.GNU-stack,"",%progbits\n\t.section .rodata\n\t.balign 16\n'
        f"\t.globl {name}\n\t.type {name},%object\n{name}:\n\t.incbin \"{blob}\"\n\t.size {name}, .-{name}\n",
        encoding="ascii",
    )
    subprocess.run([_tool("as"), "-o", str(obj), str(source)], check=True)
    subprocess.run([_tool("ld"), "-shared", "-soname", library.name, "-o", str(target), str(obj)], check=True)
    return target
