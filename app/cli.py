"""The ``opsconsole`` command line: the parser and the headless sub-commands.

The console entry point is ``ui.cli:main``, which adds what needs Qt (the
window, ``self-test``) on top of this parser; ``python -m app`` runs the same
parser headless.  Start-up cost matters (the window should appear about as fast as a bare Qt
window), so this module imports only the standard library at the top.  Each
sub-command lives in its own module exposing ``register(subparsers)``; those
modules keep their heavy imports inside the handler functions.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from app import __version__
from app.roles import EXECUTIVE, ROLES

# Modules that contribute sub-commands; each has ``register(subparsers)``.
CORE_COMMAND_MODULES = (
    "app.sync.cli",
    "app.demo.cli",
    "app.licensing.cli",
    "app.metrics.cli",
    "app.costs_import.cli",
    "app.domain.customer_desk.cli",
)


def build_parser(command_modules: Sequence[str] = CORE_COMMAND_MODULES) -> argparse.ArgumentParser:
    import importlib

    parser = argparse.ArgumentParser(
        prog="opsconsole",
        description="Ops Console: service health, customers, tickets, licenses and costs.",
    )
    parser.add_argument("--version", action="version", version=f"opsconsole {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="where the cache, settings, keys and logs live (default: the platform's "
        "user data dir; env OPSCONSOLE_DATA_DIR)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="run on the embedded demo business in a fresh temporary data dir",
    )
    parser.add_argument(
        "--demo-role",
        default=EXECUTIVE,
        choices=ROLES,
        help="the role the demo backend signs you in as (default executive: every pane, read-only; "
        "support can issue licenses and answer tickets)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in command_modules:
        importlib.import_module(name).register(sub)
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    command_modules: Sequence[str] = CORE_COMMAND_MODULES,
    default_handler: Callable[[argparse.Namespace], int] | None = None,
) -> int:
    """Parse ``argv`` and run the chosen sub-command (or ``default_handler``)."""
    parser = build_parser(command_modules)
    args = parser.parse_args(argv)
    command = getattr(args, "handler", None)
    handler = command or default_handler
    if handler is None:
        parser.print_help()
        return 2
    if command is not None:  # the window configures its own logging (ui.application)
        configure_logging(args)
    try:
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def configure_logging(args: argparse.Namespace) -> None:
    """Every command logs like the window: to the data dir's log file and to stderr, through the redactor.

    Stderr gets warnings and worse (everything with ``-v``), so a token in an
    exception text never reaches a terminal or a cron mail unmasked.  A data
    dir that cannot be created leaves stderr alone (the command says why).
    """
    from app import logs
    from app.config.paths import Paths

    try:
        log_file: Path | None = Paths.resolve(args.data_dir).ensure().log_file
    except OSError:
        log_file = None
    logs.configure(log_file, verbose=args.verbose, console=True)
