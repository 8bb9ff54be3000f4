"""Run the benchmarks and print one row each: figure, peer or floor, ratio, goal.

Each ``benchmarks/bench_<name>.py`` exposes ``run() -> list[Row]``, and each
runs in an interpreter of its own (``python -m benchmarks.run_one NAME``).
One process for all of them made a row depend on the ones before it: the
pandas peers of ``costs`` and ``health`` import numpy, whose bundled
``libquadmath`` registers printf handlers with glibc when it is loaded, and
from then on every ``printf``-family call in the process takes glibc's slow
path.  ``datetime.isoformat`` formats through it (278 ns a call, 492 ns with
the library loaded), so the licensing rows, which format times and compare
with ``cryptography``'s C, fell from 0.86 / 0.87 / 0.81 run alone to 0.84 /
0.87 / 0.78 after those two in one process.
"""

from __future__ import annotations

import argparse
import json
import pkgutil
import subprocess
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


def _run_alone(name: str) -> list[Row]:
    """The rows of ``bench_<name>``, run in a fresh interpreter; its progress lines pass through to stderr."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run_one", name], stdout=subprocess.PIPE, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"benchmark {name} failed (exit {done.returncode}); its error is above")
    return [Row(**fields) for fields in json.loads(done.stdout)]


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
        rows.extend(_run_alone(name))
    _print(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
