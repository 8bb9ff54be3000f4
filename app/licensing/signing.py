"""Signing a payload into armoured text: the one step licenses and revocation lists share.

The counterpart of ``verifier.unarmour`` plus the signature check: the
canonical JSON text is signed as UTF-8 and written as the payload line, so
what is signed is byte for byte what the file shows.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.licensing.verifier import armour


def sign_armoured(label: str, key_id: str, payload: str, private_key: Ed25519PrivateKey) -> str:
    """The armoured file of ``payload`` (canonical JSON text) signed by ``private_key`` (id ``key_id``)."""
    return armour(label, key_id, payload, private_key.sign(payload.encode()))
