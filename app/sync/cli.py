"""``opsconsole sync``: one headless sync pass, progress on the terminal.

Backends come from the environment (``OPSCONSOLE_API_URL``,
``OPSCONSOLE_API_TOKEN``, ``STRIPE_API_KEY``, ``OPSCONSOLE_STRIPE_API_BASE``),
which is what cron jobs, CI and the tests use.  The exit code is 0 only when
every resource synced; ``--json`` prints the report for scripts.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sync",
        help="pull the backends into the cache and push pending changes, once",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import json

    from app.config.paths import Paths
    from app.connectors.config import SyncConfig
    from app.store.database import open_cache
    from app.sync.engine import SyncEngine
    from app.tasks import Progress, no_progress

    config = SyncConfig.from_env()
    if not (config.ops_enabled or config.stripe_enabled):
        print(
            "nothing to sync: set OPSCONSOLE_API_URL and OPSCONSOLE_API_TOKEN, and/or STRIPE_API_KEY",
            file=sys.stderr,
        )
        return 2
    paths = Paths.resolve(args.data_dir).ensure()
    cache = open_cache(paths.cache)
    for notice in cache.notices:
        print(notice, file=sys.stderr)

    def show(progress: Progress) -> None:
        total = f"/{progress.total}" if progress.total is not None else ""
        print(f"\r{progress.label:<20} {progress.done}{total}   ", end="", file=sys.stderr, flush=True)

    interactive = sys.stderr.isatty()  # a log file gets the summary, not a stream of carriage returns
    try:
        report = SyncEngine(cache.engine, config).run_once(show if interactive else no_progress)
    finally:
        cache.dispose()
    if interactive:
        print(file=sys.stderr)
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        for name, result in report.resources.items():
            print(f"{name:<24} {result.rows:>8} rows  {result.error or 'ok'}")
        if report.offline:
            print("offline: a backend could not be reached", file=sys.stderr)
    return 0 if report.ok else 1
