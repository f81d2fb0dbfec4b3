"""GUI test fixtures: real vault files in tmp_path (cheap KDF), real widgets, offscreen Qt.

QSettings and every standard location point into tmp_path, so no test touches a real profile.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from srojournal.ui import theme

# Bundled fonts before the QApplication exists (the Makefile may point elsewhere).
os.environ["QT_QPA_FONTDIR"] = str(theme.fonts_dir())
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QApplication

from srojournal.domain.models import ContactInput, ContactStudent
from srojournal.ui.pages import PAGE_SPECS
from srojournal.ui.qsettings import AppSettings
from srojournal.vault.store import Vault
from tests.conftest import CHEAP_KDF, PASSPHRASE  # the one definition, re-exported here

JOURNAL_ONLY = tuple(s for s in PAGE_SPECS if s.key == "journal")


HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The offscreen platform plugin warns that it cannot propagate size hints, raise windows or
    # grab the keyboard (shown windows, completer popups): that is the test platform talking.
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(
                pytest.mark.qt_log_ignore(
                    r"This plugin does not support (propagateSizeHints|raise|grabbing)"
                )
            )


@pytest.fixture(scope="session")
def qapp_args() -> list[str]:
    return ["srojournal-tests"]


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, qapp: QApplication) -> Iterator[None]:
    from srojournal.app import configure_application

    QStandardPaths.setTestModeEnabled(True)
    settings_dir = tmp_path / "qsettings"
    settings_dir.mkdir()
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(settings_dir))
    configure_application(qapp, "light")
    yield


@pytest.fixture
def settings() -> AppSettings:
    return AppSettings()


@pytest.fixture
def vault_dir(tmp_path: Path) -> Path:
    """A vault with one school and two students, closed again (as on disk)."""
    folder = tmp_path / "vault"
    vault, _code = Vault.create(folder, PASSPHRASE, kdf=CHEAP_KDF, allow_weak_kdf=True)
    j = vault.journal
    school = j.add_school("Lincoln Middle")
    j.add_student("JD", school, "7")
    j.add_student("MK", school, "8")
    vault.close()
    return folder


@pytest.fixture
def open_vault(vault_dir: Path) -> Iterator[Vault]:
    vault = Vault.open(vault_dir, PASSPHRASE)
    yield vault
    if vault.is_open:
        vault.close()


def add_contact(vault: Vault, notes: str, **kw: object) -> int:
    j = vault.journal
    school = j.school_id_by_name("Lincoln Middle")
    assert school is not None
    data = ContactInput(
        occurred_at=kw.pop("occurred_at", dt.datetime(2026, 3, 2, 10, 0)),  # type: ignore[arg-type]
        school_id=school,
        type_code=str(kw.pop("type_code", "mentoring")),
        students=tuple(ContactStudent(s) for s in kw.pop("students", ())),  # type: ignore[attr-defined]
        notes=notes,
        **kw,  # type: ignore[arg-type]
    )
    return j.add_contact(data)


@pytest.fixture
def window_factory(qtbot, settings):
    """Build a MainWindow with test settings (cheap KDF, journal page only unless asked)."""
    from srojournal.ui.main_window import MainWindow

    made: list[MainWindow] = []

    def make(**kw: object) -> MainWindow:
        kw.setdefault("kdf", CHEAP_KDF)
        kw.setdefault("allow_weak_kdf", True)
        kw.setdefault("connect_system_signals", False)
        kw.setdefault("page_specs", JOURNAL_ONLY)
        w = MainWindow(settings, **kw)  # type: ignore[arg-type]
        qtbot.addWidget(w)
        w.show()
        made.append(w)
        return w

    yield make
    for w in made:
        if not w.is_locked:
            w.lock("test teardown")
        w.autolock.shutdown()


def unlock(qtbot, window, passphrase: str = PASSPHRASE) -> None:
    screen = window.unlock_screen
    assert screen.current_view() == "unlock"
    screen.passphrase.setText(passphrase)
    with qtbot.waitSignal(window.unlocked, timeout=10_000):
        screen.unlock_btn.click()
