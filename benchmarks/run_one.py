"""``python -m benchmarks.run_one NAME``: run ``bench_<NAME>`` and print its rows as JSON on stdout.

The parent (``python -m benchmarks``) starts one of these per benchmark, so
no row is measured in a process that an earlier benchmark changed.  While
the benchmark runs, whatever it or a program it starts prints goes to
stderr: stdout carries the rows alone.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import os
import sys


def main(name: str) -> None:
    rows_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    sys.stdout.flush()
    os.dup2(2, 1)
    rows = importlib.import_module(f"benchmarks.bench_{name}").run()
    sys.stdout.flush()
    with rows_out:
        json.dump([dataclasses.asdict(row) for row in rows], rows_out)


if __name__ == "__main__":
    main(sys.argv[1])
