"""Run the benchmarks and print one row each: figure, peer or floor, ratio, goal.

Each ``benchmarks/bench_<name>.py`` exposes ``run() -> list[Row]``, and each
runs in an interpreter of its own (``python -m benchmarks.run_one NAME``).
One process for all of them made a row depend on the ones before it, in
two ways that were measured:

* The pandas peers of ``costs`` and ``health`` import numpy, which loads its
  bundled ``libquadmath``; with that library loaded, glibc's printf family
  takes a slower path (gcc's ``quadmath-printf.c`` registers printf hooks).
  ``datetime.isoformat`` formats through it: 278 ns a call, 492 ns with the
  library loaded.  The licensing rows, which format times and compare with
  ``cryptography``'s C, printed 0.86 / 0.87 / 0.81 alone and 0.84 / 0.87 /
  0.78 after those two benchmarks.
* Objects an earlier benchmark left alive make every later full garbage
  collection longer.  The revenue row's pandas peer at 10× the demo took
  0.29-0.30 s with three million dicts alive and 0.16-0.21 s without; ours
  did not change (its replay pauses the collector).  So that row printed
  0.76 after the other benchmarks, and 1.02-1.16 alone.
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
