"""Fixtures of the licensing tests: a signing key pair, a sample license, an open service."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.licensing.issuing import build_license, sign_license
from app.licensing.verifier import License
from tests.app.licensing.support import ISSUED, KEY_ID, PASSPHRASE, request


@pytest.fixture(scope="session")
def signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="session")
def public_keys(signing_key):
    return {KEY_ID: signing_key.public_key()}


@pytest.fixture
def make_license(signing_key):
    """Build and sign a license issued at ``ISSUED``; returns (License, text)."""

    def make(**changes) -> tuple[License, str]:
        lic = build_license(request(**changes), KEY_ID, ISSUED)
        return lic, sign_license(lic, signing_key)

    return make


@pytest.fixture(scope="session")
def template_data_dir(tmp_path_factory) -> Path:
    """A data dir with a migrated cache and one active key "k1", built once.

    Migrating the cache and stretching a passphrase with scrypt per test would
    dominate the run; each test gets a copy instead.
    """
    from app.config.paths import Paths
    from app.licensing.service import LicenseService
    from app.store.database import open_cache

    paths = Paths(tmp_path_factory.mktemp("template")).ensure()
    cache = open_cache(paths.cache)
    LicenseService(paths, cache.engine).generate_key(PASSPHRASE, "k1")
    cache.dispose()
    return paths.data_dir


@pytest.fixture
def opened(isolated_data_dir, template_data_dir):
    """(service, cache): a ``LicenseService`` on a fresh copy of the template data dir (one active key, "k1")."""
    from app.config.paths import Paths
    from app.licensing.service import LicenseService
    from app.store.database import open_cache

    shutil.copytree(template_data_dir, isolated_data_dir)
    paths = Paths.resolve()
    cache = open_cache(paths.cache)
    yield LicenseService(paths, cache.engine, issued_by="tester"), cache
    cache.dispose()


@pytest.fixture
def service(opened):
    """A ``LicenseService`` on a fresh copy of the template data dir (one active key, "k1")."""
    return opened[0]
