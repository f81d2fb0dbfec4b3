"""An officer's vault for the crafted cases, driven through the real command line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from srojournal.vault.store import Vault
from tests.attack.findings import Attack, Finding
from tests.attack.journals import csv_rows, import_follow_ups, period_flag, write_csv
from tests.attack.truth import Cell, CellKey, FollowUp, Visit, tables
from tests.conftest import CHEAP_KDF, PASSPHRASE, CliResult, assert_no_traceback

SCHOOLS = ["Westwood Elementary", "Eastside Middle School", "Meadowbrook High School"]
GRADE = {"Westwood Elementary": "4", "Eastside Middle School": "7", "Meadowbrook High School": "10"}
MONTH = "2025-10"


@dataclass
class Officer:
    """A vault, the CLI, and the truth of everything imported into it."""

    path: Path
    cli: Callable[..., CliResult]
    tmp: Path
    schools: list[str]
    visits: list[Visit] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    attack: Attack = field(default_factory=Attack)
    files: int = 0

    def run(self, *args: object) -> CliResult:
        r = self.cli(*args, "--passphrase-stdin", stdin=PASSPHRASE + "\n")
        assert_no_traceback(r)
        return r

    def import_visits(self, visits: list[Visit], *extra: str, rows=None) -> CliResult:  # type: ignore[no-untyped-def]
        self.files += 1
        src = write_csv(self.tmp / f"import-{self.files}.csv", rows or csv_rows(visits))
        r = self.run("import", self.path, src, *extra)
        if r.code == 0:
            self.follow_ups += import_follow_ups(visits, len(self.follow_ups) + 1)
            self.visits += visits
        return r

    def truth(self, period: str) -> dict[CellKey, Cell]:
        return tables(self.visits, self.follow_ups, period, self.schools)

    def summary(
        self, period: str = MONTH, fmt: str = "json", *extra: str
    ) -> tuple[CliResult, Path]:
        self.files += 1
        out = self.tmp / f"summary-{self.files}.{fmt}"
        r = self.run(
            "summary", self.path, period_flag(period), period, "--format", fmt, "--out", out, *extra
        )
        return r, out

    def release(self, period: str = MONTH, *extra: str) -> int | None:
        """Export a JSON release and hand it to the attacker; None when refused."""
        r, out = self.summary(period, "json", *extra)
        if r.code != 0:
            return None
        return self.attack.release(out.read_bytes(), self.truth(period))


@pytest.fixture
def officer(tmp_path: Path, cheap_cli: Callable[..., CliResult]) -> Officer:
    """An empty vault whose officer has set up the school list (Settings → Schools); made with
    the cheap KDF, so the officer's command line opts in to opening it."""
    vault, _code = Vault.create(tmp_path / "vault", PASSPHRASE, kdf=CHEAP_KDF, allow_weak_kdf=True)
    with vault:
        for name in SCHOOLS:
            vault.journal.add_school(name)
    return Officer(tmp_path / "vault", cheap_cli, tmp_path, list(SCHOOLS))


def day(n: int, month: str = MONTH) -> dt.date:
    return dt.date(int(month[:4]), int(month[5:]), n)


def background(month: str = MONTH, start: int = 1) -> list[Visit]:
    """An ordinary month: hallway contacts, mentoring, lessons — 57 students, nothing sensitive."""
    out: list[Visit] = []
    key = start
    for i in range(45):
        school = SCHOOLS[i % 3]
        out.append(
            Visit(key, day(1 + i % 28, month), school, "relationship",
                  ((f"Kid{i:02d} {school[0]}", GRADE[school]),), "resolved", notes="hallway chat")
        )  # fmt: skip
        key += 1
    for i in range(12):
        school = SCHOOLS[i % 3]
        out.append(
            Visit(key, day(2 + i, month), school, "mentoring",
                  ((f"Mentee{i:02d} {school[0]}", GRADE[school]),), "resolved", minutes=40)
        )  # fmt: skip
        key += 1
    for i in range(6):
        out.append(Visit(key, day(3 + i, month), SCHOOLS[i % 3], "classroom", attendees=25))
        key += 1
    return out


def clean(findings: Iterable[Finding]) -> list[str]:
    return [str(f) for f in findings]
