"""The demo's licenses and machines: every list of the Licenses tab has members; /v1/activations records them."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter

from app.demo.licenses import ACTIVATION_NAMESPACE, signing_key
from app.licensing import verifier
from tests.app.demo.support import NOW

DAY = dt.timedelta(days=1)


def test_most_licenses_are_under_their_cap_one_is_full_one_over_a_few_expiring(backend, ops):
    licenses, _ = ops.full_pass("licenses")
    machines, _ = ops.full_pass("activations", limit=1_000)
    in_use = Counter(m["license_id"] for m in machines)
    live = [lic for lic in licenses if lic["revoked_at"] is None and verifier.naive_utc(
        dt.datetime.fromisoformat(lic["expires_at"])) > NOW]
    use = sorted(in_use[lic["id"]] / lic["seats"] for lic in live)
    assert sum(u < 0.9 for u in use) > len(use) / 2 and use.count(1.0) == 1 and sum(u > 1 for u in use) == 1
    expiring = [lic for lic in live
                if verifier.naive_utc(dt.datetime.fromisoformat(lic["expires_at"])) <= NOW + 30 * DAY]
    assert len(expiring) >= 3 and all(lic["subscription_id"] for lic in expiring)
    assert len({m["id"] for m in machines}) == len(machines)
    assert all(m["id"] == str(uuid.uuid5(ACTIVATION_NAMESPACE, f"{m['license_id']}\n{m['fingerprint']}"))
               for m in machines)


def test_every_demo_license_carries_its_signed_file(backend, ops):
    licenses, _ = ops.full_pass("licenses")
    for lic in licenses:
        public = signing_key(lic["key_id"], backend.business.seed).public_key()
        issued = dt.datetime.fromisoformat(lic["issued_at"])
        signed = verifier.verify(lic["license_text"], {lic["key_id"]: public}, issued + DAY)
        assert (signed.license_id, signed.seats, signed.plan) == (lic["id"], lic["seats"], lic["plan"])


def _machine(license_id: str, **changes) -> dict:
    body = {"license_id": license_id, "fingerprint": "fp-lab-7", "machine_name": "LAB-PC-07",
            "product_version": "4.2.1", "activated_via": "offline", "seen_at": "2026-03-02T10:00:00Z"}
    body.update(changes)
    return body


def test_a_machine_is_recorded_once_and_moves_on_when_seen_again(backend, ops):
    license_id = ops.full_pass("licenses")[0][0]["id"]
    created = ops.post("/v1/activations", _machine(license_id), key="a-1")
    assert created.status_code == 201
    row = created.json()
    assert row["id"] == str(uuid.uuid5(ACTIVATION_NAMESPACE, f"{license_id}\nfp-lab-7"))
    assert row["first_seen_at"] == row["last_seen_at"] == "2026-03-02T10:00:00Z"
    later = ops.post("/v1/activations", _machine(license_id, seen_at="2026-03-02T11:00:00Z",
                                                 product_version="4.2.2"), key="a-2")
    assert later.status_code == 200
    moved = later.json()
    assert (moved["id"], moved["first_seen_at"], moved["last_seen_at"], moved["product_version"]) == (
        row["id"], "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", "4.2.2")
    older = ops.post("/v1/activations", _machine(license_id, seen_at="2026-03-01T09:00:00Z",
                                                 product_version="4.1"), key="a-3")
    assert older.json()["product_version"] == "4.2.2"  # an older sighting changes nothing
    assert backend.business.feed("activations").get(row["id"])["last_seen_at"] == dt.datetime(2026, 3, 2, 11)


def test_bad_machines_are_refused_naming_the_field(ops):
    license_id = ops.full_pass("licenses")[0][0]["id"]
    for body, status, field in (
        (_machine("no-such-license"), 404, None),
        (_machine(license_id, product_version="4.x"), 422, "product_version"),
        (_machine(license_id, activated_via="carrier pigeon"), 422, "activated_via"),
        (_machine(license_id, seats=3), 422, "seats"),
        (_machine(license_id, fingerprint=" "), 422, "fingerprint"),
        ({k: v for k, v in _machine(license_id).items() if k != "seen_at"}, 422, "seen_at"),
    ):
        response = ops.post("/v1/activations", body, key=str(uuid.uuid4()))
        assert response.status_code == status, body
        assert response.json()["error"].get("field") == field
