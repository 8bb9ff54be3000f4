"""``opsconsole metrics NAME``: the figures a pane shows, computed from the cache, for scripts and checks.

Offline and read-only: it opens the local cache, computes the named figure
set with the same function the window uses, and prints it (``--json`` for
scripts).  ``--month YYYY-MM`` asks for a past month where the figures have one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

DESCRIPTION = """\
Print the figures a tab of the window shows, computed from the local cache
with the same rules, for scripts and checks. It works offline and changes
nothing. Use --json for one JSON object, and --month YYYY-MM for a past month
where the figures have one.
"""


def _month(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a month: use YYYY-MM, e.g. 2026-10") from None


def register(subparsers: Any) -> None:
    from app.metrics import FIGURE_SETS

    parser = subparsers.add_parser(
        "metrics",
        help="print the figures a pane shows (revenue, support, health, costs…) from the local cache",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("name", choices=sorted(FIGURE_SETS), metavar="NAME",
                        help="which figures: " + ", ".join(sorted(FIGURE_SETS)))
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--month", type=_month, metavar="YYYY-MM", help="the month to report (default: this one)")
    parser.set_defaults(handler=run)


def _lines(value: Any, prefix: str = "") -> list[str]:
    """A JSON value as ``dotted.key: value`` lines, for reading in a terminal."""
    if isinstance(value, dict):
        return [line for k, v in value.items() for line in _lines(v, f"{prefix}{k}.")]
    if isinstance(value, list) and value and isinstance(value[0], (dict, list)):
        return [line for i, v in enumerate(value) for line in _lines(v, f"{prefix}{i}.")]
    return [f"{prefix.rstrip('.')}: {json.dumps(value)}"]


def run(args: argparse.Namespace) -> int:
    from app.clock import utcnow
    from app.metrics import MetricsRequest, figure_set, to_jsonable
    from app.store.for_commands import opened

    with opened(args.data_dir) as o, o.cache.engine.connect() as conn:
        figures = figure_set(args.name)(conn, o.settings, MetricsRequest(utcnow(), args.month))
    data = to_jsonable(figures)
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else "\n".join(_lines(data)))
    return 0
