"""Every colour of the window, per scheme, so red means the same thing on every tab, light or dark.

The status colours (``RED``, ``AMBER``, ``GREEN``, ``GREY``), the secondary
text (``MUTED``), the warning tints and the chart series are *live*: they are
the colours of the scheme in use, and ``use_scheme`` re-tints them in place.
So a pane may keep them in its own tables (``{"past_due": RED}``) and still
draw the right colour after the user switches to dark; what it drew before the
switch is redrawn by the window (every pane refreshes).

Each status colour is chosen for text: at least 4.5:1 (WCAG AA) against the
table's base and alternate-row colours and the window colour of its scheme
(``contrast`` computes it; a test checks every pair).  This module is the
only place in ``ui/`` that names a colour; ``ui.theme`` builds the Qt
palette and the style sheet from ``Scheme``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtGui import QBrush, QColor


@dataclass(frozen=True)
class Scheme:
    """One colour scheme: the window's own colours, the status colours, tints and chart series."""

    name: str
    dark: bool
    window: str
    base: str
    alternate_base: str
    text: str
    button: str
    highlight: str
    highlighted_text: str
    tooltip_base: str
    link: str
    disabled_text: str
    grid: str  # table grid lines and header rule
    header: str  # table header background
    statuses: dict[str, str] = field(default_factory=dict)  # red, amber, green, grey, muted, accent
    tints: dict[str, str] = field(default_factory=dict)  # warning, critical backgrounds and their text
    series: tuple[str, ...] = ()  # chart lines

    @property
    def backgrounds(self) -> tuple[str, ...]:
        """Where status text is drawn: table rows (base, alternate) and the window (labels, tiles)."""
        return (self.base, self.alternate_base, self.window)


LIGHT = Scheme(
    name="light", dark=False,
    window="#efefef", base="#ffffff", alternate_base="#f7f7f7", text="#000000", button="#efefef",
    highlight="#308cc6", highlighted_text="#ffffff", tooltip_base="#ffffdc", link="#0b57d0",
    disabled_text="#8c8c8c", grid="#dcdfe3", header="#f4f6f8",
    statuses={"red": "#c62828", "amber": "#8f5600", "green": "#27702b", "grey": "#666666",
              "muted": "#5f6368", "accent": "#1f5fa8"},
    tints={"warning": "#ffe3a6", "critical": "#ffb8b8", "tinted_text": "#202020"},
    # Okabe–Ito: told apart by colour-blind readers too.
    series=("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#8C8C00", "#7F7F7F"),
)
DARK = Scheme(
    name="dark", dark=True,
    window="#2d2d2d", base="#1e1e1e", alternate_base="#262626", text="#e6e6e6", button="#353535",
    highlight="#2f65ca", highlighted_text="#ffffff", tooltip_base="#2d2d2d", link="#7ab7ff",
    disabled_text="#7a7a7a", grid="#3a3a3a", header="#333333",
    statuses={"red": "#ff7b72", "amber": "#f0b44c", "green": "#6cc070", "grey": "#a3a3a3",
              "muted": "#a8adb3", "accent": "#7ab7ff"},
    tints={"warning": "#5a4300", "critical": "#6b2424", "tinted_text": "#f0f0f0"},
    # Okabe–Ito lightened where the original is too dark to see on the dark base.
    series=("#56B4E9", "#E69F00", "#2FC29A", "#E08BC0", "#9AD0F5", "#FF7F3F", "#D4D44A", "#B0B0B0"),
)
SCHEMES = {LIGHT.name: LIGHT, DARK.name: DARK}

RED = QColor(LIGHT.statuses["red"])  # broken, breached, down, overdue
AMBER = QColor(LIGHT.statuses["amber"])  # needs attention soon
GREEN = QColor(LIGHT.statuses["green"])  # fine
GREY = QColor(LIGHT.statuses["grey"])  # unknown, inactive, finished
MUTED = QColor(LIGHT.statuses["muted"])  # secondary text: captions, log headings, empty states
ACCENT = QColor(LIGHT.statuses["accent"])  # work in progress (syncing)
STATUS_COLORS = {"red": RED, "amber": AMBER, "green": GREEN, "grey": GREY, "muted": MUTED, "accent": ACCENT}

WARNING_TINT = QColor(LIGHT.tints["warning"])  # the background of a figure past its warning level
CRITICAL_TINT = QColor(LIGHT.tints["critical"])  # … past its critical level
TINTED_TEXT = QColor(LIGHT.tints["tinted_text"])  # text on a tint
SERIES = tuple(QColor(c) for c in LIGHT.series)  # chart lines, in order
FAINT = QColor(LIGHT.grid)  # a fill standing for "no data" (a day without checks), barely there on either scheme

_current = LIGHT


def use_scheme(scheme: Scheme) -> None:
    """Make ``scheme``'s colours the live ones (``ui.theme`` calls this when the theme changes)."""
    global _current
    _current = scheme
    for name, color in STATUS_COLORS.items():
        _retint(color, scheme.statuses[name])
    _retint(WARNING_TINT, scheme.tints["warning"])
    _retint(CRITICAL_TINT, scheme.tints["critical"])
    _retint(TINTED_TEXT, scheme.tints["tinted_text"])
    _retint(FAINT, scheme.grid)
    for color, value in zip(SERIES, scheme.series, strict=True):
        _retint(color, value)


def _retint(color: QColor, value: str) -> None:
    color.setRgba(QColor(value).rgba())


def current() -> Scheme:
    """The scheme in use."""
    return _current


def brush(color: QColor | None) -> QBrush | None:
    """A brush of ``color`` as it is now (models return brushes for ForegroundRole)."""
    return None if color is None else QBrush(color)


def css(color: QColor) -> str:
    """A colour for a style sheet or rich text (``#rrggbb``)."""
    return color.name()


def chart_colors() -> tuple[QColor, QColor]:
    """(background, foreground) for a chart: the table base and the text colour of the scheme in use."""
    return QColor(_current.base), QColor(_current.text)


def luminance(color: QColor) -> float:
    """WCAG relative luminance of ``color``."""

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(color.redF()) + 0.7152 * linear(color.greenF()) + 0.0722 * linear(color.blueF())


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours (1 … 21; text needs at least 4.5)."""
    la, lb = luminance(a), luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def ink_on(background: QColor) -> QColor:
    """Near-black or near-white text, whichever contrasts more with ``background`` (heat-map cells)."""
    dark, light = QColor("#111111"), QColor("#f5f5f5")
    return dark if contrast(dark, background) >= contrast(light, background) else light
