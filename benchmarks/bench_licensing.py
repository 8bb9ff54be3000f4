"""License signing and verification against raw Ed25519 in the same run.

Goal: issuing and verifying run at ≥ 0.8 of the raw ``cryptography`` sign and
verify throughput on the same payload bytes, i.e. the format (canonical JSON,
armour, field checks) adds at most a quarter to the cryptography's time.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.licensing.issuing import LicenseRequest, build_license, sign_license
from app.licensing.verifier import verify
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
    rows = []
    for name, ours, peer_name, peer in cases:
        ours_time, peer_time = _paired_medians(ours, peer)
        rows.append(
            Row(name=name, figure=1 / ours_time, peer_name=peer_name, peer_figure=1 / peer_time,
                unit="/s", goal=0.8, lower_is_better=False)
        )
    return rows
