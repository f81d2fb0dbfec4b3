"""File > Import… and File > Export journal…, driven from the keyboard like an officer would."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from srojournal.ui.importer.export_dialog import ExportDialog
from srojournal.ui.importer.wizard import ImportWizard
from srojournal.ui.session import Session
from srojournal.vault import mappings
from srojournal.vault.store import Vault
from tests import spreadsheets as sheets
from tests.records import NO_CONTACT, add_every_kind, assert_same_records, journal_records

from .conftest import CHEAP_KDF, PASSPHRASE, add_contact, unlock

pytestmark = pytest.mark.qt_log_ignore(
    r"This plugin does not support (propagateSizeHints|raise|grabbing)"
)


def _wizard(qtbot, vault: Vault) -> ImportWizard:
    w = ImportWizard(Session(vault))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def _type_path(qtbot, w: ImportWizard, path: Path) -> None:
    qtbot.keyClicks(w.path_edit, str(path))
    qtbot.keyClick(w.path_edit, Qt.Key.Key_Return)


def _snap(w, tmp_path: Path, name: str) -> None:
    image = w.grab()
    assert not image.isNull()
    image.save(str(tmp_path / f"{name}.png"))


SHEET = [
    ("Date", "Time in", "Type of contact", "School", "Student(s)", "Grade", "Comments about it"),
    ("3/4/2026", "2:30 PM", "Mentor mtg", "Lincoln MS", "Sam R", "7", "talked about goals"),
    ("5/6/2026", "9:05 AM", "Mentor mtg", "Lincoln MS", "JD", "7", "follow-up chat"),
]


def test_import_with_columns_labels_and_dates_chosen_from_the_keyboard(
    qtbot, open_vault, tmp_path
) -> None:
    path = sheets.excel_us_csv(tmp_path / "log.csv", SHEET)
    w = _wizard(qtbot, open_vault)
    _snap(w, tmp_path, "1-file")
    _type_path(qtbot, w, path)
    qtbot.waitUntil(lambda: w.step == 1, timeout=10_000)
    _snap(w, tmp_path, "2-columns")
    notes_combo = w.column_combos[6]
    assert notes_combo.currentData() is None  # "Comments about it" is no synonym
    notes_combo.setFocus()
    qtbot.keyClicks(notes_combo, "N")  # picks "Notes" by its first letter
    assert notes_combo.currentData() == "notes"
    qtbot.keyClick(notes_combo, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.step == 2, timeout=10_000)
    _snap(w, tmp_path, "3-labels")
    assert w.date_combo is not None and w.date_combo.hasFocus()
    qtbot.keyClicks(w.date_combo, "M")  # "Month first, as in the US"
    labels = {u.value: combo for u, combo in w.value_combos}
    assert labels["Mentor mtg"].currentData() == "mentoring"  # suggested
    assert labels["Lincoln MS"].currentData() == "Lincoln Middle"
    qtbot.keyClick(w.date_combo, Qt.Key.Key_Tab)
    assert labels["Lincoln MS"].hasFocus()
    qtbot.keyClick(labels["Lincoln MS"], Qt.Key.Key_Tab)
    assert labels["Mentor mtg"].hasFocus()
    qtbot.keyClick(labels["Mentor mtg"], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.step == 3, timeout=10_000)
    _snap(w, tmp_path, "4-preview")
    assert w.counts_label.text().startswith("Ready to import: 2 contacts · 1 new students")
    assert w.rows_table.item(0, 1).text() == "2026-03-04 14:30"
    assert w.rows_table.item(1, 1).text() == "2026-05-06 09:05"
    w.save_check.setFocus()
    qtbot.keyClick(w.save_check, Qt.Key.Key_Space)
    qtbot.keyClick(w.save_check, Qt.Key.Key_Tab)
    qtbot.keyClicks(w.save_name, "Monthly log")
    qtbot.keyClick(w.save_name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.done_ok, timeout=20_000)
    _snap(w, tmp_path, "5-done")
    assert "Imported 2 contacts" in w.progress_label.text()
    j = open_vault.journal
    rows = sorted(j.list_contacts(), key=lambda r: r.occurred_at)
    assert [(r.occurred_at.isoformat(), r.type_code, r.school) for r in rows] == [
        ("2026-03-04T14:30:00", "mentoring", "Lincoln Middle"),
        ("2026-05-06T09:05:00", "mentoring", "Lincoln Middle"),
    ]
    assert j.contact(rows[0].id).notes == "talked about goals"
    assert j.counts().students == 3  # JD existed; Sam R is new
    saved = mappings.load(j, "Monthly log")
    assert saved is not None and saved.values["type"] == {"Mentor mtg": "mentoring"}
    # Next month's sheet of the same shape is mapped the same way without asking.
    nxt = sheets.excel_us_csv(tmp_path / "next.csv", SHEET[:2])
    w2 = _wizard(qtbot, open_vault)
    _type_path(qtbot, w2, nxt)
    qtbot.waitUntil(lambda: w2.step == 1, timeout=10_000)
    assert w2.column_combos[6].currentData() == "notes"
    qtbot.keyClick(w2.column_combos[0], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w2.step == 3, timeout=10_000)
    assert w2.preview is not None and w2.preview.ok


def test_unknown_school_is_added_only_when_the_officer_says_so(qtbot, open_vault, tmp_path) -> None:
    rows = [("Date", "Type", "School"), ("2026-03-02", "mentoring", "Oak Grove")]
    w = _wizard(qtbot, open_vault)
    _type_path(qtbot, w, sheets.excel_us_csv(tmp_path / "s.csv", rows))
    qtbot.waitUntil(lambda: w.step == 1, timeout=10_000)
    qtbot.keyClick(w.column_combos[0], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.step == 2, timeout=10_000)
    [(u, combo)] = w.value_combos
    assert u.value == "Oak Grove" and combo.currentData() is None
    qtbot.keyClick(combo, Qt.Key.Key_Return)  # nothing chosen: the wizard says so and stays
    assert w.step == 2 and "Oak Grove" in w.error.text()
    qtbot.keyClicks(combo, "A")  # "Add it to the school list"
    qtbot.keyClick(combo, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.step == 3, timeout=10_000)
    assert "1 new school (Oak Grove)" in w.counts_label.text()
    qtbot.keyClick(w.next_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.done_ok, timeout=20_000)
    assert [s.name for s in open_vault.journal.schools()] == ["Lincoln Middle", "Oak Grove"]


def test_problems_are_listed_with_their_lines_and_nothing_can_be_imported(
    qtbot, open_vault, tmp_path
) -> None:
    rows = [("Date", "Type", "School"), ("2026-02-30", "mentoring", "Lincoln Middle")]
    rows += [("2026-03-02", "mentoring", "=HYPERLINK(1)")]
    w = _wizard(qtbot, open_vault)
    _type_path(qtbot, w, sheets.excel_us_csv(tmp_path / "p.csv", rows))
    qtbot.waitUntil(lambda: w.step == 1, timeout=10_000)
    qtbot.keyClick(w.column_combos[0], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.step == 3, timeout=10_000)
    _snap(w, tmp_path, "problems")
    items = [w.problems.item(i).text() for i in range(w.problems.count())]
    assert items[0].startswith("line 2: Date: not a real date")
    assert items[1].startswith("line 3: School: A school name cannot start with")
    assert not w.next_button.isEnabled()
    assert open_vault.journal.counts().contacts == 0


def test_a_bad_file_keeps_the_officer_on_the_first_step(qtbot, open_vault, tmp_path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a workbook")
    w = _wizard(qtbot, open_vault)
    _type_path(qtbot, w, bad)
    qtbot.waitUntil(lambda: w.error.isVisible(), timeout=10_000)
    assert w.step == 0 and "damaged" in w.error.text()


def test_cancel_during_the_import_writes_nothing(qtbot, open_vault, tmp_path) -> None:
    rows = [("date", "type", "school", "students", "notes")]
    rows += [(f"2026-03-{1 + i % 28:02d}", "mentoring", "Lincoln Middle", f"S{i % 300}", "n")
             for i in range(12_000)]  # fmt: skip
    w = _wizard(qtbot, open_vault)
    _type_path(qtbot, w, sheets.excel_us_csv(tmp_path / "big.csv", rows))
    qtbot.waitUntil(lambda: w.step == 1, timeout=20_000)
    qtbot.keyClick(w.column_combos[0], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.step == 3, timeout=20_000)
    qtbot.keyClick(w.next_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.progress.value() > 0, timeout=20_000)
    assert w.cancel_button.hasFocus()
    qtbot.keyClick(w.cancel_button, Qt.Key.Key_Space)
    qtbot.waitUntil(
        lambda: w.progress_label.text() == "Cancelled: nothing was imported.", timeout=20_000
    )
    j = open_vault.journal
    assert j.counts().contacts == 0 and j.counts().students == 2
    assert "import" not in [e.action for e in j.audit_entries()]
    assert j.verify().contacts == 0


def test_an_entry_saved_while_an_import_is_cancelled_is_kept(qtbot, open_vault, tmp_path) -> None:
    """The import writes on the session's worker; an entry saved meanwhile (on the window's
    thread) waits its turn and is not part of the import's transaction: Cancel rolls back the
    import only."""
    from srojournal.ui.entry import QuickEntryDialog

    rows = [("date", "type", "school", "students", "notes")]
    rows += [(f"2026-03-{1 + i % 28:02d}", "mentoring", "Lincoln Middle", f"S{i % 300}", "n")
             for i in range(12_000)]  # fmt: skip
    session = Session(open_vault)
    w = ImportWizard(session)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    _type_path(qtbot, w, sheets.excel_us_csv(tmp_path / "big.csv", rows))
    qtbot.waitUntil(lambda: w.step == 1, timeout=20_000)
    qtbot.keyClick(w.column_combos[0], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.step == 3, timeout=20_000)
    qtbot.keyClick(w.next_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.progress.value() > 0, timeout=20_000)
    assert session.runner.busy

    entry = QuickEntryDialog(session, restore_draft=False)
    entry.show()
    entry.type_edit.set_value("relationship")
    qtbot.keyClicks(entry.notes, "Saved while the import ran")
    with qtbot.waitSignal(entry.saved, timeout=30_000) as saved:
        qtbot.keyClick(entry.notes, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert "as soon as" in entry.form_error.text()  # waits behind the import
        qtbot.keyClick(w.cancel_button, Qt.Key.Key_Space)
    qtbot.waitUntil(
        lambda: w.progress_label.text() == "Cancelled: nothing was imported.", timeout=20_000
    )
    j = open_vault.journal
    assert j.counts().contacts == 1
    assert j.contact(saved.args[0]).notes == "Saved while the import ran"
    assert "import" not in [e.action for e in j.audit_entries()]
    assert j.verify().contacts == 1


def test_export_asks_the_passphrase_warns_and_writes_0600(qtbot, open_vault, tmp_path) -> None:
    add_contact(open_vault, "private note about the trombone")
    d = ExportDialog(Session(open_vault))
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    _snap(d, tmp_path, "export")
    [warning] = [lbl for lbl in d.findChildren(QLabel) if "not encrypted" in lbl.accessibleName()]
    assert "NOT encrypted" in warning.text() and "not checked" in warning.text()
    out = tmp_path / "mine.csv"
    qtbot.keyClicks(d.path_edit, str(out))
    qtbot.keyClicks(d.passphrase, "not the passphrase at all")
    qtbot.keyClick(d.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: d.error.isVisible(), timeout=20_000)
    assert "not the passphrase" in d.error.text() and not out.exists()
    assert d.passphrase.text() == ""
    qtbot.keyClicks(d.passphrase, PASSPHRASE)
    with qtbot.waitSignal(d.exported, timeout=20_000):
        qtbot.keyClick(d.passphrase, Qt.Key.Key_Return)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "trombone" in out.read_text(encoding="utf-8-sig")
    assert "journal_exported" in [e.action for e in open_vault.journal.audit_entries()]


def test_round_trip_through_the_export_and_the_wizard(qtbot, open_vault, tmp_path) -> None:
    from srojournal.demo import populate

    populate(open_vault.journal, contacts=150, students=30, schools=2, years=0.5, seed=3)
    add_every_kind(open_vault.journal)
    out = tmp_path / "journal.csv"
    d = ExportDialog(Session(open_vault))
    qtbot.addWidget(d)
    d.show()
    qtbot.keyClicks(d.path_edit, str(out))
    qtbot.keyClicks(d.passphrase, PASSPHRASE)
    with qtbot.waitSignal(d.exported, timeout=20_000):
        qtbot.keyClick(d.passphrase, Qt.Key.Key_Return)
    fresh, _ = Vault.create(tmp_path / "fresh", PASSPHRASE, kdf=CHEAP_KDF, allow_weak_kdf=True)
    try:
        w = _wizard(qtbot, fresh)
        _type_path(qtbot, w, out)
        qtbot.waitUntil(lambda: w.step == 1, timeout=10_000)
        qtbot.keyClick(w.column_combos[0], Qt.Key.Key_Return)  # the default mapping
        qtbot.waitUntil(lambda: w.step == 2, timeout=10_000)
        for _u, combo in w.value_combos:  # every school: add it to the new vault's list
            assert _u.field == "school"
            qtbot.keyClicks(combo, "A")
        qtbot.keyClick(w.value_combos[0][1], Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: w.step == 3, timeout=10_000)
        _snap(w, tmp_path, "records-preview")
        before = journal_records(open_vault.journal)
        assert all(before.values()), "the journal must hold every kind of record"
        counts = w.counts_label.text()
        assert f"{len(before['students'])} student records" in counts, counts
        assert f"{len(before['cases'])} conflict cases" in counts
        assert "3 new contact types" in counts
        qtbot.keyClick(w.next_button, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: w.done_ok, timeout=30_000)
        assert_same_records(before, journal_records(fresh.journal))
    finally:
        fresh.close()


def test_an_archived_students_records_chosen_from_the_keyboard(qtbot, open_vault, tmp_path) -> None:
    """A records request often comes after the student left: the archived student is found."""
    add_every_kind(open_vault.journal)
    d = ExportDialog(Session(open_vault))
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    d.activateWindow()
    qtbot.waitUntil(d.isActiveWindow)
    assert d.all_radio.hasFocus()
    qtbot.keyClick(d.all_radio, Qt.Key.Key_Down)  # the arrow moves to "One student's records"
    assert d.one_radio.isChecked() and d.student_edit.isEnabled()
    qtbot.keyClick(d.one_radio, Qt.Key.Key_Tab)
    assert d.student_edit.hasFocus()
    qtbot.keyClicks(d.student_edit, "wren")
    assert d.student_edit.suggestions() == [f"{NO_CONTACT} (Lincoln Middle, archived)"]
    qtbot.keyClick(d.student_edit, Qt.Key.Key_Down)
    qtbot.keyClick(d.student_edit, Qt.Key.Key_Return)
    assert d.student_id is not None
    out = tmp_path / "records.csv"
    qtbot.keyClicks(d.path_edit, str(out))
    qtbot.keyClicks(d.passphrase, PASSPHRASE)
    _snap(d, tmp_path, "export-one-student")
    with qtbot.waitSignal(d.exported, timeout=20_000):
        qtbot.keyClick(d.passphrase, Qt.Key.Key_Return)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 2 and lines[1].startswith(f"student,,,,,Lincoln Middle,,{NO_CONTACT},")
    assert "'=SUM(A1:A9) no contact yet" in lines[1] and ",yes," in lines[1]
    assert "0 contacts, 0 follow-ups and 0 conflict cases" in d.status.text()


def test_file_menu_opens_both_and_locking_closes_them(qtbot, window_factory, vault_dir) -> None:
    w = window_factory(vault_path=vault_dir)
    assert not w.act_import.isEnabled() and not w.act_export.isEnabled()
    unlock(qtbot, w)
    assert w.act_import.isEnabled() and w.act_export.isEnabled()
    w.act_import.trigger()
    assert isinstance(w.data_dialog, ImportWizard) and w.data_dialog.isVisible()
    w.lock("test")
    assert w.data_dialog is None
    unlock(qtbot, w)
    w.act_export.trigger()
    assert isinstance(w.data_dialog, ExportDialog)
    w.lock("test")
    assert w.data_dialog is None


def test_locking_during_an_import_rolls_it_back_and_keeps_the_typed_entry(
    qtbot, window_factory, vault_dir, tmp_path
) -> None:
    rows = [("date", "type", "school", "students", "notes")]
    rows += [(f"2026-03-{1 + i % 28:02d}", "mentoring", "Lincoln Middle", f"S{i % 300}", "n")
             for i in range(12_000)]  # fmt: skip
    w = window_factory(vault_path=vault_dir)
    unlock(qtbot, w)
    w.act_import.trigger()
    wiz = w.data_dialog
    assert isinstance(wiz, ImportWizard)
    _type_path(qtbot, wiz, sheets.excel_us_csv(tmp_path / "big.csv", rows))
    qtbot.waitUntil(lambda: wiz.step == 1, timeout=20_000)
    qtbot.keyClick(wiz.column_combos[0], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: wiz.step == 3, timeout=20_000)
    qtbot.keyClick(wiz.next_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: wiz.progress.value() > 0, timeout=20_000)
    w.open_quick_entry()
    qtbot.waitUntil(lambda: w.entry is not None)
    qtbot.keyClicks(w.entry.notes, "typed while importing")
    w.lock("idle")
    with Vault.open(vault_dir, PASSPHRASE) as v:
        assert v.journal.counts().contacts == 0  # the import was rolled back
        assert "typed while importing" in (v.journal.load_draft("entry:new") or "")
