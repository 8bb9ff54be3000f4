"""The offline activation exchange in the embedded verifier: request and response files, every refusal typed."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from app.licensing import verifier as v
from app.licensing.activation import LicenseTerms, activation_id, answer
from tests.app.licensing.support import ISSUED, KEY_ID

PRODUCT = "opsconsole-desktop"
LATER = ISSUED + dt.timedelta(days=30)
LICENSE_ID = "0b6a3c1e-5f7d-4e8a-9c2b-3d4e5f6a7b8c"


def terms(**changes) -> LicenseTerms:
    fields = {"license_id": LICENSE_ID, "product": PRODUCT, "customer_name": "Müller & Söhne GmbH",
              "expires_at": ISSUED + dt.timedelta(days=365), "grace_days": 14, "max_version": "4.2", "seats": 5,
              "in_use": 2, "machine_known": False}
    fields.update(changes)
    return LicenseTerms(**fields)


def make_request(**changes) -> v.ActivationRequest:
    fields = {"product": PRODUCT, "machine_name": "LAB-PC-07", "now": ISSUED + dt.timedelta(days=3)}
    fields.update(changes)
    return v.make_activation_request(LICENSE_ID, "3f9c2a7e41d0", "4.2.1", **fields)


@pytest.fixture
def response(signing_key):
    """(request, activation, response text) answered at ``LATER``."""
    request = make_request()
    activation, text = answer(request, terms(), KEY_ID, signing_key, LATER)
    return request, activation, text


def test_a_request_reads_back_as_written(tmp_path):
    path = tmp_path / "lab.req"
    written = v.write_activation_request(path, LICENSE_ID, "3f9c2a7e41d0", "4.2.1", product=PRODUCT,
                                         machine_name="Labor-Rechner Müller")
    text = path.read_text(encoding="utf-8")
    assert v.read_activation_request(text) == written
    assert v.read_activation_request(path.read_bytes().replace(b"\n", b"\r\n")) == written
    assert "Labor-Rechner Müller" in text and len(written.nonce) == 32
    assert make_request().nonce != make_request().nonce  # every request is unique


def test_a_request_the_product_cannot_send_is_refused_before_writing():
    with pytest.raises(ValueError, match="product_version"):
        v.make_activation_request(LICENSE_ID, "fp", "4.x", product=PRODUCT)
    with pytest.raises(ValueError, match="fingerprint"):
        v.make_activation_request(LICENSE_ID, "", "4.2", product=PRODUCT)


def test_every_single_byte_change_of_a_request_is_refused():
    data = make_request().text().encode()
    refused = 0
    for i, byte in enumerate(data):
        for new in {byte ^ 0x01, byte ^ 0x20, ord("A") if byte != ord("A") else ord("B"), 0x0D}:
            if new == byte:
                continue
            with pytest.raises(v.MalformedRequest):
                v.read_activation_request(data[:i] + bytes([new]) + data[i + 1 :])
            refused += 1
    assert refused > 3 * len(data)


def test_every_single_byte_change_of_a_response_is_refused(response, public_keys):
    request, _, text = response
    data = text.encode()
    refused = 0
    for i, byte in enumerate(data):
        for new in {byte ^ 0x01, byte ^ 0x20, ord("A") if byte != ord("A") else ord("B"), 0x0D}:
            if new == byte:
                continue
            with pytest.raises(v.LicenseError) as caught:
                v.verify_activation(data[:i] + bytes([new]) + data[i + 1 :], public_keys, LATER, request.fingerprint)
            assert isinstance(caught.value, v.MalformedLicense | v.UnknownKey | v.BadSignature)
            refused += 1
    assert refused > 3 * len(data)


def test_the_response_holds_on_the_requesting_machine_only(response, public_keys):
    request, activation, text = response
    verified = v.verify_activation(text, public_keys, LATER, "3f9c2a7e41d0", license_id=LICENSE_ID,
                                   nonce=request.nonce, product=PRODUCT, product_version="4.2.9")
    assert verified == activation == v.read_activation(text)
    assert verified.activation_id == activation_id(LICENSE_ID, "3f9c2a7e41d0")
    assert verified.expires_at == terms().expires_at and verified.max_version == "4.2"
    for other in ("3f9c2a7e41d1", None):
        with pytest.raises(v.WrongMachine):
            v.verify_activation(text, public_keys, LATER, other)


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"product": "another-product"}, v.WrongProduct),
        ({"license_id": "5c1d9e2a-0000-4000-8000-000000000001"}, v.ActivationMismatch),
        ({"nonce": "0" * 32}, v.ActivationMismatch),
        ({"revocations": {LICENSE_ID}}, v.Revoked),
        ({"now": LATER - dt.timedelta(hours=1)}, v.ClockMovedBack),
        ({"last_seen": LATER + dt.timedelta(days=2)}, v.ClockMovedBack),
        ({"now": ISSUED + dt.timedelta(days=365 + 14)}, v.Expired),
        ({"product_version": "4.3"}, v.VersionNotCovered),
    ],
)
def test_each_refusal_of_a_response_has_its_type(response, public_keys, arguments, error):
    _, _, text = response
    now = arguments.pop("now", LATER)
    with pytest.raises(error):
        v.verify_activation(text, public_keys, now, "3f9c2a7e41d0", **arguments)


def test_in_grace_the_response_still_holds(response, public_keys):
    _, activation, text = response
    last_day = ISSUED + dt.timedelta(days=365 + 13)
    assert v.verify_activation(text, public_keys, last_day, "3f9c2a7e41d0") == activation


def test_a_response_signed_by_an_unknown_key_is_refused(response):
    _, _, text = response
    with pytest.raises(v.UnknownKey):
        v.verify_activation(text, {}, LATER, "3f9c2a7e41d0")


@pytest.mark.parametrize("nulls", [{}, {"machine_name": None, "max_version": None}])
def test_the_response_payload_is_canonical_json(response, nulls):
    _, activation, _ = response
    activation = activation._replace(**nulls)
    fields = {name: getattr(activation, name) for name in v.Activation._fields}
    for name in ("activated_at", "expires_at"):
        fields[name] = v.format_time(fields[name])
    assert activation.payload_text() == v.canonical_json({**fields, "format": 1})
    assert v.Activation.from_payload(activation.payload_text()) == activation


@pytest.mark.parametrize(
    ("license_id", "fingerprint"), [(LICENSE_ID, "3f9c2a7e41d0"), ("l", "Rechner-Müller"), ("", "")]
)
def test_the_activation_id_is_the_documented_uuid5(license_id, fingerprint):
    """docs/ops-api.json: uuid5 of "<license_id>\\n<fingerprint>" in the activation namespace."""
    from app.licensing.activation import ACTIVATION_NAMESPACE

    expected = uuid.uuid5(ACTIVATION_NAMESPACE, f"{license_id}\n{fingerprint}")
    assert activation_id(license_id, fingerprint) == str(expected)
