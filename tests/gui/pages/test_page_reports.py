"""The reports page on a real vault: preview as exported (S for suppressed), export, releases."""

from __future__ import annotations

import datetime as dt
import json

from PySide6.QtWidgets import QTableWidget

from srojournal.domain.models import ContactInput, ContactStudent
from srojournal.ui.reports.page import ReportsPage


def test_preview_shows_suppressed_cells_as_s(qtbot, session, vault, data, show):
    data.contact(vault, data.ana)  # one student: far below k, so every breakdown is suppressed
    page = show(ReportsPage(session))
    assert page.period() == "2026-02"  # last month by default
    page.month.setCurrentIndex(page.month.findData("2026-03"))
    qtbot.waitUntil(lambda: page.summary is not None and page.summary.period == "2026-03")
    assert page.tables.count() == 7
    t1 = page.tables.widget(1).findChild(QTableWidget)
    texts = [t1.item(r, c).text() for r in range(t1.rowCount()) for c in range(t1.columnCount())]
    suppressed = [c for c in page.summary.table("T1").cells if c.status == "S"]
    assert suppressed and texts.count("S") == len(suppressed)
    assert page.explain.text()
    assert page.export_buttons["json"].isEnabled()


def test_export_json_writes_the_engine_bytes_and_lists_the_release(
    qtbot, session, vault, data, tmp_path, show
):
    j = vault.journal
    students = [j.add_student(f"S{i}", data.school, "7") for i in range(12)]
    for i, sid in enumerate(students):
        j.add_contact(
            ContactInput(
                dt.datetime(2026, 2, 1 + i, 9, 0),
                data.school,
                "mentoring",
                (ContactStudent(sid),),
                outcome="resolved",
            )
        )
    page = show(ReportsPage(session))
    qtbot.waitUntil(lambda: page.summary is not None, timeout=20000)
    out = tmp_path / "out.json"
    page.export("json", out)
    qtbot.waitUntil(
        lambda: out.exists() and "Exported" in page.export_message.text(), timeout=20000
    )
    doc = json.loads(out.read_bytes())
    assert doc["period"] == "2026-02" and doc["release"] == 1
    assert j.released_periods() == [("2026-02", 1)]
    qtbot.waitUntil(lambda: page.releases.item(0).text() == "2026-02 — release 1")
    assert out.read_bytes() == j.releases("2026-02")[0].content
