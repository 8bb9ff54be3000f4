"""The icon formats derived from resources/icons/opsconsole.svg are what each OS reads."""

from __future__ import annotations

import struct
from pathlib import Path

import make_icons
import pytest

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def one_qt_application(qapp):
    """make_icons paints with Qt and makes a QGuiApplication if none exists; the suite's QApplication is used instead.

    A QGuiApplication left behind here would make every later UI test fail
    (pytest-qt refuses an application that is not a QApplication).
    """
    return qapp


def _png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE)
    return struct.unpack(">II", data[16:24])  # IHDR width, height


def test_committed_png_is_the_256_pixel_rendering():
    assert _png_size(make_icons.PNG.read_bytes()) == (256, 256)


def test_ico_holds_one_png_per_size(tmp_path: Path):
    target = tmp_path / "app.ico"
    make_icons.write_ico(make_icons.SVG, target)
    data = target.read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind, count) == (0, 1, len(make_icons.ICO_SIZES))
    for i, size in enumerate(make_icons.ICO_SIZES):
        width, height, _, _, _, _, length, offset = struct.unpack("<BBBBHHII", data[6 + 16 * i : 22 + 16 * i])
        assert (width or 256, height or 256) == (size, size)
        assert _png_size(data[offset : offset + length]) == (size, size)


def test_iconset_has_every_size_iconutil_wants(tmp_path: Path):
    made = make_icons.render_all(tmp_path)
    names = sorted(p.name for p in made["iconset"].iterdir())
    assert len(names) == 2 * len(make_icons.ICONSET_SIZES)
    assert _png_size((made["iconset"] / "icon_512x512@2x.png").read_bytes()) == (1024, 1024)
