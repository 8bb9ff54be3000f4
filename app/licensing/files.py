"""Reading the files a user hands the licensing tools — licenses, keys, passphrases — bounded.

A license file is five short lines and a key file a few hundred bytes, yet
the user may pick any file: a 50 MB one used to be read whole (and decoded,
and copied) before being refused.  The size is checked before the file is
opened, and at most ``limit + 1`` bytes are ever read, so a file that grows
while it is read, a pipe or a device is refused all the same.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from app.licensing.errors import LicensingError

MAX_FILE_BYTES = 1_000_000  # 1 MB: orders of magnitude above any license, key or revocation list


def _too_large(name: str, limit: int) -> LicensingError:
    return LicensingError(f"{name} is larger than {limit:,} bytes, so it is not a license, key or passphrase file.")


def read_bounded(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of ``path``, refused (``LicensingError``) before reading when it is over ``limit``."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise LicensingError(f"{path.name} cannot be read: {exc.strerror or exc}") from None
    if size > limit:
        raise _too_large(path.name, limit)
    try:
        with path.open("rb") as stream:
            return read_stream(stream, path.name, limit)
    except OSError as exc:
        raise LicensingError(f"{path.name} cannot be read: {exc.strerror or exc}") from None


def read_stream(stream: BinaryIO, name: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """At most ``limit`` bytes of ``stream`` (standard input, a pipe); more is refused, never read whole."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise _too_large(name, limit)
    return data
