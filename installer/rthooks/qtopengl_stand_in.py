"""PyInstaller runtime hook: a stand-in for ``PySide6.QtOpenGL``, which the bundle leaves out.

pyqtgraph imports the module by name when its plot items load, and uses it
only to draw with OpenGL (``pg.setConfigOptions(useOpenGL=True)``), which
Ops Console never turns on; the real binding is 8.5 MB.  Anything that does
reach for one of its classes gets an ImportError naming the reason instead of
a crash.  See installer/manifest.py (OPENGL_STAND_IN).
"""

from __future__ import annotations

import sys
import types


class _NotBundled(types.ModuleType):
    def __getattr__(self, name: str) -> object:
        if name.startswith("__"):
            raise AttributeError(name)
        raise ImportError(f"PySide6.QtOpenGL.{name}: OpenGL rendering is not part of this build of Ops Console")


sys.modules.setdefault("PySide6.QtOpenGL", _NotBundled("PySide6.QtOpenGL"))
