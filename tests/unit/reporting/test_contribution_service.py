"""Contributions on a real vault: frozen like releases, budgeted per school year, leak-checked."""

from __future__ import annotations

from decimal import Decimal

import pytest

from srojournal.reporting.contribution_io import parse_contribution_json
from srojournal.reporting.contribution_service import contribution_status, export_contribution
from srojournal.reporting.errors import LeakFound, ReportRejected
from srojournal.reporting.service import export_month
from srojournal.vault.budget import BudgetLedger, parse_cap, parse_epsilon
from srojournal.vault.errors import InvalidInput
from srojournal.vault.store import Vault

from .conftest import busy_month
from .vault_facts import FactsWriter


@pytest.fixture
def ledger(vault: Vault) -> BudgetLedger:
    writer = FactsWriter(vault.journal)
    for period in ("2025-10", "2025-11", "2026-09"):
        writer.write(busy_month(period).build())
    return BudgetLedger(vault.journal)


def test_first_export_freezes_and_spends_later_exports_repeat_for_free(
    vault: Vault, ledger: BudgetLedger
) -> None:
    j = vault.journal
    assert ledger.spent("2025-26") == 0
    first = export_contribution(j, ledger, "2025-10", "json")
    assert ledger.spent("2025-26") == Decimal("1.0")
    again = export_contribution(j, ledger, "2025-10", "json")
    assert again == first
    csv1 = export_contribution(j, ledger, "2025-10", "csv")
    assert csv1 == export_contribution(j, ledger, "2025-10", "csv")
    assert ledger.spent("2025-26") == Decimal("1.0")
    stored = ledger.stored("2025-10")
    assert stored is not None and stored.content == first
    assert parse_contribution_json(first).period == "2025-10"
    actions = [e.action for e in j.audit_entries()]
    assert actions.count("contribution_released") == 1
    # Summaries are a separate product: no release was made, and a summary export stays intact.
    assert j.releases("2025-10") == []
    summary = export_month(j, "2025-10", "json")
    assert b'"srojournal-summary"' in summary and len(j.releases("2025-10")) == 1
    assert ledger.stored("2025-10") == stored


def test_an_export_past_the_yearly_cap_is_refused_and_spends_nothing(
    vault: Vault, ledger: BudgetLedger
) -> None:
    j = vault.journal
    ledger.set_yearly_cap(Decimal("1.5"))
    export_contribution(j, ledger, "2025-10", "json")
    status = contribution_status(ledger, "2025-11")
    assert not status.allowed and status.spent == Decimal("1.0")
    with pytest.raises(ReportRejected, match="privacy budget of school year 2025-26"):
        export_contribution(j, ledger, "2025-11", "json")
    assert ledger.stored("2025-11") is None
    assert ledger.spent("2025-26") == Decimal("1.0")
    # A new school year (from 1 July) has its own budget.
    export_contribution(j, ledger, "2026-09", "json")
    assert [(line.school_year, line.spent) for line in ledger.ledger()] == [
        ("2026-27", Decimal("1.0")),
        ("2025-26", Decimal("1.0")),
    ]
    # A frozen month re-exports even when the year is spent.
    assert export_contribution(j, ledger, "2025-10", "json")


def test_epsilon_setting_is_bounded_audited_and_used(vault: Vault, ledger: BudgetLedger) -> None:
    for bad in ("0.05", "2.5", "abc", "0.125", "nan"):
        with pytest.raises(InvalidInput):
            parse_epsilon(bad)
    for bad in ("0", "25", "x"):
        with pytest.raises(InvalidInput):
            parse_cap(bad)
    ledger.set_epsilon(Decimal("0.5"))
    assert ledger.epsilon() == Decimal("0.5")
    assert "contribution_epsilon_changed" in [e.action for e in vault.journal.audit_entries()]
    content = export_contribution(vault.journal, ledger, "2025-10", "json")
    assert parse_contribution_json(content).epsilon == Decimal("0.5")
    assert ledger.spent("2025-26") == Decimal("0.5")
    # A setting edited outside the app to a value out of bounds is refused, never used.
    vault.journal.set_setting("contribution_epsilon", "50")
    with pytest.raises(InvalidInput):
        ledger.epsilon()


def test_pdf_and_other_periods_are_refused(vault: Vault, ledger: BudgetLedger) -> None:
    with pytest.raises(ReportRejected, match="no PDF form"):
        export_contribution(vault.journal, ledger, "2025-10", "pdf")
    with pytest.raises(ReportRejected, match="one month"):
        export_contribution(vault.journal, ledger, "2025-Q4", "json")
    assert ledger.spent("2025-26") == 0


def test_leak_check_refuses_and_nothing_is_spent(vault: Vault, ledger: BudgetLedger) -> None:
    """A student called like a school: the school name in the file would name the student."""
    j = vault.journal
    school = j.school_id_by_name("Lincoln High")
    assert school is not None
    j.add_student("Lincoln", school, "10")
    with pytest.raises(LeakFound):
        export_contribution(j, ledger, "2025-10", "json")
    assert ledger.stored("2025-10") is None
    assert ledger.spent("2025-26") == 0


def test_a_school_name_a_roll_up_would_refuse_is_refused_at_export(
    vault: Vault, ledger: BudgetLedger
) -> None:
    # The school list refuses such a name today; a vault from before it may still hold one.
    with vault.transaction() as conn:
        conn.execute("INSERT INTO schools (name) VALUES ('=HYPERLINK(1)')")
    vault.journal.invalidate_caches()
    with pytest.raises(ReportRejected, match="cannot go into a contribution: A school name cannot"):
        export_contribution(vault.journal, ledger, "2025-10", "json")
    assert ledger.spent("2025-26") == 0
