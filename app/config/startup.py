"""What every start needs before anything else can work: a usable data folder and a readable settings file.

When one of them is wrong the user gets one sentence that says which file or
folder and what to do -- in the terminal for a command, in a dialog for the
window -- and a non-zero exit, never a traceback.  A settings file that parses
but holds a bad value is not fatal: that key falls back to its default and
the problem is reported (``app.config.settings``).
"""

from __future__ import annotations

import os
from pathlib import Path

from app.config import settings as cfg
from app.config.paths import Paths


class StartupError(Exception):
    """Ops Console cannot start with this data folder or settings file; the message says why, in one sentence."""


def _reason(exc: OSError) -> str:
    if isinstance(exc, NotADirectoryError | FileExistsError):
        return "a file is in the way where a folder should be"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return exc.strerror or str(exc)


def open_data_dir(override: str | os.PathLike[str] | None = None) -> Paths:
    """The data folder (``--data-dir``, ``OPSCONSOLE_DATA_DIR`` or the default), created if missing."""
    paths = Paths.resolve(override)
    folder = paths.data_dir
    if folder.exists() and not folder.is_dir():
        raise StartupError(f"The data folder {folder} is a file, not a folder: choose another with --data-dir.")
    try:
        return paths.ensure()
    except OSError as exc:
        raise StartupError(
            f"Ops Console cannot use the data folder {folder} ({_reason(exc)}): choose another with --data-dir."
        ) from None


def read_settings(path: Path) -> cfg.LoadedSettings:
    """The settings at ``path`` (the defaults when there is no file); a file that cannot be read is fatal."""
    if not path.exists():
        return cfg.LoadedSettings(cfg.Settings())
    import tomllib  # only a file there needs the parser (1.5 ms of a start without one)

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise StartupError(f"The settings file {path} is not valid TOML ({exc}): fix it or move it away.") from None
    except UnicodeDecodeError:
        raise StartupError(f"The settings file {path} is not UTF-8 text: fix it or move it away.") from None
    except OSError as exc:
        raise StartupError(f"The settings file {path} cannot be read ({_reason(exc)}).") from None
    return cfg.from_dict(data)
