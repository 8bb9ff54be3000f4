"""Bundled resources (theme, icons): files in this package's folder, installed and frozen alike.

Installed, they sit beside this module; in the PyInstaller bundle they are
collected to ``resources/`` (``installer/manifest.py``), the folder this
module's ``__file__`` names there too.  Every caller wants a path on disk (Qt
reads the file), which ``importlib.resources`` would give only after
importing its readers: 2 ms of the window's start.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

_FOLDER = Path(__file__).parent


def resource_path(name: str) -> Path:
    """Filesystem path of a bundled resource, e.g. ``resource_path("icons/opsconsole.svg")``."""
    return _FOLDER / name


def filled(name: str, values: Mapping[str, str]) -> str:
    """The text of resource ``name`` with each ``@key@`` mark replaced by its value (colours of the theme)."""
    text = resource_path(name).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    return text
