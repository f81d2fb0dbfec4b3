"""Campaign: damage to the write-ahead log after a crash, and a journal rolled back behind its key
file. After a crash the last saved entries live only in journal.db-wal; whatever happens to that
file (a flipped bit, a damaged header, a cut, a deletion, a damaged index) the vault either
refuses to open (exit 4, one clear line) or opens with every acknowledged entry. Opening with
entries missing, or with other content, is a failure.

Not in the campaign: the log and its index both deleted. Nothing then says the log held
anything (docs/vault.md, Integrity); a journal behind the last clean close is still caught by the
key file's journal mark, which the "rollback" damage exercises.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from srojournal.vault.errors import VaultError, WrongPassphrase
from tests.faults.common import (
    PASSPHRASE,
    Child,
    Tally,
    child_env,
    cli_cmd,
    make_vault,
    one_clear_line,
    opened,
    run,
    worker_cmd,
)
from tests.faults.worker import save_note

WAL = "journal.db-wal"
SHM = "journal.db-shm"
FRAME = 24 + 4096
DAMAGE = (
    *("bit", "bit", "bit", "byte", "frame-header", "wal-header"),
    *("cut", "cut-frame", "zero-frame", "delete-wal", "shm", "rollback"),
)


def _crashed_vault(work: Path) -> tuple[Path, Path, list[tuple[int, int]]]:
    """A vault killed while saving (commits only in its log), the journal file of an earlier clean
    close, and the acknowledged (contact id, note number) pairs."""
    folder = work / "wal-base"
    make_vault(folder)
    with opened(folder) as v:
        v.journal.add_contact(_first())
    older = work / "older-journal.db"
    shutil.copy(folder / "journal.db", older)
    with opened(folder) as v:  # one more clean close: the key file records a later generation
        v.journal.add_contact(_first())
    child = Child(worker_cmd("save", folder, "wal"), stderr_path=work / "wal.err", env=child_env())
    child.wait_lines(1 + 40)
    child.kill()
    child.finish()
    acked = [(int(a[1]), int(a[2])) for a in child.acks()]
    assert acked and (folder / WAL).stat().st_size > FRAME, child.stderr()
    return folder, older, acked


def _first():  # type: ignore[no-untyped-def]
    from tests.faults.common import contact

    return contact("written before the crash")


def _damage(folder: Path, older: Path, rng: random.Random) -> str:
    wal = folder / WAL
    data = bytearray(wal.read_bytes())
    frames = (len(data) - 32) // FRAME
    kind = rng.choice(DAMAGE)
    if kind == "bit":
        i = rng.randrange(len(data))
        data[i] ^= 1 << rng.randrange(8)
        what = f"bit flip at {i} (frame {(i - 32) // FRAME + 1} of {frames})"
    elif kind == "byte":
        i = rng.randrange(32, len(data))
        data[i] = (data[i] + rng.randint(1, 255)) % 256
        what = f"byte changed at {i}"
    elif kind == "frame-header":
        f = rng.randrange(frames)
        i = 32 + f * FRAME + rng.randrange(24)
        data[i] ^= 1 << rng.randrange(8)
        what = f"frame {f + 1} header byte {i - 32 - f * FRAME}"
    elif kind == "wal-header":
        i = rng.randrange(32)
        data[i] ^= 1 << rng.randrange(8)
        what = f"log header byte {i}"
    elif kind == "cut":
        cut = rng.randrange(len(data))
        data = data[:cut]
        what = f"log cut to {cut}"
    elif kind == "cut-frame":
        cut = 32 + rng.randrange(frames) * FRAME
        data = data[:cut]
        what = f"log cut to {cut} (frame boundary)"
    elif kind == "zero-frame":
        f = rng.randrange(frames)
        data[32 + f * FRAME : 32 + (f + 1) * FRAME] = bytes(FRAME)
        what = f"frame {f + 1} zeroed"
    elif kind == "delete-wal":
        wal.unlink()
        return "log deleted"
    elif kind == "shm":
        shm = folder / SHM
        raw = bytearray(shm.read_bytes())
        i = rng.randrange(min(len(raw), 136))
        raw[i] ^= 1 << rng.randrange(8)
        shm.write_bytes(bytes(raw))
        return f"index byte {i}"
    else:
        shutil.copy(older, folder / "journal.db")
        wal.unlink()
        (folder / SHM).unlink(missing_ok=True)
        return "journal replaced by an older copy, log gone"
    wal.write_bytes(bytes(data))
    return what


def wal_damage(trials: int, rng: random.Random, work: Path, cli_samples: int = 3) -> Tally:
    tally = Tally("log damage after a crash")
    base, older, acked = _crashed_vault(work)
    cli_every = max(1, trials // max(1, cli_samples))
    for trial in range(trials):
        target = work / f"wal-{trial}"
        shutil.copytree(base, target)
        what = _damage(target, older, rng)
        tally.trials += 1
        if cli_samples and trial % cli_every == 0:
            r = run(cli_cmd("verify", target, "--passphrase-stdin"), stdin=PASSPHRASE + "\n")
            if r.code == 0:
                _check_all(target, acked, tally, f"trial {trial} ({what})")
            elif r.code != 4 or one_clear_line(r):
                tally.fail("crash", f"trial {trial} ({what}): exit {r.code} {one_clear_line(r)}")
        else:
            try:
                with opened(target, read_only=True) as v:
                    v.journal.verify()
            except WrongPassphrase as exc:
                tally.fail("crash", f"trial {trial} ({what}): exit 3: {exc.message}")
            except VaultError:
                pass  # refused: nothing was opened, nothing was dropped
            except Exception as exc:
                tally.fail("crash", f"trial {trial} ({what}): {exc!r}")
            else:
                _check_all(target, acked, tally, f"trial {trial} ({what})")
        shutil.rmtree(target)
    return tally


def _check_all(folder: Path, acked: list[tuple[int, int]], tally: Tally, label: str) -> None:
    """It opened: then every acknowledged entry must be there, with its own notes."""
    try:
        with opened(folder, read_only=True) as v:
            for cid, i in acked:
                try:
                    notes = v.journal.contact(cid).notes
                except Exception:
                    tally.fail("lost", f"{label}: acknowledged contact {cid} is missing")
                    return
                if notes != save_note("wal", i):
                    tally.fail("damaged", f"{label}: contact {cid} holds other notes")
                    return
    except VaultError as exc:
        tally.fail("crash", f"{label}: verify said ok, then the open failed: {exc.message}")
