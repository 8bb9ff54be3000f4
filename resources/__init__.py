"""Bundled resources (theme, icons), found through ``importlib.resources`` so they work installed and frozen."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def resource_path(name: str) -> Path:
    """Filesystem path of a bundled resource, e.g. ``resource_path("icons/opsconsole.svg")``."""
    return Path(str(files(__name__).joinpath(name)))
