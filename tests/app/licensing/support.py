"""What the licensing tests share: the passphrase, the issue time and key id of sample licenses, a request."""

from __future__ import annotations

import datetime as dt

from app.licensing.issuing import LicenseRequest

PASSPHRASE = "correct horse battery staple"
ISSUED = dt.datetime(2026, 3, 1, 12, 0)  # naive UTC, the project's convention
KEY_ID = "k-test"


def request(**changes) -> LicenseRequest:
    """A professional-plan request for a sample customer, with ``changes`` applied."""
    fields = {
        "customer_id": "cus_42",
        "customer_name": "Müller & Söhne GmbH",
        "customer_email": "it@mueller.example",
        "plan": "professional",
        "days": 365,
        "grace_days": 14,
    }
    fields.update(changes)
    return LicenseRequest(**fields)
