"""Start the BUILT program the way a user's machine would and check that it works.

Run ``python installer/smoke_test.py dist/opsconsole`` after installer/build.py.
Every command runs the frozen binary (never the source) with a clean
environment (no PYTHONPATH, no virtualenv, a temporary HOME and data dir,
``QT_QPA_PLATFORM=offscreen``) from a temporary folder outside the repo, so a
module or data file missing from the bundle fails here instead of on a
workstation.  Checked: ``--version``, ``self-test`` (the window with every
pane), offline license ``keygen`` / ``issue`` / ``verify`` (which also runs
the cache migrations from the bundled files) and the refusal of a tampered
license; then, against the bundle's own ``demo-server``: ``sync`` into a fresh
cache, ``self-test`` on it (every pane with data, its charts painted, one
round of probes against the demo's services), ``metrics NAME --json`` for
every figure set and the monthly report as PDF, HTML and CSV.  On Linux it also checks that no bundled library lost a Qt
dependency to the pruning, and installs the tarball into a fake HOME when it
sits beside the bundle.  Prints the bundle's size; exits 1 when any check failed.

The checks are one list (:func:`checks`): a new feature adds its own there
(a function that runs the program and raises :class:`SmokeFailure`), with
the demo business at hand when it needs data (``demo.env`` points a command
at the synced cache and the running backend).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

import manifest  # noqa: E402 - found through the sys.path line above

from app.licensing.cli import VERIFY_EXIT_CODES  # noqa: E402  (standard library only)
from app.metrics import FIGURE_SETS  # noqa: E402  (names only; the figures are computed by the bundle)

PASSPHRASE = "smoke-test passphrase"
TIMEOUT_S = 120
# A small demo business: enough rows for every pane and chart, quick to generate and sync.
DEMO_SERVER_ARGS = ("--port", "0", "--customers", "200", "--tickets", "1000", "--health-days", "14")
_SELF_TEST_COUNTS = re.compile(r"(\d+) charts drawn, (\d+) services probed")
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


class DemoBusiness:
    """The bundle's ``demo-server`` on a loopback port, and the cache the bundle's ``sync`` fills from it.

    Started on first use (``env``) and stopped by :meth:`stop`; ``env`` is what a
    command needs to reach both (the backend's addresses and keys, the data dir).
    """

    def __init__(self, runner: Runner, data_dir: Path) -> None:
        self.runner, self.data_dir = runner, data_dir
        self._server: subprocess.Popen[str] | None = None
        self._env: dict[str, str] | None = None

    @property
    def env(self) -> dict[str, str]:
        if self._env is None:
            self._env = self._start()
        return self._env

    def _start(self) -> dict[str, str]:
        self._server = subprocess.Popen(
            [str(self.runner.program), "demo-server", *DEMO_SERVER_ARGS], cwd=self.runner.cwd, env=self.runner.env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        said = []
        assert self._server.stdout is not None
        for line in self._server.stdout:  # the server prints its addresses, then waits
            said.append(line)
            if line.startswith("Press Ctrl+C"):
                break
        text = "".join(said)
        ops = re.search(r"Ops API:\s+(\S+)\s+\(Authorization: Bearer (\S+)\)", text)
        stripe = re.search(r"Stripe API:\s+(\S+)\s+\(key (\S+)\)", text)
        if ops is None or stripe is None:
            raise SmokeFailure(f"demo-server did not start:\n{text}")
        return {"OPSCONSOLE_API_URL": ops[1], "OPSCONSOLE_API_TOKEN": ops[2], "OPSCONSOLE_STRIPE_API_BASE": stripe[1],
                "STRIPE_API_KEY": stripe[2], "OPSCONSOLE_DATA_DIR": str(self.data_dir)}  # fmt: skip

    def stop(self) -> None:
        if self._server is not None:
            self._server.terminate()
            self._server.wait(timeout=30)


def check_demo_sync(r: Runner, demo: DemoBusiness) -> None:
    r.run("sync", "--json", extra_env=demo.env)


def check_panes_charts_probes(r: Runner, demo: DemoBusiness) -> None:
    """Every pane on the synced demo business, each painted (charts too), then one round of probes."""
    out = r.run("self-test", extra_env=demo.env)
    counts = _SELF_TEST_COUNTS.search(out)
    if not out.startswith("self-test ok") or counts is None or int(counts[1]) < 1 or int(counts[2]) < 1:
        raise SmokeFailure(f"self-test on the demo business drew no chart or probed nothing:\n{out}")


def check_figure_sets(r: Runner, demo: DemoBusiness) -> None:
    """``metrics NAME --json`` for every figure set (what the panes, the reports and scripts read)."""
    for name in sorted(FIGURE_SETS):
        r.run_json("metrics", name, extra_env=demo.env)


def check_reports(r: Runner, demo: DemoBusiness, work: Path) -> None:
    """The monthly report in each format: a multi-page PDF (reportlab and its fonts), an HTML file, a CSV zip."""
    out = work / "reports"
    out.mkdir(exist_ok=True)
    for fmt in ("pdf", "html", "csv"):
        r.run("report", "monthly", "--format", fmt, "--out", str(out / f"monthly.{fmt}"), extra_env=demo.env)
    pdf = (out / "monthly.pdf").read_bytes()
    pages = len(re.findall(rb"/Type /Page[^s]", pdf))
    if not pdf.startswith(b"%PDF-") or pages < 2:
        raise SmokeFailure(f"the monthly report PDF is not a multi-page PDF ({pages} pages)")
    if b"<svg" not in (out / "monthly.html").read_bytes():
        raise SmokeFailure("the monthly report HTML carries no chart")
    if not zipfile.is_zipfile(out / "monthly.csv"):
        raise SmokeFailure("the monthly report CSV is not a zip of its tables")


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


Check = tuple[str, Callable[[], None]]


def checks(r: Runner, demo: DemoBusiness, bundle: Path, work: Path, tarballs: list[Path]) -> list[Check]:
    """What the smoke test runs, in order: add a feature's check here."""
    found: list[Check] = [
        ("--version", lambda: check_version(r)),
        ("self-test (offscreen window, every pane)", lambda: check_self_test(r)),
        ("license keygen / issue / verify / tampered", lambda: check_licensing(r, work)),
        ("demo business: sync from the bundled demo-server", lambda: check_demo_sync(r, demo)),
        ("demo business: every pane, charts drawn, services probed", lambda: check_panes_charts_probes(r, demo)),
        ("demo business: metrics NAME --json for every figure set", lambda: check_figure_sets(r, demo)),
        ("demo business: the monthly report as PDF, HTML and CSV", lambda: check_reports(r, demo, work)),
    ]
    if sys.platform.startswith("linux"):
        found.append(("no pruned library is needed", lambda: check_linux_libraries(bundle)))
        found += [(f"install.sh from {t.name}", lambda t=t: check_linux_install(t, work)) for t in tarballs]
    return found


def run_checks(found: list[Check]) -> list[str]:
    """Run each check, print ok/FAIL as it goes; return the names of those that failed."""
    failed = []
    for name, check in found:
        try:
            check()
        except (SmokeFailure, subprocess.SubprocessError, OSError) as exc:
            failed.append(name)
            print(f"FAIL  {name}\n{exc}", file=sys.stderr, flush=True)
        else:
            print(f"ok    {name}", flush=True)
    return failed


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
        demo = DemoBusiness(runner, work / "demo-data")
        try:
            found = checks(runner, demo, bundle, work, tarballs)
            failed = run_checks(found)
        finally:
            demo.stop()
    print(f"bundle {bundle.name}: {bundle_size(bundle) / 2**20:.1f} MiB")
    for tarball in tarballs:
        print(f"tarball {tarball.name}: {tarball.stat().st_size / 2**20:.1f} MiB")
    if failed:
        print(f"smoke test FAILED: {', '.join(failed)}")
        return 1
    print(f"smoke test passed: {len(found)} checks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
