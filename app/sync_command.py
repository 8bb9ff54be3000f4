"""The ``opsconsole sync`` command: one headless sync pass, like the window's, then the alert pass.

It sits above both the sync engine and the alert rules (which are independent
features), as an entry point.

The backends are the window's: the addresses in ``settings.toml`` and the
tokens stored from File ▸ Settings (the OS keyring, or the passphrase-encrypted
secrets file, unlocked with ``OPSCONSOLE_SECRETS_PASSPHRASE`` or a prompt),
with the backend environment variables laid over both (``app.sync.backends``).
After the pass the alert rules run, as in the window, and new notifications
are printed.  The exit code is 0 only when every resource synced; ``--json``
prints the report for scripts.  Rows a backend sent that the cache could not
store are listed on stderr; they do not fail the sync.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.secrets import SecretStore

DESCRIPTION = """\
Pull fresh data from the Ops API and Stripe into the local cache, send the
changes made offline, then check the alert rules and print any new
notification. It uses the same backends as the window: the addresses in
settings.toml and the API tokens stored from File > Settings (in the system
keyring, or in the encrypted secrets file).

Environment variables override the stored values, for scheduled jobs and CI:
  OPSCONSOLE_API_URL, OPSCONSOLE_API_TOKEN   the Ops API address and token
  STRIPE_API_KEY, OPSCONSOLE_STRIPE_API_BASE the Stripe key and address
  OPSCONSOLE_SECRETS_PASSPHRASE              unlocks the encrypted secrets file

Exit status: 0 when everything synced, 1 when something did not, 2 when no
backend is configured.
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sync",
        help="pull the backends into the cache and push pending changes, once",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--json", action="store_true", help="print a summary as JSON on standard output")
    parser.set_defaults(handler=run)


def unlock_secrets(secrets: SecretStore) -> None:
    """The encrypted secrets file, if tokens live there: unlocked from the environment, or a prompt in a terminal."""
    import getpass

    if secrets.keyring_available() or not secrets.file.exists() or secrets.file.unlocked:
        return
    if sys.stdin.isatty():
        secrets.file.unlock(getpass.getpass("Passphrase of the encrypted secrets file: "))


def run(args: argparse.Namespace) -> int:
    import json

    from app.alerts import run_alerts
    from app.config.startup import open_data_dir, read_settings
    from app.domain.sla.evaluation import adopt_settings
    from app.secrets import SecretStore
    from app.store.database import open_cache
    from app.sync import quarantine
    from app.sync.backends import sync_config
    from app.sync.engine import SyncEngine
    from app.tasks import Progress, no_progress

    paths = open_data_dir(args.data_dir)
    loaded = read_settings(paths.settings)
    for problem in loaded.problems:
        print(f"settings: {problem}", file=sys.stderr)
    secrets = SecretStore(paths.secrets_file)
    unlock_secrets(secrets)
    config = sync_config(loaded.settings, secrets)
    if not (config.ops_enabled or config.stripe_enabled):
        print(
            "opsconsole: nothing to sync: set the Ops API address and token (or a Stripe key) in the window's "
            "File > Settings, or in OPSCONSOLE_API_URL and OPSCONSOLE_API_TOKEN (STRIPE_API_KEY for Stripe).",
            file=sys.stderr,
        )
        return 2
    cache = open_cache(paths.cache)
    for notice in cache.notices:
        print(notice, file=sys.stderr)

    def show(progress: Progress) -> None:
        total = f" of {progress.total:,}" if progress.total is not None else ""
        print(f"\r{progress.label:<20} {progress.done:,}{total}   ", end="", file=sys.stderr, flush=True)

    interactive = sys.stderr.isatty()  # a log file gets the summary, not a stream of carriage returns
    try:
        adopt_settings(cache.engine, loaded.settings.sla)  # the SLA rules clocks follow, as the window hands over
        report = SyncEngine(cache.engine, config).run_once(show if interactive else no_progress)
        alerts = run_alerts(cache.engine, loaded.settings)
        with cache.engine.connect() as conn:
            refused_rows = quarantine.entries(conn, limit=_LISTED)
    finally:
        cache.dispose()
    if interactive:
        print(file=sys.stderr)
    if args.json:
        print(json.dumps({**report.as_dict(), "notifications": [
            {"kind": n.kind, "severity": n.severity, "title": n.title, "body": n.body} for n in alerts.announced
        ]}, indent=2))
    else:
        for name, result in report.resources.items():
            not_stored = f"  ({result.not_stored} not stored)" if result.not_stored else ""
            print(f"{name:<24} {result.rows:>8} rows  {result.error or 'ok'}{not_stored}")
        if report.offline:
            print("offline: a backend could not be reached", file=sys.stderr)
        for announced in alerts.announced:
            body = f" — {announced.body}" if announced.body else ""
            print(f"notification [{announced.severity}]: {announced.title}{body}")
    for name, error in alerts.errors.items():
        print(f"alert rule {name} failed: {error}", file=sys.stderr)
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
