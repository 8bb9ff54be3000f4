"""The ``opsconsole`` entry point: the headless parser of ``app.cli`` plus what needs Qt.

Kept to standard-library imports at the top so ``opsconsole --version`` and the
headless sub-commands never load Qt.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from app.cli import CORE_COMMAND_MODULES
from app.cli import main as cli_main

UI_COMMAND_MODULES = (*CORE_COMMAND_MODULES, "ui.commands")


def run_window(args: argparse.Namespace) -> int:
    from ui.application import run

    return run(args)


def main(argv: Sequence[str] | None = None) -> int:
    return cli_main(argv, command_modules=UI_COMMAND_MODULES, default_handler=run_window)


if __name__ == "__main__":
    raise SystemExit(main())
