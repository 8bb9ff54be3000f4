"""The Inno Setup script agrees with the spec and build.py (it can only be compiled on Windows)."""

from __future__ import annotations

import re

import manifest

ISS = (manifest.ROOT / "installer" / "windows" / "opsconsole.iss").read_text(encoding="utf-8")


def _setting(name: str) -> str:
    match = re.search(rf"^{name}=(.*)$", ISS, re.MULTILINE)
    assert match, f"{name} missing from opsconsole.iss"
    return match.group(1).strip()


def test_setup_is_named_as_build_py_reports_it():
    assert _setting("OutputBaseFilename") == "opsconsole-{#AppVersion}-windows-x64-setup"
    assert _setting("OutputDir") == "{#DistDir}"


def test_setup_installs_the_whole_bundle_per_user_and_starts_the_windowed_program():
    assert 'Source: "{#DistDir}\\opsconsole\\*"' in ISS and "recursesubdirs" in ISS
    assert _setting("PrivilegesRequired") == "lowest"
    assert _setting("UninstallDisplayIcon") == "{app}\\opsconsole.exe"
    assert 'Filename: "{app}\\opsconsole.exe"' in ISS  # the console-less one the spec builds
