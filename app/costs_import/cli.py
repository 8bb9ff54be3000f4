"""opsconsole import-costs FILE…: import billing exports into the local cache, headless.

The files of one run are one import: the parts of a report AWS split (or the
manifest that lists them) are summed into one report; re-importing a report
replaces it whole and says so.  A bad file is refused whole, naming its line,
and nothing is written.  Exit codes: 0 imported, 1 refused, 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

SOURCES = ("aws_cur", "gcp_billing", "azure_export", "focus", "simple_csv")  # app.costs_import.SOURCES


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "import-costs",
        help="import billing exports (AWS CUR, Google Cloud, Azure, FOCUS, date,service,amount,currency)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE",
                        help="CSV or .csv.gz exports, or an AWS manifest (…Manifest.json)")
    parser.add_argument("--source", choices=SOURCES,
                        help="refuse files not of this format (default: recognised from each header)")
    parser.add_argument("--account", default="",
                        help="billing account of files that name none (the simple form; default: the file name)")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app.costs_import import CostImportError, import_cost_files
    from app.store.for_commands import opened

    try:
        with opened(args.data_dir) as o:
            result = import_cost_files(o.cache.engine, args.files, source=args.source, account=args.account)
    except CostImportError as exc:
        print(f"not imported; nothing in the cache was changed: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
    else:
        print("\n".join(result.summary()))
    return 0
