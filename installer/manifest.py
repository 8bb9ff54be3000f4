"""What goes into the bundle, declared once for the spec, the build script and the tests.

Why a separate module: the spec is executed by PyInstaller with its own
globals, so tests cannot import it.  Keeping the lists here lets the tests
check them without building (every resource listed, nothing we use excluded)
and keeps the spec itself about *how* to build, not *what*.  Only the
standard library is imported, so this module works without PyInstaller.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "opsconsole"
DISPLAY_NAME = "Ops Console"
BUNDLE_ID = "com.opsconsole.desktop"
ICON_SVG = ROOT / "resources" / "icons" / "opsconsole.svg"

# Data files, as (glob relative to the repo, folder in the bundle).  Alembic
# loads env.py and the revisions as *files* (not through the import system),
# so the migrations must be on disk beside the frozen ``app.store.migrations``.
DATAS: tuple[tuple[str, str], ...] = (
    ("resources/*.qss", "resources"),
    ("resources/icons/*", "resources/icons"),
    ("app/store/migrations/env.py", "app/store/migrations"),
    ("app/store/migrations/script.py.mako", "app/store/migrations"),
    ("app/store/migrations/versions/*.py", "app/store/migrations/versions"),
)
# Data files of installed packages: (package, pattern inside it, folder in the bundle).  The reports print
# with reportlab's own Vera fonts (app/reports/charts.py), which its PyInstaller hooks do not collect.
PACKAGE_DATAS: tuple[tuple[str, str, str], ...] = (
    ("reportlab", "fonts/Vera.ttf", "reportlab/fonts"),
    ("reportlab", "fonts/VeraBd.ttf", "reportlab/fonts"),
)

# Modules imported by name (importlib) or from files Alembic loads, which
# PyInstaller's static analysis cannot see.  The sub-command modules come from
# ui.cli itself (app.cli's plus the Qt ones) so a new one cannot be forgotten here.
EXTRA_HIDDEN_IMPORTS: tuple[str, ...] = (
    "app.store.schema",  # imported by migrations/env.py, which Alembic loads as a file
    "alembic.op",  # imported by every revision file
    "alembic.context",
    "sqlalchemy.dialects.sqlite",
    "PySide6.QtOpenGLWidgets",  # pyqtgraph imports it by name (Qt/OpenGLHelpers.py) and subclasses its widget
)

# pyqtgraph also imports ``PySide6.QtOpenGL`` by name when its plot items load,
# but touches it only when OpenGL rendering is switched on (``useOpenGL``), which
# the app never does; the binding is 8.5 MB (wrappers for every GL version's
# functions).  The bundle leaves it out and this runtime hook puts a stand-in
# module in its place that says so if anything ever reaches for it.
OPENGL_STAND_IN = ROOT / "installer" / "rthooks" / "qtopengl_stand_in.py"

# Qt modules the app uses: QtCore/QtGui/QtWidgets everywhere, QtSvg(Widgets)
# for icons, QtOpenGLWidgets because pyqtgraph imports it by name.  The
# tests check that ui/ imports nothing else.  QtNetwork is excluded: the app
# talks HTTP through requests, and Qt's network stack would add ~5 MB (its
# library, Kerberos, TLS plugins).
QT_MODULES_USED = ("QtCore", "QtGui", "QtWidgets", "QtSvg", "QtSvgWidgets", "QtOpenGLWidgets")

_QT_EXCLUDED = (
    "Qt3DAnimation", "Qt3DCore", "Qt3DExtras", "Qt3DInput", "Qt3DLogic", "Qt3DRender",
    "QtAxContainer", "QtBluetooth", "QtCanvasPainter", "QtCharts", "QtConcurrent",
    "QtDataVisualization", "QtDBus", "QtDesigner", "QtGraphs", "QtGraphsWidgets",
    "QtHelp", "QtHttpServer", "QtLocation", "QtMultimedia", "QtMultimediaWidgets",
    "QtNetwork", "QtNetworkAuth", "QtNfc", "QtOpenGL", "QtPdf", "QtPdfWidgets",
    "QtPositioning", "QtPrintSupport", "QtQml", "QtQuick", "QtQuick3D",
    "QtQuickControls2", "QtQuickTest", "QtQuickWidgets", "QtRemoteObjects", "QtScxml",
    "QtSensors", "QtSerialBus", "QtSerialPort", "QtSpatialAudio", "QtSql",
    "QtStateMachine", "QtTest", "QtTextToSpeech", "QtUiTools", "QtWebChannel",
    "QtWebEngineCore", "QtWebEngineQuick", "QtWebEngineWidgets", "QtWebSockets",
    "QtWebView", "QtXml",
)  # fmt: skip

# Python modules never needed at run time: the other Qt bindings pyqtgraph
# probes for, GUI toolkits and test/dev tooling that libraries import optionally.
EXCLUDES: tuple[str, ...] = (
    *(f"PySide6.{m}" for m in _QT_EXCLUDED),
    "PyQt5", "PyQt6", "PySide2",
    "pyqtgraph.opengl", "pyqtgraph.examples", "pyqtgraph.jupyter", "OpenGL",
    "tkinter", "_tkinter", "turtle", "idlelib", "pydoc_data", "lib2to3",
    "unittest", "doctest", "test", "distutils", "setuptools", "pip",
    "pytest", "_pytest", "hypothesis", "IPython", "matplotlib", "scipy",
    "pygments",  # only Mako's optional error highlighting
    "aiohttp",  # stripe's optional async client; present only with the test extra (localstripe)
    "numpy.f2py", "numpy.testing", "numpy.distutils",
    # Not loaded by any pane, chart, probe or command (LD_DEBUG=libs of the bundle's smoke test):
    # numpy's random generators and FFT (pyqtgraph needs them only for beeswarm scatter and
    # FFT mode, neither used), and readline (no interactive prompt; it drags in libreadline).
    "numpy.random", "numpy.fft", "readline",
    # PyYAML's C speed-up (PyYAML falls back to pure Python; nothing loads it) and numpy's own tests.
    "yaml._yaml", "_yaml", "numpy._core._multiarray_tests",
    # Pillow, which reportlab imports for bitmap images in PDF reports: PNG, JPEG, GIF and TIFF stay;
    # AVIF and WebP (their codecs: 5.5 MB), colour management and the Tk/Qt bridges go.
    "PIL.AvifImagePlugin", "PIL._avif", "PIL.WebPImagePlugin", "PIL._webp", "PIL.ImageCms", "PIL._imagingcms",
    "PIL.ImageTk", "PIL._imagingtk", "PIL.ImageQt",
)  # fmt: skip

# Libraries every Linux desktop provides, which PySide6's own wheels also take
# from the system rather than ship: X11/xcb, xkbcommon, fontconfig/freetype,
# GLib, D-Bus (and systemd's client library with its compression and crypto
# dependencies), the C++ runtime.  PyInstaller copies the build machine's;
# leaving them out (about 13 MB) makes the bundle use the desktop's own, the
# same ones its GL driver and input methods use -- a bundled libstdc++ older
# than the host's Mesa needs is a known PyInstaller failure.  The libraries
# Python itself links (OpenSSL, SQLite, libffi, zlib, bz2, lzma, uuid) stay
# bundled: their versions are the interpreter's.  Linux only; fnmatch patterns
# of file names.  ./dev's APT_PACKAGES installs them on a bare Debian/Ubuntu.
HOST_LIBRARIES: tuple[str, ...] = (
    "libX11.so.*", "libX11-xcb.so.*", "libXau.so.*", "libXdmcp.so.*", "libxcb-*.so.*",
    "libxkbcommon.so.*", "libxkbcommon-x11.so.*",
    "libfontconfig.so.*", "libfreetype.so.*", "libpng16.so.*", "libexpat.so.*", "libbrotli*.so.*",
    "libglib-2.0.so.*", "libgthread-2.0.so.*", "libpcre2-8.so.*",
    "libdbus-1.so.*", "libsystemd.so.*", "libgcrypt.so.*", "libgpg-error.so.*", "liblz4.so.*",
    "libzstd.so.*", "libcap.so.*", "libbsd.so.*", "libmd.so.*",
    "libstdc++.so.*", "libgcc_s.so.*",
)  # fmt: skip

# ICU's data library, rebuilt smaller on Linux (installer/icu_data.py says what it keeps and why).
ICU_DATA_LIBRARY = "libicudata.so.*"

# Files PySide6's hooks collect that the app never loads (paths inside the
# bundle, fnmatch patterns), pruned on Linux; the libraries only they needed
# (EGL device support, the build machine's GTK, cairo, pango, libjpeg…) go
# with them (elf.drop_orphans).  Kept: the xcb and wayland platforms
# (desktops), offscreen and minimal (CI, smoke test), the SVG image and icon
# plugins (our icons; PNG is built into QtGui), input methods, xcb GL.
# Translations go because the UI is English and installs no QTranslator.
# QML, PDF, WebEngine, multimedia… never get this far: EXCLUDES keeps their
# modules, and so their libraries and plugins, out of the analysis.
PRUNE: tuple[str, ...] = (
    "*/Qt/translations/*",
    "*/Qt/plugins/platforms/libqeglfs.so",
    "*/Qt/plugins/platforms/libqlinuxfb.so",
    "*/Qt/plugins/platforms/libqminimalegl.so",
    "*/Qt/plugins/platforms/libqvkkhrdisplay.so",
    "*/Qt/plugins/platforms/libqvnc.so",
    "*/Qt/plugins/platformthemes/libqgtk3.so",
    "*/Qt/plugins/egldeviceintegrations/*",
    "*/Qt/plugins/generic/*",
    "*/Qt/plugins/imageformats/libq[!s]*.so",
    "*/pyqtgraph/icons/peegee/*.png",  # pyqtgraph's logo, for mkQApp's window icon; the app has its own
)


@dataclass(frozen=True)
class DataFile:
    """One file to bundle: where it is in the repo and the folder it goes to in the bundle."""

    source: Path
    dest_dir: str


def data_files(root: Path = ROOT) -> list[DataFile]:
    """Expand :data:`DATAS`; a pattern that matches nothing is skipped (the tests say which must match)."""
    return [
        DataFile(path, dest)
        for pattern, dest in DATAS
        for path in sorted(root.glob(pattern))
        if path.is_file() and not path.name.endswith((".pyc", ".pyo"))
    ]


def package_data_files() -> list[DataFile]:
    """Expand :data:`PACKAGE_DATAS` in the installed packages."""
    return [
        DataFile(path, dest)
        for package, pattern, dest in PACKAGE_DATAS
        for path in sorted(_package_dir(package).glob(pattern))
    ]


def _package_dir(package: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{package} is not installed: the bundle needs its data files")
    return Path(next(iter(spec.submodule_search_locations)))


def hidden_imports() -> list[str]:
    """The sub-command modules ui.cli loads by name, the figure sets' modules (``app.metrics`` imports them
    by name), :data:`EXTRA_HIDDEN_IMPORTS`, and the holiday calendars."""
    from app.metrics import FIGURE_SETS
    from ui.cli import UI_COMMAND_MODULES

    figure_modules = {target.partition(":")[0] for target in FIGURE_SETS.values()}
    return sorted({*UI_COMMAND_MODULES, *figure_modules, *EXTRA_HIDDEN_IMPORTS, *holiday_modules()})


def holiday_modules() -> list[str]:
    """Every module of the ``holidays`` package: it imports a country's module by name the first time an
    SLA calendar asks for that country's public holidays, which static analysis cannot follow."""
    import pkgutil

    import holidays

    return [m.name for m in pkgutil.walk_packages(holidays.__path__, "holidays.")]


def is_pruned(dest: str) -> bool:
    """True for a path inside the bundle that :data:`PRUNE` drops."""
    path = "/" + dest.replace("\\", "/")
    return any(fnmatch.fnmatch(path, pattern) for pattern in PRUNE)


def is_host_library(dest: str) -> bool:
    """True for a library the Linux bundle takes from the desktop (:data:`HOST_LIBRARIES`).

    A wheel's own copy (in its ``<package>.libs`` folder, renamed with a hash,
    e.g. Pillow's ``libxcb-9065bb12.so.1.1.0``) is never on the desktop: it stays.
    """
    folder, _, name = dest.replace("\\", "/").rpartition("/")
    if any(part.endswith(".libs") for part in folder.split("/")):
        return False
    return any(fnmatch.fnmatch(name, pattern) for pattern in HOST_LIBRARIES)


def version() -> str:
    """The version the bundle carries: ``app.__version__``, the one pyproject reads too."""
    from app import __version__

    return __version__
