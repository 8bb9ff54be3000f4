"""The smaller ICU data library: which items stay, and that the package it writes is one ICU can read."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import icu_data
import pytest


def _package(items: dict[str, bytes]) -> bytes:
    """A little-endian ``CmnD`` package as ICU's tools write it: 32-byte header, then the table of contents."""
    info = struct.pack("<HHBBBB4s4s4s", 20, 0, 0, 0, 2, 0, b"CmnD", b"\1\0\0\0", b"\3\0\0\0")
    header = struct.pack("<HBB", 32, 0xDA, 0x27) + info
    return icu_data.write_items(header + b"\0" * (32 - len(header)), items)


@pytest.mark.parametrize(
    ("item", "kept"),
    [
        ("root.res", True), ("en.res", True), ("en_GB.res", True), ("coll/root.res", True),
        ("coll/ucadata.icu", True), ("zoneinfo64.res", True), ("nfc.nrm", True), ("brkitr/line.brk", True),
        ("supplementalData.res", True), ("lang/pool.res", True), ("curr/res_index.res", True),
        ("de.res", False), ("sr_Latn_BA.res", False), ("coll/sv.res", False), ("zone/fr_CA.res", False),
        ("translit/root.res", False), ("ibm-943_P15A-2003.cnv", False), ("brkitr/cjdict.dict", False),
        ("unames.icu", False),
    ],
)  # fmt: skip
def test_english_root_and_every_shared_item_stay(item, kept):
    assert icu_data.is_kept(item) is kept


def test_a_subset_keeps_the_kept_items_byte_for_byte_sorted_and_aligned():
    items = {"icudt73l/de.res": b"german", "icudt73l/root.res": b"r" * 17, "icudt73l/coll/root.res": b"coll",
             "icudt73l/translit/root.res": b"t", "icudt73l/en.res": b"english"}  # fmt: skip
    header, read = icu_data.read_items(icu_data.subset(_package(items)))

    assert list(read) == ["icudt73l/coll/root.res", "icudt73l/en.res", "icudt73l/root.res"]
    assert [blob.rstrip(b"\0") for blob in read.values()] == [b"coll", b"english", b"r" * 17]
    (count,) = struct.unpack_from("<I", icu_data.subset(_package(items)), len(header))
    offsets = [struct.unpack_from("<II", icu_data.subset(_package(items)), len(header) + 4 + 8 * i)[1]
               for i in range(count)]  # fmt: skip
    assert all((len(header) + o) % 16 == 0 for o in offsets)


def test_other_data_is_refused():
    with pytest.raises(ValueError, match="CmnD"):
        icu_data.read_items(b"\x20\x00\xda\x27" + b"\0" * 28)


def _icu_library() -> Path | None:
    try:
        import PySide6
    except ImportError:
        return None
    found = sorted((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libicudata.so.*"))
    return found[0] if found else None


@pytest.mark.skipif(_icu_library() is None or not (shutil.which("as") and shutil.which("ld")),
                    reason="needs PySide6's ICU on Linux and binutils")  # fmt: skip
def test_the_rebuilt_library_exports_the_same_symbol_with_the_kept_items(tmp_path):
    library = _icu_library()
    assert library is not None
    trimmed = icu_data.trim_library(library, tmp_path)

    assert trimmed.name == library.name
    assert trimmed.stat().st_size < library.stat().st_size / 4
    dynamic = subprocess.run(["readelf", "-dW", "-sW", str(trimmed)], capture_output=True, text=True).stdout
    assert f"Library soname: [{library.name}]" in dynamic
    symbol, offset, size = icu_data._symbol(trimmed)
    assert symbol.startswith("icudt")
    data = trimmed.read_bytes()[offset : offset + size]
    _, items = icu_data.read_items(data)
    short = {n.split("/", 1)[1] for n in items}
    assert {"root.res", "en.res", "coll/root.res", "coll/ucadata.icu", "zoneinfo64.res"} <= short
    assert not {"de.res", "coll/sv.res", "translit/root.res"} & short
