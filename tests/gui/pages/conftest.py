"""Fixtures for the page tests: a real vault in tmp_path (cheap KDF) and a session over it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import CHEAP_KDF, PASSPHRASE  # the one definition, re-exported here

from srojournal.domain.models import ContactInput, ContactStudent
from srojournal.ui.session import Session
from srojournal.vault.store import Vault

TODAY = dt.date(2026, 3, 18)


@pytest.fixture
def vault_dir(tmp_path: Path) -> Path:
    return tmp_path / "v"


@pytest.fixture
def vault(vault_dir: Path) -> Iterator[Vault]:
    v, _code = Vault.create(vault_dir, PASSPHRASE, kdf=CHEAP_KDF, allow_weak_kdf=True)
    yield v
    if v.is_open:
        v.close()


@pytest.fixture
def session(vault: Vault, qtbot) -> Iterator[Session]:
    s = Session(vault)
    s.today = lambda: TODAY  # type: ignore[method-assign]
    yield s
    # As the window does before it locks: finish the background work while the pages and the
    # vault still exist, so that no result reaches a page of a later test.
    s.runner.finish()
    s.runner.cancel_results()


class Data:
    """A few records most page tests need."""

    def __init__(self, vault: Vault) -> None:
        j = vault.journal
        self.school = j.add_school("Lincoln Middle")
        self.other_school = j.add_school("Roosevelt High")
        self.ana = j.add_student("AB", self.school, "7", "likes chess")
        self.ben = j.add_student("CD", self.school, "8")
        self.cy = j.add_student("EF", self.other_school, "10")

    def contact(
        self, vault: Vault, *students: int, type_code: str = "mentoring", day: int = 10
    ) -> int:
        return vault.journal.add_contact(
            ContactInput(
                occurred_at=dt.datetime(2026, 3, day, 10, 30),
                school_id=self.school,
                type_code=type_code,
                students=tuple(ContactStudent(s) for s in students),
                duration_min=20,
                outcome="resolved",
                notes="Talked about the week",
            )
        )


@pytest.fixture
def data(vault: Vault) -> Data:
    return Data(vault)


@pytest.fixture
def show(qtbot):
    """Show a page the way the main window does (and make qtbot close it at the end)."""

    def _show(page):
        qtbot.addWidget(page)
        page.resize(1100, 700)
        page.show()
        qtbot.waitExposed(page)
        page.activateWindow()
        qtbot.waitUntil(page.isActiveWindow)
        return page

    return _show
