"""Realistic journals (fixed seeds) and the demo vault: every release, attacked jointly.

Vaults are filled through the vault API and exported through the real command line, in this
process (a school year of releases through subprocesses would take minutes).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from srojournal.demo import DEMO_PASSPHRASE, populate
from srojournal.vault.store import Vault
from tests.attack.findings import Attack
from tests.attack.journals import (
    Journal,
    fill_vault,
    fill_visits,
    period_flag,
    run_cli,
    school_year,
)
from tests.attack.leaks import scan
from tests.attack.truth import Visit, months_of, read_vault, tables
from tests.conftest import CHEAP_KDF, PASSPHRASE

YEAR = "2025-26"
QUARTERS = ("2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2")


class Releases:
    """Exports periods of one vault and hands every file to one attacker."""

    def __init__(self, vault: Path, j: Journal, passphrase: str = PASSPHRASE) -> None:
        self.vault, self.j, self.passphrase = vault, j, passphrase
        self.attack = Attack()
        self.leaks: list[str] = []
        self.latest: dict[str, int] = {}  # period -> its latest release in the attack
        self.n = 0

    def export(self, period: str, *extra: str) -> int | None:
        self.n += 1
        out = self.vault.parent / f"{period}-{self.n}.json"
        code, _out, err = run_cli(
            "summary", self.vault, period_flag(period), period, "--format", "json",
            "--out", out, "--passphrase-stdin", *extra, stdin=self.passphrase + "\n",
        )  # fmt: skip
        if code != 0:
            assert code == 5 and "--revise" in extra, f"{period}: exit {code}: {err.strip()}"
            return None
        data = out.read_bytes()
        self.leaks += scan(
            data,
            aliases={a for v in self.j.visits for a, _g in v.students if not a.startswith("#")},
            notes={v.notes for v in self.j.visits},
            schools=self.j.schools,
        )
        old = self.latest.get(period)
        self.latest[period] = self.attack.release(data, self.truth(period))
        if old is not None and self._grew(old, self.latest[period]):
            self.attack.growth(old, self.latest[period])
        return self.latest[period]

    def truth(self, period: str):  # type: ignore[no-untyped-def]
        return tables(self.j.visits, self.j.follow_ups, period, self.j.schools)

    def _grew(self, old: int, new: int) -> bool:
        before, after = self.attack.truth[old], self.attack.truth[new]
        return all(before[k].value <= after[k].value for k in before if k[0] != "T5")

    def rollup(self, whole: str, parts: list[str]) -> None:
        """Additivity, when each part's latest release shows the journal as it is now."""
        idx = [self.latest.get(p) for p in parts]
        if None in idx or whole not in self.latest:
            return
        for p, i in zip(parts, idx, strict=True):
            now = self.truth(p)
            if any(now[k].value != c.value for k, c in self.attack.truth[i].items()):
                return
        self.attack.rollup(self.latest[whole], idx)  # type: ignore[arg-type]

    def findings(self) -> list[str]:
        return [str(f) for f in self.attack.findings()] + self.leaks


def _year_vault(tmp_path: Path, seed: int) -> tuple[Path, Journal]:
    j = school_year(seed)
    vault, _code = Vault.create(
        tmp_path / f"v{seed}", PASSPHRASE, kdf=CHEAP_KDF, allow_weak_kdf=True
    )
    with vault:
        fill_vault(vault.journal, j, seed)
    return tmp_path / f"v{seed}", j


@pytest.mark.parametrize("seed", [11, 12])
def test_a_year_of_generated_months_discloses_nothing(tmp_path: Path, seed: int) -> None:
    path, j = _year_vault(tmp_path, seed)
    rel = Releases(path, j)
    for month in months_of(YEAR):
        rel.export(month)
    found = rel.findings()
    assert not found, f"{len(found)} disclosures, e.g.\n" + "\n".join(found[:20])


def _late_entries(j: Journal, month: str, seed: int) -> list[Visit]:
    """A batch of late entries for a released month: 14 students, one late citation."""
    rng = random.Random(seed)
    start = dt.date(int(month[:4]), int(month[5:]), 1)
    key = max(v.key for v in j.visits)
    school = j.schools[2]
    out = [
        Visit(key + 1 + i, start + dt.timedelta(days=rng.randint(0, 27)), school, "relationship",
              ((f"Late{i:02d} R.", "10"),), "resolved", notes="late entry from the paper notebook")
        for i in range(14)
    ]  # fmt: skip
    out.append(
        Visit(key + 20, start + dt.timedelta(days=9), school, "investigation",
              (("Late14 R.", "10"),), "citation", notes="citation written on the bus")
    )  # fmt: skip
    return out


def test_months_quarters_school_year_and_a_revision_disclose_nothing(tmp_path: Path) -> None:
    """Every month, then a late batch and its revision, then quarters and the year."""
    path, j = _year_vault(tmp_path, 13)
    rel = Releases(path, j)
    for month in months_of(YEAR):
        rel.export(month)
    with Vault.open(path, PASSPHRASE) as vault:
        fill_visits(vault.journal, j, _late_entries(j, "2025-11", 13), 13)
    rel.export("2025-11", "--revise")
    for quarter in QUARTERS:
        rel.export(quarter)
        rel.rollup(quarter, months_of(quarter))
    rel.export(YEAR)
    rel.rollup(YEAR, list(QUARTERS))
    found = rel.findings()
    assert not found, f"{len(found)} disclosures, e.g.\n" + "\n".join(found[:20])


def test_demo_vault_months_disclose_nothing(tmp_path: Path) -> None:
    """The demo vault (`srojournal demo`), every month of its last school year."""
    path = tmp_path / "demo"
    vault, _code = Vault.create(path, DEMO_PASSPHRASE, kdf=CHEAP_KDF, allow_weak_kdf=True)
    with vault:  # what `srojournal demo --seed 7` writes, with a cheaper key derivation
        populate(vault.journal, seed=7)
        visits, follow_ups, schools = read_vault(vault.journal)
    j = Journal(schools, visits, follow_ups)
    rel = Releases(path, j, DEMO_PASSPHRASE)
    for month in months_of(YEAR):
        rel.export(month)
    found = rel.findings()
    assert not found, f"{len(found)} disclosures, e.g.\n" + "\n".join(found[:20])
