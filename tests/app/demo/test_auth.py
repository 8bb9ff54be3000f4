"""Both APIs refuse requests without the right credentials, each in its own error shape."""

from __future__ import annotations

import pytest
import requests

from app.demo.backend import DemoBackend
from tests.app.demo.support import SMALL


@pytest.mark.parametrize("header", [None, "Bearer wrong", "Basic abc"])
def test_ops_api_needs_the_bearer_token(backend, header):
    headers = {"Authorization": header} if header else {}
    for method, path in (("GET", "/v1/me"), ("GET", "/v1/tickets"), ("POST", "/v1/licenses")):
        response = requests.request(method, backend.ops_api_url + path, headers=headers, timeout=5)
        assert response.status_code == 401
        assert response.json() == {"error": {"code": "unauthorized", "message": "missing or invalid bearer token"}}


def test_me_reports_the_configured_role():
    with DemoBackend(**SMALL, role="finance", ops_api_token="t0k") as backend:
        me = requests.get(backend.ops_api_url + "/v1/me", headers={"Authorization": "Bearer t0k"}, timeout=5).json()
    assert me["role"] == "finance" and set(me["user"]) == {"id", "name", "email"}


def test_unknown_role_is_refused():
    with pytest.raises(ValueError, match="role"):
        DemoBackend(role="admin")


@pytest.mark.parametrize("key", [None, "sk_test_wrong"])
def test_stripe_subset_needs_the_secret_key(backend, key):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = requests.get(backend.stripe_api_base + "/v1/customers", headers=headers, timeout=5)
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "invalid_request_error"


def test_unknown_paths_and_methods(backend, ops):
    assert ops.get("/v1/nothing").status_code == 404
    assert ops.session.delete(ops.base + "/v1/tickets", timeout=5).status_code == 405
    assert requests.get(backend.base_url + "/elsewhere", timeout=5).status_code == 404
