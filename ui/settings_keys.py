"""Window state through QSettings under named keys: geometry, splitters, table headers.

Typed application settings (backends, budgets…) are not here: they live in
``app.config.settings``.  This is only how the window looked when it closed.

The file sits in the data dir (``use_data_dir`` at start-up), so a demo or a
second data dir never disturbs the window state of the user's real one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings

from app.config.paths import APP_AUTHOR, APP_NAME

if TYPE_CHECKING:  # annotations only: the window's start makes no header or splitter
    from PySide6.QtWidgets import QHeaderView, QSplitter, QWidget


def use_data_dir(data_dir: Path) -> None:
    """Keep window state in ``data_dir/window-state/``; call once before the window is built."""
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(data_dir / "window-state"))


def qsettings() -> QSettings:
    """The UI-state store (an INI file under the data dir, see ``use_data_dir``)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, APP_AUTHOR, APP_NAME)


def int_value(key: str, default: int) -> int:
    """A whole number stored with ``setValue`` (the INI file gives it back as text); 0 for an empty entry."""
    value = qsettings().value(key, default)
    return int(value) if isinstance(value, int | str) and value != "" else 0


def save_geometry(key: str, widget: QWidget) -> None:
    qsettings().setValue(f"{key}/geometry", widget.saveGeometry())


def restore_geometry(key: str, widget: QWidget) -> bool:
    value = qsettings().value(f"{key}/geometry")
    return isinstance(value, QByteArray) and widget.restoreGeometry(value)


def save_header(key: str, header: QHeaderView, layout: str) -> None:
    """Remember the header's order, widths, hidden columns and sort, with the declared ``layout`` they started from."""
    settings = qsettings()
    settings.setValue(f"{key}/header", header.saveState())
    settings.setValue(f"{key}/header_layout", layout)


def restore_header(key: str, header: QHeaderView, layout: str) -> bool:
    """Put the remembered header back, unless it was saved from another declared ``layout``.

    A release that widens a column its title or values did not fit in would
    otherwise keep the cut width for everyone who had the table open before:
    a header is saved whenever the window closes, resized or not.
    """
    settings = qsettings()
    value = settings.value(f"{key}/header")
    return (isinstance(value, QByteArray) and settings.value(f"{key}/header_layout", "") == layout
            and header.restoreState(value))


def save_splitter(key: str, splitter: QSplitter) -> None:
    qsettings().setValue(f"{key}/splitter", splitter.saveState())


def restore_splitter(key: str, splitter: QSplitter) -> bool:
    value = qsettings().value(f"{key}/splitter")
    return isinstance(value, QByteArray) and splitter.restoreState(value)
