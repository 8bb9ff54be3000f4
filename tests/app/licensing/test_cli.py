"""``opsconsole license …`` end to end: scriptable output, exit codes, passphrase sources."""

from __future__ import annotations

import json

import pytest

from app.cli import main
from app.licensing.cli import VERIFY_EXIT_CODES
from tests.app.licensing.support import PASSPHRASE


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["license", *argv], command_modules=("app.licensing.cli",))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def passphrase_file(tmp_path):
    path = tmp_path / "passphrase.txt"
    path.write_text(PASSPHRASE + "\n")
    return str(path)


ISSUE = ("issue", "--customer-id", "cus_1", "--customer-name", "Acme", "--customer-email", "ops@acme.example")


def test_keygen_issue_verify_revoke_export(capsys, tmp_path, passphrase_file, monkeypatch):
    code, out, _ = run(capsys, "keygen", "--key-id", "k1", "--passphrase-file", passphrase_file, "--json")
    assert code == 0 and json.loads(out)["active"] is True

    monkeypatch.setenv("OPSCONSOLE_KEY_PASSPHRASE", PASSPHRASE)
    lic_file = tmp_path / "acme.lic"
    code, out, _ = run(capsys, *ISSUE, "--plan", "enterprise", "--feature", "api", "--feature", "sso",
                       "--expires", "2031-01-01", "--fingerprint", "fp-1", "--out", str(lic_file), "--json")
    assert code == 0
    license_id = json.loads(out)["license_id"]
    assert lic_file.read_text().startswith("-----BEGIN OPSCONSOLE LICENSE-----\n")

    code, out, _ = run(capsys, "verify", str(lic_file), "--fingerprint", "fp-1", "--json")
    fields = json.loads(out)["fields"]
    assert code == 0 and fields["Seats"] == "1000" and fields["Features"] == "api, sso"

    code, out, _ = run(capsys, "verify", str(lic_file), "--json")
    assert code == VERIFY_EXIT_CODES["WrongMachine"] and json.loads(out)["reason"] == "WrongMachine"

    lic_file.write_text(lic_file.read_text().replace("Acme", "Acne"))
    code, _, err = run(capsys, "verify", str(lic_file), "--fingerprint", "fp-1")
    assert code == VERIFY_EXIT_CODES["BadSignature"] and "altered" in err

    code, _, _ = run(capsys, "revoke", license_id, "--reason", "refund")
    assert code == 0
    code, out, _ = run(capsys, "export-revocations", "--json")
    published = json.loads(out)
    assert code == 0 and published["version"] == 1 and license_id in published["text"]

    code, out, _ = run(capsys, "export-public-key", "--format", "base64")
    assert code == 0 and len(out.strip()) == 44


def test_issue_prints_the_license_to_stdout_by_default(capsys, passphrase_file):
    run(capsys, "keygen", "--passphrase-file", passphrase_file)
    code, out, _ = run(capsys, *ISSUE, "--plan", "starter", "--passphrase-file", passphrase_file)
    assert code == 0 and out.startswith("-----BEGIN OPSCONSOLE LICENSE-----") and '"seats":5' in out


def test_failures_have_exit_codes_and_messages(capsys, tmp_path, passphrase_file):
    code, _, err = run(capsys, *ISSUE, "--plan", "starter", "--passphrase-file", passphrase_file)
    assert code == 1 and "no signing key yet" in err
    run(capsys, "keygen", "--key-id", "k1", "--passphrase-file", passphrase_file)
    code, _, err = run(capsys, *ISSUE, "--plan", "starter")  # stdin is not a terminal: no prompt
    assert code == 2 and "OPSCONSOLE_KEY_PASSPHRASE" in err
    wrong = tmp_path / "wrong"
    wrong.write_text("nope")
    code, out, _ = run(capsys, *ISSUE, "--plan", "starter", "--passphrase-file", str(wrong), "--json")
    assert code == 1 and json.loads(out) == {"ok": False, "error": "The passphrase for key k1 is wrong."}
    garbage = tmp_path / "garbage.lic"
    garbage.write_text("not a license")
    code, _, _ = run(capsys, "verify", str(garbage))
    assert code == VERIFY_EXIT_CODES["MalformedLicense"]
    code, _, err = run(capsys, "verify", str(tmp_path / "missing.lic"))
    assert code == 1 and "missing.lic" in err
    with pytest.raises(SystemExit) as usage:
        run(capsys, *ISSUE, "--plan", "gold")
    assert usage.value.code == 2


def test_cli_module_imports_only_the_standard_library_at_start():
    import subprocess
    import sys

    code = (
        "import sys, app.licensing.cli; "
        "heavy = [m for m in ('cryptography', 'sqlalchemy', 'app.licensing.service') if m in sys.modules]; "
        "print(heavy)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_prompted_passphrase_must_be_typed_twice_for_a_new_key(capsys, monkeypatch):
    import getpass
    import sys

    answers = iter(["first", "second", PASSPHRASE, PASSPHRASE])
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    code, _, err = run(capsys, "keygen")
    assert code == 2 and "differ" in err
    code, out, _ = run(capsys, "keygen", "--key-id", "typed")
    assert code == 0 and "typed" in out


def test_import_activate_and_list_keys(capsys, tmp_path, passphrase_file):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    pem = tmp_path / "old.pem"
    pem.write_bytes(Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ))
    run(capsys, "keygen", "--key-id", "new", "--passphrase-file", passphrase_file)
    code, _, _ = run(capsys, "import-key", str(pem), "--key-id", "old", "--passphrase-file", passphrase_file)
    assert code == 0
    code, out, _ = run(capsys, "keys", "--json")
    assert {k["key_id"]: k["active"] for k in json.loads(out)["keys"]} == {"new": True, "old": False}
    code, _, _ = run(capsys, "activate-key", "old")
    code, out, _ = run(capsys, "keys")
    assert code == 0 and "* old" in out


@pytest.mark.parametrize("command", ["verify", "import-key"])
def test_files_over_a_megabyte_are_refused_before_they_are_read(capsys, tmp_path, monkeypatch, command):
    import builtins

    huge = tmp_path / "huge.lic"
    with huge.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: 50 MB on paper
    opened: list[str] = []
    real_open = builtins.open
    monkeypatch.setattr(builtins, "open", lambda f, *a, **k: (opened.append(str(f)), real_open(f, *a, **k))[1])
    monkeypatch.setenv("OPSCONSOLE_KEY_PASSPHRASE", PASSPHRASE)
    code, out, _ = run(capsys, command, str(huge), "--json")
    assert code == 1
    assert "huge.lic is larger than 1,000,000 bytes" in json.loads(out)["error"]
    assert str(huge) not in opened  # refused on its size, unopened


def test_standard_input_is_read_no_further_than_the_limit():
    from app.licensing.errors import LicensingError
    from app.licensing.files import MAX_FILE_BYTES, read_stream

    class Endless:
        def __init__(self) -> None:
            self.asked: list[int] = []

        def read(self, n: int) -> bytes:
            self.asked.append(n)
            return b"x" * n

    stream = Endless()
    with pytest.raises(LicensingError, match="larger than 1,000,000 bytes"):
        read_stream(stream, "standard input")  # type: ignore[arg-type]  # a stand-in with read() only
    assert stream.asked == [MAX_FILE_BYTES + 1]


def test_activate_answers_a_request_and_list_shows_the_seat(capsys, tmp_path, passphrase_file, monkeypatch):
    from app.licensing import verifier

    run(capsys, "keygen", "--key-id", "k1", "--passphrase-file", passphrase_file)
    code, out, _ = run(capsys, *ISSUE, "--plan", "starter", "--days", "20", "--passphrase-file", passphrase_file,
                       "--json")
    license_id = json.loads(out)["license_id"]
    request = tmp_path / "lab.req"
    verifier.write_activation_request(request, license_id, "fp-1", "4.2", product="opsconsole-desktop")
    code, out, _ = run(capsys, "activate", str(request), "--passphrase-file", passphrase_file, "--json")
    answered = json.loads(out)
    assert code == 0 and answered["seats_in_use"] == 1 and answered["repeat"] is False
    assert answered["text"].startswith("-----BEGIN OPSCONSOLE ACTIVATION-----\n")

    code, out, _ = run(capsys, "list", "--json", "--expiring", "30")
    (listed,) = json.loads(out)["licenses"]
    assert code == 0 and (listed["id"], listed["seats"], listed["seats_in_use"]) == (license_id, 5, 1)
    assert listed["expires_at"].endswith("Z") and listed["seat_level"] is None
    code, out, _ = run(capsys, "list", "--json", "--over-cap")
    assert code == 0 and json.loads(out)["licenses"] == []
    code, out, _ = run(capsys, "list", "--expiring", "10")
    assert code == 0 and out.strip() == "No licenses match."
    with pytest.raises(SystemExit) as usage:
        run(capsys, "list", "--expiring", "soon")
    assert usage.value.code == 2 and "number of days" in capsys.readouterr().err


def test_activate_refuses_in_words_without_asking_for_the_passphrase(capsys, tmp_path, passphrase_file):
    from app.licensing import verifier

    run(capsys, "keygen", "--key-id", "k1", "--passphrase-file", passphrase_file)
    request = tmp_path / "lab.req"
    verifier.write_activation_request(request, "5c1d9e2a-0000-4000-8000-000000000001", "fp-1", "4.2",
                                      product="opsconsole-desktop")
    code, out, _ = run(capsys, "activate", str(request), "--json")  # no passphrase anywhere: never asked
    refused = json.loads(out)
    assert code == 1 and refused["reason"] == "unknown_license" and "no license" in refused["error"]
    request.write_text(request.read_text().replace("fp-1", "fp-2"))
    code, _, err = run(capsys, "activate", str(request))
    assert code == 1 and "checksum does not match" in err
