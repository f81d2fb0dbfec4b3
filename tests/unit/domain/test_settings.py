"""Settings are declared once, with their range; stored values are read through the declaration."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from srojournal.domain import settings
from srojournal.vault.store import Vault


def test_a_key_cannot_be_declared_twice() -> None:
    with pytest.raises(ValueError, match="declared twice"):
        settings.IntSetting("autolock_minutes", 5, 1, 30, "again")


def test_the_declared_settings() -> None:
    declared = settings.declared()
    assert {
        "autolock_minutes",
        "report_threshold",
        "backup_dir",
        "last_daily_backup",
        "clipboard_timeout_seconds",
    } <= set(declared)
    clip = settings.CLIPBOARD_TIMEOUT_SECONDS
    assert (clip.default, clip.low, clip.high) == (30, 10, 600)
    k = settings.REPORT_THRESHOLD
    assert (k.default, k.low) == (10, 5)


def test_stored_values_are_clamped_or_defaulted(vault: Vault) -> None:
    j = vault.journal
    lock = settings.AUTOLOCK_MINUTES
    for stored, read in (("0", 1), ("45", 30), ("x", 5), ("", 5), ("7", 7)):
        j.set_setting(lock.key, stored)
        assert lock.read(j) == read
    j.set_setting(settings.REPORT_THRESHOLD.key, "ten")
    with pytest.raises(ValueError):
        settings.REPORT_THRESHOLD.read_strict(j)
    lock.write(j, 99)
    assert j.get_setting(lock.key) == "30"


def test_paths_and_dates_round_trip(vault: Vault, tmp_path: Path) -> None:
    j = vault.journal
    assert settings.BACKUP_DIR.read(j) is None
    settings.BACKUP_DIR.write(j, tmp_path / "bk")
    assert settings.BACKUP_DIR.read(j) == tmp_path / "bk"
    settings.BACKUP_DIR.write(j, None)
    assert settings.BACKUP_DIR.read(j) is None
    settings.LAST_DAILY_BACKUP.write(j, dt.date(2026, 3, 18))
    assert settings.LAST_DAILY_BACKUP.read(j) == dt.date(2026, 3, 18)


def test_bool_and_word_settings_read_what_they_wrote() -> None:
    store: dict[str, str] = {}

    class Store:
        def get_setting(self, key: str, default: str | None = None) -> str | None:
            return store.get(key, default)

        def set_setting(self, key: str, value: str) -> None:
            store[key] = value

    s = Store()
    assert settings.SPELL_CHECK.read(s) is True and settings.DEMO_VAULT.read(s) is False
    settings.SPELL_CHECK.write(s, False)
    assert settings.SPELL_CHECK.read(s) is False
    settings.PERSONAL_WORDS.write(s, ("zed", " Quill ", "Zed", "", "x" * 61))
    assert settings.PERSONAL_WORDS.read(s) == ("Quill", "zed")
    store["personal_dictionary"] = "{not json"
    assert settings.PERSONAL_WORDS.read(s) == ()  # unreadable: the default, never a crash
    store["spell_check_notes"] = "maybe"
    assert settings.SPELL_CHECK.read(s) is True
