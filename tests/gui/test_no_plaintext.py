"""After a full GUI session, no note or alias is readable anywhere outside the vault's cipher.

Create a vault, add an entry with distinctive text, search for it, leave a half-typed entry,
lock, unlock (daily backup), export a summary, quit — then scan the vault folder, the backups, the
temp directory, the settings files and every log record for the distinctive strings.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from srojournal.reporting.service import export_month
from srojournal.ui.pages import PAGE_SPECS

from .conftest import PASSPHRASE, unlock

ALIAS = "Quillfeather"
NOTE = "Zanzibar marmalade conversation about the trombone recital"
DRAFT = "Ultraviolet pineapple half typed sentence"


def _scan(root: Path, needles: list[bytes]) -> list[str]:
    hits = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        for needle in needles:
            if needle in data or needle.decode().encode("utf-16-le") in data:
                hits.append(f"{path.name}: {needle[:12]!r}")
    return hits


def test_full_session_leaves_no_plaintext(
    qtbot, window_factory, vault_dir, tmp_path, monkeypatch, caplog
):
    caplog.set_level(logging.DEBUG)
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(private_tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))

    w = window_factory(vault_path=vault_dir, page_specs=PAGE_SPECS)
    unlock(qtbot, w)
    qtbot.keyClick(w, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: w.entry is not None)
    d = w.entry
    d.student_search.setText(ALIAS)
    qtbot.keyClick(d.student_search, Qt.Key.Key_Return)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)  # the new student's grade
    qtbot.keyClicks(d.notes, NOTE)
    with qtbot.waitSignal(d.saved):
        d.save()
    qtbot.waitUntil(lambda: w.entry is None)
    page = w.page("journal")
    page.search.setText("trombone")
    qtbot.waitUntil(lambda: page.model.total == 1, timeout=5000)

    # A half-typed entry when the screen locks.
    qtbot.keyClick(w, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: w.entry is not None)
    qtbot.keyClicks(w.entry.notes, DRAFT)
    w.lock("screen locked")
    assert w.is_locked

    unlock(qtbot, w)  # the first unlock of the day also takes a backup
    qtbot.waitUntil(lambda: w.entry is not None)
    assert DRAFT in w.entry.notes.toPlainText()
    summary = tmp_path / "summary.json"
    summary.write_bytes(export_month(w.session.journal, "2026-03", "json"))
    w.lock("quit")

    needles = [s.encode() for s in (ALIAS, NOTE, "trombone", DRAFT, "Ultraviolet", PASSPHRASE)]
    places = [
        vault_dir,
        vault_dir.with_name(vault_dir.name + "-backups"),
        private_tmp,
        tmp_path / "qsettings",
        Path(os.environ["XDG_CONFIG_HOME"]),
        Path(os.environ["XDG_DATA_HOME"]),
        Path(os.environ["XDG_CACHE_HOME"]),
    ]
    assert places[1].is_dir()  # the daily backup exists and is scanned
    hits = [h for p in places if p.exists() for h in _scan(p, needles)]
    assert hits == []
    assert _scan(tmp_path, [b"Quillfeather"]) == []  # includes the exported summary
    for record in caplog.records:
        text = record.getMessage()
        for needle in (ALIAS, NOTE, "trombone", DRAFT, PASSPHRASE):
            assert needle not in text, record.name
    assert w.windowTitle() in ("SRO Journal", "Locked")  # no content in titles
