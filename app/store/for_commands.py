"""What a headless command opens first: the data folder, its settings and its cache, with their problems told.

Every command that reads the cache (``metrics``, ``report``, ``import-costs``,
the customer desk's) starts the same way, and says the same things on stderr:
each settings problem (the defaults are used for that key), and each notice of
the cache opening (a damaged cache moved aside, changes recovered from it).
A folder or settings file that cannot be used raises ``StartupError``, which
the command line turns into one sentence and exit code 1.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass

from app.config.settings import Settings
from app.config.startup import open_data_dir, read_settings
from app.store.database import Cache, open_cache


@dataclass(frozen=True)
class Opened:
    settings: Settings
    cache: Cache


@contextlib.contextmanager
def opened(data_dir: str | None) -> Iterator[Opened]:
    """The data folder's settings and open cache; the cache is closed when the block ends."""
    paths = open_data_dir(data_dir)
    loaded = read_settings(paths.settings)
    for problem in loaded.problems:
        print(f"settings: {problem}", file=sys.stderr)
    cache = open_cache(paths.cache)
    try:
        for notice in cache.notices:
            print(notice, file=sys.stderr)
        yield Opened(loaded.settings, cache)
    finally:
        cache.dispose()
