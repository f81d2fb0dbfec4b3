"""The synthetic demo journal: deterministic, realistic, and covering the whole taxonomy."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from srojournal.demo import DEFAULT_TODAY, DemoStats, populate
from srojournal.domain import taxonomy
from srojournal.domain.facts import MonthFacts
from srojournal.domain.models import ContactRow
from srojournal.vault.repo import Journal
from srojournal.vault.store import Vault
from tests.conftest import CHEAP_KDF, PASSPHRASE

ALIAS_RE = re.compile(r"^([A-Z]\.[A-Z]\. \d{2,3}|[A-Z][a-z]+ \d{2})$")


def _vault(folder: Path) -> Vault:
    vault, _code = Vault.create(folder, PASSPHRASE, kdf=CHEAP_KDF, allow_weak_kdf=True)
    return vault


def _months(start: dt.date, end: dt.date) -> list[str]:
    months = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _all_rows(journal: Journal) -> list[ContactRow]:
    return journal.list_contacts(limit=1_000_000)


def _all_facts(journal: Journal) -> list[MonthFacts]:
    return [journal.month_facts(p) for p in _months(dt.date(2024, 1, 1), DEFAULT_TODAY)]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Journal, DemoStats]]:
    vault = _vault(tmp_path_factory.mktemp("demo") / "v")
    try:
        stats = populate(vault.journal)
        yield vault.journal, stats
    finally:
        vault.close()


def test_counts_match_the_request(demo: tuple[Journal, DemoStats]) -> None:
    journal, stats = demo
    counts = journal.counts()
    assert stats.contacts == counts.contacts == 2500
    assert stats.students == counts.students == 300
    assert stats.follow_ups == counts.follow_ups > 0
    assert stats.schools == len(journal.schools()) == 3
    assert stats.templates == len(journal.templates()) > 0
    assert stats.conflict_cases == len(journal.conflict_cases()) > 0


def test_same_seed_gives_the_same_journal(demo: tuple[Journal, DemoStats], tmp_path: Path) -> None:
    journal, stats = demo
    other = _vault(tmp_path / "again")
    try:
        assert populate(other.journal) == stats
        assert _all_rows(other.journal) == _all_rows(journal)
        assert _all_facts(other.journal) == _all_facts(journal)
        assert other.journal.follow_ups(status=None) == journal.follow_ups(status=None)
        assert other.journal.conflict_cases() == journal.conflict_cases()
    finally:
        other.close()


def test_another_seed_gives_another_journal(
    demo: tuple[Journal, DemoStats], tmp_path: Path
) -> None:
    journal, _stats = demo
    other = _vault(tmp_path / "other")
    try:
        populate(other.journal, seed=8, contacts=300, students=60)
        assert _all_rows(other.journal)[:50] != _all_rows(journal)[:50]
    finally:
        other.close()


def test_every_type_outcome_and_referral_is_used(demo: tuple[Journal, DemoStats]) -> None:
    journal, _stats = demo
    rows = _all_rows(journal)
    types = Counter(r.type_code for r in rows)
    outcomes = Counter(r.outcome for r in rows if r.outcome)
    referrals = Counter(
        target for facts in _all_facts(journal) for c in facts.contacts for target in c.referrals
    )
    assert set(types) == set(taxonomy.BUILTIN_TYPE_CODES)
    assert set(outcomes) == set(taxonomy.OUTCOME_BY_CODE)
    assert set(referrals) == set(taxonomy.REFERRAL_TARGETS)
    # Realistic proportions: lots of relationship-building, few investigations, arrests rare.
    assert types["relationship"] > 5 * types["investigation"]
    assert outcomes["arrest"] < 0.01 * len(rows)
    assert outcomes["resolved"] + outcomes["no_action"] > len(rows) / 3


def test_follow_ups_in_every_state(demo: tuple[Journal, DemoStats]) -> None:
    journal, _stats = demo
    states = Counter(f.status for facts in _all_facts(journal) for f in facts.follow_ups)
    assert {"done_on_time", "done_late", "open", "cancelled"} <= set(states)
    assert states["done_on_time"] > states["done_late"] > 0
    buckets = journal.follow_ups_buckets(DEFAULT_TODAY)
    assert buckets["overdue"] or buckets["week"] or buckets["later"]


def test_mentoring_series_repeat_with_one_student(demo: tuple[Journal, DemoStats]) -> None:
    journal, stats = demo
    assert stats.mentoring_series > 0
    mentored = Counter(
        s.student_id
        for facts in _all_facts(journal)
        for c in facts.contacts
        if c.category == "mentoring"
        for s in c.students
    )
    assert max(mentored.values()) >= 4
    done = [f for f in journal.follow_ups(status="done") if f.done_contact_id is not None]
    assert done, "completing a mentoring follow-up logs the next session"
    session = journal.contact(done[0].done_contact_id or 0)
    assert session.type_code in ("mentoring", "mentoring_followup")


def test_conflict_cases_have_two_parties_and_agreements(demo: tuple[Journal, DemoStats]) -> None:
    journal, _stats = demo
    cases = journal.conflict_cases()
    assert {"held", "broken"} <= {c.status for c in cases}
    for case in cases:
        assert len(case.party_ids) >= 2
        assert case.contact_ids
        first = journal.contact(case.contact_ids[0])
        assert {s.role for s in first.students} == {"party"}
    assert any(c.terms and c.check_date for c in cases)


def test_group_activities_have_attendees_and_no_students(demo: tuple[Journal, DemoStats]) -> None:
    journal, stats = demo
    group = [c for facts in _all_facts(journal) for c in facts.contacts if c.group_activity]
    assert len(group) == stats.group_activities > 0
    assert all(c.attendees > 0 and not c.students for c in group)


def test_dates_school_days_and_synthetic_identities(demo: tuple[Journal, DemoStats]) -> None:
    journal, _stats = demo
    rows = _all_rows(journal)
    assert rows[0].occurred_at.date() <= DEFAULT_TODAY
    assert rows[-1].occurred_at.date() >= DEFAULT_TODAY - dt.timedelta(days=2 * 366)
    weekday = sum(r.occurred_at.weekday() < 5 for r in rows)
    school_hours = sum(7 <= r.occurred_at.hour < 16 for r in rows)
    summer = sum(r.occurred_at.month in (7, 8) for r in rows)
    assert weekday > 0.95 * len(rows)
    assert school_hours > 0.9 * len(rows)
    assert summer < 0.06 * len(rows)
    students = journal.students(include_archived=True)
    assert all(ALIAS_RE.match(s.alias) for s in students)
    bands = {
        sch.id: {taxonomy.grade_band(s.grade) for s in students if s.school_id == sch.id}
        for sch in journal.schools()
    }
    assert all(len(b - {"unknown"}) == 1 for b in bands.values()), "grades fit the school level"
    words = [len(journal.contact(r.id).notes.split()) for r in rows[:200]]
    assert min(words) >= 40 and max(words) <= 100
    assert 50 <= sum(words) / len(words) <= 75
