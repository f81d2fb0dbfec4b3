"""The attacks on released summaries, each crafted as a month and run by an outside reader.

The reader (``attacker.py``) knows the published format and the algorithm, treats every hidden
non-empty cell as at least 1, and solves integer programs over everything released. It shares no
code with the suppression: it derives its own relations from the JSON.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from srojournal.domain.facts import MonthFacts
from srojournal.domain.models import ContactFilter
from srojournal.reporting.errors import ReportRejected
from srojournal.reporting.service import export_month
from srojournal.vault.store import Vault

from .attacker import Reader, oracles
from .conftest import busy_month
from .factories import FactsBuilder, random_facts
from .vault_facts import FactsWriter

PERIOD = "2026-03"


def reader(releases: list[bytes], *facts: MonthFacts, monotone: bool = True) -> Reader:
    """The outside reader, told what colleagues know about the facts behind each release."""
    return oracles(*facts).reader(releases, monotone=monotone)


def released(vault: Vault, facts: MonthFacts) -> bytes:
    FactsWriter(vault.journal).write(facts)
    return export_month(vault.journal, facts.period, "json")


def test_lower_bound_one_pins_a_hidden_cell(vault: Vault) -> None:
    """Attack 1: hidden cells are at least 1 when the reader knows they are non-empty.

    Row "Washington Middle" has two small hidden cells (1 and 2 contacts) beside a published
    row total of 3 and published zeros: with a lower bound of 0 each could be 0..3, with the
    lower bound of 1 the reader knows each is 1 or 2.
    """
    b = busy_month()
    b.contact("welfare_assist", [91], outcome_group="resolved", school=b.schools[1])
    b.contact("deescalation", [92, 93], outcome_group="resolved", school=b.schools[1], times=2)
    facts = b.build()
    out = released(vault, facts)
    findings = reader([out], facts).attack()
    assert findings == []


def test_group_attribute_diluted_by_group_activities(vault: Vault) -> None:
    """Attack 2: the only student-linked safety contacts are twelve citations; drills and event
    duty (no students) pad the safety row. T1 safety/_all − T6 drills − event duty must not
    equal safety/enforcement for every value the reader cannot exclude."""
    b = busy_month()
    b.contacts = [c for c in b.contacts if c.category != "safety"]
    for s in range(60, 72):
        b.contact("investigation", [s], outcome_group="enforcement", band="high")
    b.contact("safety_check", [], outcome_group="none", times=6)
    b.contact("event_duty", [], outcome_group="resolved", times=5)
    facts = b.build()
    out = released(vault, facts)
    findings = reader([out], facts).attack()
    assert findings == []


def test_one_contact_ten_students_one_citation(vault: Vault) -> None:
    """Attack 3: the outcome belongs to the contact, so all ten students share the citation."""
    b = busy_month()
    for s in range(1, 31):
        b.contact("deescalation", [s], outcome_group="resolved", band="middle")
    for s in range(101, 116):
        b.contact("investigation", [s], outcome_group="enforcement", band="high")
        b.contact("welfare_assist", [s + 100], outcome_group="resolved", band="high")
    b.contact("mediation", list(range(70, 80)), outcome_group="enforcement", band="middle")
    facts = b.build()
    out = released(vault, facts)
    findings = reader([out], facts).attack()
    assert findings == []


def test_revision_after_one_late_arrest_is_refused(vault: Vault) -> None:
    """Attack 4: release 1 and a revision after one late arrest differ by one student's profile.

    The revision is refused with a message that says how many students the changes concern and
    where they will be counted instead; nothing is stored."""
    writer = FactsWriter(vault.journal)
    writer.write(busy_month().build())
    export_month(vault.journal, PERIOD, "json")
    late = FactsBuilder().contact(
        "investigation", [500], outcome_group="enforcement", referrals=["juvenile_court"]
    )
    writer.write(late.build())
    with pytest.raises(ReportRejected) as err:
        export_month(vault.journal, PERIOD, "json", revise=True)
    message = str(err.value)
    assert "1 student" in message
    assert "2026-Q1" in message and "2025-26" in message
    assert len(vault.journal.releases(PERIOD)) == 1


def test_revision_with_an_edit_that_lowers_a_value_is_refused(vault: Vault) -> None:
    """An edited outcome (a published value goes down) is a change like any other."""
    writer = FactsWriter(vault.journal)
    writer.write(busy_month().build())
    export_month(vault.journal, PERIOD, "json")
    j = vault.journal
    rows = j.list_contacts(
        ContactFilter(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31)), limit=1000
    )
    target = next(r for r in rows if j.contact(r.id).outcome in ("resolved", "no_action"))
    contact = j.contact(target.id)
    j.update_contact(target.id, dataclasses.replace(contact.to_input(), outcome="citation"))
    with pytest.raises(ReportRejected) as err:
        export_month(j, PERIOD, "json", revise=True)
    assert "1 student" in str(err.value)
    assert len(j.releases(PERIOD)) == 1


def test_revision_differencing_does_not_single_out_a_changed_record(vault: Vault) -> None:
    """Enough students changed to allow a revision, but one of them is a lone late arrest and one
    edit lowers a published value: the reader differencing the two releases must not pin the
    arrest's cells, and every hidden cell of both releases stays protected."""
    j = vault.journal
    writer = FactsWriter(j)
    first_facts = busy_month().build()
    writer.write(first_facts)
    first = export_month(j, PERIOD, "json")
    rows = j.list_contacts(
        ContactFilter(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31)), limit=1000
    )
    edited = next(r for r in rows if j.contact(r.id).type_code == "mentoring")
    contact = j.contact(edited.id)
    j.update_contact(edited.id, dataclasses.replace(contact.to_input(), outcome="no_action"))
    late = FactsBuilder()
    for s in range(600, 615):
        late.contact("relationship", [s], outcome_group="resolved", band="middle")
    late.contact("investigation", [700], outcome_group="enforcement", referrals=["juvenile_court"])
    writer.write(late.build())
    second = export_month(j, PERIOD, "json", revise=True)
    now = j.month_facts(PERIOD)
    both = reader([first, second], first_facts, now, monotone=False)
    assert both.attack() == []
    for table, coords in (
        ("T1", ("safety", "enforcement")),
        ("T4", ("juvenile_court",)),
        ("T3", ("high", "safety")),
    ):
        assert both.delta_interval(0, 1, table, coords) >= 3, (table, coords)


@pytest.mark.parametrize("seed", range(12))
def test_generated_months_resist_the_reader(seed: int) -> None:
    """Realistic months (seeded): every hidden non-empty cell keeps at least 3 possible values."""
    from srojournal.reporting.render_json import render_summary_json
    from srojournal.reporting.suppression import suppress_facts

    facts = random_facts(seed, n_contacts=60 + 7 * seed, n_students=18 + 3 * seed)
    facts = dataclasses.replace(facts, period=PERIOD)
    summary = suppress_facts(facts, 10)
    out = render_summary_json(summary)
    assert reader([out], facts).attack() == []
