"""Build Ops Console for this OS with one command: ``python installer/build.py``.

* every OS: PyInstaller runs installer/opsconsole.spec into ``dist/opsconsole/``
  (an onedir bundle: the program plus ``_internal/``, no Python needed);
* Linux: ``dist/opsconsole-<version>-linux-<arch>.tar.gz`` with the bundle, a
  desktop entry, the icon and ``install.sh`` (per-user install and uninstall);
* Windows: the per-user setup ``dist/opsconsole-<version>-windows-x64-setup.exe``
  from installer/windows/opsconsole.iss, when Inno Setup's ``iscc`` is on PATH;
* macOS: ``dist/Ops Console.app`` and ``dist/opsconsole-<version>-macos-<arch>.dmg``.

The bundle holds what this environment has installed, so the build first checks
it against the lock (``constraints.txt``, see installer/lock.py): the program and
the build tools must be the pinned versions.  ``./dev setup`` installs them;
``--unlocked`` skips the check for a throwaway build.

``--untrimmed`` builds a plain PyInstaller bundle (no excludes, no pruning) for
the size benchmark; ``--bundle-only`` stops after PyInstaller.  Needs the
``build`` extra (``pip install -c constraints.txt -e '.[build]'``) and, on Linux, binutils.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

import lock  # noqa: E402 - found through the sys.path line above
import manifest  # noqa: E402 - found through the sys.path line above

INSTALLER = manifest.ROOT / "installer"
SPEC = INSTALLER / "opsconsole.spec"


def run_pyinstaller(dist: Path, work: Path, *, untrimmed: bool) -> Path:
    """Build the onedir bundle into ``dist``; return its folder."""
    try:
        import PyInstaller  # noqa: F401 - only whether it is installed
    except ImportError:
        raise SystemExit("PyInstaller is not installed: pip install -e '.[build]'") from None
    env = dict(os.environ, OPSCONSOLE_BUNDLE_UNTRIMMED="1" if untrimmed else "0")
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
               "--distpath", str(dist), "--workpath", str(work), str(SPEC)]  # fmt: skip
    subprocess.run(command, check=True, env=env)
    return dist / manifest.NAME


def arch() -> str:
    """x86_64 / aarch64 on Linux, x86_64 / arm64 on macOS (each OS's own spelling)."""
    machine = platform.machine().lower()
    return machine if sys.platform == "darwin" else {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)


def linux_tarball(bundle: Path, dist: Path, version: str) -> Path:
    """Pack the bundle with its desktop entry, icons and install.sh into a versioned tarball."""
    stem = f"{manifest.NAME}-{version}-linux-{arch()}"
    target = dist / f"{stem}.tar.gz"
    extras = {
        "install.sh": INSTALLER / "linux" / "install.sh",
        "opsconsole.desktop": INSTALLER / "linux" / "opsconsole.desktop",
        "opsconsole.svg": manifest.ICON_SVG,
        "opsconsole.png": manifest.ICON_SVG.with_suffix(".png"),
    }

    def executable_script(info: tarfile.TarInfo) -> tarfile.TarInfo:
        if info.name.endswith("install.sh"):
            info.mode = 0o755  # a checkout on Windows or a umask must not lose the x bit
        return info

    # gzip level 6: level 9 takes twice as long for about 1 % less on Qt libraries.
    with tarfile.open(target, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=f"{stem}/{manifest.NAME}")
        for name, source in extras.items():
            tar.add(source, arcname=f"{stem}/{name}", filter=executable_script)
    return target


def windows_setup(dist: Path, work: Path, version: str) -> Path | None:
    """Compile the Inno Setup script, or say how to get iscc when it is missing."""
    iscc = shutil.which("iscc") or shutil.which("ISCC")
    if iscc is None:
        print("iscc (Inno Setup 6) not on PATH: the setup program was not built; dist/opsconsole is ready.")
        return None
    icon = work / "opsconsole" / "icons" / "opsconsole.ico"  # rendered by the spec
    subprocess.run(
        [iscc, f"/DAppVersion={version}", f"/DDistDir={dist}", f"/DIconFile={icon}",
         f"/O{dist}", str(INSTALLER / "windows" / "opsconsole.iss")],
        check=True,
    )  # fmt: skip
    return dist / f"{manifest.NAME}-{version}-windows-x64-setup.exe"


def macos_dmg(dist: Path, version: str) -> Path | None:
    """A compressed disk image holding the .app (hdiutil ships with macOS)."""
    hdiutil = shutil.which("hdiutil")
    if hdiutil is None:
        return None
    target = dist / f"{manifest.NAME}-{version}-macos-{arch()}.dmg"
    app = dist / f"{manifest.DISPLAY_NAME}.app"
    subprocess.run(
        [hdiutil, "create", "-volname", manifest.DISPLAY_NAME, "-srcfolder", str(app),
         "-ov", "-format", "UDZO", str(target)],
        check=True,
    )  # fmt: skip
    return target


def folder_size(folder: Path) -> int:
    """Bytes of the regular files under ``folder`` (symlinks counted once, as links)."""
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dist", type=Path, default=manifest.ROOT / "dist", help="output folder (default: dist/)")
    parser.add_argument("--work", type=Path, default=manifest.ROOT / "build" / "pyinstaller",
                        help="PyInstaller's work folder (default: build/pyinstaller/)")
    parser.add_argument("--untrimmed", action="store_true", help="no excludes or pruning (size comparison)")
    parser.add_argument("--bundle-only", action="store_true", help="skip the tarball / setup / disk image")
    parser.add_argument("--unlocked", action="store_true", help="build even if packages differ from constraints.txt")
    args = parser.parse_args(argv)

    drift = [] if args.unlocked else lock.drift()
    if drift:
        listed = "".join(f"\n  {problem}" for problem in drift)
        raise SystemExit(f"the environment differs from {lock.CONSTRAINTS.name}:{listed}\n"
                         "run ./dev setup (or pass --unlocked for a throwaway build)")

    started = time.perf_counter()
    version = manifest.version()
    bundle = run_pyinstaller(args.dist, args.work, untrimmed=args.untrimmed)
    made: list[Path | None] = [bundle]
    if not args.bundle_only:
        if sys.platform.startswith("linux"):
            made.append(linux_tarball(bundle, args.dist, version))
        elif sys.platform == "win32":
            made.append(windows_setup(args.dist, args.work, version))
        elif sys.platform == "darwin":
            made += [args.dist / f"{manifest.DISPLAY_NAME}.app", macos_dmg(args.dist, version)]
    for path in filter(None, made):
        size = folder_size(path) if path.is_dir() else path.stat().st_size
        print(f"built {path}  ({size / 2**20:.1f} MiB)")
    print(f"opsconsole {version} built in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
