"""``opsconsole report daily|weekly|monthly``: a business report from the local cache, as PDF, HTML or CSV (zip).

Offline and read-only.  A bad date, format or role ends with one sentence on
stderr and exit code 2, and nothing is written; the file is written atomically.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

DESCRIPTION = """\
Write the daily business report, the weekly performance summary or the monthly
strategic review of the period holding --date (default: today, UTC), from the
local cache, for a role (default: the role of the last sign-in, else the
offline role in settings). --format csv writes a zip holding one CSV file per
table. Days are UTC days; weeks run Monday to Sunday.
"""


def register(subparsers: Any) -> None:
    from app.reports import FORMATS, KINDS
    from app.roles import ROLES

    parser = subparsers.add_parser("report", help="write the daily, weekly or monthly business report (pdf, html, csv)",
                                   description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=KINDS, help="which report")
    parser.add_argument("--date", metavar="YYYY-MM-DD", help="a day of the period to report (default: today, UTC)")
    parser.add_argument("--role", choices=ROLES, help="the role the report is made for")
    parser.add_argument("--format", required=True, choices=FORMATS, help="pdf, html, or csv (a zip of CSV files)")
    parser.add_argument("--out", required=True, type=Path, metavar="PATH", help="the file to write")
    parser.set_defaults(handler=run)


def _fail(message: str) -> int:
    print(f"opsconsole report: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    from app.clock import utcnow
    from app.reports.build import ReportError, build_report, roles_for
    from app.reports.render import write_report
    from app.roles import effective_role
    from app.store.app_state import ME_KEY, get_app_value
    from app.store.for_commands import opened

    now = utcnow()
    try:
        day = dt.date.fromisoformat(args.date) if args.date else now.date()
    except ValueError:
        return _fail(f"{args.date!r} is not a date: use YYYY-MM-DD, e.g. 2026-11-18")
    out: Path = args.out
    if not out.parent.is_dir():
        return _fail(f"cannot write {out}: the folder {out.parent} does not exist")
    try:
        with opened(args.data_dir) as o, o.cache.engine.connect() as conn:
            user_role = effective_role(get_app_value(conn, ME_KEY), o.settings.sync.offline_role)
            role = args.role or user_role
            if role not in roles_for(user_role):
                return _fail(f"a {user_role} user may make reports for the {user_role} role only")
            report = build_report(conn, o.settings, args.kind, day, role, now)
    except ReportError as exc:
        return _fail(str(exc))
    write_report(report, args.format, out)
    print(f"wrote {out}")
    return 0
