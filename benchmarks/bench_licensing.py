"""License signing and verification, and answering an activation request, against raw Ed25519 in the same run.

Goal: issuing and verifying run at ≥ 0.85 of the raw ``cryptography`` sign and
verify throughput on the same payload bytes, i.e. the format (canonical JSON,
armour, field checks) adds at most a sixth to the cryptography's time.
Answering an offline activation request -- parse the request file's text,
check it against the license's terms, sign the response, write its file --
runs at ≥ 0.8 of raw signing plus writing the same number of bytes to a file.
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.licensing.activation import LicenseTerms, answer
from app.licensing.issuing import LicenseRequest, build_license, sign_license
from app.licensing.verifier import License, make_activation_request, read_activation_request, verify
from benchmarks.rows import Row

N = 10_000


def _paired_medians(ours: Callable[[], object], peer: Callable[[], object]) -> tuple[float, float]:
    """Median seconds per call of ``ours`` and ``peer``, timed call by call in alternation.

    Timing single calls side by side gives both the same share of a busy
    machine's interruptions, and the median drops the calls that were
    interrupted, so the ratio holds steady where batch timings swing.
    """
    clock = time.perf_counter
    ours_times, peer_times = [], []
    for _ in range(N):
        start = clock()
        peer()
        middle = clock()
        ours()
        peer_times.append(middle - start)
        ours_times.append(clock() - middle)
    return statistics.median(ours_times), statistics.median(peer_times)


def run() -> list[Row]:
    key = Ed25519PrivateKey.generate()
    public = key.public_key()
    now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    request = LicenseRequest(
        customer_id="cus_NffrFeUfNV2Hib",
        customer_name="Müller & Söhne GmbH",
        customer_email="it@mueller.example",
        plan="enterprise",
        fingerprint="3f9c2a7e-host-fingerprint",
        max_version="4.2",
    )
    lic = build_license(request, "k20260301-a1b2c3", now)
    payload = lic.payload_text().encode()
    signature = key.sign(payload)
    text = sign_license(lic, key)
    keys = {lic.key_id: public}
    later = now + dt.timedelta(days=30)

    cases = (
        ("licensing: issue (sign + serialise)", lambda: sign_license(lic, key),
         "raw Ed25519 sign (cryptography)", lambda: key.sign(payload)),
        ("licensing: verify (parse + verify + checks)",
         lambda: verify(text, keys, later, "3f9c2a7e-host-fingerprint",
                        product="opsconsole-desktop", revocations=()),
         "raw Ed25519 verify (cryptography)", lambda: public.verify(signature, payload)),
    )
    with tempfile.TemporaryDirectory(prefix="bench-activation-") as folder:
        return [*_rows(cases, goal=0.85), *_rows(_answering(key, lic, Path(folder)), goal=0.8)]


Case = tuple[str, Callable[[], object], str, Callable[[], object]]


def _answering(key: Ed25519PrivateKey, lic: License, folder: Path) -> tuple[Case, ...]:
    """Answer a request (parse, check, sign, write the response file) vs sign and write as many bytes."""
    now = lic.issued_at + dt.timedelta(days=30)
    request_text = make_activation_request(lic.license_id, "3f9c2a7e-host-fingerprint", "4.2.1",
                                           product=lic.product, machine_name="LAB-PC-07", now=now).text()
    terms = LicenseTerms(license_id=lic.license_id, product=lic.product, customer_name=lic.customer_name,
                         expires_at=lic.expires_at, grace_days=lic.grace_days, max_version=lic.max_version,
                         seats=lic.seats, in_use=12, machine_known=False)
    ours_file, peer_file = folder / "ours.activation", folder / "peer.activation"

    def answer_request() -> None:
        _, response = answer(read_activation_request(request_text), terms, lic.key_id, key, now)
        ours_file.write_text(response, encoding="utf-8", newline="")

    _, response = answer(read_activation_request(request_text), terms, lic.key_id, key, now)
    payload = response.split("\n")[1].encode()

    def sign_and_write() -> None:
        key.sign(payload)
        peer_file.write_text(response, encoding="utf-8", newline="")

    return (("licensing: answer an activation request (parse, check, sign, write)", answer_request,
             "raw Ed25519 sign + file write", sign_and_write),)


def _rows(cases: tuple[Case, ...], goal: float) -> list[Row]:
    rows = []
    for name, ours, peer_name, peer in cases:
        ours_time, peer_time = _paired_medians(ours, peer)
        rows.append(
            Row(name=name, figure=1 / ours_time, peer_name=peer_name, peer_figure=1 / peer_time,
                unit="/s", goal=goal, lower_is_better=False)
        )
    return rows
