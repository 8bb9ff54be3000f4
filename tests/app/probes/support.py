"""Local HTTP and HTTPS servers for the probe tests, and a self-signed certificate made with ``cryptography``."""

from __future__ import annotations

import datetime as dt
import json
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.network import serving

HEALTHY = {"status": {"db": "ok", "queue": "degraded"}, "healthy": True, "checks": [{"ok": True}]}
BIG_BYTES = 100 * 1024 * 1024


def self_signed(folder: Path, days: int) -> tuple[Path, Path, dt.datetime]:
    """A certificate for 127.0.0.1 valid ``days`` days from now: (cert file, key file, its end, naive UTC)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    end = now + dt.timedelta(days=days)
    import ipaddress

    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(end)
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path, end.replace(tzinfo=None)


class Handler(BaseHTTPRequestHandler):
    """/ok (JSON), /down (503), /slow (2 s), /big (100 MB), /loop (redirects to itself), /moved (→ /ok)."""

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests read results, not access logs."""

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:  # the probe gave up waiting (the timeout test): nobody reads any more
            return

    def do_GET(self) -> None:
        if self.path == "/ok":
            self._send(200, json.dumps(HEALTHY).encode(), {"Content-Type": "application/json"})
        elif self.path == "/down":
            self._send(503, b"maintenance", {"Content-Type": "text/plain"})
        elif self.path == "/slow":
            time.sleep(2)
            self._send(200, b"late")
        elif self.path == "/loop":
            self._send(302, b"", {"Location": "/loop"})
        elif self.path == "/moved":
            self._send(301, b"", {"Location": "/ok"})
        elif self.path == "/big":
            self.send_response(200)
            self.send_header("Content-Length", str(BIG_BYTES))
            self.end_headers()
            chunk = b"x" * 65536
            try:
                for _ in range(BIG_BYTES // len(chunk)):
                    self.wfile.write(chunk)
            except OSError:  # the probe stopped reading: that is the point
                return
        else:
            self._send(404, b"no such page")


@contextmanager
def serve(tls: tuple[Path, Path] | None = None) -> Iterator[str]:
    """The probe pages on a free loopback port (HTTPS with ``tls``: certificate and key files); yields its base URL."""
    context = None
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(tls[0]), str(tls[1]))
    with serving(Handler, context) as base:
        yield base
