"""The settings dialog: from the typed settings, in words with units; refuses bad values; tokens to the keyring."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLabel, QLineEdit, QSpinBox

from app.config import settings as cfg
from app.config.paths import Paths
from app.notices import KINDS
from app.secrets import OPS_API_TOKEN
from tests.ui.helpers import title_width
from ui.application import build_context
from ui.dialogs.settings_dialog import OptionBoxes, SettingsDialog, TableListEdit
from ui.dialogs.settings_table import TablesEditor


def test_a_bad_value_is_refused_naming_the_key_and_nothing_is_written(qtbot, context):
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    dialog.findChild(QLineEdit, "backends.ops_api_url").setText("ftp:/nowhere")
    dialog.save()
    assert dialog.result() == 0 and dialog.error.isVisibleTo(dialog)
    assert "[backends] ops_api_url" in dialog.error.text()
    assert not context.paths.settings.exists()


def test_good_values_are_saved_and_tokens_go_to_the_keyring(qtbot, context):
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    dialog.findChild(QLineEdit, "backends.ops_api_url").setText("https://ops.example.com/api")
    dialog.findChild(QSpinBox, "sync.interval_minutes").setValue(12)
    dialog.findChild(QLineEdit, f"secret.{OPS_API_TOKEN}").setText("opsapi-token-123456789")
    dialog.save()
    assert dialog.result() == 1
    loaded = cfg.load(context.paths.settings)
    assert loaded.settings.backends.ops_api_url == "https://ops.example.com/api"
    assert loaded.settings.sync.interval_minutes == 12
    assert context.secrets.get(OPS_API_TOKEN) == "opsapi-token-123456789"
    assert "opsapi-token" not in context.paths.settings.read_text()


def test_settings_problems_at_start_are_shown(qtbot, isolated_data_dir, qapp):
    paths = Paths.resolve(isolated_data_dir).ensure()
    paths.settings.write_text("[sync]\ninterval_minutes = -4\n")
    ctx = build_context(paths)
    try:
        assert ctx.settings.sync.interval_minutes == 5
        assert any("interval_minutes = -4" in n for n in ctx.notices)
        dialog = SettingsDialog(ctx)
        qtbot.addWidget(dialog)
        assert "interval_minutes" in dialog.error.text()
    finally:
        ctx.runner.shutdown()
        ctx.cache.dispose()


def _row_labels(dialog) -> list[str]:
    from PySide6.QtWidgets import QFormLayout

    labels = []
    for form in dialog.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            if item is not None and isinstance(item.widget(), QLabel):
                labels.append(item.widget().text())
    return labels


def test_labels_read_in_words_with_units_and_ratios_as_percentages(qtbot, context):
    from PySide6.QtWidgets import QDoubleSpinBox

    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    labels = _row_labels(dialog)
    assert {"Sync every", "Warning at", "Critical at", "Give up on a request after"} <= set(labels)
    assert not [label for label in labels if "_" in label or "ratio" in label.lower()]
    warn = dialog.findChild(QDoubleSpinBox, "budgets.warn_ratio")
    assert (warn.value(), warn.suffix()) == (80.0, " % of budget")
    assert dialog.findChild(QSpinBox, "sync.interval_minutes").suffix() == " min"
    assert dialog.findChild(QDoubleSpinBox, "budgets.total").suffix() == " USD"
    warn.setValue(70)
    dialog.save()
    saved = cfg.load(context.paths.settings).settings
    assert saved.budgets.warn_ratio == pytest.approx(0.70)


def test_choices_read_in_words_and_are_saved_as_their_codes(qtbot, context):
    from PySide6.QtWidgets import QComboBox

    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    period = dialog.findChild(QComboBox, "health.budget_period")
    assert [period.itemText(i) for i in range(period.count())] == ["Rolling 30 days", "Calendar month (UTC)"]
    role = dialog.findChild(QComboBox, "sync.offline_role")
    assert "Executive" in [role.itemText(i) for i in range(role.count())]
    period.setCurrentIndex(1)
    dialog.save()
    assert cfg.load(context.paths.settings).settings.health.budget_period == "calendar_month"


def test_each_notification_kind_can_be_muted(qtbot, context):
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    boxes = dialog.findChild(OptionBoxes, "notifications.muted")
    assert [box.text() for box in boxes.boxes.values()] == list(KINDS.values())
    assert all(box.isChecked() for box in boxes.boxes.values())  # nothing muted: every kind is announced
    boxes.boxes["costs.anomaly"].setChecked(False)
    dialog.save()
    assert cfg.load(context.paths.settings).settings.notifications.muted == ("costs.anomaly",)


def test_the_dialog_opens_at_the_size_of_its_content(qtbot, context):
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    titles = [dialog.sections.item(i).text() for i in range(dialog.sections.count())]
    assert titles == ["Backends", "Sync", "SLA", "Tickets", "Budgets", "Costs", "Planning", "Targets", "Revenue",
                      "Notifications", "Health", "Customer desk", "Dashboard targets",
                      "API tokens"]
    for index, title in enumerate(titles):
        dialog.sections.setCurrentRow(index)
        page = dialog.pages.currentWidget()
        assert page.width() >= page.minimumSizeHint().width(), title
        assert page.height() >= page.minimumSizeHint().height(), title
    assert dialog.width() > 277 and dialog.height() > 234  # not Qt's small default
    screen = dialog.screen().availableGeometry()
    assert dialog.width() <= screen.width() and dialog.height() <= screen.height()


def test_sla_policies_are_edited_as_toml_and_a_zero_target_is_refused(qtbot, context):
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    policies = dialog.findChild(TableListEdit, "sla.policies")
    text = policies.toPlainText()
    assert text.startswith("[[policies]]") and 'name = "General and billing"' in text
    policies.setPlainText(text.replace("first_reply_minutes = 120", "first_reply_minutes = 0", 1))
    dialog.save()
    assert dialog.result() == 0 and "first_reply_minutes = 0.0: must be between 1" in dialog.error.text()
    policies.setPlainText("[[policies]\nname = ")
    dialog.save()
    assert dialog.result() == 0 and "not valid TOML" in dialog.error.text()
    policies.setPlainText(text.replace("first_reply_minutes = 120", "first_reply_minutes = 90", 1))
    dialog.findChild(QLineEdit, "sla.pause_statuses").setText("pending")
    dialog.save()
    assert dialog.result() == 1
    saved = cfg.load(context.paths.settings).settings.sla
    assert saved.pause_statuses == ("pending",)
    assert next(p for p in saved.policies if p.first_reply_minutes == 90).name in {"Technical issues",
                                                                                  "General and billing"}
def test_lists_of_tables_are_edited_as_tables_and_thresholds_as_numbers(qtbot, context):
    """Budgets per service and the planning tables: rows added, cells edited, saved as TOML tables."""
    from PySide6.QtWidgets import QTableWidgetItem

    from ui.dialogs.settings_table import TablesEditor

    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    budgets = dialog.findChild(TablesEditor, "budgets.services")
    scenarios = dialog.findChild(TablesEditor, "planning.scenarios")
    assert budgets.table.rowCount() == 2 and scenarios.table.rowCount() == 3
    budgets.add_row(cfg.ServiceBudget("cdn", 0.0))
    budgets.table.setItem(2, 1, QTableWidgetItem("250"))
    scenarios.table.setItem(0, 1, QTableWidgetItem("0.2"))
    dialog.findChild(QLineEdit, "budgets.actual_thresholds").setText("0.5, 0.9")
    dialog.save()
    assert dialog.result() == 1
    saved = cfg.load(context.paths.settings).settings
    assert saved.budgets.services[-1] == cfg.ServiceBudget("cdn", 250.0)
    assert saved.budgets.actual_thresholds == (0.5, 0.9)
    assert saved.planning.scenarios[0].user_growth == 0.2


def test_a_bad_cell_is_refused_naming_its_row_and_key(qtbot, context):
    from PySide6.QtWidgets import QTableWidgetItem

    from ui.dialogs.settings_table import TablesEditor

    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    dialog.findChild(TablesEditor, "planning.scaling").table.setItem(1, 2, QTableWidgetItem("lots"))
    dialog.save()
    assert dialog.result() == 0 and "[planning] scaling[1].doubled = 'lots': must be a number" in dialog.error.text()


def test_pages_open_whole_tables_and_the_start_of_long_values(qtbot, context):
    """The dialog opened 388 px high, so long pages scrolled; six probe columns stretched into one page's width
    read "ted s" and "eywo"; a long escalation line showed its tail."""
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    screen = dialog.screen().availableGeometry()
    assert dialog.height() >= min(500, int(screen.height() * 0.9))
    editors = dialog.findChildren(TablesEditor)
    assert len(editors) >= 3  # budgets, the planning tables, the extra probes
    for editor in editors:
        header = editor.table.horizontalHeader()
        for column in range(header.count()):
            title = editor.table.horizontalHeaderItem(column).text()
            assert header.sectionSize(column) >= title_width(header, title), title
    lines = [line for line in dialog.findChildren(QLineEdit) if line.echoMode() == QLineEdit.EchoMode.Normal
             and not isinstance(line.parent(), QAbstractSpinBox | QComboBox)]
    assert lines and all(line.cursorPosition() == 0 for line in lines)
