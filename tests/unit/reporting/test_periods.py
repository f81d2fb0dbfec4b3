"""Quarter releases on a real vault: computed from the journal, audited with the months."""

from __future__ import annotations

from srojournal.reporting.service import export_month, export_summary
from srojournal.reporting.tables import combine_months
from srojournal.reporting.utility import information_loss, loss_line
from srojournal.vault.store import Vault

from .attacker import oracles
from .conftest import busy_month
from .vault_facts import FactsWriter

MONTHS = ("2026-01", "2026-02", "2026-03")


def test_a_referral_hidden_in_every_month_is_published_for_the_quarter(vault: Vault) -> None:
    j = vault.journal
    writer = FactsWriter(j)
    facts = []
    for n, month in enumerate(MONTHS):
        b = busy_month(month)
        for s in range(4):
            b.contact(
                "relationship", [300 + 10 * n + s], outcome_group="resolved",
                referrals=["juvenile_court"],
            )  # fmt: skip
            b.contact(
                "relationship", [400 + 10 * n + s], outcome_group="resolved",
                referrals=["counselor"],
            )  # fmt: skip
        writer.write(b.build())
        facts.append(j.month_facts(month))
    released = [export_month(j, m, "json") for m in MONTHS]
    for out in released:
        assert b'{"referral": "juvenile_court", "count": null, "status": "S"}' in out
    quarter = export_summary(j, "2026-Q1", "json")
    assert b'{"referral": "juvenile_court", "count": 12, "status": "ok"}' in quarter
    assert [r.number for r in j.releases("2026-Q1")] == [1]
    assert export_summary(j, "2026-Q1", "json") == quarter
    q_facts = combine_months("2026-Q1", facts)
    reader = oracles(*facts, q_facts).reader([*released, quarter])
    assert reader.attack() == []


def test_information_loss_per_table() -> None:
    from srojournal.reporting.suppression import suppress_facts
    from srojournal.reporting.tables import build_tables

    facts = busy_month().build()
    summary = suppress_facts(facts)
    losses = information_loss(summary, build_tables(facts))
    assert [x.table for x in losses] == ["T0", "T1", "T2", "T3", "T4", "T5", "T6"]
    t1 = losses[1]
    assert t1.cells == 54 and 0 < t1.hidden < t1.cells
    assert t1.units_total == len(busy_month().build().contacts)
    assert 0 <= t1.units_hidden_share <= 1
    assert "T1" in loss_line("2026-03", losses)
