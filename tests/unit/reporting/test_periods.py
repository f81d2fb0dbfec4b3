"""Quarter releases on a real vault: computed from the journal, audited with the months."""

from __future__ import annotations

import pytest

from srojournal.domain.facts import MonthFacts
from srojournal.reporting.errors import AuditFailed, ReportRejected
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


def _months_with_six_regulars(j) -> None:
    """Three busy months in which the same six students have a mentoring follow-up each month:
    published at k=5 month by month, fewer than 10 students over the quarter."""
    writer = FactsWriter(j)
    for month in MONTHS:
        b = busy_month(month)
        for s in range(500, 506):
            b.contact("mentoring_followup", [s], outcome_group="follow_up", band="high")
        writer.write(b.build())


def test_a_quarter_after_the_threshold_was_raised_is_refused_with_what_to_do(vault: Vault) -> None:
    """Months released at k=5, then k raised to 10: numbers the quarter would have to hide are
    sums of published months. No suppression can hide them; the officer is told why and what to
    do, not asked to report a bug, and nothing is stored."""
    j = vault.journal
    _months_with_six_regulars(j)
    j.set_setting("report_threshold", "5")
    months = [export_month(j, m, "json") for m in MONTHS]
    j.set_setting("report_threshold", "10")
    with pytest.raises(ReportRejected) as refused:
        export_summary(j, "2026-Q1", "json")
    assert not isinstance(refused.value, AuditFailed)
    message = str(refused.value)
    assert "report threshold" in message and "10" in message and "5" in message
    assert "2026-01" in message and "bug" not in message
    assert j.releases("2026-Q1") == []
    j.set_setting("report_threshold", "5")  # as the message says: the months' threshold
    quarter = export_summary(j, "2026-Q1", "json")
    assert b'"threshold": 5' in quarter
    facts = [j.month_facts(m) for m in MONTHS]
    reader = oracles(*facts, combine_months("2026-Q1", facts)).reader([*months, quarter])
    assert reader.attack() == []  # at the months' threshold, nothing hidden is narrowed


def test_a_month_revised_after_its_school_was_renamed(vault: Vault) -> None:
    """A school renamed after its month was released: late entries for that month are still
    released as a revision (the older release's contacts are followed to the new name), and
    the revision names the school by its new name."""
    j = vault.journal
    FactsWriter(j).write(busy_month("2026-03").build())
    before = j.month_facts("2026-03")
    first = export_month(j, "2026-03", "json")
    school = j.schools()[0]
    j.rename_school(school.id, school.name + " Campus")
    late = busy_month("2026-03")
    for s in range(700, 712):
        late.contact("relationship", [s], outcome_group="resolved", school=school.name + " Campus")
    FactsWriter(j).write(MonthFacts("2026-03", late.build().contacts[-12:], (), ()))
    revision = export_summary(j, "2026-03", "json", revise=True)
    assert b'"release": 2' in revision
    assert (school.name + " Campus").encode() in revision
    # The outside attacker, who knows the algorithm, both releases and which cells are
    # non-empty, narrows no hidden number of either release and no change between them.
    after = j.month_facts("2026-03")
    assert oracles(before, after).reader([first, revision], monotone=True).attack() == []
