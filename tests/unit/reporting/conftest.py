from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import pytest

from srojournal.domain.facts import MonthFacts

from .factories import FactsBuilder


@dataclass(frozen=True)
class FakeRelease:
    period: str
    number: int
    content: bytes
    sha256: str
    created_at: str


@dataclass
class FakeJournal:
    """In-memory stand-in for the vault's Journal (reporting unit tests only)."""

    facts: dict[str, MonthFacts] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)
    stored: list[FakeRelease] = field(default_factory=list)
    schools: tuple[str, ...] = ("Lincoln High", "Washington Middle")

    def month_facts(self, period: str) -> MonthFacts:
        return self.facts.get(period) or MonthFacts(period, (), (), self.schools)

    def releases(self, period: str) -> list[FakeRelease]:
        return [r for r in self.stored if r.period == period]

    def add_release(self, period: str, number: int, content: bytes) -> None:
        if any(r.period == period and r.number == number for r in self.stored):
            raise RuntimeError("duplicate release")
        digest = hashlib.sha256(content).hexdigest()
        self.stored.append(FakeRelease(period, number, content, digest, "2026-04-01T00:00:00"))

    def student_names(self) -> list[str]:
        return list(self.names)

    def notes_contain_phrase(self, words: Sequence[str]) -> bool:
        needle = " ".join(w.lower() for w in words)
        for note in self.notes:
            tokens = " ".join(t.lower() for t in re.findall(r"[^\W_]+", note))
            if f" {needle} " in f" {tokens} ":
                return True
        return False

    def school_names(self) -> list[str]:
        return list(self.schools)

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        return self.settings.get(key, default)

    def with_facts(self, facts: MonthFacts) -> FakeJournal:
        self.facts[facts.period] = replace(facts, schools=self.schools)
        return self


def busy_month(period: str = "2026-03") -> FactsBuilder:
    """A month with enough students for a real breakdown."""
    b = FactsBuilder(period)
    for s in range(1, 31):
        b.contact("mentoring", [s], outcome_group="resolved", band="high")
        b.contact("relationship", [s], outcome_group="none", band="middle", school=b.schools[s % 2])
    for s in range(1, 13):
        b.contact("mediation", [s, s + 12], outcome_group="agreement", band="middle")
    for s in range(1, 4):
        b.contact("investigation", [40 + s], outcome_group="enforcement", referrals=["counselor"])
    b.contact("classroom", [], outcome_group="none", attendees=25, times=4)
    b.contact("safety_check", [], outcome_group="none", attendees=0, times=3)
    for s in range(1, 15):
        b.follow_up("done_on_time" if s < 9 else "open", [s])
    return b


@pytest.fixture
def journal() -> FakeJournal:
    return FakeJournal(
        names=["Jamie Rivera", "JR", "High", "Tay"],
        notes=["Talked with the student about the fight near the gym after lunch today."],
    )
