"""One HTTP(S) probe of a health URL: whatever happens, a result that says what it found.

A probe never raises and never hangs: the connection and each read time out,
the whole probe has a deadline, at most ``max_body_bytes`` of the body are
read (a 100 MB answer is judged on its first megabyte), redirects stop after
``MAX_REDIRECTS``.  A URL that does not parse, a TLS failure, a redirect loop
and a refused connection each come back as a failed check naming the cause.
For an HTTPS URL the server's certificate is read too (unverified: we want its
end date even when it no longer verifies), so the console can warn before it
expires.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from cryptography import x509

from app import __version__
from app.clock import utcnow

MAX_REDIRECTS = 10
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class ProbeSpec:
    """What to check at one URL."""

    url: str
    expected_status: int = 200
    keyword: str | None = None
    json_path: str | None = None
    json_value: str | None = None


@dataclass(frozen=True)
class ProbeResult:
    checked_at: dt.datetime
    ok: bool
    status_code: int | None
    latency_ms: float | None
    error: str | None
    cert_expires_at: dt.datetime | None = None


def _json_at(document: Any, path: str) -> Any:
    """The value at a dotted path (``status.checks.0.ok``); KeyError when it is not there."""
    value = document
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            raise KeyError(path)
    return value


def _as_text(value: Any) -> str:
    """A JSON value as the settings write it: true/false/null in JSON's words, numbers and strings as they read."""
    return json.dumps(value) if isinstance(value, bool) or value is None else str(value)


def body_problem(spec: ProbeSpec, body: bytes, truncated: bool, encoding: str | None) -> str | None:
    """Why the body does not show a healthy service, or None when it does (or nothing is asked of it)."""
    read = f"the first {len(body):,} bytes of the body" if truncated else "the body"
    if spec.keyword and spec.keyword not in body.decode(encoding or "utf-8", errors="replace"):
        return f"keyword {spec.keyword!r} not found in {read}"
    if spec.json_path:
        try:
            value = _json_at(json.loads(body), spec.json_path)
        except ValueError:
            return f"{read} is not JSON" + (" (cut at the size limit)" if truncated else "")
        except KeyError:
            return f"no JSON value at {spec.json_path!r}"
        if spec.json_value is not None and _as_text(value).lower() != spec.json_value.lower():
            return f"{spec.json_path} is {_as_text(value)!r}, expected {spec.json_value!r}"
    return None


def certificate_end(url: str, timeout_s: float) -> dt.datetime | None:
    """When the HTTPS server's certificate expires (naive UTC), read without verifying it; None if unreadable."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return None
    try:
        pem = ssl.get_server_certificate((parts.hostname, parts.port or 443), timeout=timeout_s)
        cert = x509.load_pem_x509_certificate(pem.encode())
    except (OSError, ValueError):
        return None
    return cert.not_valid_after_utc.replace(tzinfo=None)


def _failure(exc: requests.RequestException, timeout_s: float) -> str:
    if isinstance(exc, (requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema,
                        requests.exceptions.InvalidURL)):
        return f"the URL does not parse: {exc}"
    if isinstance(exc, requests.exceptions.TooManyRedirects):
        return f"redirect loop: more than {MAX_REDIRECTS} redirects"
    if isinstance(exc, requests.exceptions.SSLError):
        return f"TLS error: {_reason(exc)}"
    if isinstance(exc, requests.exceptions.Timeout):
        return f"timed out after {timeout_s:g} s"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return f"connection failed: {_reason(exc)}"
    return f"request failed: {_reason(exc)}"


def _reason(exc: BaseException) -> str:
    """The innermost cause in one line (urllib3 wraps the socket's words in two layers)."""
    while exc.__context__ is not None and not isinstance(exc, (ssl.SSLError, socket.gaierror)):
        exc = exc.__context__
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def probe(
    spec: ProbeSpec,
    *,
    timeout_s: float = 10.0,
    max_body_bytes: int = 1 << 20,
    verify: bool | str = True,
    session: requests.Session | None = None,
) -> ProbeResult:
    """Check ``spec.url`` once; see the module doc.  ``verify``: verify TLS (True), or a CA bundle file."""
    checked_at = utcnow()
    started = time.perf_counter()
    deadline = started + 2 * timeout_s  # connect + headers + a body that keeps trickling in
    own = session is None
    http = session or requests.Session()
    http.max_redirects = MAX_REDIRECTS
    try:
        try:
            response = http.get(spec.url, timeout=(timeout_s, timeout_s), stream=True, allow_redirects=True,
                                verify=verify, headers={"User-Agent": f"OpsConsole/{__version__} probe"})
        except requests.RequestException as exc:
            return ProbeResult(checked_at, False, None, None, _failure(exc, timeout_s))
        except (ValueError, UnicodeError) as exc:  # what urllib3 raises for some URLs requests lets through
            return ProbeResult(checked_at, False, None, None, f"the URL does not parse: {exc}")
        with response:
            body, truncated = bytearray(), False
            try:
                for chunk in response.iter_content(_CHUNK):
                    body += chunk
                    if len(body) >= max_body_bytes:
                        del body[max_body_bytes:]
                        truncated = True
                        break
                    if time.perf_counter() > deadline:
                        return ProbeResult(checked_at, False, response.status_code, None,
                                           f"timed out reading the body after {2 * timeout_s:g} s")
            except requests.RequestException as exc:
                return ProbeResult(checked_at, False, response.status_code, None, _failure(exc, timeout_s))
        latency = (time.perf_counter() - started) * 1000.0
        status = response.status_code
        if status != spec.expected_status:
            error: str | None = (f"HTTP {status} {response.reason or ''}".rstrip()
                                 + f" (expected {spec.expected_status})")
        else:
            error = body_problem(spec, bytes(body), truncated, response.encoding)
        cert = certificate_end(spec.url, timeout_s) if spec.url.lower().startswith("https:") else None
        return ProbeResult(checked_at, error is None, status, round(latency, 1), error, cert)
    finally:
        if own:
            http.close()
