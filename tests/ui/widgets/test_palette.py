"""Status colours are readable as text on both schemes (WCAG AA, 4.5:1), and follow the scheme in use."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor

from ui.widgets import palette


@pytest.mark.parametrize("scheme", [palette.LIGHT, palette.DARK], ids=lambda s: s.name)
def test_every_status_colour_reads_on_every_background_of_its_scheme(scheme):
    for name, value in scheme.statuses.items():
        for background in scheme.backgrounds:
            ratio = palette.contrast(QColor(value), QColor(background))
            assert ratio >= 4.5, f"{scheme.name} {name} {value} on {background}: {ratio:.2f}"
    tinted = QColor(scheme.tints["tinted_text"])
    for tint in ("warning", "critical"):
        assert palette.contrast(tinted, QColor(scheme.tints[tint])) >= 4.5
    assert palette.contrast(QColor(scheme.text), QColor(scheme.base)) >= 7


def test_contrast_is_the_wcag_ratio():
    assert palette.contrast(QColor("#000000"), QColor("#ffffff")) == pytest.approx(21.0)
    assert palette.contrast(QColor("#777777"), QColor("#ffffff")) == pytest.approx(4.48, abs=0.01)


def test_the_live_colours_follow_the_scheme():
    held = {"past_due": palette.RED}  # as a pane keeps them
    try:
        palette.use_scheme(palette.DARK)
        assert held["past_due"].name() == palette.DARK.statuses["red"]
        assert palette.SERIES[0].name() == palette.DARK.series[0].lower()
        assert palette.brush(palette.AMBER).color().name() == palette.DARK.statuses["amber"]
    finally:
        palette.use_scheme(palette.LIGHT)
    assert held["past_due"].name() == palette.LIGHT.statuses["red"]
