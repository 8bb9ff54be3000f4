"""Put back the import PySide replaces, so no later import reads its module's whole source.

Importing PySide6 swaps ``builtins.__import__`` for its ``__feature_import__``,
which serves ``from __feature__ import snake_case, true_property``.  After
every import statement it also reads the imported module's source
(``inspect.getsource``) to learn whether that module names PySide6, once per
module name: at this window's start, 134 modules and 11–13 ms, the standard
library's included, and again for every module a pane loads when first shown.

This program selects no feature, so the hook is undone the way PySide's
documentation describes it: it kept the import it replaced in
``builtins.__orig_import__``.  That saved import is PySide's own wrapper for
its lazily created classes (``from PySide6.QtWidgets import *`` still works),
and PySide installs neither again when more of its modules load.

Importing this module does it, so ``ui.application`` imports it before
PySide6 and the rest of the window.
"""

from __future__ import annotations

import builtins

import PySide6.QtCore  # noqa: F401  # installs the hook this module takes out


def remove() -> None:
    """Take the ``__feature__`` hook out if it is what ``__import__`` is; leave any other import alone."""
    feature_import = getattr(builtins, "__feature_import__", None)
    saved = getattr(builtins, "__orig_import__", None)
    if saved is not None and feature_import is not None and builtins.__import__ is feature_import:
        builtins.__import__ = saved


remove()
