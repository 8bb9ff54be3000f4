"""The product embeds verifier.py alone: it must work with nothing of this project importable."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
import textwrap

from cryptography.hazmat.primitives import serialization

import app.licensing.verifier as verifier_module
from tests.app.licensing.support import ISSUED

# Runs with -I -S: no user site, no cwd, no .pth files (so not the editable install);
# only the site-packages directories themselves are put back, for ``cryptography``.
_PROGRAM = textwrap.dedent(
    """
    import datetime as dt, json, sys
    here, site_dirs, text, keys, now = json.loads(sys.stdin.read())
    sys.path[:] = [here] + [p for p in sys.path if "site-packages" not in p] + site_dirs
    try:
        import app
    except ImportError:
        pass
    else:
        raise SystemExit("the project is importable: the test proves nothing")
    import verifier
    keys, now = verifier.load_public_keys(keys), dt.datetime.fromisoformat(now)
    lic = verifier.verify(text, keys, now)
    request = verifier.write_activation_request("machine.req", lic.license_id, "fp-1", "4.2", product=lic.product)
    assert verifier.read_activation_request(open("machine.req", "rb").read()) == request
    try:
        verifier.verify(text.replace("Söhne", "Sohne"), keys, now)
    except verifier.BadSignature:
        pass
    else:
        raise SystemExit("an altered license was accepted")
    project = sorted(m for m in sys.modules if m.split(".")[0] in ("app", "ui", "tests"))
    print(json.dumps([lic.license_id, project]))
    """
)


def test_verifier_runs_alone(tmp_path, make_license, signing_key):
    shutil.copy(verifier_module.__file__, tmp_path / "verifier.py")
    lic, text = make_license()
    raw = signing_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    site_dirs = [p for p in sys.path if p.endswith("site-packages")]
    request = [str(tmp_path), site_dirs, text, {lic.key_id: base64.b64encode(raw).decode()},
               ISSUED.isoformat()]
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", _PROGRAM],
        input=json.dumps(request), capture_output=True, text=True, cwd=tmp_path, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    license_id, project_modules = json.loads(result.stdout)
    assert license_id == lic.license_id
    assert project_modules == []
