"""``opsconsole license …``: keys, issuing, verifying and revoking from a shell, all offline.

Scriptable: ``--json`` prints one JSON object, and exit codes say what
happened (0 done, 1 the operation failed, 2 bad usage; ``verify`` exits with
one code per reason a license is refused, listed in ``VERIFY_EXIT_CODES``).
The passphrase comes from ``--passphrase-file``, else the environment variable
``OPSCONSOLE_KEY_PASSPHRASE``, else a prompt.  Only the standard library (and
the stdlib-only plan table) is imported at the top: the handlers import the
rest, so start-up stays fast.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.licensing.plans import DEFAULT_PRODUCT, PLAN_DEFAULTS

if TYPE_CHECKING:
    from app.licensing.keys import KeyInfo
    from app.licensing.service import LicenseService

    Handler = Callable[[LicenseService, argparse.Namespace], int]

ENV_PASSPHRASE = "OPSCONSOLE_KEY_PASSPHRASE"

DESCRIPTION = """\
Manage signing keys and issue, verify and revoke signed license files, all
offline on this workstation.

The key passphrase comes from --passphrase-file, else the environment variable
OPSCONSOLE_KEY_PASSPHRASE, else a prompt. With --json a command prints one JSON
object. Exit status: 0 done, 1 the operation failed, 2 bad usage; verify exits
with one status per reason a license is refused (3 malformed, 4 unknown key,
5 bad signature, 6 not yet valid, 7 expired, 8 wrong product, 9 wrong machine,
10 revoked, 11 clock moved back, 12 version not covered).
"""

#: ``verify`` exit code per refusal (the verifier's error class names).
VERIFY_EXIT_CODES = {
    "MalformedLicense": 3,
    "UnknownKey": 4,
    "BadSignature": 5,
    "NotYetValid": 6,
    "Expired": 7,
    "WrongProduct": 8,
    "WrongMachine": 9,
    "Revoked": 10,
    "ClockMovedBack": 11,
    "VersionNotCovered": 12,
}


class _UsageError(Exception):
    """Something the user must fix on the command line (exit code 2)."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``license`` and its sub-commands to the ``opsconsole`` parser."""
    parser = subparsers.add_parser(
        "license", help="issue, verify and revoke signed license files (offline)",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="license_command", metavar="ACTION", required=True)

    def command(
        name: str, handler: Handler, help_text: str, *, passphrase: bool = False
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--json", action="store_true", help="print the result as one JSON object")
        if passphrase:
            p.add_argument("--passphrase-file", type=Path, metavar="FILE",
                           help=f"read the key passphrase from FILE (else ${ENV_PASSPHRASE}, else a prompt)")
        p.set_defaults(handler=lambda args: _run(handler, args))
        return p

    p = command("keygen", _keygen, "generate a new Ed25519 signing key", passphrase=True)
    p.add_argument("--key-id", help="name of the key (default: k<date>-<random>)")
    p.add_argument("--activate", action="store_true",
                   help="sign new licenses with it (the first key always is)")

    p = command("import-key", _import_key, "adopt an existing Ed25519 private key (PKCS#8 PEM)",
                passphrase=True)
    p.add_argument("file", type=Path, help="the PEM file")
    p.add_argument("--key-id", help="name of the key (default: k<date>-<random>)")
    p.add_argument("--source-passphrase-file", type=Path, metavar="FILE",
                   help="passphrase of an encrypted PEM")
    p.add_argument("--activate", action="store_true", help="sign new licenses with it")

    p = command("activate-key", _activate_key, "sign new licenses with another known key")
    p.add_argument("key_id")

    command("keys", _keys, "list the signing keys")

    p = command("issue", _issue, "sign a license file for a customer", passphrase=True)
    p.add_argument("--customer-id", required=True)
    p.add_argument("--customer-name", required=True)
    p.add_argument("--customer-email", required=True)
    p.add_argument("--plan", choices=tuple(PLAN_DEFAULTS), required=True,
                   help="sets default seats and features")
    default_seats = " / ".join(f"{plan} {seats}" for plan, (seats, _) in PLAN_DEFAULTS.items())
    p.add_argument("--seats", type=int, help=f"default: the plan's ({default_seats})")
    p.add_argument("--feature", action="append", dest="features", metavar="NAME",
                   help="repeatable; replaces the plan's default features")
    until = p.add_mutually_exclusive_group()
    until.add_argument("--days", type=int, default=365, help="valid for DAYS from now (default 365)")
    until.add_argument("--expires", type=_date_arg, metavar="DATE",
                       help="expiry, YYYY-MM-DD or ISO time (UTC)")
    p.add_argument("--grace-days", type=int, default=14, help="days the product still runs after expiry")
    p.add_argument("--fingerprint", help="lock the license to this machine fingerprint")
    p.add_argument("--max-version", help="highest product version covered, e.g. 3.2")
    p.add_argument("--product", default=DEFAULT_PRODUCT, help=f"product name (default: {DEFAULT_PRODUCT})")
    p.add_argument("--out", type=Path, metavar="FILE", help="write the license here (default: stdout)")

    p = command("verify", _verify, "check a license file as the product would")
    p.add_argument("file", type=Path, help="the license file ('-' for stdin)")
    p.add_argument("--fingerprint", help="this machine's fingerprint, for node-locked licenses")
    p.add_argument("--product", help="refuse licenses for other products")

    p = command("revoke", _revoke, "revoke a license (it joins the next revocation list)")
    p.add_argument("license_id")
    p.add_argument("--reason", required=True)

    p = command("activate", _activate, "answer an offline activation request with a signed response bound to "
                "the requesting machine", passphrase=True)
    p.add_argument("request", type=Path, help="the request file the product wrote ('-' for stdin)")
    p.add_argument("--out", type=Path, metavar="FILE", help="write the response here (default: stdout)")

    p = command("list", _list, "list the license registry with seats in use and the subscription followed")
    p.add_argument("--over-cap", action="store_true", help="only live licenses with more machines than seats")
    p.add_argument("--expiring", type=_days_arg, metavar="DAYS", help="only live licenses expiring within DAYS days")

    p = command("export-public-key", _export_public_key, "print a public key for embedding in the product")
    p.add_argument("--key-id", help="default: the active key")
    p.add_argument("--format", choices=("pem", "base64"), default="pem")
    p.add_argument("--out", type=Path, metavar="FILE")

    p = command("export-revocations", _export_revocations,
                "write the signed revocation list (a new version if revocations changed)", passphrase=True)
    p.add_argument("--out", type=Path, metavar="FILE")


def _days_arg(text: str) -> int:
    if not text.isdigit() or int(text) > 36_500:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days from 0 to 36500")
    return int(text)


def _date_arg(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2027-01-31") from None


# --------------------------------------------------------------------------- plumbing


def _run(handler: Handler, args: argparse.Namespace) -> int:
    """Run a handler with the service open; turn failures into a message and an exit code."""
    from sqlalchemy.exc import SQLAlchemyError

    from app.config.paths import Paths
    from app.licensing.errors import LicensingError
    from app.licensing.service import LicenseService
    from app.store.database import open_cache
    from app.store.migrations import MigrationError

    try:
        paths = Paths.resolve(args.data_dir).ensure()
        cache = open_cache(paths.cache)
    except (OSError, MigrationError, SQLAlchemyError) as exc:
        return _fail(args, f"Cannot open the data dir: {exc}", 1)
    for notice in cache.notices:  # a damaged cache was rebuilt: say so, and what was recovered
        print(notice, file=sys.stderr)
    try:
        import getpass

        service = LicenseService(paths, cache.engine, issued_by=getpass.getuser())
        return handler(service, args)
    except LicensingError as exc:
        return _fail(args, str(exc), 1)
    except _UsageError as exc:
        return _fail(args, str(exc), 2)
    except OSError as exc:
        return _fail(args, f"{exc.strerror or exc}: {exc.filename}", 1)
    finally:
        cache.dispose()


def _fail(args: argparse.Namespace, message: str, code: int, **extra: Any) -> int:
    if getattr(args, "json", False):
        print(json.dumps({"ok": False, "error": message, **extra}))
    else:
        print(f"error: {message}", file=sys.stderr)
    return code


def _emit(args: argparse.Namespace, result: dict[str, Any], human: str) -> int:
    print(json.dumps({"ok": True, **result}) if args.json else human)
    return 0


def _passphrase(args: argparse.Namespace, *, confirm: bool = False) -> str:
    if args.passphrase_file is not None:
        return _read_secret(args.passphrase_file)
    if os.environ.get(ENV_PASSPHRASE):
        return os.environ[ENV_PASSPHRASE]
    if not sys.stdin.isatty():
        raise _UsageError(f"No passphrase: use --passphrase-file or ${ENV_PASSPHRASE}.")
    import getpass

    first = getpass.getpass("Key passphrase: ")
    if confirm and getpass.getpass("Repeat the passphrase: ") != first:
        raise _UsageError("The two passphrases differ.")
    return first


def _read_secret(path: Path) -> str:
    """The first line of a file, without its line end (editors add one)."""
    from app.licensing.files import read_bounded

    try:
        lines = read_bounded(path).decode("utf-8").splitlines()
    except UnicodeDecodeError:
        raise _UsageError(f"{path.name} is not UTF-8 text.") from None
    return lines[0] if lines else ""


def _deliver(args: argparse.Namespace, text: str, result: dict[str, Any], done: str) -> int:
    """Write a produced file to ``--out``, or to stdout; with ``--json`` the text goes in the object."""
    if args.out is not None:
        args.out.write_text(text, encoding="utf-8", newline="")
    if args.json:
        print(json.dumps({"ok": True, **result, "file": str(args.out) if args.out else None,
                          **({} if args.out else {"text": text})}))
    elif args.out is None:
        sys.stdout.write(text)
    else:
        print(f"{done} written to {args.out}.")
    return 0


def _key_json(info: KeyInfo) -> dict[str, Any]:
    return {
        "key_id": info.key_id,
        "active": info.active,
        "created_at": info.created_at.isoformat() + "Z",
        "public_key_b64": info.public_key_b64,
    }


# --------------------------------------------------------------------------- handlers


def _keygen(service: LicenseService, args: argparse.Namespace) -> int:
    info = service.generate_key(_passphrase(args, confirm=True), args.key_id, activate=args.activate)
    state = "active" if info.active else "not active"
    return _emit(args, _key_json(info), f"Generated key {info.key_id} ({state}).")


def _import_key(service: LicenseService, args: argparse.Namespace) -> int:
    source = _read_secret(args.source_passphrase_file) if args.source_passphrase_file else None
    from app.licensing.files import read_bounded

    info = service.import_key(
        read_bounded(args.file), _passphrase(args, confirm=True),
        source_passphrase=source, key_id=args.key_id, activate=args.activate,
    )
    return _emit(args, _key_json(info), f"Imported key {info.key_id}.")


def _activate_key(service: LicenseService, args: argparse.Namespace) -> int:
    info = service.activate_key(args.key_id)
    return _emit(args, _key_json(info), f"Key {info.key_id} now signs new licenses.")


def _keys(service: LicenseService, args: argparse.Namespace) -> int:
    keys = service.list_keys()
    human = "\n".join(
        f"{'*' if k.active else ' '} {k.key_id}  created {k.created_at:%Y-%m-%d}"
        f"{'' if k.has_private_key else '  (public only)'}"
        for k in keys
    ) or "No signing keys yet."
    return _emit(args, {"keys": [_key_json(k) for k in keys]}, human)


def _issue(service: LicenseService, args: argparse.Namespace) -> int:
    from app.licensing.issuing import LicenseRequest

    request = LicenseRequest(
        customer_id=args.customer_id,
        customer_name=args.customer_name,
        customer_email=args.customer_email,
        plan=args.plan,
        seats=args.seats,
        features=tuple(args.features) if args.features else None,
        days=args.days,
        expires_at=args.expires,
        grace_days=args.grace_days,
        fingerprint=args.fingerprint,
        max_version=args.max_version,
        product=args.product,
    )
    issued = service.issue(request, _passphrase(args))
    lid = issued.license.license_id
    return _deliver(args, issued.text, {"license_id": lid}, f"License {lid}")


def _verify(service: LicenseService, args: argparse.Namespace) -> int:
    from app.licensing.service import describe
    from app.licensing.verifier import LicenseError

    data = _read_input(args.file)
    try:
        lic = service.verify(data, fingerprint=args.fingerprint, product=args.product)
    except LicenseError as exc:
        reason = type(exc).__name__
        return _fail(args, str(exc), VERIFY_EXIT_CODES.get(reason, 1), reason=reason)
    fields = describe(lic)
    state = "Valid, in its grace period." if lic.in_grace(dt.datetime.now(dt.UTC)) else "Valid."
    human = state + "\n" + "\n".join(f"  {label + ':':<17}{value}" for label, value in fields)
    return _emit(args, {"license_id": lic.license_id, "fields": dict(fields)}, human)


def _read_input(path: Path) -> bytes:
    """A file's bytes, bounded; ``-`` is standard input."""
    from app.licensing.files import read_bounded, read_stream

    return read_stream(sys.stdin.buffer, "standard input") if str(path) == "-" else read_bounded(path)


def _activate(service: LicenseService, args: argparse.Namespace) -> int:
    from app.licensing.activation import ActivationRefused

    data = _read_input(args.request)
    try:
        review = service.review_activation(data)  # refused before the passphrase is asked for
        if review.refusal is not None:
            raise review.refusal
        answered = service.answer_activation(data, _passphrase(args))
    except ActivationRefused as refused:
        return _fail(args, str(refused), 1, reason=refused.reason)
    a, terms = answered.activation, answered.terms
    in_use = terms.in_use + (0 if terms.machine_known else 1)
    result = {"activation_id": a.activation_id, "license_id": a.license_id, "fingerprint": a.fingerprint,
              "machine_name": a.machine_name, "product_version": a.product_version, "repeat": terms.machine_known,
              "seats": terms.seats, "seats_in_use": in_use}
    machine = f"{a.machine_name} ({a.fingerprint})" if a.machine_name else a.fingerprint
    return _deliver(args, answered.text, result,
                    f"Activation of {machine} on license {a.license_id} ({in_use:,} of {terms.seats:,} seats in use)")


def _list(service: LicenseService, args: argparse.Namespace) -> int:
    rows = service.list_licenses(over_cap=args.over_cap, expiring_days=args.expiring)
    listed = [
        {**row, **{name: _iso(row[name]) for name in ("issued_at", "expires_at", "revoked_at")}} for row in rows
    ]
    human = "\n".join(
        f"{row['id'][:8]}  {(row['customer_name'] or row['customer_id'] or '')[:28]:<28}  {row['plan']:<12}  "
        f"{row['seats_in_use']:>6,} / {row['seats']:<6,}  expires {row['expires_at']:%Y-%m-%d}  {row['status']}"
        f"{'  · subscription ' + row['subscription_status'] if row['subscription_status'] else ''}"
        for row in rows
    ) or "No licenses match."
    return _emit(args, {"licenses": listed}, human)


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat() + "Z"


def _revoke(service: LicenseService, args: argparse.Namespace) -> int:
    service.revoke(args.license_id, args.reason)
    return _emit(
        args, {"license_id": args.license_id},
        f"Revoked {args.license_id}; run export-revocations to publish the new list.",
    )


def _export_public_key(service: LicenseService, args: argparse.Namespace) -> int:
    info = service.public_key(args.key_id)
    text = info.public_key_pem if args.format == "pem" else info.public_key_b64 + "\n"
    return _deliver(args, text, _key_json(info), f"Public key {info.key_id}")


def _export_revocations(service: LicenseService, args: argparse.Namespace) -> int:
    published = service.current_revocations() or service.publish_revocations(_passphrase(args))
    result = {"version": published.version, "new": published.new}
    return _deliver(args, published.text, result, f"Revocation list version {published.version}")

