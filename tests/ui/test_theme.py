"""Light and dark: View ▸ Theme switches every widget, remembers the choice, and "System" follows the desktop."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from app.clock import utcnow
from tests.support import dataset
from tests.ui.helpers import settle
from ui import theme
from ui.main_window import MainWindow
from ui.widgets import palette

BLOCK = 12  # a light area this big is a background, not the strokes of text


@pytest.fixture
def window(qtbot, context):
    dataset.fill(context.cache.engine, utcnow())
    win = MainWindow(context)
    qtbot.addWidget(win)
    win.resize(1280, 720)
    win.show()
    qtbot.waitExposed(win)
    settle(qtbot, context.runner)  # the tabs' panes are made (and the first one filled) once the window is painted
    yield win
    theme.apply_scheme(QApplication.instance(), palette.LIGHT)  # the application outlives the test


def _light_areas(image: QImage) -> list[tuple[int, int]]:
    """Top-left corners of BLOCK×BLOCK areas whose average colour is light."""
    small = image.convertToFormat(QImage.Format.Format_RGB32).scaled(  # each pixel: the average of a block
        image.width() // BLOCK, image.height() // BLOCK, Qt.AspectRatioMode.IgnoreAspectRatio,
        Qt.TransformationMode.SmoothTransformation)
    return [(x * BLOCK, y * BLOCK) for y in range(small.height()) for x in range(small.width())
            if QColor(small.pixel(x, y)).lightnessF() > 0.7]


def _every_pane(qtbot, win: MainWindow):
    for pane in win.panes:
        win.show_pane(pane)
        settle(qtbot, win.context.runner)
        yield pane


def test_after_switching_to_dark_no_widget_keeps_a_light_background(qtbot, window):
    assert window.theme.choice == theme.SYSTEM and window.theme.scheme is palette.LIGHT  # offscreen: no preference
    window.theme_actions[theme.DARK].trigger()
    assert window.theme.scheme is palette.DARK and palette.RED.name() == palette.DARK.statuses["red"]
    for pane in _every_pane(qtbot, window):
        light = _light_areas(window.grab().toImage())
        assert light == [], f"{pane.title}: light areas at {light[:5]}"
        for widget in pane.findChildren(QWidget):
            if widget.isVisible() and widget.autoFillBackground():
                background = widget.palette().color(widget.backgroundRole())
                assert background.lightnessF() < 0.5, (pane.title, widget.objectName() or type(widget).__name__)
    window.theme_actions[theme.LIGHT].trigger()
    window.show_pane(window.pane("health"))
    settle(qtbot, window.context.runner)
    assert len(_light_areas(window.grab().toImage())) > 100  # the check sees a light window


def test_cells_coloured_before_the_switch_take_the_new_colours(qtbot, window):
    tickets = window.pane("tickets")
    window.show_pane(tickets)
    settle(qtbot, window.context.runner)
    window.theme.set_choice(theme.DARK)
    settle(qtbot, window.context.runner)
    index = tickets.model.index(0, tickets.model.spec.index_of("sla"))
    assert tickets.model.data(index, Qt.ItemDataRole.ForegroundRole).color().name() == palette.DARK.statuses["red"]


def test_the_choice_is_remembered(qtbot, context, window):
    window.theme.set_choice(theme.DARK)
    window.close()
    again = MainWindow(context)
    qtbot.addWidget(again)
    assert again.theme.choice == theme.DARK and again.theme_actions[theme.DARK].isChecked()
    assert QApplication.palette().color(QApplication.palette().ColorRole.Base).name() == palette.DARK.base
    again.close()


def test_system_follows_the_desktop(qtbot, window, monkeypatch):
    monkeypatch.setattr(theme, "system_is_dark", lambda: True)
    window.theme._system_changed(None)  # what QStyleHints.colorSchemeChanged calls
    assert window.theme.scheme is palette.DARK
    window.theme.set_choice(theme.LIGHT)
    window.theme._system_changed(None)
    assert window.theme.scheme is palette.LIGHT  # an explicit choice does not follow the desktop


def test_a_changed_property_restyles_a_shown_widget_and_waits_for_one_not_shown_yet(qtbot):
    theme.apply_scheme(QApplication.instance(), palette.LIGHT)
    shown, unstyled, later = QLabel("shown"), QLabel("not restyled"), QLabel("shown later")
    for label in (shown, unstyled, later):
        qtbot.addWidget(label)
    for label in (shown, unstyled):
        label.show()
        qtbot.waitExposed(label)
    for label in (shown, unstyled, later):
        label.setProperty("problem", True)  # theme.qss: QLabel[problem="true"] is red
    theme.restyle(shown)
    theme.restyle(later)
    red = palette.LIGHT.statuses["red"]
    text = QPalette.ColorRole.WindowText
    assert shown.palette().color(text).name() == red
    assert unstyled.palette().color(text).name() != red  # Qt matched the selectors once, at the first show
    assert not later.testAttribute(Qt.WidgetAttribute.WA_WState_Polished)  # nothing done before its first show
    later.show()
    qtbot.waitExposed(later)
    assert later.palette().color(text).name() == red
