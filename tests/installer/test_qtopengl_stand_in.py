"""The stand-in for ``PySide6.QtOpenGL``: pyqtgraph loads and draws with it, and a reach for OpenGL says why."""

from __future__ import annotations

import os
import subprocess
import sys

import manifest

_PROBE = """
import runpy, sys
runpy.run_path(sys.argv[1])
import importlib
import pyqtgraph as pg
from PySide6.QtWidgets import QApplication
app = QApplication([])
widget = pg.PlotWidget()
widget.resize(400, 200)
widget.plot([0, 1, 2, 3], [1, 3, 2, 4])
widget.show()
app.processEvents()
assert not widget.grab().isNull()
print("shiboken binding loaded:", any("QtOpenGL.abi3" in line for line in open("/proc/self/maps"))
      if sys.platform.startswith("linux") else False)
try:
    importlib.import_module("PySide6.QtOpenGL").QOpenGLBuffer
except ImportError as exc:
    print("refused:", exc)
"""


def test_pyqtgraph_plots_without_the_opengl_binding_and_opengl_use_is_refused_by_name():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", _PROBE, str(manifest.OPENGL_STAND_IN)], capture_output=True,
                          text=True, env=env, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "shiboken binding loaded: False" in done.stdout
    assert "refused: PySide6.QtOpenGL.QOpenGLBuffer: OpenGL rendering is not part of this build" in done.stdout
