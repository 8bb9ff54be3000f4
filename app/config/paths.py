"""Where Ops Console keeps its files on this workstation.

One data dir holds the cache, the settings file, the encrypted secrets and
signing keys, and the logs.  It comes from ``platformdirs`` and can be
overridden by ``--data-dir`` or ``OPSCONSOLE_DATA_DIR`` (tests and ``--demo``
use that to stay out of the user's real files).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "OpsConsole"
APP_AUTHOR = "OpsConsole"
ENV_DATA_DIR = "OPSCONSOLE_DATA_DIR"


def default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


@dataclass(frozen=True)
class Paths:
    """Every file location, derived from one data dir."""

    data_dir: Path

    @classmethod
    def resolve(cls, override: str | os.PathLike[str] | None = None) -> Paths:
        """``--data-dir`` wins, then ``OPSCONSOLE_DATA_DIR``, then the platform default."""
        chosen = override or os.environ.get(ENV_DATA_DIR) or default_data_dir()
        return cls(Path(chosen).expanduser().resolve())

    @property
    def cache(self) -> Path:
        return self.data_dir / "cache.sqlite3"

    @property
    def settings(self) -> Path:
        return self.data_dir / "settings.toml"

    @property
    def secrets_file(self) -> Path:
        """Passphrase-encrypted API tokens, used only where the OS has no keyring."""
        return self.data_dir / "secrets.enc"

    @property
    def keys_dir(self) -> Path:
        """Passphrase-encrypted license signing keys (PKCS#8) and their public halves."""
        return self.data_dir / "keys"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "opsconsole.log"

    def ensure(self) -> Paths:
        """Create the data dir and its sub-dirs, readable by this user only (secrets and keys live there)."""
        for d in (self.data_dir, self.keys_dir, self.log_dir):
            private_dir(d)
        return self


def private_dir(path: Path) -> Path:
    """Make ``path`` a directory only its owner can enter — from its first instant, never 0755 for a while.

    Each missing level is created with mode 0700 (the umask can only narrow
    it), so no other user ever sees a secret-holding directory open, as they
    could between a default ``mkdir`` and a later ``chmod``.  An existing
    ``path`` (made by hand, or by an older version) is tightened.
    """
    missing: list[Path] = []
    level = path
    while not level.exists():
        missing.append(level)
        level = level.parent
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            directory.mkdir(0o700)
    with contextlib.suppress(OSError):  # a file system without modes (FAT, some shares)
        path.chmod(0o700)
    return path
