"""What tests import: data sets, cache builders, loopback ports, the in-memory keyring.

Tests import from here (or from a package's own ``support`` module, or
``tests/ui/helpers.py``), never from another test module or a conftest.
"""
