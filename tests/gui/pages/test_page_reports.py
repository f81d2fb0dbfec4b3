"""The Reports page on a real vault, driven with real key events: what it previews (S for
hidden, each table named by what it counts and saying why), the period chooser, the
confirmation before freezing a period that is not over, a refused revision, and the export."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from srojournal.domain.models import ContactInput, ContactStudent
from srojournal.ui.reports.page import ReportsPage

TIMEOUT = 30000


def _contacts(vault, school: int, day: dt.date, n: int, tag: str, type_code: str = "mentoring"):
    """n contacts on ``day``, each with a new student."""
    j = vault.journal
    for i in range(n):
        sid = j.add_student(f"{tag}{i:02d}", school, "7")
        j.add_contact(
            ContactInput(
                dt.datetime.combine(day, dt.time(9, 0)),
                school,
                type_code,
                (ContactStudent(sid),),
                outcome="resolved",
            )
        )


def _ready(qtbot, page: ReportsPage, period: str) -> None:
    qtbot.waitUntil(
        lambda: page.summary is not None and page.summary.period == period and not page.runner.busy,
        timeout=TIMEOUT,
    )


def _box(qtbot) -> QMessageBox:
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QMessageBox))
    box = QApplication.activeModalWidget()
    assert isinstance(box, QMessageBox)
    return box


def test_tables_are_named_by_meaning_and_say_why_numbers_are_hidden(qtbot, session, vault, data,
                                                                    show):  # fmt: skip
    data.contact(vault, data.ana)  # one student in March 2026: no breakdown at all
    page = show(ReportsPage(session))
    assert page.period() == "2026-03"  # the journal starts in March: nothing before it
    _ready(qtbot, page, "2026-03")
    names = [page.table_list.itemText(i) for i in range(page.table_list.count())]
    assert len(names) == 7
    assert names[1].startswith("Contacts by category and outcome")
    assert not any(n[:2] in {f"T{i}" for i in range(7)} for n in names)
    assert "fewer than 10 different students were seen in March 2026" in page.table_why.text()
    view = page.table_view
    texts = [
        view.item(r, c).text() for r in range(view.rowCount()) for c in range(view.columnCount())
    ]
    hidden = [c for c in page.summary.table("T1").cells if c.status == "S"]
    assert hidden and texts.count("S") == len(hidden)
    # The table chooser by keyboard: the next table says its own sentence.
    page.table_list.setFocus()
    QTest.keyClick(page.table_list, Qt.Key.Key_Down)
    assert page.table_list.currentData() == "T2"
    assert page.table_view.accessibleName() == "Contacts by school and category"
    s = page.summary
    total = sum(len(t.cells) for t in s.tables)
    shown_s = sum(1 for t in s.tables for c in t.cells if c.status == "S")
    assert page.explain.text().startswith(f"{shown_s} of {total} numbers are shown as S")


def test_the_period_chooser_by_keyboard_and_kept_when_shown_again(qtbot, session, vault, data,
                                                                 show):  # fmt: skip
    _contacts(vault, data.school, dt.date(2025, 11, 4), 1, "Nov")  # the journal's first entry
    data.contact(vault, data.ana)
    page = show(ReportsPage(session))
    assert page.period() == "2026-02"  # the last complete month
    months = [page.month.itemData(i) for i in range(page.month.count())]
    assert months == ["2026-03", "2026-02", "2026-01", "2025-12", "2025-11"]
    assert page.month.currentText() == "February 2026"
    page.kind.setFocus()
    QTest.keyClick(page.kind, Qt.Key.Key_Down)
    assert page.period_kind() == "quarter" and page.period() == "2025-Q4"
    assert [page.month.itemData(i) for i in range(page.month.count())] == ["2026-Q1", "2025-Q4"]
    QTest.keyClick(page.kind, Qt.Key.Key_Down)
    assert page.period() == "2025-26"  # no complete school year since the first entry
    QTest.keyClick(page.kind, Qt.Key.Key_Up)
    QTest.keyClick(page.kind, Qt.Key.Key_Up)
    assert page.period() == "2026-02"  # the month chosen before
    page.month.setFocus()
    QTest.keyClick(page.month, Qt.Key.Key_Down)
    QTest.keyClick(page.month, Qt.Key.Key_Down)
    assert page.period() == "2025-12"
    _ready(qtbot, page, "2025-12")
    page.hide()
    page.show()
    qtbot.waitExposed(page)
    assert page.period() == "2025-12"  # not reset when the screen comes back


def test_the_first_export_of_a_period_not_over_asks_first(qtbot, session, vault, data, tmp_path,
                                                          show):  # fmt: skip
    _contacts(vault, data.school, dt.date(2026, 3, 2), 12, "Mar")
    page = show(ReportsPage(session))
    _ready(qtbot, page, "2026-03")  # today is 18 March: the month is not over
    assert "March is not over" in page.state.text()
    out = tmp_path / "march.json"
    chosen: list[str] = []

    def choose(fmt: str) -> None:  # the file dialog, answered
        chosen.append(fmt)
        page.export(fmt, out)

    page.choose_export_file = choose  # type: ignore[method-assign]
    button = page.export_buttons["json"]
    button.setFocus()
    QTest.keyClick(button, Qt.Key.Key_Space)
    box = _box(qtbot)
    assert "freezes March 2026 for good" in box.text()
    assert "2026-Q1" in box.informativeText() and "2025-26" in box.informativeText()
    QTest.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)
    assert chosen == [] and vault.journal.released_periods() == []
    QTest.keyClick(button, Qt.Key.Key_Space)
    box = _box(qtbot)
    QTest.keyClick(box, Qt.Key.Key_Return)  # "Freeze and export" is the default
    qtbot.waitUntil(lambda: "Exported" in page.export_message.text(), timeout=TIMEOUT)
    assert chosen == ["json"]
    assert json.loads(out.read_bytes())["period"] == "2026-03"
    assert vault.journal.released_periods() == [("2026-03", 1)]
    # Released: exporting again gives the same file, without asking.
    _ready(qtbot, page, "2026-03")
    assert not page.needs_freeze_confirmation()


def test_a_refused_revision_is_explained(qtbot, session, vault, data, tmp_path, show):
    _contacts(vault, data.school, dt.date(2026, 2, 3), 12, "Feb")
    page = show(ReportsPage(session))
    _ready(qtbot, page, "2026-02")
    page.export("json", tmp_path / "feb.json")
    qtbot.waitUntil(lambda: "Exported" in page.export_message.text(), timeout=TIMEOUT)
    _ready(qtbot, page, "2026-02")
    _contacts(vault, data.school, dt.date(2026, 2, 20), 3, "Late")  # late entries: 3 students
    page.revise.setFocus()
    QTest.keyClick(page.revise, Qt.Key.Key_Space)
    assert page.revise.isChecked()
    qtbot.waitUntil(lambda: "can't be published" in page.explain.text(), timeout=TIMEOUT)
    text = page.explain.text()
    assert "3 students, fewer than 10" in text
    assert "the quarter 2026-Q1 and the school year 2025-26" in text
    assert page.state.text() == "Revision refused: release 1 stays as it is (shown below)."
    assert not any(b.isEnabled() for b in page.export_buttons.values())
    assert page.table_list.count() == 7  # the release that stays is shown


def test_a_month_says_what_its_quarter_would_show(qtbot, session, vault, data, show):
    for month in (1, 2, 3):
        _contacts(vault, data.school, dt.date(2026, month, 5), 12, f"R{month}", "relationship")
        _contacts(vault, data.other_school, dt.date(2026, month, 6), 4, f"M{month}")
    page = show(ReportsPage(session))
    _ready(qtbot, page, "2026-02")
    qtbot.waitUntil(lambda: "would show" in page.larger.text(), timeout=TIMEOUT)
    assert page.larger.text().startswith("The quarter 2026-Q1 (January–March 2026) would show")
    assert "that February hides" in page.larger.text()


def test_export_json_writes_the_engine_bytes_and_lists_the_release(
    qtbot, session, vault, data, tmp_path, show
):
    _contacts(vault, data.school, dt.date(2026, 2, 1), 12, "S")
    page = show(ReportsPage(session))
    _ready(qtbot, page, "2026-02")
    assert not page.needs_freeze_confirmation()  # February is over
    out = tmp_path / "out.json"
    page.export("json", out)
    qtbot.waitUntil(
        lambda: out.exists() and "Exported" in page.export_message.text(), timeout=TIMEOUT
    )
    doc = json.loads(out.read_bytes())
    assert doc["period"] == "2026-02" and doc["release"] == 1
    assert vault.journal.released_periods() == [("2026-02", 1)]
    qtbot.waitUntil(lambda: page.releases.item(0).text() == "February 2026 — release 1")
    assert out.read_bytes() == vault.journal.releases("2026-02")[0].content


def test_screenshots_light_and_dark(qtbot, session, vault, data, show, tmp_path: Path) -> None:
    """Rendered at 1366×768 in both schemes (looked at when the page changes)."""
    from srojournal.app import configure_application

    for month in (1, 2, 3):
        _contacts(vault, data.school, dt.date(2026, month, 5), 14, f"R{month}", "relationship")
        _contacts(vault, data.other_school, dt.date(2026, month, 6), 4, f"M{month}")
    page = show(ReportsPage(session))
    page.resize(1366, 768)
    _ready(qtbot, page, "2026-02")
    qtbot.waitUntil(lambda: "would show" in page.larger.text(), timeout=TIMEOUT)
    app = QApplication.instance()
    for scheme in ("light", "dark"):
        configure_application(app, scheme)  # type: ignore[arg-type]
        image = page.grab()
        assert image.width() == 1366 and image.height() == 768
        assert image.save(str(tmp_path / f"reports-{scheme}.png"))
    configure_application(app, "light")  # type: ignore[arg-type]


def test_a_wide_table_shows_every_column_and_the_charts_give_way(qtbot, session, vault, data,
                                                                 show):  # fmt: skip
    """The category-by-outcome table is wider than the space beside the charts on a laptop:
    the charts give way so every column shows whole, and come back for a narrow table."""
    data.contact(vault, data.ana)
    page = show(ReportsPage(session))
    _ready(qtbot, page, "2026-03")
    view = page.table_view

    def whole() -> bool:
        return view.horizontalHeader().length() <= view.viewport().width()

    page.table_list.setFocus()
    QTest.keyClick(page.table_list, Qt.Key.Key_Home)
    assert page.table_list.currentData() == "T0"
    qtbot.waitUntil(lambda: page.left_box.isVisible() and whole())
    QTest.keyClick(page.table_list, Qt.Key.Key_Down)
    assert page.table_list.currentData() == "T1"
    qtbot.waitUntil(lambda: not page.left_box.isVisible() and whole())
    assert page.headline.isVisible() and "contacts" in page.headline.text()
    QTest.keyClick(page.table_list, Qt.Key.Key_Home)
    qtbot.waitUntil(page.left_box.isVisible)


def test_labels_keep_a_school_name_as_written_and_name_codes_plainly() -> None:
    from srojournal.ui.reports.wording import label_for

    assert label_for("Eastside Middle School") == "Eastside Middle School"
    assert label_for("McKinley High") == "McKinley High"
    assert label_for("no_agreement") == "No agreement"
    assert label_for("follow_up_due") == "Follow-up due"
