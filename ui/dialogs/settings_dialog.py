"""The settings dialog: a form per settings section, built from the typed settings themselves.

The form is generated from the dataclass fields (type, range, choices, help),
so a new setting in ``app.config.settings`` appears here without UI code.  A
list of tables (SLA calendars and policies, reply templates) is edited as the
TOML the settings file holds (``[[policies]]`` blocks), checked on save like
everything else.
Saving validates through the same ``from_dict`` the loader uses: a bad value
is reported naming its key and nothing is written.  API tokens are edited in
their own tab and go to the keyring (or the encrypted file), never to the
settings file.
"""

from __future__ import annotations

import dataclasses
import tomllib
from typing import Any

import tomli_w
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.config import settings as cfg
from app.secrets import KNOWN_SECRETS, OPS_API_TOKEN, STRIPE_API_KEY, KeyringUnavailable, SecretsError
from ui.context import AppContext
from ui.dialogs.settings_table import TablesEditor, typed

_SECTION_TITLES = {
    "backends": "Backends",
    "sync": "Sync",
    "sla": "SLA",
    "tickets": "Tickets",
    "budgets": "Budgets",
    "costs": "Costs",
    "planning": "Planning",
    "kpi": "Targets",
    "revenue": "Revenue",
    "health": "Health",
    "desk": "Customer desk",
}
_SECRET_LABELS = {OPS_API_TOKEN: "Ops API token", STRIPE_API_KEY: "Stripe API key"}


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


class TableListEdit(QPlainTextEdit):
    """A list of tables whose entries hold lists (``[[policies]]`` blocks) as editable TOML text."""

    def __init__(self, name: str, items: tuple[Any, ...]) -> None:
        super().__init__()
        self.name = name
        plain = [{k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(i).items()} for i in items]
        self.setPlainText(tomli_w.dumps({name: plain}) if plain else f"# [[{name}]]\n")
        self.setMinimumHeight(180)
        font = self.font()
        font.setFamily("monospace")
        self.setFont(font)

    def tables(self) -> list[Any]:
        """The tables as typed; ``tomllib.TOMLDecodeError`` when the text is not TOML."""
        parsed = tomllib.loads(self.toPlainText()).get(self.name, [])
        return parsed if isinstance(parsed, list) else [parsed]


def _flat(item: type) -> bool:
    """Every field of ``item`` is one value (a grid can hold it); SLA policies hold lists and are TOML text."""
    return not any(isinstance(getattr(item(), f.name), tuple) for f in dataclasses.fields(item))


def _editor(value: Any, meta: dict[str, Any], name: str = "") -> QWidget:
    item = meta.get("item")
    if isinstance(item, type) and dataclasses.is_dataclass(item):
        return TablesEditor(value, item) if _flat(item) else TableListEdit(name, value)
    if isinstance(value, bool):
        box = QCheckBox()
        box.setChecked(value)
        return box
    if isinstance(value, int):
        spin = QSpinBox()
        spin.setRange(int(meta.get("min") or 0), int(meta.get("max") or 1_000_000_000))
        spin.setValue(value)
        return spin
    if isinstance(value, float):
        dspin = QDoubleSpinBox()
        dspin.setDecimals(2)
        dspin.setRange(
            float(meta["min"]) if meta.get("min") is not None else -1e9,
            float(meta["max"]) if meta.get("max") is not None else 1e9,
        )
        dspin.setValue(value)
        return dspin
    if meta.get("choices") and not isinstance(value, tuple):
        combo = QComboBox()
        combo.addItems(list(meta["choices"]))
        combo.setCurrentText(value)
        return combo
    line = QLineEdit(", ".join(str(v) for v in value) if isinstance(value, tuple) else str(value))
    return line


def _read(editor: QWidget, default: Any) -> Any:
    if isinstance(editor, TableListEdit):
        return editor.tables()
    if isinstance(editor, TablesEditor):
        return editor.values()
    if isinstance(editor, QCheckBox):
        return editor.isChecked()
    if isinstance(editor, (QSpinBox, QDoubleSpinBox)):
        return editor.value()
    if isinstance(editor, QComboBox):
        return editor.currentText()
    assert isinstance(editor, QLineEdit)
    text = editor.text().strip()
    if isinstance(default, tuple):
        parts = [p.strip() for p in text.split(",") if p.strip()]
        if default and isinstance(default[0], (int, float)):
            return [typed(p, default[0]) for p in parts]
        return parts
    return text


class SettingsDialog(QDialog):
    """Edit typed settings and API tokens; ``saved`` holds the new settings after ``accept``."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.context = context
        self.saved: cfg.LoadedSettings = context.loaded_settings
        self._editors: dict[tuple[str, str], tuple[QWidget, Any]] = {}
        tabs = QTabWidget()
        current = context.settings
        for section in dataclasses.fields(current):
            values = getattr(current, section.name)
            page = QWidget()
            form = QFormLayout(page)
            for f in dataclasses.fields(values):
                value = getattr(values, f.name)
                editor = _editor(value, dict(f.metadata), f.name)
                editor.setToolTip(f.metadata.get("help", ""))
                editor.setObjectName(f"{section.name}.{f.name}")
                form.addRow(_label(f.name), editor)
                self._editors[(section.name, f.name)] = (editor, value)
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setWidget(page)
            tabs.addTab(scroll, _SECTION_TITLES.get(section.name, _label(section.name)))
        tabs.addTab(self._secrets_page(), "API tokens")
        self.error = QLabel()
        self.error.setObjectName("settingsError")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        problems = context.loaded_settings.problems
        if problems:
            self._show_error("The settings file had problems (defaults used):\n" + "\n".join(problems))

    def _secrets_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        store = self.context.secrets
        if not store.keyring_available():
            note = QLabel(
                "No OS keyring is available. "
                "Tokens you enter are kept in a passphrase-encrypted file in the data folder."
            )
            note.setWordWrap(True)
            form.addRow(note)
        self._secret_edits: dict[str, QLineEdit] = {}
        for name in KNOWN_SECRETS:
            edit = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
            edit.setObjectName(f"secret.{name}")
            edit.setPlaceholderText("stored" if store.get(name) else "not set")
            edit.setToolTip("Leave empty to keep the stored value")
            form.addRow(_SECRET_LABELS[name], edit)
            self._secret_edits[name] = edit
        return page

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def collected(self) -> dict[str, dict[str, Any]]:
        """Every editor's value in the settings file's shape (``tomllib.TOMLDecodeError`` from a table list)."""
        data: dict[str, dict[str, Any]] = {}
        for (section, key), (editor, default) in self._editors.items():
            data.setdefault(section, {})[key] = _read(editor, default)
        return data

    def save(self) -> None:
        try:
            collected = self.collected()
        except tomllib.TOMLDecodeError as exc:
            self._show_error(f"Not saved: a list of tables is not valid TOML ({exc}); nothing changed.")
            return
        loaded = cfg.from_dict(collected)
        if loaded.problems:
            self._show_error("Not saved:\n" + "\n".join(loaded.problems))
            return
        if not self._save_secrets():
            return
        cfg.save(self.context.paths.settings, loaded.settings)
        self.saved = loaded
        self.accept()

    def _save_secrets(self) -> bool:
        store = self.context.secrets
        for name, edit in self._secret_edits.items():
            value = edit.text().strip()
            if not value:
                continue
            try:
                store.set(name, value)
            except KeyringUnavailable as exc:
                passphrase, ok = QInputDialog.getText(
                    self, "No keyring", f"{exc}\n\nPassphrase for the encrypted secrets file:",
                    QLineEdit.EchoMode.Password,
                )
                if not ok or not passphrase:
                    self._show_error("Not saved: API tokens need a keyring or a passphrase.")
                    return False
                try:
                    store.file.unlock(passphrase)
                    store.set(name, value)
                except SecretsError as err:
                    QMessageBox.warning(self, "Secrets", str(err))
                    return False
            except SecretsError as exc:
                QMessageBox.warning(self, "Secrets", str(exc))
                return False
        return True
