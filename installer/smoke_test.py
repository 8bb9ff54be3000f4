"""Start the BUILT program the way a user's machine would and check that it works.

Run ``python installer/smoke_test.py dist/opsconsole`` after installer/build.py.
Every command runs the frozen binary (never the source) with a clean
environment (no PYTHONPATH, no virtualenv, a temporary HOME and data dir,
``QT_QPA_PLATFORM=offscreen``) from a temporary folder outside the repo, so a
module or data file missing from the bundle fails here instead of on a
workstation.  Checked: ``--version``, ``self-test`` (the window with every
pane), offline license ``keygen`` / ``issue`` / ``verify`` (which also runs
the cache migrations from the bundled files) and the refusal of a tampered
license.  On Linux it also checks that no bundled library lost a Qt
dependency to the pruning, and installs the tarball into a fake HOME when it
sits beside the bundle.  Prints the bundle's size; exits 1 when any check failed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

import manifest  # noqa: E402 - found through the sys.path line above

from app.licensing.cli import VERIFY_EXIT_CODES  # noqa: E402  (standard library only)

PASSPHRASE = "smoke-test passphrase"
TIMEOUT_S = 120
# Libraries the bundle itself ships; "not found" for one of them means over-pruning.
_BUNDLED_PREFIXES = ("libQt6", "libicu", "libpyside6", "libshiboken6", "libpython")


class SmokeFailure(Exception):
    """A check failed; the message says which and shows the program's output."""


def program_in(bundle: Path) -> Path:
    """The console program: on Windows the ``-cli`` one (the other has no stdout)."""
    name = f"{manifest.NAME}-cli.exe" if sys.platform == "win32" else manifest.NAME
    return bundle / name


def clean_env(home: Path, data_dir: Path) -> dict[str, str]:
    """What a fresh login has, and nothing from this shell (no PYTHON*, no VIRTUAL_ENV)."""
    env = {
        "HOME": str(home),
        "USERPROFILE": str(home),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_RUNTIME_DIR": str(home / "runtime"),
        "TMPDIR": str(home / "tmp"),  # self-test's throw-away data dirs go away with ours
        "OPSCONSOLE_DATA_DIR": str(data_dir),
        "PATH": "/usr/bin:/bin" if os.name == "posix" else str(Path(os.environ["SYSTEMROOT"]) / "System32"),
    }
    for name in ("SYSTEMROOT", "WINDIR", "TEMP", "TMP", "USERNAME", "LOCALAPPDATA", "APPDATA"):
        if name in os.environ:  # Windows cannot start a process without some of these
            env[name] = os.environ[name]
    for folder in ("runtime", "tmp"):
        (home / folder).mkdir(mode=0o700, parents=True, exist_ok=True)
    return env


class Runner:
    """Runs the program in the clean environment and checks what it said."""

    def __init__(self, program: Path, env: dict[str, str], cwd: Path) -> None:
        self.program, self.env, self.cwd = program, env, cwd

    def run(self, *args: str, expect: int = 0, extra_env: dict[str, str] | None = None) -> str:
        command = [str(self.program), *args]
        done = subprocess.run(
            command, cwd=self.cwd, env={**self.env, **(extra_env or {})},
            capture_output=True, text=True, timeout=TIMEOUT_S, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        if done.returncode != expect:
            raise SmokeFailure(
                f"{' '.join(args)}: exit {done.returncode}, expected {expect}\n"
                f"--- stdout\n{done.stdout}--- stderr\n{done.stderr}"
            )
        return done.stdout

    def run_json(self, *args: str, expect: int = 0, extra_env: dict[str, str] | None = None) -> dict[str, Any]:
        out = self.run(*args, "--json", expect=expect, extra_env=extra_env)
        try:
            return json.loads(out)
        except json.JSONDecodeError as exc:
            raise SmokeFailure(f"{' '.join(args)}: not JSON ({exc}):\n{out}") from None


def check_version(r: Runner) -> None:
    out = r.run("--version").strip()
    if out != f"opsconsole {manifest.version()}":
        raise SmokeFailure(f"--version said {out!r}, expected 'opsconsole {manifest.version()}'")


def check_self_test(r: Runner) -> None:
    out = r.run("self-test")
    if not out.startswith("self-test ok"):
        raise SmokeFailure(f"self-test exited 0 but said:\n{out}")


def check_licensing(r: Runner, work: Path) -> None:
    """keygen (passphrase file), issue (passphrase from the environment), verify, then a forged seat count."""
    secret = work / "passphrase.txt"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    key = r.run_json("license", "keygen", "--passphrase-file", str(secret))
    if not (key.get("ok") and key.get("active")):
        raise SmokeFailure(f"keygen: {key}")
    license_file = work / "acme.lic"
    issued = r.run_json(
        "license", "issue", "--customer-id", "cus_smoke", "--customer-name", "Acme Ltd",
        "--customer-email", "ops@acme.example", "--plan", "professional", "--seats", "7",
        "--out", str(license_file),
        extra_env={"OPSCONSOLE_KEY_PASSPHRASE": PASSPHRASE},
    )  # fmt: skip
    verified = r.run_json("license", "verify", str(license_file))
    if not verified.get("ok") or verified.get("license_id") != issued.get("license_id"):
        raise SmokeFailure(f"verify of the issued license: {verified}, issued {issued}")
    text = license_file.read_text(encoding="utf-8")
    tampered = text.replace('"seats":7', '"seats":700')
    if tampered == text:
        raise SmokeFailure(f"could not find the seats to tamper with in:\n{text}")
    (work / "tampered.lic").write_text(tampered, encoding="utf-8")
    refused = r.run_json("license", "verify", str(work / "tampered.lic"), expect=VERIFY_EXIT_CODES["BadSignature"])
    if refused.get("reason") != "BadSignature":
        raise SmokeFailure(f"a tampered license was refused for the wrong reason: {refused}")


def check_linux_libraries(bundle: Path) -> None:
    """``ldd`` every bundled ELF file: a Qt/ICU/PySide library it cannot find was pruned by mistake."""
    missing: set[str] = set()
    for path in bundle.rglob("*.so*"):
        if path.is_symlink() or not path.is_file():
            continue
        out = subprocess.run(["ldd", str(path)], capture_output=True, text=True).stdout
        missing |= {
            f"{path.relative_to(bundle)} -> {line.split()[0]}"
            for line in out.splitlines()
            if "not found" in line and line.strip().startswith(_BUNDLED_PREFIXES)
        }
    if missing:
        raise SmokeFailure("bundled libraries whose Qt dependencies are missing:\n" + "\n".join(sorted(missing)))


def check_linux_install(tarball: Path, work: Path) -> None:
    """Unpack the tarball, install into a fake HOME, run the installed command, uninstall."""
    home = work / "install-home"
    with tarfile.open(tarball) as tar:
        tar.extractall(work / "unpacked", filter="tar")
    (unpacked,) = (work / "unpacked").iterdir()
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin"}
    subprocess.run(["sh", str(unpacked / "install.sh")], env=env, check=True, capture_output=True)
    installed = home / ".local" / "bin" / manifest.NAME
    version = subprocess.run([str(installed), "--version"], env=env, capture_output=True, text=True)
    if version.returncode != 0 or manifest.version() not in version.stdout:
        raise SmokeFailure(f"the installed program did not start: {version}")
    uninstaller = home / ".local" / "opt" / manifest.NAME / "uninstall.sh"
    subprocess.run(["sh", str(uninstaller)], env=env, check=True, capture_output=True)
    leftovers = [p for p in home.rglob("*") if p.is_file() or p.is_symlink()]
    if leftovers:
        raise SmokeFailure(f"uninstall left files behind: {leftovers}")


def bundle_size(bundle: Path) -> int:
    return sum(p.lstat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bundle", type=Path, help="the built onedir bundle, e.g. dist/opsconsole")
    args = parser.parse_args(argv)
    bundle = args.bundle.resolve()
    program = program_in(bundle)
    if not program.is_file():
        print(f"FAIL: no program at {program}: run python installer/build.py first", file=sys.stderr)
        return 1
    tarballs = sorted(bundle.parent.glob(f"{manifest.NAME}-{manifest.version()}-linux-*.tar.gz"))
    with tempfile.TemporaryDirectory(prefix="opsconsole-smoke-") as tmp:
        work = Path(tmp)
        runner = Runner(program, clean_env(work / "home", work / "data"), cwd=work)
        checks = [
            ("--version", lambda: check_version(runner)),
            ("self-test (offscreen window, every pane)", lambda: check_self_test(runner)),
            ("license keygen / issue / verify / tampered", lambda: check_licensing(runner, work)),
        ]
        if sys.platform.startswith("linux"):
            checks.append(("no pruned library is needed", lambda: check_linux_libraries(bundle)))
            checks += [(f"install.sh from {t.name}", lambda t=t: check_linux_install(t, work)) for t in tarballs]
        failed = []
        for name, check in checks:
            try:
                check()
            except (SmokeFailure, subprocess.SubprocessError, OSError) as exc:
                failed.append(name)
                print(f"FAIL  {name}\n{exc}", file=sys.stderr, flush=True)
            else:
                print(f"ok    {name}", flush=True)
    print(f"bundle {bundle.name}: {bundle_size(bundle) / 2**20:.1f} MiB")
    for tarball in tarballs:
        print(f"tarball {tarball.name}: {tarball.stat().st_size / 2**20:.1f} MiB")
    if failed:
        print(f"smoke test FAILED: {', '.join(failed)}")
        return 1
    print(f"smoke test passed: {len(checks)} checks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
