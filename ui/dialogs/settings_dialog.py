"""The settings dialog: a page per settings section, listed on the left, built from the typed settings themselves.

The form is generated from the dataclass fields (type, range, choices, label,
unit, help), so a new setting in ``app.config.settings`` appears here without
UI code: each row reads in words with its unit ("Warning at  80 % of
budget", "Sync every  5 min"), a ratio is edited as a percentage, a list
picked from fixed options (working days) as checkboxes, and the notification
kinds (``app.notices.KINDS``) as "announce" checkboxes that write the
muted list.  Saving validates through the same ``from_dict`` the loader
uses: a bad value is reported naming its key and nothing is written.  API
tokens are edited in their own tab and go to the keyring (or the encrypted
file), never to the settings file.  The sections are a list rather than tabs,
so new sections (features add theirs) never push one out of sight; the dialog
opens at the size its largest page needs, within the screen, and a long page
scrolls.  A list of tables (SLA calendars and policies, reply templates) is
edited as the TOML the settings file holds (``[[policies]]`` blocks), checked
on save like everything else.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from typing import Any

import tomli_w
from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.config import settings as cfg
from app.notices import KINDS
from app.secrets import KNOWN_SECRETS, OPS_API_TOKEN, STRIPE_API_KEY, KeyringUnavailable, SecretsError
from ui import formatting as fmt
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
    "notifications": "Notifications",
    "desk": "Customer desk",
    "targets": "Dashboard targets",
}
_SECRET_LABELS = {OPS_API_TOKEN: "Ops API token", STRIPE_API_KEY: "Stripe API key"}
MUTED = ("notifications", "muted")  # the one list edited inverted: a ticked kind is announced


def _label(key: str, meta: Mapping[str, Any]) -> str:
    return str(meta.get("label") or key.replace("_", " ").capitalize())


class OptionBoxes(QWidget):
    """A list setting picked from fixed options, as a row (or grid) of checkboxes; ``inverted``: ticked = left out."""

    def __init__(self, options: Mapping[Any, str], chosen: tuple[Any, ...], *, inverted: bool = False,
                 columns: int = 7) -> None:
        super().__init__()
        self.inverted = inverted
        self.boxes: dict[Any, QCheckBox] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        for i, (value, words) in enumerate(options.items()):
            box = QCheckBox(words)
            box.setChecked((value in chosen) != inverted)
            grid.addWidget(box, i // columns, i % columns)
            self.boxes[value] = box

    def value(self) -> list[Any]:
        return [v for v, box in self.boxes.items() if box.isChecked() != self.inverted]


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


def _editor(value: Any, meta: Mapping[str, Any], name: str = "") -> QWidget:
    item = meta.get("item")
    if isinstance(item, type) and dataclasses.is_dataclass(item):
        return TablesEditor(value, item) if _flat(item) else TableListEdit(name, value)
    unit = f" {meta['unit']}" if meta.get("unit") else ""
    if isinstance(value, bool):
        box = QCheckBox()
        box.setChecked(value)
        return box
    if isinstance(value, int):
        spin = QSpinBox()
        spin.setRange(int(meta.get("min") or 0), int(meta.get("max") or 1_000_000_000))
        spin.setValue(value)
        spin.setSuffix(unit)
        return spin
    if isinstance(value, float):
        scale = 100.0 if meta.get("percent") else 1.0
        dspin = QDoubleSpinBox()
        dspin.setDecimals(0 if meta.get("percent") else 2)
        dspin.setRange(
            float(meta["min"]) * scale if meta.get("min") is not None else -1e9,
            float(meta["max"]) * scale if meta.get("max") is not None else 1e9,
        )
        dspin.setValue(value * scale)
        dspin.setSuffix(unit)
        dspin.setProperty("scale", scale)
        return dspin
    if meta.get("choices") and not isinstance(value, tuple):
        combo = QComboBox()
        words = meta.get("options") or {}
        for choice in meta["choices"]:
            combo.addItem(words.get(choice, fmt.words(choice)), choice)
        combo.setCurrentIndex(max(0, combo.findData(value)))
        return combo
    if meta.get("options"):
        return OptionBoxes(meta["options"], value)
    line = QLineEdit(", ".join(str(v) for v in value) if isinstance(value, tuple) else str(value))
    line.setMinimumWidth(260)
    line.setCursorPosition(0)  # a value longer than the field shows its start, not its tail
    return line


def _read(editor: QWidget, default: Any) -> Any:
    if isinstance(editor, TableListEdit):
        return editor.tables()
    if isinstance(editor, TablesEditor):
        return editor.values()
    if isinstance(editor, QCheckBox):
        return editor.isChecked()
    if isinstance(editor, OptionBoxes):
        return editor.value()
    if isinstance(editor, QDoubleSpinBox):
        return editor.value() / float(editor.property("scale") or 1.0)
    if isinstance(editor, QSpinBox):
        return editor.value()
    if isinstance(editor, QComboBox):
        return editor.currentData()
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
        self.sections = QListWidget()
        self.sections.setObjectName("settingsSections")
        self.pages = QStackedWidget()
        current = context.settings
        for section in dataclasses.fields(current):
            values = getattr(current, section.name)
            page = QWidget()
            form = QFormLayout(page)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
            for f in dataclasses.fields(values):
                value = getattr(values, f.name)
                meta = dict(f.metadata)
                if (section.name, f.name) == MUTED:
                    editor: QWidget = OptionBoxes(KINDS, value, inverted=True, columns=1)
                    form.addRow(QLabel("Announce (a desktop message and the bell's count) when:"))
                    form.addRow(editor)
                else:
                    editor = _editor(value, meta, f.name)
                    name = QLabel(_label(f.name, meta))
                    name.setToolTip(meta.get("help", ""))
                    form.addRow(name, editor)
                editor.setToolTip(meta.get("help", ""))
                editor.setObjectName(f"{section.name}.{f.name}")
                self._editors[(section.name, f.name)] = (editor, value)
            scroll = QScrollArea()  # a long page (SLA policies) scrolls within the screen
            scroll.setWidgetResizable(True)
            scroll.setWidget(page)
            scroll.setMinimumWidth(page.sizeHint().width() + 2 * scroll.frameWidth()
                                   + scroll.verticalScrollBar().sizeHint().width())
            self._add_page(_SECTION_TITLES.get(section.name, _label(section.name, {})), scroll)
        self._add_page("API tokens", self._secrets_page())
        self.sections.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.sections.setCurrentRow(0)
        self.sections.setFixedWidth(self.sections.sizeHintForColumn(0) + 4 * self.sections.frameWidth() + 16)
        self.error = QLabel()
        self.error.setObjectName("settingsError")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        body = QHBoxLayout()
        body.addWidget(self.sections)
        body.addWidget(self.pages, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        problems = context.loaded_settings.problems
        if problems:
            self._show_error("The settings file had problems (defaults used):\n" + "\n".join(problems))
        self._fit()

    def _fit(self) -> None:
        """Open wide enough for the widest page and tall enough for the tallest, within the screen.

        Not Qt's small default, which had the SLA, Health and Planning pages
        scroll inside a 388-pixel-high dialog on a screen with room for them.
        """
        self.adjustSize()
        tallest = max(page.sizeHint().height() + 2 * scroll.frameWidth()
                      for scroll in self.pages.findChildren(QScrollArea) if (page := scroll.widget()) is not None)
        chrome = self.sizeHint().height() - self.pages.sizeHint().height()
        wanted = self.sizeHint().expandedTo(QSize(460, tallest + chrome))
        self.resize(wanted.boundedTo(self.screen().availableGeometry().size() * 0.9))

    def _add_page(self, title: str, page: QWidget) -> None:
        self.sections.addItem(title)
        self.pages.addWidget(page)

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
