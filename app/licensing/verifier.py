"""The license file format and its verifier: the one module the desktop product embeds.

Why one file with no project imports: the product copies this module as-is, so
it may depend on nothing but the standard library and ``cryptography``, and the
issuer (``app.licensing.issuing``) uses the very same encoder, so what is
signed and what is checked can never drift apart.  ``docs/license-format.md``
describes the format for people; this module is its reference.

A license file is armoured text::

    -----BEGIN OPSCONSOLE LICENSE-----
    {"customer_email":"ops@acme.example",...,"seats":50}
    -----BEGIN SIGNATURE <key id>-----
    <base64 Ed25519 signature of the JSON line's UTF-8 bytes>
    -----END OPSCONSOLE LICENSE-----

Parsing is strict on purpose: every byte of the file is either signed, or
part of a fixed armour line, or the canonical base64 of the signature, so any
single changed byte is refused.  The signature is checked *before* the JSON is
parsed, so unsigned bytes never reach the JSON parser.

It also holds the product's half of the offline activation exchange (write a
request, verify the signed response), in the same armour.  That makes it
longer than a module here usually grows, on purpose: the product embeds one
file, so licenses, revocation lists and activations stay together.
"""

from __future__ import annotations

import binascii
import datetime as dt
import functools
import hashlib
import json
import re
import secrets
from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

_T = TypeVar("_T")

FORMAT_VERSION = 1
LICENSE_LABEL = "OPSCONSOLE LICENSE"
REVOCATION_LABEL = "OPSCONSOLE REVOCATION LIST"
#: How far the product's clock may lag the issuing workstation's (or its own last run)
#: before a time check fails: machines' clocks differ by minutes, and a license
#: issued "now" must work at once.
CLOCK_SKEW = dt.timedelta(minutes=10)
#: Key ids name files and armour lines, so they are kept to a safe alphabet.
KEY_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_VERSION_PATTERN = re.compile(r"\d{1,9}(\.\d{1,9}){0,3}")
_MAX_PAYLOAD = 64 * 1024
_SIGNATURE_B64_LEN = 88  # 64 bytes of Ed25519 signature

PublicKeys = Mapping[str, Ed25519PublicKey]


# --------------------------------------------------------------------------- errors


class LicenseError(Exception):
    """Base of every refusal: the product catches this one type and reads the subclass."""


class MalformedLicense(LicenseError):
    """The text is not a well-formed license (or revocation list) file."""


class UnknownKey(LicenseError):
    """Signed with a key id the product does not know (or no longer trusts)."""


class BadSignature(LicenseError):
    """The signature does not match the content: the file was altered or forged."""


class NotYetValid(LicenseError):
    """The license's not-before time has not come yet."""


class Expired(LicenseError):
    """The license expired and its grace days are over."""


class WrongProduct(LicenseError):
    """The license is for another product."""


class WrongMachine(LicenseError):
    """A node-locked license used on a machine with another fingerprint."""


class Revoked(LicenseError):
    """The license is on the revocation list."""


class ClockMovedBack(LicenseError):
    """``now`` is before the license was issued or before the product last ran: the clock was set back."""


class VersionNotCovered(LicenseError):
    """The product version is newer than the license's maximum version."""


class StaleRevocationList(LicenseError):
    """A revocation list older than one the product already accepted (a replay)."""


class MalformedRequest(LicenseError):
    """An activation request that is not well formed, or whose checksum shows it was altered or damaged."""


class ActivationMismatch(LicenseError):
    """An activation response that answers another license or another request than the product's."""


# --------------------------------------------------------------------------- encoding


_encoder = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def canonical_json(obj: object) -> str:
    """Sorted keys, no separator spaces, non-ASCII kept: the one form a payload is written in.

    Its UTF-8 bytes are what is signed.
    """
    return _encoder.encode(obj)


#: A JSON string literal, escaped exactly as ``canonical_json`` does (C-accelerated).
_quote: Callable[[str], str] = json.encoder.encode_basestring


def format_time(value: dt.datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ``; ``value`` must be naive UTC with whole seconds (see ``utc_seconds``)."""
    return value.isoformat() + "Z"


def armour(label: str, key_id: str, payload: str, signature: bytes) -> str:
    """The armoured text of a signed payload (the inverse of ``unarmour``)."""
    return (
        f"-----BEGIN {label}-----\n{payload}\n-----BEGIN SIGNATURE {key_id}-----\n"
        f"{binascii.b2a_base64(signature, newline=False).decode()}\n-----END {label}-----\n"
    )


def _armour_lines(label: str, text: str | bytes, error: type[LicenseError]) -> tuple[str, str, str]:
    """(payload line, proof header line, proof line) of armoured text, refusing any deviation with ``error``.

    Line ends may be all LF or all CRLF (a file that went through a Windows
    editor or mail client); anything else, a missing final newline, extra
    lines or altered armour is refused.  Licenses and responses carry a
    signature as their proof, activation requests a checksum.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise error(f"The file is not UTF-8 text ({exc.reason}).") from None
    if "\r" in text:
        unix = text.replace("\r\n", "\n")
        if "\r" in unix or unix.count("\n") != text.count("\r\n"):
            raise error("The file mixes line endings.")
        text = unix
    lines = text.split("\n")
    if len(lines) != 6 or lines[5] != "":
        raise error(f"Expected 5 lines ending in a newline, found {len(lines) - 1}.")
    begin, payload, proof_header, proof, end, _ = lines
    if begin != f"-----BEGIN {label}-----" or end != f"-----END {label}-----":
        raise error(f"This is not an {label} file (armour lines missing or altered).")
    if not payload or len(payload) > _MAX_PAYLOAD:
        raise error("The payload line is empty or too long.")
    return payload, proof_header, proof


def unarmour(label: str, text: str | bytes) -> tuple[str, str, bytes]:
    """Split signed armoured text into (key id, payload line, signature), refusing any deviation.

    Besides the armour (``_armour_lines``), the signature line must name a
    valid key id and the signature be canonical base64 of 64 bytes.
    """
    payload, sig_line, sig_b64 = _armour_lines(label, text, MalformedLicense)
    if not (sig_line.startswith("-----BEGIN SIGNATURE ") and sig_line.endswith("-----")):
        raise MalformedLicense("The signature armour line is missing or altered.")
    key_id = sig_line[21:-5]
    if not KEY_ID_PATTERN.fullmatch(key_id):
        raise MalformedLicense("The signature line names no valid key id.")
    if len(sig_b64) != _SIGNATURE_B64_LEN:
        raise MalformedLicense("The signature has the wrong length.")
    try:
        signature = binascii.a2b_base64(sig_b64, strict_mode=True)
    except (binascii.Error, ValueError):
        raise MalformedLicense("The signature is not valid base64.") from None
    # Strict decoding still ignores the spare bits of the last character: re-encode to compare.
    if binascii.b2a_base64(signature, newline=False).decode() != sig_b64:
        raise MalformedLicense("The signature is not in canonical base64.")
    return key_id, payload, signature


def _check_signature(label: str, text: str | bytes, public_keys: PublicKeys) -> tuple[str, str]:
    """(key id, payload line) of a file whose signature checks out under a known key."""
    key_id, payload, signature = unarmour(label, text)
    key = public_keys.get(key_id)
    if key is None:
        raise UnknownKey(f"Signed with key {key_id!r}, which this product does not trust.")
    try:
        key.verify(signature, payload.encode())
    except UnicodeEncodeError:  # a lone surrogate in a str: never what a signer wrote
        raise MalformedLicense("The payload is not valid Unicode text.") from None
    except InvalidSignature:
        raise BadSignature("The signature does not match the content: the file was altered.") from None
    return key_id, payload


def load_public_keys(encoded: Mapping[str, str | bytes]) -> dict[str, Ed25519PublicKey]:
    """Key id → public key, from raw base64 (as exported) or raw 32 bytes.

    Load once and reuse: decoding a point costs about as much as a verification.
    """
    keys = {}
    for key_id, value in encoded.items():
        raw = binascii.a2b_base64(value, strict_mode=True) if isinstance(value, str) else value
        keys[key_id] = Ed25519PublicKey.from_public_bytes(raw)
    return keys


# --------------------------------------------------------------------------- payload fields


_decoder = json.JSONDecoder()


def _payload_object(payload: str) -> dict[str, Any]:
    """The payload's JSON object; its values are as parsed, so each reader checks the type of what it takes.

    ``raw_decode`` rather than ``json.loads``: a payload is canonical JSON with
    nothing around it, so the wrapper's two whitespace scans (a quarter of the
    parse) find nothing; text after the object is refused here instead.
    """
    try:
        obj, end = _decoder.raw_decode(payload)
    except (ValueError, RecursionError):
        raise MalformedLicense("The payload is not valid JSON.") from None
    if end != len(payload):
        raise MalformedLicense("The payload has text after its JSON object.")
    if not isinstance(obj, dict):
        raise MalformedLicense("The payload is not a JSON object.")
    if obj.get("format") != FORMAT_VERSION:
        raise MalformedLicense(f"Unsupported format version {obj.get('format')!r}.")
    return obj


def _field(obj: dict[str, Any], name: str, kind: type[_T]) -> _T:
    """``obj[name]`` when it is exactly a ``kind`` (``type is``, so True is no int) and not empty text."""
    value = obj.get(name)
    if type(value) is not kind or (kind is str and not value):
        raise MalformedLicense(f"Field {name!r} is missing or not a {kind.__name__}.")
    return value


def _parse_time(value: object, name: str) -> dt.datetime:
    if type(value) is not str or len(value) != 20 or value[10] != "T" or value[19] != "Z":
        raise MalformedLicense(f"Field {name!r} is not a time like 2026-01-31T12:00:00Z.")
    try:
        return dt.datetime.fromisoformat(value[:19])
    except ValueError:
        raise MalformedLicense(f"Field {name!r} is not a valid time.") from None


def _is_name_list(value: object) -> bool:
    """Whether ``value`` is a list of non-empty texts."""
    if type(value) is not list:
        return False
    for item in value:  # noqa: SIM110 -- the all() it suggests takes twice as long, on every verification
        if type(item) is not str or not item:
            return False
    return True


_LAST_ORDINAL = dt.date.max.toordinal()


def _check_grace_fits(expires_at: dt.datetime, grace_days: int) -> None:
    """``MalformedLicense`` unless expiry plus grace days is a date Python can hold (``grace_ends_at``).

    Compared as day numbers: adding a ``timedelta`` and catching its overflow
    costs eight times as much, on every verification.
    """
    if expires_at.toordinal() + grace_days > _LAST_ORDINAL:
        raise MalformedLicense("The expiry plus grace days is beyond the year 9999.")


@functools.lru_cache(maxsize=256)  # a product checks the same few versions over and over
def version_tuple(version: str) -> tuple[int, ...]:
    """``"2.4.1"`` → ``(2, 4, 1)``, so versions compare numerically (2.10 > 2.9)."""
    if not _VERSION_PATTERN.fullmatch(version):
        raise ValueError(f"{version!r} is not a version like 2.4 or 2.4.1")
    return tuple(int(part) for part in version.split("."))


def naive_utc(value: dt.datetime) -> dt.datetime:
    """Aware datetimes are converted to UTC; naive ones are taken as UTC already."""
    if value.tzinfo is None:
        return value
    utc = value.astimezone(dt.UTC)
    return _wall_clock(utc, utc.microsecond)


def utc_seconds(value: dt.datetime) -> dt.datetime:
    """``value`` as naive UTC with whole seconds: the form and precision the format carries."""
    return _wall_clock(value if value.tzinfo is None else value.astimezone(dt.UTC), 0)


def _wall_clock(value: dt.datetime, microsecond: int) -> dt.datetime:
    """``value``'s date and time of day with ``microsecond``, and no zone.

    Built with the constructor: ``replace`` parses keyword arguments and costs
    three times as much (1 µs), and every verification and answer calls this.
    """
    return dt.datetime(value.year, value.month, value.day, value.hour, value.minute, value.second, microsecond)


# --------------------------------------------------------------------------- licenses

_LICENSE_TEXT_FIELDS = (
    "license_id", "key_id", "product", "customer_id", "customer_name", "customer_email", "plan",
)


class License(NamedTuple):
    """What a license grants.

    Times are naive UTC with whole seconds, the convention of the cache (and
    cheap to format); ``verify`` accepts naive-UTC or aware ``now`` values.
    A named tuple rather than a frozen dataclass because it is as immutable
    and several times cheaper to build, which the product pays at every start.
    """

    license_id: str
    key_id: str
    product: str
    customer_id: str
    customer_name: str
    customer_email: str
    plan: str
    seats: int
    features: tuple[str, ...]
    issued_at: dt.datetime
    not_before: dt.datetime
    expires_at: dt.datetime
    grace_days: int = 0
    fingerprint: str | None = None
    max_version: str | None = None

    @property
    def grace_ends_at(self) -> dt.datetime:
        """The last moment the product still runs (expiry plus grace days)."""
        return self.expires_at + dt.timedelta(days=self.grace_days)

    def in_grace(self, now: dt.datetime) -> bool:
        """Past expiry but within the grace days: the product runs and nags."""
        return self.expires_at <= naive_utc(now) < self.grace_ends_at

    def payload_text(self) -> str:
        """The canonical JSON of the license: the line that is signed.

        Spelled out key by key in sorted order instead of going through
        ``canonical_json``: issuing is a hot path, and a generic encoder costs
        as much again as this.  The fields are unpacked once and the times
        formatted inline (a tenth less than reading each attribute and calling
        ``format_time``).  The tests check it equals ``canonical_json`` of the
        same fields.
        """
        (license_id, key_id, product, customer_id, customer_name, customer_email, plan, seats, features,
         issued_at, not_before, expires_at, grace_days, fingerprint, max_version) = self
        q = _quote
        return (
            f'{{"customer_email":{q(customer_email)},"customer_id":{q(customer_id)},'
            f'"customer_name":{q(customer_name)},"expires_at":"{expires_at.isoformat()}Z",'
            f'"features":[{",".join(map(q, features))}],'
            f'"fingerprint":{"null" if fingerprint is None else q(fingerprint)},'
            f'"format":{FORMAT_VERSION},"grace_days":{grace_days:d},'
            f'"issued_at":"{issued_at.isoformat()}Z","key_id":{q(key_id)},"license_id":{q(license_id)},'
            f'"max_version":{"null" if max_version is None else q(max_version)},'
            f'"not_before":"{not_before.isoformat()}Z","plan":{q(plan)},'
            f'"product":{q(product)},"seats":{seats:d}}}'
        )

    @classmethod
    def from_payload(cls, payload: str) -> License:
        """Parse and validate a payload; any deviation from the schema is ``MalformedLicense``.

        Written as flat checks rather than per-field helpers: this runs on every
        start of the product and is most of the verifier's cost beside Ed25519.
        """
        obj = _payload_object(payload)
        if obj.keys() != _LICENSE_KEYS:
            raise MalformedLicense("The payload's fields are not those of a version 1 license.")
        for name in _LICENSE_TEXT_FIELDS:
            value = obj[name]
            if type(value) is not str or not value:
                raise MalformedLicense(f"Field {name!r} is not a non-empty text.")
        seats, grace_days, features = obj["seats"], obj["grace_days"], obj["features"]
        if type(seats) is not int or seats < 1:
            raise MalformedLicense("Field 'seats' is not a number of at least 1.")
        if type(grace_days) is not int or grace_days < 0:
            raise MalformedLicense("Field 'grace_days' is not a number of at least 0.")
        if not _is_name_list(features):
            raise MalformedLicense("Field 'features' is not a list of names.")
        fingerprint, max_version = obj["fingerprint"], obj["max_version"]
        if fingerprint is not None and (type(fingerprint) is not str or not fingerprint):
            raise MalformedLicense("Field 'fingerprint' is neither null nor a non-empty text.")
        if max_version is not None and (
            type(max_version) is not str or not _VERSION_PATTERN.fullmatch(max_version)
        ):
            raise MalformedLicense("Field 'max_version' is neither null nor a version like 2.4.")
        expires_at = _parse_time(obj["expires_at"], "expires_at")
        _check_grace_fits(expires_at, grace_days)
        return cls(
            obj["license_id"], obj["key_id"], obj["product"], obj["customer_id"],
            obj["customer_name"], obj["customer_email"], obj["plan"], seats, tuple(features),
            _parse_time(obj["issued_at"], "issued_at"),
            _parse_time(obj["not_before"], "not_before"),
            expires_at, grace_days, fingerprint, max_version,
        )


_LICENSE_KEYS = frozenset(License._fields) | {"format"}


def read_license(text: str | bytes) -> License:
    """The fields of a license file *without* checking its signature (for display only)."""
    _, payload, _ = unarmour(LICENSE_LABEL, text)
    return License.from_payload(payload)


def verify(
    text: str | bytes,
    public_keys: PublicKeys,
    now: dt.datetime,
    fingerprint: str | None = None,
    last_seen: dt.datetime | None = None,
    *,
    product: str | None = None,
    revocations: Container[str] | None = None,
    product_version: str | None = None,
) -> License:
    """The license in ``text`` if it holds right now; otherwise the ``LicenseError`` saying why.

    ``public_keys`` maps key id → key (see ``load_public_keys``).  ``now`` and
    ``last_seen`` (the latest time the product ran, which it persists) are
    datetimes; naive ones are UTC.  ``product`` is the embedding product's
    name and ``product_version`` its version: when given, a license for
    another product or with a lower ``max_version`` is refused.
    ``revocations`` is a ``RevocationList`` (from ``load_revocation_list``)
    or any container of revoked license ids.
    """
    key_id, payload = _check_signature(LICENSE_LABEL, text, public_keys)
    lic = License.from_payload(payload)
    if lic.key_id != key_id:
        raise MalformedLicense("The payload's key id differs from the signature's.")
    if product is not None and lic.product != product:
        raise WrongProduct(f"This license is for {lic.product!r}, not {product!r}.")
    if revocations is not None and lic.license_id in revocations:
        raise Revoked(f"License {lic.license_id} has been revoked.")
    now = _check_clock(now, last_seen, lic.issued_at, "the license was issued")
    if now + CLOCK_SKEW < lic.not_before:
        raise NotYetValid(f"The license is valid from {lic.not_before:%Y-%m-%d %H:%M} UTC.")
    _check_expiry(now, lic.expires_at, lic.grace_ends_at, "license")
    if lic.fingerprint is not None and fingerprint != lic.fingerprint:
        raise WrongMachine("This license is locked to another machine.")
    if product_version is not None:
        check_version(lic.max_version, product_version)
    return lic


def _check_clock(now: dt.datetime, last_seen: dt.datetime | None, signed_at: dt.datetime, signed: str) -> dt.datetime:
    """``now`` as naive UTC, or ``ClockMovedBack`` when it is before ``signed_at`` or ``last_seen`` (less the skew)."""
    now = naive_utc(now)
    if now + CLOCK_SKEW < signed_at:
        raise ClockMovedBack(f"The clock says {now:%Y-%m-%d %H:%M}, before {signed}.")
    if last_seen is not None and now + CLOCK_SKEW < naive_utc(last_seen):
        raise ClockMovedBack(f"The clock says {now:%Y-%m-%d %H:%M}, before this product last ran.")
    return now


def _check_expiry(now: dt.datetime, expires_at: dt.datetime, grace_ends_at: dt.datetime, what: str) -> None:
    if now >= grace_ends_at:
        raise Expired(
            f"The {what} expired on {expires_at:%Y-%m-%d} (its grace days ended {grace_ends_at:%Y-%m-%d})."
        )


def version_covered(max_version: str | None, product_version: str) -> bool:
    """Whether ``max_version`` covers ``product_version``: "3.2" covers every 3.2.x (None covers all).

    Only as many parts are compared as ``max_version`` names; a
    ``product_version`` that is not a version raises ``ValueError``.
    """
    if max_version is None:
        return True
    highest = version_tuple(max_version)
    return version_tuple(product_version)[: len(highest)] <= highest


def check_version(max_version: str | None, product_version: str) -> None:
    """``VersionNotCovered`` unless ``max_version`` covers ``product_version``."""
    try:
        covered = version_covered(max_version, product_version)
    except ValueError as exc:
        raise VersionNotCovered(str(exc)) from None
    if not covered:
        raise VersionNotCovered(f"The license covers versions up to {max_version}.")


# --------------------------------------------------------------------------- revocation lists


@dataclass(frozen=True, slots=True)
class RevocationList:
    """A signed list of revoked license ids; a higher ``version`` supersedes a lower one."""

    version: int
    key_id: str
    issued_at: dt.datetime
    revoked: Mapping[str, dt.datetime]  # license id → revoked at

    def __contains__(self, license_id: object) -> bool:
        return license_id in self.revoked

    def to_payload(self) -> dict[str, object]:
        """The JSON object that is signed (through ``canonical_json``); entries sorted by id."""
        return {
            "format": FORMAT_VERSION,
            "issued_at": format_time(self.issued_at),
            "key_id": self.key_id,
            "revoked": [
                {"license_id": lid, "revoked_at": format_time(at)}
                for lid, at in sorted(self.revoked.items())
            ],
            "version": self.version,
        }

    @classmethod
    def from_payload(cls, payload: str) -> RevocationList:
        """Parse and validate a payload; any deviation from the schema is ``MalformedLicense``."""
        obj = _payload_object(payload)
        if obj.keys() != {"format", "issued_at", "key_id", "revoked", "version"}:
            raise MalformedLicense("The payload's fields are not those of a revocation list.")
        entries = obj["revoked"]
        if type(entries) is not list:
            raise MalformedLicense("Field 'revoked' is not a list.")
        revoked = {}
        for entry in entries:
            if type(entry) is not dict or entry.keys() != {"license_id", "revoked_at"}:
                raise MalformedLicense("A revocation entry is not {license_id, revoked_at}.")
            revoked[_field(entry, "license_id", str)] = _parse_time(entry["revoked_at"], "revoked_at")
        return cls(
            version=_field(obj, "version", int),
            key_id=_field(obj, "key_id", str),
            issued_at=_parse_time(obj["issued_at"], "issued_at"),
            revoked=revoked,
        )


def read_revocation_list(text: str | bytes) -> RevocationList:
    """The content of a revocation list *without* checking its signature (the issuer's own lists)."""
    _, payload, _ = unarmour(REVOCATION_LABEL, text)
    return RevocationList.from_payload(payload)


def load_revocation_list(
    text: str | bytes, public_keys: PublicKeys, *, newer_than: int = 0
) -> RevocationList:
    """Verify and parse a revocation list; ``newer_than`` refuses a replayed older list.

    The product keeps the version it last accepted and passes it here, so a
    user cannot swap the current list for an older one that lacks a revocation.
    """
    key_id, payload = _check_signature(REVOCATION_LABEL, text, public_keys)
    revocations = RevocationList.from_payload(payload)
    if revocations.key_id != key_id:
        raise MalformedLicense("The payload's key id differs from the signature's.")
    if revocations.version <= newer_than:
        raise StaleRevocationList(
            f"Revocation list version {revocations.version} is not newer than {newer_than}."
        )
    return revocations


# --------------------------------------------------------------------------- the offline activation exchange
#
# A machine with no network asks for a seat with a *request* file the product
# writes (``write_activation_request``); ops staff answer it on their
# workstation with a signed *response* bound to that machine's fingerprint,
# which the product checks with ``verify_activation``.  The request is signed
# by nothing secret -- anyone may ask -- so it carries a SHA-256 checksum of
# its payload line instead: not a protection against forgery (the console
# checks every request against its registry) but proof that the file arrived
# as written, so a byte changed on a USB stick or by a mail client is refused.

REQUEST_LABEL = "OPSCONSOLE ACTIVATION REQUEST"
ACTIVATION_LABEL = "OPSCONSOLE ACTIVATION"
_CHECKSUM_HEADER = "-----BEGIN CHECKSUM SHA-256-----"
_NONCE_PATTERN = re.compile(r"[0-9a-f]{32}")
_MAX_FINGERPRINT, _MAX_MACHINE_NAME = 1000, 200
_REQUEST_KEYS = frozenset(
    {"fingerprint", "format", "license_id", "machine_name", "nonce", "product", "product_version", "requested_at"}
)


def _checked_text(obj: dict[str, Any], name: str, limit: int, *, nullable: bool = False) -> Any:
    """``obj[name]``: non-empty text of at most ``limit`` characters (or None when ``nullable``)."""
    value = obj[name]
    if value is None and nullable:
        return None
    if type(value) is not str or not value or len(value) > limit:
        raise MalformedLicense(f"Field {name!r} is not a text of 1 to {limit} characters.")
    return value


class ActivationRequest(NamedTuple):
    """What a machine asks for: a seat of ``license_id`` for ``fingerprint``, running ``product_version``.

    ``nonce`` makes every request unique, so a response can be matched to the
    request it answers (``verify_activation(nonce=...)``).
    """

    license_id: str
    fingerprint: str
    product: str
    product_version: str
    machine_name: str | None
    nonce: str
    requested_at: dt.datetime

    def payload_text(self) -> str:
        """The canonical JSON line of the request."""
        return canonical_json({
            "fingerprint": self.fingerprint, "format": FORMAT_VERSION, "license_id": self.license_id,
            "machine_name": self.machine_name, "nonce": self.nonce, "product": self.product,
            "product_version": self.product_version, "requested_at": format_time(self.requested_at),
        })

    def text(self) -> str:
        """The request file: armour, the payload line, and the SHA-256 of that line in lowercase hex."""
        payload = self.payload_text()
        checksum = hashlib.sha256(payload.encode()).hexdigest()
        return (
            f"-----BEGIN {REQUEST_LABEL}-----\n{payload}\n{_CHECKSUM_HEADER}\n{checksum}\n"
            f"-----END {REQUEST_LABEL}-----\n"
        )

    @classmethod
    def from_payload(cls, payload: str) -> ActivationRequest:
        """Parse and validate a request payload; any deviation is ``MalformedLicense`` (callers re-type it)."""
        obj = _payload_object(payload)
        if obj.keys() != _REQUEST_KEYS:
            raise MalformedLicense("The payload's fields are not those of a version 1 activation request.")
        nonce, version = obj["nonce"], obj["product_version"]
        if type(nonce) is not str or not _NONCE_PATTERN.fullmatch(nonce):
            raise MalformedLicense("Field 'nonce' is not 32 lowercase hexadecimal digits.")
        if type(version) is not str or not _VERSION_PATTERN.fullmatch(version):
            raise MalformedLicense("Field 'product_version' is not a version like 4.2.1.")
        return cls(
            _checked_text(obj, "license_id", 200), _checked_text(obj, "fingerprint", _MAX_FINGERPRINT),
            _checked_text(obj, "product", 200), version,
            _checked_text(obj, "machine_name", _MAX_MACHINE_NAME, nullable=True), nonce,
            _parse_time(obj["requested_at"], "requested_at"),
        )


def make_activation_request(
    license_id: str,
    fingerprint: str,
    product_version: str,
    *,
    product: str,
    machine_name: str | None = None,
    now: dt.datetime | None = None,
) -> ActivationRequest:
    """A new request (fresh nonce) from this machine; ``ValueError`` names a field that cannot be sent."""
    request = ActivationRequest(
        license_id, fingerprint, product, product_version, machine_name or None, secrets.token_hex(16),
        utc_seconds(now or dt.datetime.now(dt.UTC)),
    )
    try:
        ActivationRequest.from_payload(request.payload_text())
    except MalformedLicense as exc:
        raise ValueError(str(exc)) from None
    return request


def write_activation_request(path: str | Path, *args: Any, **fields: Any) -> ActivationRequest:
    """Write a new request file at ``path`` (arguments as ``make_activation_request``); keep its nonce."""
    request = make_activation_request(*args, **fields)
    Path(path).write_text(request.text(), encoding="utf-8", newline="")
    return request


def read_activation_request(text: str | bytes) -> ActivationRequest:
    """The request in ``text``, or ``MalformedRequest`` when any byte differs from what the product wrote."""
    payload, header, checksum = _armour_lines(REQUEST_LABEL, text, MalformedRequest)
    if header != _CHECKSUM_HEADER:
        raise MalformedRequest("The checksum armour line is missing or altered.")
    try:
        expected = hashlib.sha256(payload.encode()).hexdigest()
    except UnicodeEncodeError:
        raise MalformedRequest("The payload is not valid Unicode text.") from None
    if checksum != expected:
        raise MalformedRequest("The request's checksum does not match: the file was altered or damaged on its way.")
    try:
        return ActivationRequest.from_payload(payload)
    except MalformedLicense as exc:
        raise MalformedRequest(str(exc)) from None


_ACTIVATION_KEYS = frozenset({
    "activated_at", "activation_id", "expires_at", "fingerprint", "format", "grace_days", "key_id", "license_id",
    "machine_name", "max_version", "nonce", "product", "product_version",
})


class Activation(NamedTuple):
    """A signed answer to an activation request: a seat of ``license_id`` on the machine ``fingerprint``.

    It carries the license's expiry, grace days and maximum version, so the
    product can hold the machine to them without another file.
    """

    activation_id: str
    license_id: str
    key_id: str
    product: str
    fingerprint: str
    machine_name: str | None
    product_version: str
    nonce: str
    activated_at: dt.datetime
    expires_at: dt.datetime
    grace_days: int
    max_version: str | None

    @property
    def grace_ends_at(self) -> dt.datetime:
        return self.expires_at + dt.timedelta(days=self.grace_days)

    def payload_text(self) -> str:
        """The canonical JSON line that is signed, spelled out in key order (answering is benchmarked).

        Unpacked once, times formatted inline, as ``License.payload_text``.
        """
        (activation_id, license_id, key_id, product, fingerprint, machine_name, product_version, nonce,
         activated_at, expires_at, grace_days, max_version) = self
        q = _quote
        return (
            f'{{"activated_at":"{activated_at.isoformat()}Z","activation_id":{q(activation_id)},'
            f'"expires_at":"{expires_at.isoformat()}Z","fingerprint":{q(fingerprint)},'
            f'"format":{FORMAT_VERSION},"grace_days":{grace_days:d},"key_id":{q(key_id)},'
            f'"license_id":{q(license_id)},"machine_name":{"null" if machine_name is None else q(machine_name)},'
            f'"max_version":{"null" if max_version is None else q(max_version)},"nonce":{q(nonce)},'
            f'"product":{q(product)},"product_version":{q(product_version)}}}'
        )

    @classmethod
    def from_payload(cls, payload: str) -> Activation:
        """Parse and validate a response payload; any deviation from the schema is ``MalformedLicense``."""
        obj = _payload_object(payload)
        if obj.keys() != _ACTIVATION_KEYS:
            raise MalformedLicense("The payload's fields are not those of a version 1 activation.")
        grace_days, max_version = obj["grace_days"], obj["max_version"]
        if type(grace_days) is not int or grace_days < 0:
            raise MalformedLicense("Field 'grace_days' is not a number of at least 0.")
        if max_version is not None and (type(max_version) is not str or not _VERSION_PATTERN.fullmatch(max_version)):
            raise MalformedLicense("Field 'max_version' is neither null nor a version like 2.4.")
        expires_at = _parse_time(obj["expires_at"], "expires_at")
        _check_grace_fits(expires_at, grace_days)
        return cls(
            _checked_text(obj, "activation_id", 200), _checked_text(obj, "license_id", 200),
            _checked_text(obj, "key_id", 200), _checked_text(obj, "product", 200),
            _checked_text(obj, "fingerprint", _MAX_FINGERPRINT),
            _checked_text(obj, "machine_name", _MAX_MACHINE_NAME, nullable=True),
            _checked_text(obj, "product_version", 200), _checked_text(obj, "nonce", 200),
            _parse_time(obj["activated_at"], "activated_at"), expires_at, grace_days, max_version,
        )


def read_activation(text: str | bytes) -> Activation:
    """The fields of a response *without* checking its signature (for display only)."""
    _, payload, _ = unarmour(ACTIVATION_LABEL, text)
    return Activation.from_payload(payload)


def verify_activation(
    text: str | bytes,
    public_keys: PublicKeys,
    now: dt.datetime,
    fingerprint: str | None,
    last_seen: dt.datetime | None = None,
    *,
    license_id: str | None = None,
    nonce: str | None = None,
    product: str | None = None,
    revocations: Container[str] | None = None,
    product_version: str | None = None,
) -> Activation:
    """The activation in ``text`` if it holds on this machine right now; else the ``LicenseError`` saying why.

    ``fingerprint`` is this machine's: a response names exactly one machine
    and is refused (``WrongMachine``) anywhere else.  ``license_id`` and
    ``nonce`` (of the request the product wrote), when given, refuse a
    response to another license or request (``ActivationMismatch``).  The
    other arguments are those of ``verify``, and the checks run in the same
    order: product, revocation, clock, expiry, machine, version.
    """
    key_id, payload = _check_signature(ACTIVATION_LABEL, text, public_keys)
    activation = Activation.from_payload(payload)
    if activation.key_id != key_id:
        raise MalformedLicense("The payload's key id differs from the signature's.")
    if product is not None and activation.product != product:
        raise WrongProduct(f"This activation is for {activation.product!r}, not {product!r}.")
    if license_id is not None and activation.license_id != license_id:
        raise ActivationMismatch(f"This activation is for license {activation.license_id}, not {license_id}.")
    if nonce is not None and activation.nonce != nonce:
        raise ActivationMismatch("This activation answers another request than the one this machine wrote.")
    if revocations is not None and activation.license_id in revocations:
        raise Revoked(f"License {activation.license_id} has been revoked.")
    now = _check_clock(now, last_seen, activation.activated_at, "the activation was signed")
    _check_expiry(now, activation.expires_at, activation.grace_ends_at, "license")
    if fingerprint != activation.fingerprint:
        raise WrongMachine("This activation is for another machine.")
    if product_version is not None:
        check_version(activation.max_version, product_version)
    return activation
