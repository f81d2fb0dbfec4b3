"""Campaign 7: no plaintext anywhere. A command-line/library session (create, add, search, lock,
back up, verify, export summaries) with a private temp dir and private settings dirs; then every
file it could have touched and every line it logged is scanned for each note and alias.
"""

from __future__ import annotations

import random
from pathlib import Path

from tests.faults.common import PASSPHRASE, Run, Tally, child_env, cli_cmd, run, worker_cmd

ALIASES = ("Quillfeather", "Zanzibarra", "Marzipanek", "Oxbellow", "Tindravel", "Pellucidor")
WORDS = [
    "periwinkle",
    "dirigible",
    "saxophone",
    "lagoon",
    "quince",
    "obelisk",
    "marmalade",
    "tundra",
    "zeppelin",
    "gazebo",
    "kumquat",
    "nebula",
    "trombone",
    "walrus",
    "fjord",
    "origami",
    "cobblestone",
    "lantern",
]


def _notes(rng: random.Random, n: int) -> list[str]:
    return [" ".join(rng.sample(WORDS, 8)) + f" entry{rng.randrange(10**9)}x" for _ in range(n)]


def _needles(notes: list[str]) -> list[str]:
    out = list(ALIASES)
    for note in notes:
        out.append(note.split()[-1])  # the unique token of each note
        out.append(" ".join(note.split()[:3]))  # a run of its words
    return out


def _hits(blob: bytes, needles: list[str]) -> list[str]:
    low = blob.lower()
    found = []
    for n in needles:
        for enc in ("utf-8", "utf-16-le"):
            if n.lower().encode(enc) in low:
                found.append(f"{n!r} ({enc})")
                break
    return found


def no_plaintext(trials: int, rng: random.Random, work: Path) -> Tally:
    tally = Tally("no plaintext anywhere")
    for trial in range(trials):
        root = work / f"plain-{trial}"
        private = root / "env"
        env = child_env(private)
        env["SROJOURNAL_LOG"] = "DEBUG"
        vault, backups, out = root / "vault", root / "backups", root / "out"
        out.mkdir(parents=True)
        notes = _notes(rng, 24)
        notes_file = work / f"notes-{trial}.txt"  # the test's own input, outside the scanned tree
        notes_file.write_text("\n---\n".join(notes), encoding="utf-8")
        runs: list[tuple[str, Run]] = []
        runs.append(
            ("session", run(worker_cmd("session", vault, ",".join(ALIASES), notes_file), env=env))
        )
        stdin = PASSPHRASE + "\n"
        runs.append(
            (
                "backup",
                run(cli_cmd("backup", vault, backups, "--passphrase-stdin"), stdin=stdin, env=env),
            )
        )
        runs.append(
            ("verify", run(cli_cmd("verify", vault, "--passphrase-stdin"), stdin=stdin, env=env))
        )
        for fmt in ("json", "csv", "pdf"):
            args = (
                "summary",
                vault,
                "--month",
                "2026-03",
                "--format",
                fmt,
                "--out",
                out / f"s.{fmt}",
            )
            runs.append(
                (f"summary {fmt}", run(cli_cmd(*args, "--passphrase-stdin"), stdin=stdin, env=env))
            )
        tally.trials += 1
        for what, r in runs:
            if r.code != 0 or "Traceback" in r.err:
                tally.fail("crash", f"trial {trial}: {what}: exit {r.code}: {r.err[-300:]!r}")
        needles = _needles(notes)
        scanned = 0
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            scanned += 1
            found = _hits(path.read_bytes(), needles)
            if found:
                rel = path.relative_to(root)
                tally.fail("lost", f"trial {trial}: plaintext in {rel}: {', '.join(found[:3])}")
        for what, r in runs:
            found = _hits((r.out + r.err).encode(), needles)
            if found:
                tally.fail("lost", f"trial {trial}: plaintext in the output of {what}: {found[:3]}")
        if scanned < 5:
            tally.fail("crash", f"trial {trial}: only {scanned} files to scan: session did not run")
        notes_file.unlink()
    return tally
