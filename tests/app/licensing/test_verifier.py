"""The embedded verifier: round trip, one typed error per cause, tamper and fuzz resistance."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.licensing import verifier as v
from app.licensing.revocation import build_revocation_list, sign_revocation_list
from tests.app.licensing.support import ISSUED, KEY_ID

LATER = ISSUED + dt.timedelta(days=30)


def test_round_trip_gives_back_the_issued_license(make_license, public_keys):
    lic, text = make_license(fingerprint="fp-1", max_version="3.2")
    verified = v.verify(
        text, public_keys, LATER, "fp-1", product="opsconsole-desktop", product_version="3.2.9"
    )
    assert verified == lic
    assert v.verify(text.encode(), public_keys, LATER, "fp-1") == lic
    assert lic.seats == 50 and "sso" in lic.features
    assert "Müller & Söhne GmbH" in text  # readable as is, not escaped


def test_windows_line_endings_are_accepted(make_license, public_keys):
    lic, text = make_license()
    assert v.verify(text.replace("\n", "\r\n"), public_keys, LATER) == lic


def test_every_single_byte_change_is_refused(make_license, public_keys):
    _, text = make_license(fingerprint="fp-1", max_version="3.2")
    data = text.encode()
    refused = 0
    for i, byte in enumerate(data):
        for new in {byte ^ 0x01, byte ^ 0x20, ord("A") if byte != ord("A") else ord("B"), 0x0D}:
            if new == byte:
                continue
            mutated = data[:i] + bytes([new]) + data[i + 1 :]
            with pytest.raises(v.LicenseError) as caught:
                v.verify(mutated, public_keys, LATER, "fp-1")
            assert isinstance(caught.value, v.MalformedLicense | v.UnknownKey | v.BadSignature)
            refused += 1
    assert refused > 3 * len(data)


@pytest.mark.parametrize(
    ("now_offset", "error"),
    [
        (dt.timedelta(days=365), None),  # at expiry: within grace
        (dt.timedelta(days=378), None),  # last grace day
        (dt.timedelta(days=379), v.Expired),
        (dt.timedelta(days=-1), v.ClockMovedBack),
    ],
)
def test_expiry_grace_and_issue_time(make_license, public_keys, now_offset, error):
    lic, text = make_license()
    now = ISSUED + now_offset
    if error is None:
        assert v.verify(text, public_keys, now) == lic
        assert lic.in_grace(now) == (now >= lic.expires_at)
    else:
        with pytest.raises(error):
            v.verify(text, public_keys, now)


def test_not_before(make_license, public_keys):
    _, text = make_license(not_before=ISSUED + dt.timedelta(days=10))
    with pytest.raises(v.NotYetValid):
        v.verify(text, public_keys, ISSUED + dt.timedelta(days=9))
    v.verify(text, public_keys, ISSUED + dt.timedelta(days=10))


def test_clock_moved_back_against_last_seen(make_license, public_keys):
    _, text = make_license()
    with pytest.raises(v.ClockMovedBack):
        v.verify(text, public_keys, LATER, last_seen=LATER + dt.timedelta(hours=2))
    # A few minutes of skew between machines is not a moved clock.
    v.verify(text, public_keys, LATER, last_seen=LATER + dt.timedelta(minutes=5))
    v.verify(text, public_keys, ISSUED - dt.timedelta(minutes=5))


def test_aware_times_are_converted_to_utc(make_license, public_keys):
    _, text = make_license()
    berlin = dt.timezone(dt.timedelta(hours=1))
    v.verify(text, public_keys, ISSUED.replace(tzinfo=dt.UTC).astimezone(berlin))
    with pytest.raises(v.ClockMovedBack):
        v.verify(text, public_keys, ISSUED.replace(tzinfo=berlin))  # 11:00 UTC: an hour early


def test_wrong_machine(make_license, public_keys):
    _, text = make_license(fingerprint="fp-1")
    with pytest.raises(v.WrongMachine):
        v.verify(text, public_keys, LATER, "fp-2")
    with pytest.raises(v.WrongMachine):
        v.verify(text, public_keys, LATER)


def test_unknown_key(make_license):
    _, text = make_license()
    with pytest.raises(v.UnknownKey):
        v.verify(text, {"other": Ed25519PrivateKey.generate().public_key()}, LATER)


def test_signature_of_another_key_with_the_same_id(make_license):
    _, text = make_license()
    with pytest.raises(v.BadSignature):
        v.verify(text, {KEY_ID: Ed25519PrivateKey.generate().public_key()}, LATER)


def test_wrong_product_and_version(make_license, public_keys):
    _, text = make_license(max_version="3.2")
    with pytest.raises(v.WrongProduct):
        v.verify(text, public_keys, LATER, product="otherapp")
    with pytest.raises(v.VersionNotCovered):
        v.verify(text, public_keys, LATER, product_version="3.10")


def test_revoked_by_a_signed_list(make_license, signing_key, public_keys):
    lic, text = make_license()
    revocations = build_revocation_list(3, KEY_ID, LATER, {lic.license_id: LATER})
    listed = sign_revocation_list(revocations, signing_key)
    loaded = v.load_revocation_list(listed, public_keys, newer_than=2)
    assert loaded == revocations and loaded.version == 3
    with pytest.raises(v.Revoked):
        v.verify(text, public_keys, LATER, revocations=loaded)
    with pytest.raises(v.Revoked):
        v.verify(text, public_keys, LATER, revocations={lic.license_id})
    with pytest.raises(v.StaleRevocationList):
        v.load_revocation_list(listed, public_keys, newer_than=3)
    with pytest.raises(v.BadSignature):
        v.load_revocation_list(listed.replace(lic.license_id, lic.license_id[::-1]), public_keys)
    with pytest.raises(v.MalformedLicense):  # a license is not a revocation list
        v.load_revocation_list(text, public_keys)


def test_public_keys_load_from_exported_base64(signing_key, make_license):
    raw = signing_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    keys = v.load_public_keys({KEY_ID: base64.b64encode(raw).decode()})
    lic, text = make_license()
    assert v.verify(text, keys, LATER) == lic


def _armoured(payload: str, key_id: str = KEY_ID, signature: str = "A" * 86 + "==") -> str:
    return (
        f"-----BEGIN {v.LICENSE_LABEL}-----\n{payload}\n-----BEGIN SIGNATURE {key_id}-----\n"
        f"{signature}\n-----END {v.LICENSE_LABEL}-----\n"
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.one_of(
        st.text(),
        st.binary(),
        st.builds(_armoured, st.text()),
        st.builds(_armoured, st.text(max_size=20), st.text(max_size=10), st.text(max_size=90)),
    )
)
def test_fuzzed_input_raises_only_typed_errors(public_keys, data):
    with pytest.raises(v.LicenseError):
        v.verify(data, public_keys, LATER)
    with pytest.raises(v.LicenseError):
        v.load_revocation_list(data, public_keys)


_LICENSE_FIELD_NAMES = sorted(v._LICENSE_KEYS)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.dictionaries(
        st.sampled_from(_LICENSE_FIELD_NAMES) | st.text(max_size=8),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=30),
            lambda inner: st.lists(inner, max_size=3)
            | st.dictionaries(st.text(max_size=8), inner, max_size=3),
            max_leaves=8,
        ),
        max_size=17,
    )
)
def test_fuzzed_signed_payloads_raise_only_typed_errors(signing_key, public_keys, obj):
    # Even correctly signed garbage (only an issuer bug could make it) is refused cleanly.
    obj.setdefault("format", 1)
    payload = v.canonical_json(obj)
    text = v.armour(v.LICENSE_LABEL, KEY_ID, payload, signing_key.sign(payload.encode()))
    with pytest.raises(v.LicenseError):
        v.verify(text, public_keys, LATER)


def test_deeply_nested_json_is_malformed():
    key = Ed25519PrivateKey.generate()
    payload = "[" * 100_000 + "]" * 100_000
    text = v.armour(v.LICENSE_LABEL, KEY_ID, payload[:60_000], key.sign(payload[:60_000].encode()))
    with pytest.raises(v.MalformedLicense):
        v.verify(text, {KEY_ID: key.public_key()}, LATER)


@pytest.mark.parametrize("wrap", ["{} ", " {}", "{}\t", "{}{{}}"])
def test_a_signed_payload_with_anything_around_its_object_is_malformed(make_license, signing_key, public_keys, wrap):
    # Only canonical JSON is ever signed: even whitespace that JSON allows is refused, and named.
    lic, _ = make_license()
    payload = wrap.format(lic.payload_text())
    text = v.armour(v.LICENSE_LABEL, KEY_ID, payload, signing_key.sign(payload.encode()))
    with pytest.raises(v.MalformedLicense, match="JSON"):
        v.verify(text, public_keys, LATER)


@pytest.mark.parametrize(("expires_at", "grace_days", "fits"), [
    (dt.datetime(9999, 12, 31), 0, True),
    (dt.datetime(9999, 12, 31, 23, 59, 59), 0, True),
    (dt.datetime(9999, 12, 30, 12), 1, True),
    (dt.datetime(9999, 12, 31), 1, False),
    (dt.datetime(9999, 1, 1), 364, True),
    (dt.datetime(9999, 1, 1), 365, False),
    (dt.datetime(2027, 1, 1), 10**30, False),
])
def test_expiry_plus_grace_must_be_a_date(make_license, expires_at, grace_days, fits):
    lic, _ = make_license()
    lic = lic._replace(expires_at=expires_at, grace_days=grace_days)
    if fits:
        assert v.License.from_payload(lic.payload_text()).grace_ends_at == expires_at + dt.timedelta(days=grace_days)
    else:
        with pytest.raises(v.MalformedLicense, match="beyond the year 9999"):
            v.License.from_payload(lic.payload_text())


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(min_value=dt.datetime(1900, 1, 2), max_value=dt.datetime(9999, 12, 30),
                 timezones=st.none() | st.timezones() | st.builds(dt.timezone, st.timedeltas(
                     min_value=dt.timedelta(hours=-23), max_value=dt.timedelta(hours=23)))),
)
def test_utc_conversions_agree_with_astimezone(value):
    # naive_utc and utc_seconds build their result with the constructor; the plain spelling must agree.
    expected = value if value.tzinfo is None else value.astimezone(dt.UTC).replace(tzinfo=None)
    assert v.naive_utc(value) == expected and v.naive_utc(value).tzinfo is None
    assert v.utc_seconds(value) == expected.replace(microsecond=0)


_TEXT = st.text(min_size=1, max_size=20)
_TIMES = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2200, 1, 1)).map(
    lambda t: t.replace(microsecond=0)
)
_LICENSES = st.builds(
    v.License,
    license_id=_TEXT, key_id=_TEXT, product=_TEXT, customer_id=_TEXT, customer_name=_TEXT,
    customer_email=_TEXT, plan=_TEXT,
    seats=st.integers(1, 10**9),
    features=st.lists(_TEXT, max_size=5).map(tuple),
    issued_at=_TIMES, not_before=_TIMES, expires_at=_TIMES,
    grace_days=st.integers(0, 3650),
    fingerprint=st.none() | _TEXT,
    max_version=st.none() | st.from_regex(r"\d{1,3}(\.\d{1,3}){0,2}", fullmatch=True),
)


@settings(max_examples=200, deadline=None)
@given(_LICENSES)
def test_payload_text_is_canonical_json_and_parses_back(lic):
    # payload_text spells the JSON out for speed; it must be exactly the canonical form.
    fields = lic._asdict()
    expected = {
        **fields,
        "format": v.FORMAT_VERSION,
        "features": list(lic.features),
        **{t: v.format_time(fields[t]) for t in ("issued_at", "not_before", "expires_at")},
    }
    text = lic.payload_text()
    assert text == json.dumps(expected, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert text == v.canonical_json(expected)
    assert v.License.from_payload(text) == lic
