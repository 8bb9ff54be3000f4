"""Render the application icon (resources/icons/opsconsole.svg) into every format an OS wants.

Why render rather than commit binaries: the SVG is the one source; the PNG the
app and Linux use, the multi-size ``.ico`` for Windows and the ``.iconset``
folder that macOS's ``iconutil`` turns into ``.icns`` are derived from it at
build time with Qt (already a dependency), so they can never drift apart.

Run ``python installer/make_icons.py`` to refresh the committed
resources/icons/opsconsole.png after editing the SVG; installer/build.py calls
:func:`render_all` for the rest.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icons" / "opsconsole.svg"
PNG = ROOT / "resources" / "icons" / "opsconsole.png"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICONSET_SIZES = (16, 32, 128, 256, 512)


def _png_bytes(svg: Path, size: int) -> bytes:
    """The SVG rendered at ``size``×``size`` pixels, PNG-encoded."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])  # QPainter needs a Gui app
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(svg)).render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def write_ico(svg: Path, target: Path) -> None:
    """A Windows icon holding one PNG per size (Vista+ reads PNG entries; Qt writes one size only)."""
    images = [_png_bytes(svg, size) for size in ICO_SIZES]
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries = b""
    for size, data in zip(ICO_SIZES, images, strict=True):
        side = size % 256  # 0 means 256 in an ICONDIRENTRY
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    target.write_bytes(header + entries + b"".join(images))


def write_iconset(svg: Path, folder: Path) -> None:
    """The ``.iconset`` layout ``iconutil -c icns`` expects (each size at 1x and 2x)."""
    folder.mkdir(parents=True, exist_ok=True)
    for size in ICONSET_SIZES:
        (folder / f"icon_{size}x{size}.png").write_bytes(_png_bytes(svg, size))
        (folder / f"icon_{size}x{size}@2x.png").write_bytes(_png_bytes(svg, size * 2))


def render_all(out_dir: Path, svg: Path = SVG) -> dict[str, Path]:
    """Write opsconsole.png (256 px), .ico and .iconset into ``out_dir``; return them by kind.

    On macOS the iconset is also converted to ``.icns`` (``iconutil`` ships with the OS).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    made = {
        "png": out_dir / "opsconsole.png",
        "ico": out_dir / "opsconsole.ico",
        "iconset": out_dir / "opsconsole.iconset",
    }
    made["png"].write_bytes(_png_bytes(svg, 256))
    write_ico(svg, made["ico"])
    write_iconset(svg, made["iconset"])
    iconutil = shutil.which("iconutil")
    if iconutil:
        made["icns"] = out_dir / "opsconsole.icns"
        subprocess.run([iconutil, "-c", "icns", str(made["iconset"]), "-o", str(made["icns"])], check=True)
    return made


def main() -> int:
    PNG.write_bytes(_png_bytes(SVG, 256))
    print(f"wrote {PNG.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
