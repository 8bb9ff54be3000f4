"""Offline license signing: keys, the license file format, issuing, revocation, the registry.

``verifier`` is the format and the check the desktop product embeds (standard
library and ``cryptography`` only); ``service.LicenseService`` is what the
Licenses pane and the ``opsconsole license`` commands (``cli``) call.
"""
