"""Probes against local HTTP and HTTPS servers: status, keyword, JSON value, certificate, and every bad case."""

from __future__ import annotations

import datetime as dt

import pytest

from app.probes.http_probe import ProbeSpec, probe
from tests.app.probes.support import self_signed, serve
from tests.support.network import free_port


@pytest.fixture(scope="module")
def http():
    with serve() as base:
        yield base


def test_a_healthy_answer_passes_with_its_latency(http):
    result = probe(ProbeSpec(f"{http}/ok"))
    assert (result.ok, result.status_code, result.error) == (True, 200, None)
    assert result.latency_ms is not None and result.latency_ms > 0
    assert result.cert_expires_at is None  # plain HTTP has no certificate


def test_the_status_must_be_the_expected_one(http):
    result = probe(ProbeSpec(f"{http}/down"))
    assert (result.ok, result.status_code, result.error) == (False, 503, "HTTP 503 Service Unavailable (expected 200)")
    assert probe(ProbeSpec(f"{http}/down", expected_status=503)).ok


@pytest.mark.parametrize(("spec", "error"), [
    (ProbeSpec("/ok", keyword='"healthy": true'), None),
    (ProbeSpec("/ok", keyword="Welcome"), "keyword 'Welcome' not found in the body"),
    (ProbeSpec("/ok", json_path="status.db", json_value="ok"), None),
    (ProbeSpec("/ok", json_path="healthy", json_value="true"), None),
    (ProbeSpec("/ok", json_path="checks.0.ok", json_value="TRUE"), None),
    (ProbeSpec("/ok", json_path="status.queue", json_value="ok"), "status.queue is 'degraded', expected 'ok'"),
    (ProbeSpec("/ok", json_path="status.cache"), "no JSON value at 'status.cache'"),
    (ProbeSpec("/down", json_path="x", expected_status=503), "the body is not JSON"),
])
def test_keyword_and_json_value(http, spec, error):
    result = probe(ProbeSpec(http + spec.url, spec.expected_status, spec.keyword, spec.json_path, spec.json_value))
    assert (result.ok, result.error) == (error is None, error)


def test_redirects_are_followed_and_a_loop_is_a_result(http):
    assert probe(ProbeSpec(f"{http}/moved")).ok
    loop = probe(ProbeSpec(f"{http}/loop"))
    assert (loop.ok, loop.error) == (False, "redirect loop: more than 10 redirects")


def test_a_100_mb_body_is_read_up_to_the_limit_not_hung_on(http):
    result = probe(ProbeSpec(f"{http}/big", keyword="healthy"), max_body_bytes=1 << 20)
    assert (result.ok, result.status_code) == (False, 200)
    assert result.error == "keyword 'healthy' not found in the first 1,048,576 bytes of the body"
    assert probe(ProbeSpec(f"{http}/big")).ok  # nothing asked of the body: its size alone is no failure


def test_a_timeout_is_a_result(http):
    result = probe(ProbeSpec(f"{http}/slow"), timeout_s=0.3)
    assert (result.ok, result.error) == (False, "timed out after 0.3 s")


@pytest.mark.parametrize("url", ["not a url", "http://", "ftp://127.0.0.1/x", "http://exa mple.com/", "http://[::1"])
def test_a_url_that_does_not_parse_is_a_result(url):
    result = probe(ProbeSpec(url))
    assert not result.ok and result.error is not None and result.error.startswith("the URL does not parse")


def test_a_refused_connection_is_a_result():
    result = probe(ProbeSpec(f"http://127.0.0.1:{free_port()}/"), timeout_s=2)
    assert not result.ok and result.error is not None and result.error.startswith("connection failed")


def test_https_with_a_trusted_self_signed_certificate_reports_its_end(tmp_path):
    cert, key, end = self_signed(tmp_path, days=9)
    with serve((cert, key)) as https:
        trusted = probe(ProbeSpec(f"{https}/ok"), verify=str(cert))
        untrusted = probe(ProbeSpec(f"{https}/ok"))
    assert trusted.ok and trusted.cert_expires_at == end
    assert (end - dt.datetime.now(dt.UTC).replace(tzinfo=None)).days == 8  # 9 days less the seconds gone by
    assert not untrusted.ok and untrusted.error is not None and untrusted.error.startswith("TLS error:")
    assert "certificate verify failed" in untrusted.error
