"""``opsconsole sync``: one headless sync pass, progress on the terminal.

Backends come from the environment (``OPSCONSOLE_API_URL``,
``OPSCONSOLE_API_TOKEN``, ``STRIPE_API_KEY``, ``OPSCONSOLE_STRIPE_API_BASE``),
which is what cron jobs, CI and the tests use.  The exit code is 0 only when
every resource synced; ``--json`` prints the report for scripts.  Rows a
backend sent that the cache could not store are listed on stderr ("N rows
could not be stored"); they do not fail the sync.
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
    from app.config.settings import load
    from app.connectors.config import SyncConfig
    from app.domain.sla.evaluation import adopt_settings
    from app.store.database import open_cache
    from app.sync import quarantine
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
        settings = load(paths.settings)
        for problem in settings.problems:
            print(f"settings: {problem}", file=sys.stderr)
        adopt_settings(cache.engine, settings.settings.sla)  # the SLA rules clocks follow, as the window hands over
        report = SyncEngine(cache.engine, config).run_once(show if interactive else no_progress)
        with cache.engine.connect() as conn:
            refused_rows = quarantine.entries(conn, limit=_LISTED)
    finally:
        cache.dispose()
    if interactive:
        print(file=sys.stderr)
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        for name, result in report.resources.items():
            not_stored = f"  ({result.not_stored} not stored)" if result.not_stored else ""
            print(f"{name:<24} {result.rows:>8} rows  {result.error or 'ok'}{not_stored}")
        if report.offline:
            print("offline: a backend could not be reached", file=sys.stderr)
    if report.not_stored:
        _show_not_stored(report.not_stored_text(), refused_rows, report.not_stored)
    return 0 if report.ok else 1


_LISTED = 20  # quarantined rows listed by name


def _show_not_stored(summary: str, rows: list[dict[str, Any]], total: int) -> None:
    """Say which rows the cache could not store and why (stderr: stdout may be ``--json``)."""
    print(f"{summary}; they stay out of the cache until their source fixes them:", file=sys.stderr)
    for row in rows:
        print(f"  {row['resource']} {row['item_id']}: {row['reason']}", file=sys.stderr)
    if total > len(rows):
        print(f"  … and {total - len(rows):,} more", file=sys.stderr)
