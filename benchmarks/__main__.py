"""Run the benchmarks and print one row each: figure, peer or floor, ratio, goal.

Each ``benchmarks/bench_<name>.py`` exposes ``run() -> list[Row]``.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import benchmarks
from benchmarks.rows import Row


def _modules(selected: list[str]) -> list[str]:
    names = sorted(
        m.name[len("bench_"):]
        for m in pkgutil.iter_modules(benchmarks.__path__)
        if m.name.startswith("bench_")
    )
    unknown = set(selected) - set(names)
    if unknown:
        raise SystemExit(f"unknown benchmark(s): {', '.join(sorted(unknown))}; known: {', '.join(names)}")
    return [n for n in names if not selected or n in selected]


def _print(rows: list[Row]) -> None:
    header = f"{'benchmark':<52} {'figure':>12} {'peer / floor':<40} {'peer':>12} {'ratio':>7}  goal"
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r.name:<52} {r.figure:>10.4g} {r.unit:<1} {r.peer_name:<40} "
            f"{r.peer_figure:>10.4g} {r.unit:<1} {r.ratio:>7.2f}  {r.verdict}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    for name in _modules(args.names):
        print(f"running {name} …", file=sys.stderr, flush=True)
        rows.extend(importlib.import_module(f"benchmarks.bench_{name}").run())
    _print(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
