"""The lock file, ``constraints.txt``: the exact version of every package the project installs.

``./dev setup`` installs with ``pip install -c constraints.txt -e '.[test,build]'``,
and ``installer/build.py`` bundles only from an environment that matches the
lock, so a developer, CI and the shipped bundle run the same versions.
pyproject.toml keeps the ranges we accept; the lock is one tested point inside them.

After changing a dependency in pyproject.toml, install it and write the lock
again from the environment: ``./dev lock`` (``python installer/lock.py``).
It pins the project's requirements with the given extras, transitively, at
the versions installed here; packages only another OS needs (their markers do
not hold here) stay unpinned.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / "constraints.txt"
EXTRAS = ("test", "build")
HEADER = (
    "# The lock: exact versions of what the project and its extras ({extras}) install.\n"
    "# Written by `./dev lock` (installer/lock.py) from a working environment; do not edit by hand.\n"
)


def canonical(name: str) -> str:
    """PEP 503 name: case and runs of ``-_.`` do not matter."""
    return re.sub(r"[-_.]+", "-", name).lower()


def project_requirements(extras: Iterable[str]) -> list[str]:
    """The requirements pyproject.toml declares, with those of ``extras`` (this checkout, not an old install)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    optional = project.get("optional-dependencies", {})
    return [*project["dependencies"], *(line for extra in extras for line in optional[extra])]


def _applies(requirement: Requirement, extras: frozenset[str]) -> bool:
    marker = requirement.marker
    return marker is None or any(marker.evaluate({"extra": extra}) for extra in extras or {""})


def installed(extras: Iterable[str] = EXTRAS) -> tuple[dict[str, str], list[str]]:
    """``({name: version}, missing)`` for what the project with ``extras`` requires here, transitively.

    ``missing`` names requirements whose markers hold in this environment but
    which are not installed: the environment is incomplete and cannot be locked.
    """
    found: dict[str, str] = {}
    missing: list[str] = []
    todo = [Requirement(line) for line in project_requirements(extras)]
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        requirement = todo.pop()
        wanted = frozenset(requirement.extras)
        if not _applies(requirement, frozenset()) or (canonical(requirement.name), wanted) in seen:
            continue
        seen.add((canonical(requirement.name), wanted))
        try:
            dist = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            missing.append(requirement.name)
            continue
        found[dist.metadata["Name"]] = dist.version
        for line in dist.requires or []:
            nested = Requirement(line)
            if _applies(nested, wanted):
                nested.marker = None  # settled here: the extra it named is one we asked for
                todo.append(nested)
    return found, sorted(set(missing))


def read(path: Path = CONSTRAINTS) -> dict[str, str]:
    """``{canonical name: version}`` from a constraints file of ``name==version`` lines."""
    pins: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].strip()
        if text:
            name, _, version = text.partition("==")
            pins[canonical(name)] = version.strip()
    return pins


def drift(path: Path = CONSTRAINTS, extras: Iterable[str] = ("build",)) -> list[str]:
    """How this environment differs from the lock for the project with ``extras`` (empty: it matches)."""
    if not path.exists():
        return [f"{path.name} is missing"]
    pins = read(path)
    found, missing = installed(extras)
    problems = [f"{name} is required but not installed" for name in missing]
    for name, version in sorted(found.items(), key=lambda item: canonical(item[0])):
        locked = pins.get(canonical(name))
        if locked is None:
            problems.append(f"{name} {version} is installed but not in {path.name}")
        elif locked != version:
            problems.append(f"{name} {version} is installed, {path.name} has {locked}")
    return problems


def write(path: Path = CONSTRAINTS, extras: Iterable[str] = EXTRAS) -> int:
    """Write the lock for the project with ``extras`` from this environment; returns the number of pins."""
    extras = tuple(extras)
    found, missing = installed(extras)
    if missing:
        raise SystemExit(f"not installed, cannot lock: {', '.join(missing)} (pip install -e '.[{','.join(extras)}]')")
    lines = [f"{name}=={version}" for name, version in sorted(found.items(), key=lambda item: canonical(item[0]))]
    path.write_text(HEADER.format(extras=", ".join(extras)) + "\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only say whether this environment matches the lock")
    args = parser.parse_args(argv)
    if args.check:
        problems = drift(extras=EXTRAS)
        for problem in problems:
            print(problem)
        return 1 if problems else 0
    print(f"{CONSTRAINTS.name}: {write()} packages pinned")
    return 0


if __name__ == "__main__":
    sys.exit(main())
