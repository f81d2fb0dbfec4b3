"""The fault campaign runner: ``python -m tests.faults.campaign [--full] [--seed N]``.

Prints one row per campaign (trials, damaged, lost, crashes) and ends with the line
``faults: N trials, N damaged, N lost, N crashes``. Exit status 1 when anything failed.
The same campaign functions run in ``make test`` with the small trial counts (test_campaigns.py).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.faults import bitrot, disk, hostile, kill, plaintext, walrot
from tests.faults.common import Tally


@dataclass(frozen=True)
class Campaign:
    key: str
    run: Callable[[int, random.Random, Path], Tally]
    small: int
    full: int


def _headers(n: int, rng: random.Random, work: Path) -> Tally:
    return bitrot.hostile_headers(work, cli_samples=n)


def _headers_full(n: int, rng: random.Random, work: Path) -> Tally:
    return bitrot.hostile_headers(work, cli_samples=n)


def _bit_rot_small(n: int, rng: random.Random, work: Path) -> Tally:
    return bitrot.bit_rot(n, rng, work, cli_samples=2)


def _bit_rot_full(n: int, rng: random.Random, work: Path) -> Tally:
    return bitrot.bit_rot(n, rng, work, cli_samples=25)


CAMPAIGNS: tuple[Campaign, ...] = (
    Campaign("kill-save", kill.kill_save, 8, 300),
    Campaign("kill-import", kill.kill_import, 4, 60),
    Campaign("kill-passwd", kill.kill_passwd, 4, 100),
    Campaign("kill-recover", kill.kill_recover, 3, 60),
    Campaign("kill-rotate", kill.kill_rotate, 6, 60),
    Campaign("kill-backup", kill.kill_backup, 4, 60),
    Campaign("kill-purge", kill.kill_purge, 3, 40),
    Campaign("kill-restore", kill.kill_restore, 3, 60),
    Campaign("kill-migrate", kill.kill_migrate, 3, 60),
    Campaign("bit-rot", _bit_rot_small, 60, 500),
    Campaign("wal-damage", walrot.wal_damage, 16, 400),
    Campaign("headers", _headers, 2, 12),
    Campaign("disk-full", disk.disk_full, 2, 10),
    Campaign("disk-full-tmpfs", disk.disk_full_tmpfs, 1, 3),
    Campaign("read-only", disk.read_only_folder, 2, 4),
    Campaign("locks", disk.locks, 2, 20),
    Campaign("csv-library", hostile.csv_library, 40, 300),
    Campaign("csv-cli", hostile.csv_cli, 8, len(hostile.HOSTILE_CSVS)),
    Campaign("summary-library", hostile.summary_library, 40, 300),
    Campaign("summary-cli", hostile.summary_cli, 6, 13),
    Campaign("plaintext", plaintext.no_plaintext, 1, 3),
)
FULL_OVERRIDES: dict[str, Callable[[int, random.Random, Path], Tally]] = {
    "bit-rot": _bit_rot_full,
    "headers": _headers_full,
}


def run_all(full: bool, seed: int, only: list[str] | None = None) -> list[Tally]:
    tallies = []
    for c in CAMPAIGNS:
        if only and c.key not in only:
            continue
        work = Path(tempfile.mkdtemp(prefix=f"faults-{c.key}-"))
        fn = FULL_OVERRIDES.get(c.key, c.run) if full else c.run
        start = time.monotonic()
        try:
            tally = fn(c.full if full else c.small, random.Random(f"{seed}/{c.key}"), work)
        except Exception as exc:  # a campaign that blows up is a crash, not a silent skip
            tally = Tally(c.key)
            tally.fail("crash", f"campaign aborted: {type(exc).__name__}: {exc}")
        tally.name = f"{c.key}: {tally.name}"
        elapsed = time.monotonic() - start
        print(f"  … {c.key} done in {elapsed:.0f} s", file=sys.stderr, flush=True)
        shutil.rmtree(work, ignore_errors=True)
        tallies.append(tally)
    return tallies


def table(tallies: list[Tally]) -> str:
    rows = [f"{'campaign':<58} {'trials':>6} {'damaged':>7} {'lost':>5} {'crashes':>7}"]
    for t in tallies:
        note = f"  (skipped: {t.skipped})" if t.skipped else ""
        if t.interrupted:
            note += f"  ({t.interrupted} killed before the acknowledgement)"
        rows.append(f"{t.name:<58} {t.trials:>6} {t.damaged:>7} {t.lost:>5} {t.crashes:>7}{note}")
    failures = [f for t in tallies for f in t.failures]
    if failures:
        rows += ["", "failures:", *(f"  {f}" for f in failures)]
    total = (
        f"faults: {sum(t.trials for t in tallies)} trials, {sum(t.damaged for t in tallies)} "
        f"damaged, {sum(t.lost for t in tallies)} lost, {sum(t.crashes for t in tallies)} crashes"
    )
    return "\n".join([*rows, "", total])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.faults.campaign")
    p.add_argument("--full", action="store_true", help="full trial counts (default: small)")
    p.add_argument("--seed", type=int, default=20260309)
    p.add_argument("--only", nargs="*", metavar="CAMPAIGN", help="run only these campaigns")
    args = p.parse_args(argv)
    tallies = run_all(args.full, args.seed, args.only)
    print(table(tallies), flush=True)
    return 1 if any(t.failed for t in tallies) else 0


if __name__ == "__main__":
    raise SystemExit(main())
