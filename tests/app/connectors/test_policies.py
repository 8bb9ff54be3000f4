"""The connectors' retry policy, the config's environment overrides, and offline detection."""

from __future__ import annotations

import time

import pytest
import requests

from app.connectors.config import SyncConfig
from app.connectors.errors import Unavailable
from app.connectors.http import classify_exception, make_session
from app.connectors.retry import RetryableFailure, RetryPolicy, call_with_retries
from app.tasks import Cancelled, CancelToken
from tests.support.network import free_port


def test_retry_delays_grow_are_capped_and_honour_retry_after() -> None:
    policy = RetryPolicy(base_delay=0.1, max_delay=1.0, retry_after_cap=5.0)
    for attempt in range(1, 10):
        ceiling = min(1.0, 0.1 * 2 ** (attempt - 1))
        assert ceiling / 2 <= policy.delay(attempt) <= ceiling
    assert policy.delay(1, retry_after=3) >= 3
    assert policy.delay(1, retry_after=3600) <= 5.0


def test_retries_until_success() -> None:
    calls = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise RetryableFailure(Unavailable("HTTP 503"))
        return "ok"

    policy = RetryPolicy(attempts=5, base_delay=0.001, max_delay=0.002)
    assert call_with_retries(flaky, policy, CancelToken(), lambda e: e) == "ok"
    assert len(calls) == 3


def test_gives_up_with_the_last_error() -> None:
    def always() -> None:
        raise RetryableFailure(Unavailable("HTTP 500"))

    with pytest.raises(Unavailable, match="HTTP 500"):
        call_with_retries(always, RetryPolicy(attempts=2, base_delay=0.001), CancelToken(), lambda e: e)


class _RecordingToken(CancelToken):
    """A token that records the back-off waits asked of it instead of sleeping through them."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float] = []

    def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        return self.cancelled


def test_cancel_interrupts_a_back_off_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    token = _RecordingToken()

    def throttled() -> None:
        token.cancel()  # cancelled while the server asks us to wait a minute
        raise RetryableFailure(Unavailable("HTTP 429"), retry_after=60)

    def no_sleeping(seconds: float) -> None:
        raise AssertionError(f"the back-off slept {seconds} s instead of waiting on the cancel token")

    monkeypatch.setattr(time, "sleep", no_sleeping)
    with pytest.raises(Cancelled):
        call_with_retries(throttled, RetryPolicy(retry_after_cap=60), token, lambda e: e)
    assert token.waits == [60]  # the server's minute, waited on the token, which returned at once


def test_refused_connection_is_offline_at_once() -> None:
    session = make_session()
    with pytest.raises(requests.ConnectionError) as caught:
        session.get(f"http://127.0.0.1:{free_port()}/", timeout=2)
    verdict = classify_exception(caught.value)
    assert isinstance(verdict, Unavailable) and verdict.offline


def test_session_identifies_itself_and_verifies_tls() -> None:
    session = make_session()
    assert session.headers["User-Agent"].startswith("OpsConsole/")
    assert session.verify is True


def test_config_from_env_overrides_settings(monkeypatch) -> None:
    base = SyncConfig(ops_api_url="https://ops.example.com/api", ops_api_token="from-keyring", timeout=5)
    monkeypatch.setenv("OPSCONSOLE_API_TOKEN", "from-env")
    monkeypatch.setenv("OPSCONSOLE_STRIPE_API_BASE", "http://127.0.0.1:9")
    config = SyncConfig.from_env(base)
    assert config.ops_api_url == "https://ops.example.com/api"
    assert config.ops_api_token == "from-env"
    assert config.stripe_api_base == "http://127.0.0.1:9"
    assert config.timeout == 5
    assert "from-env" not in repr(config)
    assert not config.stripe_enabled and config.ops_enabled
