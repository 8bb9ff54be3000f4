"""The whole offline activation exchange with the network down, then the machine reaching the Ops API once.

A customer's air-gapped machine writes a request with the embedded verifier;
ops staff answer it with ``opsconsole license activate`` on a workstation
that is offline too; the product accepts the response on that machine only.
When the workstation is back online, sync pushes the machine exactly once.
"""

from __future__ import annotations

import datetime as dt
import json
import socket

import pytest
from sqlalchemy import select

from app.cli import main
from app.config.paths import Paths
from app.connectors.config import SyncConfig
from app.demo.backend import DemoBackend
from app.licensing import verifier
from app.licensing.activation import activation_id
from app.licensing.issuing import LicenseRequest
from app.licensing.service import LicenseService
from app.store.database import open_cache
from app.store.schema import Activation
from app.sync.engine import SyncEngine

PASSPHRASE = "a long passphrase for the test key"
PRODUCT = "opsconsole-desktop"


@pytest.fixture
def backend():
    with DemoBackend(customers=30, tickets=60, role="support") as server:
        yield server


def test_request_answer_verify_offline_then_pushed_once(backend, isolated_data_dir, tmp_path, monkeypatch, capsys):
    paths = Paths.resolve(isolated_data_dir).ensure()
    cache = open_cache(paths.cache)
    config = SyncConfig(ops_api_url=backend.ops_api_url, ops_api_token=backend.ops_api_token,
                        stripe_api_base=backend.stripe_api_base, stripe_api_key=backend.stripe_api_key,
                        verify_tls=False)
    engine = SyncEngine(cache.engine, config)
    service = LicenseService(paths, cache.engine, issued_by="support@example.com")
    service.generate_key(PASSPHRASE, activate=True)
    passphrase_file = tmp_path / "passphrase.txt"
    passphrase_file.write_text(PASSPHRASE + "\n")

    def no_network(self, address):
        raise OSError("network is down (test)")

    with monkeypatch.context() as offline:
        offline.setattr(socket.socket, "connect", no_network)
        lic = service.issue(LicenseRequest(customer_id="cus_lab", customer_name="Lab GmbH",
                                           customer_email="it@lab.example", plan="starter", max_version="4.2"),
                            PASSPHRASE).license
        request_file, response_file = tmp_path / "lab.req", tmp_path / "lab.activation"
        request = verifier.write_activation_request(request_file, lic.license_id, "fp-lab-7", "4.2.1",
                                                    product=PRODUCT, machine_name="LAB-PC-07")
        code = main(["license", "activate", str(request_file), "--out", str(response_file),
                     "--passphrase-file", str(passphrase_file), "--json"], command_modules=("app.licensing.cli",))
        result = json.loads(capsys.readouterr().out)
        assert code == 0 and result["seats_in_use"] == 1 and result["seats"] == 5
        assert engine.run_once().offline

    keys = verifier.load_public_keys({service.public_key().key_id: service.public_key().public_key_b64})
    text, now = response_file.read_text(encoding="utf-8"), dt.datetime.now(dt.UTC)
    accepted = verifier.verify_activation(text, keys, now, "fp-lab-7", license_id=lic.license_id,
                                          nonce=request.nonce, product=PRODUCT, product_version="4.2.1")
    assert accepted.activation_id == result["activation_id"] == activation_id(lic.license_id, "fp-lab-7")
    with pytest.raises(verifier.WrongMachine):
        verifier.verify_activation(text, keys, now, "fp-another-machine")
    machine_key = f"activation:{accepted.activation_id}:{request.nonce}"
    assert backend.applied_count(machine_key) == 0

    first, again = engine.run_once(), engine.run_once()
    assert first.pushed == 2 and again.pushed == 0  # the license, then its machine; nothing twice
    assert backend.applied_count(machine_key) == 1
    served = backend.business.feed("activations").get(accepted.activation_id)
    assert served is not None and served["machine_name"] == "LAB-PC-07" and served["activated_via"] == "offline"
    with cache.engine.connect() as conn:
        row = conn.execute(select(Activation).where(Activation.id == accepted.activation_id)).one()
    assert row.pending is False and row.synced_at is not None
    cache.dispose()
