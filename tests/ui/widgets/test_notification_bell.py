"""The bell's icon: the SVG in the palette's text colour, drawn sharp at twice the size."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

from ui.widgets.notification_bell import bell_icon


def test_the_bell_is_drawn_in_the_palettes_text_colour(qapp):
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.ButtonText, QColor("#c0392b"))
    image = bell_icon(palette).pixmap(32, 32).toImage()
    assert (image.width(), image.height()) == (32, 32)
    assert image.pixelColor(16, 16).name() == "#c0392b"  # the bell's body, in the middle
    assert image.pixelColor(1, 1).alpha() == 0  # and nothing in the corners
