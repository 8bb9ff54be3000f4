"""Signing revocation lists: every revoked license of the registry, versioned.

The product loads the newest list offline (``verifier.load_revocation_list``)
and remembers its version, so an older list cannot be replayed.  A new version
is signed only when the set of revoked licenses changed since the last one.
"""

from __future__ import annotations

import datetime as dt

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.licensing.signing import sign_armoured
from app.licensing.verifier import REVOCATION_LABEL, RevocationList, canonical_json, utc_seconds


def build_revocation_list(
    version: int, key_id: str, now: dt.datetime, revoked: dict[str, dt.datetime]
) -> RevocationList:
    """A list of ``revoked`` (license id → revoked at, naive or aware UTC) issued at ``now``."""
    return RevocationList(
        version=version,
        key_id=key_id,
        issued_at=utc_seconds(now),
        revoked={lid: utc_seconds(at) for lid, at in revoked.items()},
    )


def sign_revocation_list(revocations: RevocationList, private_key: Ed25519PrivateKey) -> str:
    """The armoured, signed text of ``revocations``."""
    payload = canonical_json(revocations.to_payload())
    return sign_armoured(REVOCATION_LABEL, revocations.key_id, payload, private_key)
