"""File ▸ Reports…: the preview is built in the background, saves write the file, cancel stops, roles limit."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument

from tests.ui.helpers import wait_idle
from ui.dialogs.reports_dialog import ReportsDialog


def _dialog(qtbot, filled, settings, runner, role="executive") -> ReportsDialog:
    dialog = ReportsDialog(filled, settings, runner, role)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_idle(qtbot, runner, timeout=60_000)
    return dialog


def test_the_preview_shows_the_monthly_report_with_its_charts(qtbot, filled, settings, runner):
    dialog = _dialog(qtbot, filled, settings, runner)
    assert dialog.report is not None and dialog.report.kind == "monthly"
    document = dialog.preview.document()
    text = document.toPlainText()
    assert "Monthly strategic review" in text and "Headline against targets" in text and "MRR" in text
    image = document.resource(QTextDocument.ResourceType.ImageResource.value, QUrl("chart-0.png"))
    assert image is not None and not image.isNull()
    assert all(b.isEnabled() for b in dialog.save_buttons.values())
    assert dialog.status.text().startswith("Monthly strategic review")
    assert not dialog.progress.isVisible()


def test_saving_writes_the_previewed_report(qtbot, filled, settings, runner, tmp_path):
    dialog = _dialog(qtbot, filled, settings, runner)
    dialog.save("pdf", tmp_path / "report.pdf")
    dialog.save("csv", tmp_path / "report.zip")
    wait_idle(qtbot, runner, timeout=60_000)
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "report.zip").read_bytes().startswith(b"PK")
    assert dialog.status.text().startswith("Saved ")


def test_cancel_stops_the_build_and_says_so(qtbot, filled, settings, runner):
    dialog = _dialog(qtbot, filled, settings, runner)
    dialog.kind.setCurrentIndex(0)  # a new choice: the daily report starts building
    dialog.cancel()
    wait_idle(qtbot, runner, timeout=60_000)
    assert dialog.report is None and dialog.status.text().startswith("Cancelled")
    assert not any(b.isEnabled() for b in dialog.save_buttons.values())


def test_a_finance_user_reports_for_finance_only(qtbot, filled, settings, runner):
    dialog = _dialog(qtbot, filled, settings, runner, role="finance")
    assert [dialog.role.itemText(i) for i in range(dialog.role.count())] == ["Finance"]
    assert not dialog.role.isEnabled()
    text = dialog.preview.document().toPlainText()
    assert "Revenue and conversion" in text and "Costs and margin" in text and "Support performance" not in text
