"""The one error type of the console's licensing operations (keys, issuing, registry).

Distinct from ``verifier.LicenseError``, which is what the *product* sees when
a license file is refused; this one is what ops staff see when an operation
cannot be done, with a message that names what is wrong.
"""

from __future__ import annotations


class LicensingError(Exception):
    """A licensing operation failed; ``str(error)`` is a sentence fit for a dialog."""
