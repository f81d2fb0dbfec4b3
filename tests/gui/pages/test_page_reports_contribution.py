"""The Reports screen's contribution card on a real vault: export, ledger, ε with confirmation."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox, QPushButton

from srojournal.ui.reports.page import ReportsPage
from srojournal.vault.budget import BudgetLedger


def _open_boxes(card) -> list[QMessageBox]:  # type: ignore[no-untyped-def]
    return [b for b in card.findChildren(QMessageBox, "confirmBox") if b.isVisible()]


def test_card_exports_a_frozen_contribution_and_shows_the_ledger(
    qtbot, session, vault, data, tmp_path: Path, show
) -> None:
    data.contact(vault, data.ana, day=3)
    page = show(ReportsPage(session))
    card = page.contribution
    page.month.setCurrentIndex(page.month.findData("2026-03"))
    qtbot.waitUntil(lambda: "Exporting 2026-03 spends ε 1.0 of 2025-26" in card.state.text())
    assert "none yet (yearly cap 12)" in card.ledger.text()
    assert card.export_buttons["json"].isEnabled()
    out = tmp_path / "c.json"
    card.export("json", out)
    qtbot.waitUntil(lambda: "Exported" in card.message.text(), timeout=20000)
    doc = json.loads(out.read_bytes())
    assert doc["format"] == "srojournal-contribution" and doc["period"] == "2026-03"
    qtbot.waitUntil(lambda: "2026-03 is contributed" in card.state.text())
    assert "2025-26: ε 1.0 of 12 (1 month)" in card.ledger.text()
    again = tmp_path / "again.json"
    card.export("json", again)
    qtbot.waitUntil(lambda: again.exists(), timeout=20000)
    assert again.read_bytes() == out.read_bytes()
    assert BudgetLedger(vault.journal).spent("2025-26") == Decimal("1.0")
    page.grab().save(str(tmp_path / "reports.png"))


def test_changing_epsilon_needs_a_confirmation(qtbot, session, vault, data, show) -> None:
    page = show(ReportsPage(session))
    card = page.contribution
    qtbot.waitUntil(lambda: card.apply_epsilon.isEnabled())
    card.epsilon.setFocus()
    card.epsilon.selectAll()
    QTest.keyClicks(card.epsilon, "0.5")
    QTest.keyClick(card.epsilon, Qt.Key.Key_Tab)
    qtbot.mouseClick(card.apply_epsilon, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: card.findChild(QMessageBox, "confirmBox") is not None)
    assert BudgetLedger(vault.journal).epsilon() == Decimal("1.0")  # not before the answer
    box = card.findChild(QMessageBox, "confirmBox")
    qtbot.mouseClick(box.findChild(QPushButton, "confirmAccept"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "ε per month is now 0.5, the yearly cap 12" in card.message.text())
    assert BudgetLedger(vault.journal).epsilon() == Decimal("0.5")
    # The yearly cap, the same way.
    card.cap.setFocus()
    card.cap.selectAll()
    QTest.keyClicks(card.cap, "6")
    qtbot.mouseClick(card.apply_epsilon, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(_open_boxes(card)) == 1)
    [box] = _open_boxes(card)
    assert "a yearly cap of 6" in box.text() and "ε =" not in box.text()
    qtbot.mouseClick(box.findChild(QPushButton, "confirmAccept"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: BudgetLedger(vault.journal).yearly_cap() == Decimal("6"))
    assert "(yearly cap 6)" in card.ledger.text()
    assert "contribution_epsilon_changed" in [e.action for e in vault.journal.audit_entries()]
