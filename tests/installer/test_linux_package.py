"""The Linux tarball: its layout, its desktop entry, and install.sh in a fake HOME.

The bundle inside is a stand-in shell script, so no build is needed; the real
bundle is installed the same way by installer/smoke_test.py in CI.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import build
import manifest
import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the tarball and install.sh are for Linux")

DESKTOP = manifest.ROOT / "installer" / "linux" / "opsconsole.desktop"
FAKE_VERSION = "9.9.9"


@pytest.fixture
def unpacked(tmp_path: Path) -> Path:
    """A tarball made by build.linux_tarball from a fake bundle, unpacked."""
    bundle = tmp_path / "dist" / "opsconsole"
    (bundle / "_internal").mkdir(parents=True)
    (bundle / "_internal" / "libfake.so").write_bytes(b"\x7fELF")
    program = bundle / "opsconsole"
    program.write_text(f'#!/bin/sh\necho "opsconsole {FAKE_VERSION}"\n')
    program.chmod(0o755)
    tarball = build.linux_tarball(bundle, tmp_path / "dist", FAKE_VERSION)
    assert tarball.name == f"opsconsole-{FAKE_VERSION}-linux-{build.arch()}.tar.gz"
    with tarfile.open(tarball) as tar:
        tar.extractall(tmp_path / "unpacked", filter="tar")
    (top,) = (tmp_path / "unpacked").iterdir()
    return top


def _sh(script: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    return subprocess.run(["sh", str(script), *args], env=env, capture_output=True, text=True, check=True)


def _files_under(home: Path) -> list[Path]:
    return sorted(p for p in home.rglob("*") if p.is_file() or p.is_symlink())


def test_tarball_holds_the_bundle_desktop_entry_icons_and_an_executable_installer(unpacked):
    assert sorted(p.name for p in unpacked.iterdir()) == [
        "install.sh", "opsconsole", "opsconsole.desktop", "opsconsole.png", "opsconsole.svg",
    ]  # fmt: skip
    assert os.access(unpacked / "install.sh", os.X_OK)
    assert os.access(unpacked / "opsconsole" / "opsconsole", os.X_OK)


def test_install_puts_everything_under_the_users_home(unpacked, tmp_path):
    home = tmp_path / "home"
    _sh(unpacked / "install.sh", home)

    opt = home / ".local" / "opt" / "opsconsole"
    link = home / ".local" / "bin" / "opsconsole"
    assert (opt / "_internal" / "libfake.so").is_file()
    assert link.is_symlink() and link.resolve() == (opt / "opsconsole").resolve()
    assert subprocess.run([str(link)], capture_output=True, text=True).stdout.strip() == f"opsconsole {FAKE_VERSION}"
    share = home / ".local" / "share"
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / "opsconsole.svg").is_file()
    assert (share / "icons" / "hicolor" / "256x256" / "apps" / "opsconsole.png").is_file()
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(share / "applications" / "opsconsole.desktop")
    assert entry["Desktop Entry"]["Exec"] == f'"{opt}/opsconsole"'  # menus do not search ~/.local/bin
    assert entry["Desktop Entry"]["TryExec"] == f"{opt}/opsconsole"
    _assert_valid_desktop_entry(share / "applications" / "opsconsole.desktop")


def test_reinstall_upgrades_in_place_and_uninstall_removes_every_file(unpacked, tmp_path):
    home = tmp_path / "home"
    _sh(unpacked / "install.sh", home)
    installed = _files_under(home)
    _sh(unpacked / "install.sh", home)
    assert _files_under(home) == installed

    _sh(home / ".local" / "opt" / "opsconsole" / "uninstall.sh", home)
    assert _files_under(home) == []


def test_uninstall_keeps_a_command_it_did_not_install_and_the_users_data(unpacked, tmp_path):
    home = tmp_path / "home"
    _sh(unpacked / "install.sh", home)
    link = home / ".local" / "bin" / "opsconsole"
    link.unlink()
    link.write_text("#!/bin/sh\n")  # the user's own script now
    data = home / ".local" / "share" / "OpsConsole" / "cache.sqlite3"
    data.parent.mkdir(parents=True)
    data.write_bytes(b"cache")

    _sh(unpacked / "install.sh", home, "--uninstall")

    assert _files_under(home) == sorted([link, data])


def _assert_valid_desktop_entry(path: Path) -> None:
    """desktop-file-validate's verdict (errors and hints alike) where it is installed."""
    validator = shutil.which("desktop-file-validate")
    if validator:
        result = subprocess.run([validator, str(path)], capture_output=True, text=True)
        assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_desktop_entry_is_valid():
    _assert_valid_desktop_entry(DESKTOP)
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # keys are case-sensitive in desktop files
    entry.read(DESKTOP)
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application"
    assert section["Name"] == manifest.DISPLAY_NAME
    assert section["Exec"] == section["TryExec"] == "opsconsole"  # install.sh rewrites both; no %U: no file args
    assert section["Icon"] == "opsconsole"
    assert section["Categories"].endswith(";")
