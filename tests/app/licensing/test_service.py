"""Issuing, revoking and re-issuing through the service: registry + outbox in one transaction, offline."""

from __future__ import annotations

import datetime as dt
import socket

import pytest
from sqlalchemy import select

from app.licensing import registry
from app.licensing.errors import LicensingError
from app.licensing.verifier import Revoked, load_revocation_list, verify
from app.store.schema import License as LicenseRow
from app.store.schema import OutboxEntry
from tests.app.licensing.support import PASSPHRASE, request


@pytest.fixture
def service(service):
    """The service with its key unlocked: one scrypt run per test instead of one per signature."""
    service.unlock(PASSPHRASE, minutes=5)
    return service


@pytest.fixture
def offline(monkeypatch):
    """No network at all: any connection attempt fails the test."""

    def refuse(*_args, **_kwargs):
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


def _rows(service, table):
    with service._engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(table.__table__)).mappings()]


def test_issue_offline_writes_registry_row_and_outbox_entry(service, offline):
    issued = service.issue(request(fingerprint="fp-9"))
    (row,) = _rows(service, LicenseRow)
    (entry,) = _rows(service, OutboxEntry)
    assert row["id"] == issued.license.license_id and row["pending"] is True
    assert row["license_text"] == issued.text and row["issued_by"] == "tester"
    assert (entry["kind"], entry["path"], entry["method"]) == ("license_issue", "/v1/licenses", "POST")
    assert entry["idempotency_key"] == f"license_issue:{row['id']}"
    payload = entry["payload_json"]
    columns = {c.name for c in LicenseRow.__table__.columns} - {"pending", "synced_at", "features_json"}
    assert set(payload) == columns | {"features"}  # the Ops API's name for features_json
    assert payload["features"] == list(issued.license.features)
    for name in ("issued_at", "not_before", "expires_at", "updated_at"):
        assert payload[name].endswith("Z")
        dt.datetime.fromisoformat(payload[name][:-1])
    assert payload == issued.record


def test_issue_is_all_or_nothing(service, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("app.store.outbox.enqueue", broken)
    with pytest.raises(RuntimeError):
        service.issue(request())
    assert _rows(service, LicenseRow) == []


def test_bad_request_is_refused_whole_with_reasons(service):
    with pytest.raises(LicensingError, match=r"customer email has no '@'.*seats must be at least 1"):
        service.issue(request(customer_email="nobody", seats=0))
    with pytest.raises(LicensingError, match="Unknown plan 'gold'"):
        service.issue(request(plan="gold"))
    with pytest.raises(LicensingError, match="not a version"):
        service.issue(request(max_version="v3"))
    with pytest.raises(LicensingError, match="not valid text"):
        service.issue(request(customer_name="Acme \udcff"))
    assert _rows(service, LicenseRow) == []


def test_plan_defaults(service):
    assert service.plan_defaults("starter")[0] == 5
    assert service.plan_defaults("professional")[0] == 50
    seats, features = service.plan_defaults("enterprise")
    assert seats == 1000 and "sso" in features
    issued = service.issue(request(plan="starter", seats=7, features=("b", "a", "a")))
    assert (issued.license.seats, issued.license.features) == (7, ("a", "b"))


def test_revoke_writes_registry_and_outbox(service, offline):
    lid = service.issue(request()).license.license_id
    service.revoke(lid, "chargeback")
    (row,) = _rows(service, LicenseRow)
    assert row["revoked_at"] is not None and row["revoke_reason"] == "chargeback" and row["pending"]
    entry = _rows(service, OutboxEntry)[-1]
    assert (entry["kind"], entry["path"]) == ("license_revoke", f"/v1/licenses/{lid}/revoke")
    assert set(entry["payload_json"]) == {"reason", "revoked_at"}
    assert entry["payload_json"]["revoked_at"].endswith("Z")
    with pytest.raises(LicensingError, match="already revoked"):
        service.revoke(lid, "again")
    with pytest.raises(LicensingError, match="no license nope"):
        service.revoke("nope", "why")
    with pytest.raises(LicensingError, match="Say why"):
        service.revoke(service.issue(request()).license.license_id, "  ")


def test_reissue_supersedes_and_revokes_the_old_license(service):
    old = service.issue(request(seats=12, fingerprint="fp-1"))
    new_expiry = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    new = service.reissue(old.license.license_id, new_expiry)
    assert new.license.expires_at == new_expiry.replace(tzinfo=None)
    assert (new.license.seats, new.license.fingerprint) == (12, "fp-1")
    assert new.record["supersedes"] == old.license.license_id
    with service._engine.connect() as conn:
        assert registry.get(conn, old.license.license_id)["revoke_reason"].startswith("superseded by")
    with pytest.raises(Revoked):
        service.verify(old.text, fingerprint="fp-1")
    assert service.verify(new.text, fingerprint="fp-1") == new.license
    kinds = [e["kind"] for e in _rows(service, OutboxEntry)]
    assert kinds == ["license_issue", "license_issue", "license_revoke"]
    with pytest.raises(LicensingError, match="is revoked"):
        service.reissue(old.license.license_id, new_expiry)


def test_inspect_in_plain_words(service):
    issued = service.issue(request())
    report = service.inspect(issued.text)
    assert report.ok and report.verdict.startswith("Valid until")
    assert ("Customer", "Müller & Söhne GmbH (cus_42)") in report.fields
    tampered = service.inspect(issued.text.replace('"seats":50', '"seats":99'))
    assert not tampered.ok and "altered" in tampered.verdict and tampered.fields
    garbage = service.inspect("hello")
    assert not garbage.ok and garbage.fields == [] and "not a readable license" in garbage.verdict


def test_revocation_lists_are_versioned_and_load_in_the_product(service):
    first = service.issue(request())
    second = service.issue(request())
    v1 = service.publish_revocations()
    assert (v1.version, v1.new) == (1, True)
    assert service.publish_revocations() == service.current_revocations()  # unchanged: no passphrase needed
    service.revoke(first.license.license_id, "refund")
    assert service.current_revocations() is None
    v2 = service.publish_revocations()
    assert (v2.version, v2.new) == (2, True)
    keys = service.trusted_keys()
    product_list = load_revocation_list(v2.text, keys, newer_than=1)
    now = dt.datetime.now(dt.UTC)
    with pytest.raises(Revoked):
        verify(first.text, keys, now, revocations=product_list)
    assert verify(second.text, keys, now, revocations=product_list) == second.license
    with service._engine.connect() as conn:
        assert registry.latest_revocation_list(conn)["version"] == 2


def test_no_key_yet_is_a_clear_message(service):
    import shutil

    shutil.rmtree(service.keys.keys_dir)
    service.lock()
    with pytest.raises(LicensingError, match="no signing key yet"):
        service.issue(request())


def test_inspect_node_locked_and_grace_verdicts(service):
    from app.config.paths import Paths
    from app.licensing.service import LicenseService

    issued = service.issue(request(fingerprint="fp-7", days=30, grace_days=10))
    report = service.inspect(issued.text)
    assert report.ok and report.verdict.endswith("Only on the machine with fingerprint fp-7.")
    assert not service.inspect(issued.text, fingerprint="fp-8").ok

    in_grace = issued.license.expires_at.replace(tzinfo=dt.UTC) + dt.timedelta(days=3)
    later = LicenseService(Paths.resolve(), service._engine, clock=lambda: in_grace)
    assert later.inspect(issued.text, fingerprint="fp-7").verdict.startswith("Valid, in its grace period")
    past = LicenseService(Paths.resolve(), service._engine, clock=lambda: in_grace + dt.timedelta(days=8))
    expired = past.inspect(issued.text, fingerprint="fp-7")
    assert not expired.ok and "expired" in expired.verdict
