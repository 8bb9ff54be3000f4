"""``opsconsole sync`` uses what the window uses: settings.toml and the stored tokens, the environment over them."""

from __future__ import annotations

import datetime as dt
import json

import keyring
import pytest
import tomli_w
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked

from app import alerts
from app.cli import main
from app.config.paths import Paths
from app.demo.backend import DemoBackend
from app.notices import Notice
from app.secrets import OPS_API_TOKEN, STRIPE_API_KEY, SecretStore
from tests.support.network import free_port

SMALL = {"customers": 20, "tickets": 40, "now": dt.datetime(2026, 6, 1, 12)}


@pytest.fixture(scope="module")
def backend():
    with DemoBackend(**SMALL) as running:
        yield running


def _settings(paths: Paths, ops_api_url: str, stripe_api_base: str) -> None:
    paths.ensure()
    paths.settings.write_text(tomli_w.dumps({"backends": {"ops_api_url": ops_api_url,
                                                          "stripe_api_base": stripe_api_base}}))


def _store_tokens(paths: Paths, backend: DemoBackend) -> None:
    secrets = SecretStore(paths.secrets_file)
    secrets.set(OPS_API_TOKEN, backend.ops_api_token)
    secrets.set(STRIPE_API_KEY, backend.stripe_api_key)


def test_sync_reads_the_settings_file_and_the_stored_tokens(backend, isolated_data_dir, capsys):
    paths = Paths(isolated_data_dir)
    _settings(paths, backend.ops_api_url, backend.stripe_api_base)
    _store_tokens(paths, backend)
    assert main(["sync", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["rows"] > 0
    assert {"ops:tickets", "stripe:customers"} <= set(report["resources"])


def test_environment_variables_override_the_settings(backend, isolated_data_dir, monkeypatch, capsys):
    paths = Paths(isolated_data_dir)
    _settings(paths, f"http://127.0.0.1:{free_port()}/api", backend.stripe_api_base)  # nothing listens there
    _store_tokens(paths, backend)
    monkeypatch.setenv("OPSCONSOLE_API_URL", backend.ops_api_url)
    assert main(["sync", "--data-dir", str(isolated_data_dir)]) == 0
    assert "ops:tickets" in capsys.readouterr().out


class _LockedKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]  # keyring declares a property; a constant is what backends use

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("the collection is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("the collection is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("the collection is locked")


def test_a_locked_keyring_is_one_sentence_and_exit_one(backend, isolated_data_dir, capsys):
    _settings(Paths(isolated_data_dir), backend.ops_api_url, backend.stripe_api_base)
    keyring.set_keyring(_LockedKeyring())  # the suite's fixture puts the memory keyring back
    assert main(["sync"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("opsconsole: The keyring is locked: unlock it") and err.count("\n") == 1


def test_an_unreadable_settings_file_is_one_sentence_and_exit_one(isolated_data_dir, capsys):
    paths = Paths(isolated_data_dir).ensure()
    paths.settings.write_text("[backends\n")
    assert main(["sync"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"opsconsole: The settings file {paths.settings} is not valid TOML")
    assert "Traceback" not in err


def test_new_notifications_are_printed_after_the_sync(backend, isolated_data_dir, monkeypatch, capsys):
    passes = iter(range(100))

    def flapping(conn, now, settings):  # a service that goes down again at every pass
        yield Notice("health.state", f"api:down:{next(passes)}", "API is down", "since 12:00",
                     severity="critical", pane="health", record="api")

    monkeypatch.setattr(alerts, "rules", lambda: (flapping,))
    for name, value in {"OPSCONSOLE_API_URL": backend.ops_api_url, "OPSCONSOLE_API_TOKEN": backend.ops_api_token,
                        "STRIPE_API_KEY": backend.stripe_api_key,
                        "OPSCONSOLE_STRIPE_API_BASE": backend.stripe_api_base}.items():
        monkeypatch.setenv(name, value)
    assert main(["sync"]) == 0
    assert "notification" not in capsys.readouterr().out  # the first sync's history is recorded quietly
    assert main(["sync"]) == 0
    assert "notification [critical]: API is down — since 12:00" in capsys.readouterr().out
