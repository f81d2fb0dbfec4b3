"""What the summaries still tell the program: hidden share per table on the demo vault.

    python -m tests.attack.utility [--seed 7] [--year 2025-26]

Exports every month of the school year from a fresh demo vault through the command line and
prints, per table, the share of cells marked `S` and the share of the table's records (the
true counts of its interior cells) that sit in hidden cells.
"""

from __future__ import annotations

import argparse
import tempfile
from collections import defaultdict
from pathlib import Path

from srojournal.demo import DEMO_PASSPHRASE, populate
from srojournal.vault.store import Vault
from tests.attack.journals import run_cli
from tests.attack.reader import ALL, Release
from tests.attack.truth import months_of, read_vault, tables
from tests.conftest import CHEAP_KDF


def measure(folder: Path, seed: int, year: str) -> dict[str, tuple[int, int, int, int]]:
    """Per table: (hidden cells, cells, records in hidden interior cells, records)."""
    path = folder / "demo"
    vault, _code = Vault.create(path, DEMO_PASSPHRASE, kdf=CHEAP_KDF, allow_weak_kdf=True)
    with vault:
        populate(vault.journal, seed=seed)
        visits, follow_ups, schools = read_vault(vault.journal)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for month in months_of(year):
        out = folder / f"{month}.json"
        code, _o, err = run_cli(
            "summary", path, "--month", month, "--format", "json", "--out", out,
            "--passphrase-stdin", stdin=DEMO_PASSPHRASE + "\n",
        )  # fmt: skip
        assert code == 0, err
        rel = Release.parse(out.read_bytes())
        truth = tables(visits, follow_ups, month, schools)
        for (table, coords), value in rel.cells.items():
            t = totals[table]
            t[0] += value is None
            t[1] += 1
            if interior(table, coords):
                t[2] += truth[(table, coords)].value if value is None else 0
                t[3] += truth[(table, coords)].value
    return {k: (v[0], v[1], v[2], v[3]) for k, v in sorted(totals.items())}


def interior(table: str, coords: tuple[str, ...]) -> bool:
    """Cells that count each record once per table (no margins, no headline, no attendees)."""
    if table in ("T0", "T5"):
        return table == "T5" and coords[0] != "due"
    return ALL not in coords and coords[-1] != "attendees"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--year", default="2025-26")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = measure(Path(tmp), args.seed, args.year)
    print(f"demo vault (seed {args.seed}), months of {args.year}")
    print(f"{'table':6} {'S cells':>14} {'records hidden':>18}")
    all_cells = [0, 0]
    for table, (hidden, cells, rec_hidden, records) in result.items():
        all_cells[0] += hidden
        all_cells[1] += cells
        share = f"{rec_hidden}/{records} = {rec_hidden / records:.0%}" if records else "-"
        print(f"{table:6} {hidden:4}/{cells:4} = {hidden / cells:4.0%} {share:>18}")
    print(f"all    {all_cells[0]:4}/{all_cells[1]:4} = {all_cells[0] / all_cells[1]:4.0%}")


if __name__ == "__main__":
    main()
