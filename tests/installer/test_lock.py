"""The lock (constraints.txt) agrees with pyproject.toml, and the build can tell when the environment drifts."""

from __future__ import annotations

from pathlib import Path

import lock
from packaging.requirements import Requirement


def test_every_requirement_of_pyproject_is_pinned_inside_its_range():
    pins = lock.read()
    outside = []
    for line in lock.project_requirements(lock.EXTRAS):
        requirement = Requirement(line)
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue  # another OS's requirement: nothing here to pin
        pinned = pins.get(lock.canonical(requirement.name))
        if pinned is None or not requirement.specifier.contains(pinned, prereleases=True):
            outside.append(f"{requirement} (locked: {pinned})")
    assert outside == [], "run ./dev lock after changing pyproject.toml"


def test_drift_names_a_package_whose_version_differs_from_the_lock(tmp_path: Path):
    text = lock.CONSTRAINTS.read_text(encoding="utf-8")
    pinned = lock.read()["sqlalchemy"]
    changed = tmp_path / "constraints.txt"
    changed.write_text(text.replace(f"SQLAlchemy=={pinned}", "SQLAlchemy==0.0.1"), encoding="utf-8")
    assert any("SQLAlchemy" in line and "0.0.1" in line for line in lock.drift(changed))


def test_names_compare_as_pip_does():
    assert lock.canonical("PySide6_Essentials") == lock.canonical("pyside6-essentials") == "pyside6-essentials"
