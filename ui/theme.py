"""Light and dark: the Qt palette and style sheet of a colour scheme, following the OS or the user's choice.

View ▸ Theme offers System, Light and Dark; the choice is remembered (window
state, ``QSettings``).  "System" follows Qt's style hints
(``QStyleHints.colorScheme``), also while the window is open.  Every colour
comes from ``ui.widgets.palette``: this module turns a ``Scheme`` into a
``QPalette`` for Fusion, fills the ``@name@`` colours of ``resources/theme.qss``
and re-tints the live status colours, then tells the window (``changed``) so
it redraws what it painted with the old ones.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from resources import filled
from ui import settings_keys
from ui.widgets import palette
from ui.widgets.palette import Scheme

log = logging.getLogger(__name__)

SYSTEM, LIGHT, DARK = "system", "light", "dark"
CHOICES = {SYSTEM: "System", LIGHT: "Light", DARK: "Dark"}  # View ▸ Theme, in this order
THEME_KEY = "view/theme"

_Role = QPalette.ColorRole
_Group = QPalette.ColorGroup


def system_is_dark() -> bool:
    """Whether the desktop asks for dark (an unknown answer, as offscreen gives, means light)."""
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def scheme_for(choice: str) -> Scheme:
    """The scheme a choice means now."""
    if choice == SYSTEM:
        return palette.DARK if system_is_dark() else palette.LIGHT
    return palette.DARK if choice == DARK else palette.LIGHT


def qt_palette(scheme: Scheme) -> QPalette:
    """The Fusion palette of ``scheme``: every role set, so no widget falls back to a light default."""
    qp = QPalette(QColor(scheme.button), QColor(scheme.window))
    roles = {
        _Role.Window: scheme.window, _Role.WindowText: scheme.text, _Role.Base: scheme.base,
        _Role.AlternateBase: scheme.alternate_base, _Role.Text: scheme.text, _Role.Button: scheme.button,
        _Role.ButtonText: scheme.text, _Role.BrightText: scheme.statuses["red"], _Role.Highlight: scheme.highlight,
        _Role.HighlightedText: scheme.highlighted_text, _Role.ToolTipBase: scheme.tooltip_base,
        _Role.ToolTipText: scheme.text, _Role.Link: scheme.link, _Role.LinkVisited: scheme.link,
        _Role.PlaceholderText: scheme.statuses["muted"],
    }
    for role, value in roles.items():
        qp.setColor(_Group.All, role, QColor(value))
    for role in (_Role.WindowText, _Role.Text, _Role.ButtonText):
        qp.setColor(_Group.Disabled, role, QColor(scheme.disabled_text))
    qp.setColor(_Group.Disabled, _Role.Highlight, QColor(scheme.grid))
    return qp


def stylesheet(scheme: Scheme) -> str:
    """``resources/theme.qss`` with the scheme's colours in place of its ``@name@`` marks."""
    return filled("theme.qss", {"grid": scheme.grid, "header": scheme.header, **scheme.statuses})


def apply_scheme(app: QApplication, scheme: Scheme) -> None:
    """Make ``scheme`` the application's: live colours, Qt palette, style sheet."""
    palette.use_scheme(scheme)
    app.setPalette(qt_palette(scheme))
    app.setStyleSheet(stylesheet(scheme))


def restyle(widget: QWidget) -> None:
    """Match the style sheet again after a dynamic property its selectors read has changed.

    Qt matches property selectors when it polishes a widget, once, before the
    widget is first shown.  A widget not polished yet gets its properties then,
    so it is left alone; that also keeps ``QStyle`` (11 Python enum classes,
    4 ms) out of the window's start.
    """
    if widget.testAttribute(Qt.WidgetAttribute.WA_WState_Polished):
        style = widget.style()
        style.unpolish(widget)
        style.polish(widget)


def saved_choice() -> str:
    value = settings_keys.qsettings().value(THEME_KEY, SYSTEM)
    return value if isinstance(value, str) and value in CHOICES else SYSTEM


class Theme(QObject):
    """The window's theme: the user's choice, applied now and whenever the desktop's scheme changes."""

    changed = Signal(object)  # the Scheme now in use

    def __init__(self, app: QApplication, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self.choice = saved_choice()
        self.scheme = palette.current()
        app.styleHints().colorSchemeChanged.connect(self._system_changed)
        self.apply()

    def set_choice(self, choice: str) -> None:
        """View ▸ Theme: use ``choice`` from now on, and remember it."""
        if choice not in CHOICES:
            raise ValueError(f"unknown theme {choice!r}; known: {', '.join(CHOICES)}")
        self.choice = choice
        settings_keys.qsettings().setValue(THEME_KEY, choice)
        self.apply()

    def apply(self) -> None:
        scheme = scheme_for(self.choice)
        if scheme is self.scheme and palette.current() is scheme and self._app.styleSheet():
            return
        log.info("theme: %s (%s)", scheme.name, self.choice)
        self.scheme = scheme
        apply_scheme(self._app, scheme)
        self.changed.emit(scheme)

    def _system_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self.choice == SYSTEM:
            self.apply()
