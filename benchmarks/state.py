"""A state's year of monthly summaries: 300 officers × 12 released months, for ``aggregate_state``.

Real vaults are too slow to fill at this scale, so each officer's months are drawn as coded facts
the way ``srojournal.demo_facts`` draws them (the demo's weights, a few schools per officer,
students seen with a skewed frequency, mentoring series, conflict cases, follow-ups), and the same
officer keeps the same schools and students all year. Each month then goes through the product's
own export, ``reporting.service.export_summary``: suppression, the joint audit, the leak check
and the canonical JSON, exactly the bytes an officer would send. Only the vault is replaced, by
:class:`FactsJournal`, an in-memory journal that answers with those facts and keeps the releases.

The files are cached under ``benchmarks/cache/`` keyed by the source of this module, the demo
generators and the reporting package, so any change to them makes new files.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import itertools
import os
import random
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from srojournal import demo, demo_facts  # noqa: E402
from srojournal.domain.facts import MonthFacts  # noqa: E402

OFFICERS = 300
SEED = 2026
# The school year 2025-26, one monthly release each.
MONTHS = tuple(f"2025-{m:02d}" for m in range(7, 13)) + tuple(f"2026-{m:02d}" for m in range(1, 7))
# How busy a month is against a school month (July and August are the summer break).
SEASON = {"07": 0.15, "08": 0.5, "12": 0.7, "06": 0.6}


@dataclass(frozen=True)
class _Release:
    period: str
    number: int
    content: bytes
    created_at: str


class FactsJournal:
    """The part of the vault's journal that ``export_summary`` reads, answered from facts."""

    def __init__(self, months: dict[str, MonthFacts], schools: Sequence[str]) -> None:
        self._months = months
        self._schools = list(schools)
        self._releases: dict[str, list[_Release]] = {}
        self._bases: dict[tuple[str, int], bytes | None] = {}

    def month_facts(self, period: str) -> MonthFacts:
        return self._months.get(period) or MonthFacts(period, (), (), tuple(self._schools))

    def releases(self, period: str) -> list[_Release]:
        return list(self._releases.get(period, []))

    def released_periods(self) -> list[tuple[str, int]]:
        return [(p, len(r)) for p, r in self._releases.items()]

    def add_release(
        self, period: str, number: int, content: bytes, basis: bytes | None = None
    ) -> None:
        stamp = f"2026-07-01T00:00:{sum(map(len, self._releases.values())):02d}"
        self._releases.setdefault(period, []).append(_Release(period, number, content, stamp))
        self._bases[(period, number)] = basis

    def release_basis(self, period: str, number: int) -> bytes | None:
        return self._bases.get((period, number))

    def student_names(self) -> list[str]:
        return []  # synthetic students have no names; the leak check still runs on the rest

    def notes_contain_phrase(self, words: Sequence[str]) -> bool:
        return False

    def school_names(self) -> list[str]:
        return list(self._schools)

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        return default  # the product's default threshold


def _school_names(first: int, count: int, levels: Sequence[str]) -> list[str]:
    """State-wide unique names, shaped like the demo's ("Lincoln High School 12")."""
    prefixes = demo._SCHOOL_PREFIXES
    out = []
    for i in range(count):
        g = first + i
        prefix, number = prefixes[g % len(prefixes)], g // len(prefixes) + 1
        out.append(f"{prefix} {demo._LEVEL_SUFFIX[levels[i]]} {number}")
    return out


def officer_year(officer: int, first_school: int) -> tuple[list[str], dict[str, MonthFacts]]:
    """One officer's twelve months: the same schools and students all year."""
    rng = random.Random(f"{SEED}:{officer}")
    o = demo_facts._Officer(rng, officer)
    o.schools = _school_names(first_school, len(o.schools), o.levels)
    volume = rng.uniform(0.6, 1.4)
    months = {}
    for period in MONTHS:
        o.contacts, o.follow_ups = [], []
        o.month(volume=volume * SEASON.get(period[5:], 1.0))
        facts = MonthFacts(period, tuple(o.contacts), tuple(o.follow_ups), tuple(o.schools))
        months[period] = facts
    return o.schools, months


def _school_counts() -> list[int]:
    return [
        len(demo_facts._Officer(random.Random(f"{SEED}:{i}"), i).schools) for i in range(OFFICERS)
    ]


def officer_files(officer: int, first_school: int) -> list[tuple[str, bytes]]:
    """Export the officer's twelve months as the product does, one after the other."""
    from srojournal.reporting.service import export_summary

    schools, months = officer_year(officer, first_school)
    journal = FactsJournal(months, schools)
    return [(period, export_summary(journal, period, "json")) for period in MONTHS]


def _write_officer(job: tuple[int, int, Path]) -> None:
    officer, first_school, folder = job
    for period, content in officer_files(officer, first_school):
        (folder / f"officer{officer:03d}-{period}.json").write_bytes(content)


def source_key() -> str:
    """Changes whenever this generator, the demo's, the domain or the reporting code changes."""
    package = Path(demo.__file__).parent
    h = hashlib.sha256(Path(__file__).read_bytes())
    for f in (package / "demo.py", package / "demo_facts.py"):
        h.update(f.read_bytes())
    for folder in (package / "domain", package / "reporting"):
        for f in sorted(folder.rglob("*.py")):
            h.update(str(f.relative_to(package)).encode() + f.read_bytes())
    h.update(f"{OFFICERS}:{SEED}:{MONTHS}".encode())
    return h.hexdigest()[:12]


def ensure_state_files(cache: Path, progress: bool = True) -> tuple[Path, float | None]:
    """The folder of 300 × 12 summary files, generated when missing (returns the time taken)."""
    base = cache / f"state-{source_key()}"
    if (base / "ready").exists():
        return base / "files", None
    if base.exists():
        shutil.rmtree(base)
    files = base / "files"
    files.mkdir(parents=True)
    if progress:
        print(f"generating {OFFICERS} officers × {len(MONTHS)} monthly summaries…", flush=True)
    started = time.perf_counter()
    starts = list(itertools.accumulate(_school_counts(), initial=0))
    jobs = [(officer, starts[officer], files) for officer in range(OFFICERS)]
    # About 0.2 s per release (suppression and audit): spread over two processes, once.
    with concurrent.futures.ProcessPoolExecutor(min(2, os.cpu_count() or 1)) as pool:
        for _ in pool.map(_write_officer, jobs, chunksize=10):
            pass
    took = time.perf_counter() - started
    (base / "ready").write_text(f"{took:.1f}\n")
    for old in cache.glob("state-*"):
        if old != base:
            shutil.rmtree(old, ignore_errors=True)
    return files, took
