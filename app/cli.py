"""The ``opsconsole`` command line: the parser and the headless sub-commands.

The console entry point is ``ui.cli:main``, which adds what needs Qt (the
window, ``self-test``) on top of this parser; ``python -m app`` runs the same
parser headless.  Start-up cost matters (the window should appear about as fast as a bare Qt
window), so this module imports only the standard library at the top.  Each
sub-command lives in its own module exposing ``register(subparsers)``; those
modules keep their heavy imports inside the handler functions.

The options every command shares (``--data-dir``, ``--verbose``) are accepted
before or after the sub-command (``opsconsole sync --data-dir X`` as well as
``opsconsole --data-dir X sync``).  A data folder or settings file that cannot
be used, or tokens that cannot be read, end the command with one sentence on
stderr and exit code 1, not a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from app import __version__
from app.roles import EXECUTIVE, ROLES

DATA_DIR_HELP = ("where the cache, settings, keys and logs live (default: the platform's user data folder, "
                 "or the OPSCONSOLE_DATA_DIR environment variable)")

# Modules that contribute sub-commands; each has ``register(subparsers)``.
CORE_COMMAND_MODULES = (
    "app.sync_command",
    "app.demo.cli",
    "app.licensing.cli",
    "app.metrics.cli",
    "app.costs_import.cli",
    "app.domain.customer_desk.cli",
    "app.reports.cli",
)


def build_parser(command_modules: Sequence[str] = CORE_COMMAND_MODULES) -> argparse.ArgumentParser:
    import importlib

    parser = argparse.ArgumentParser(
        prog="opsconsole",
        description="Ops Console: service health, customers, tickets, licenses and costs.",
    )
    parser.add_argument("--version", action="version", version=f"opsconsole {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help=DATA_DIR_HELP)
    parser.add_argument(
        "--demo",
        action="store_true",
        help="run on the embedded demo business; its data and window layout are kept in the demo folder "
        "of the data folder between runs",
    )
    parser.add_argument("--fresh", action="store_true", help="with --demo: start the demo over from nothing")
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
    for command in sub.choices.values():
        _accept_shared_options(command)
    return parser


def _accept_shared_options(parser: argparse.ArgumentParser) -> None:
    """Let ``parser`` (and its own sub-commands) take the shared options after its name too.

    ``SUPPRESS`` as the default keeps a value given before the sub-command:
    the sub-parser sets the attribute only when the option appears after it.
    """
    group = parser.add_argument_group("options every command accepts")
    group.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help=DATA_DIR_HELP)
    group.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="log debug detail")
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _accept_shared_options(child)


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
    from app.config.startup import StartupError
    from app.secrets import SecretsError

    try:
        if command is not None:  # the window configures its own logging (ui.application)
            configure_logging(args)
        return int(handler(args) or 0)
    except (StartupError, SecretsError) as exc:
        print(f"opsconsole: {exc}", file=sys.stderr)
        return 1
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
    from app.config.startup import StartupError, open_data_dir

    try:
        log_file: Path | None = open_data_dir(args.data_dir).log_file
    except StartupError:
        log_file = None  # the command itself says what is wrong with the folder
    logs.configure(log_file, verbose=args.verbose, console=True)
