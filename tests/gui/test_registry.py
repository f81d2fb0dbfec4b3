"""The page registry: every listed page loads; an import error is a bug, never hidden."""

from __future__ import annotations

import sys
import types

import pytest

from srojournal.ui.pages import PageSpec, available_pages


def test_import_errors_are_not_hidden(monkeypatch, tmp_path):
    broken = types.ModuleType("srojournal.ui.brokenpage")
    monkeypatch.setitem(sys.modules, "srojournal.ui.brokenpage", broken)
    spec = PageSpec("broken", "srojournal.ui.brokenpage", "Missing", "Ctrl+9")
    with pytest.raises(AttributeError):
        available_pages((spec,))
    # A page that exists but needs a missing dependency is a bug, not a missing page.
    (tmp_path / "depfail_page_mod.py").write_text("import a_dependency_that_is_not_installed\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    dep = PageSpec("dep", "depfail_page_mod", "X", "Ctrl+9")
    with pytest.raises(ModuleNotFoundError):
        available_pages((dep,))


def test_full_window_builds_every_available_page(qtbot, window_factory, vault_dir):
    from srojournal.ui.pages import PAGE_SPECS

    from .conftest import unlock

    w = window_factory(vault_path=vault_dir, page_specs=PAGE_SPECS)
    unlock(qtbot, w)
    assert "journal" in w.pages
    for key in w.pages:
        assert w.show_page(key) is w.pages[key]
    w.lock()
    assert w.pages == {}


def test_page_refreshes_only_for_its_kinds_and_on_show(qtbot, open_vault):
    from srojournal.ops.changes import Change
    from srojournal.ui.page import Page
    from srojournal.ui.session import Session

    class Counting(Page):
        refreshed_by = Change.CASES
        refresh_on_show = True

        def __init__(self, session: Session) -> None:
            super().__init__(session)
            self.refreshes = 0

        def refresh(self) -> None:
            self.refreshes += 1

    session = Session(open_vault)
    page = Counting(session)
    qtbot.addWidget(page)
    session.notify(Change.CASES)
    assert page.refreshes == 0  # hidden pages wait
    page.show()
    assert page.refreshes == 1  # shown: reload
    session.notify(Change.SETTINGS)
    assert page.refreshes == 1  # not its kind
    session.notify(Change.CASES)
    assert page.refreshes == 2
