"""Failed unlocks, remembered next to the vault so the growing delay survives a restart.

The file (``unlock-failures``) holds only a count and a wall-clock time: nothing secret. It slows
someone guessing at the unlock screen; it is no defence against an attacker holding a copy of
the files (Argon2id is).
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Final, NamedTuple

FILE_NAME: Final = "unlock-failures"
MAX_DELAY_SECONDS: Final = 30


class Failures(NamedTuple):
    attempts: int  # failed unlocks in a row
    retry_at: float  # wall-clock seconds since the epoch

    def seconds_left(self, now: float | None = None) -> int:
        left = self.retry_at - (time.time() if now is None else now)
        return max(0, min(MAX_DELAY_SECONDS, int(left + 0.999)))


def delay_for(count: int) -> int:
    """No delay for the first mistake, then 1, 2, 4 … seconds, at most 30."""
    if count < 2:
        return 0
    return int(min(MAX_DELAY_SECONDS, 2 ** (count - 2)))


def load(folder: Path) -> Failures:
    try:
        text = (folder / FILE_NAME).read_text(encoding="ascii")
    except OSError:
        return Failures(0, 0.0)
    import json  # only when there is a file: the unlock window usually opens without one

    try:
        doc = json.loads(text)
        count, retry_at = int(doc["count"]), float(doc["retry_at"])
    except (ValueError, KeyError, TypeError):
        return Failures(0, 0.0)
    return Failures(max(0, min(count, 1000)), retry_at)


def record_failure(folder: Path) -> Failures:
    count = load(folder).attempts + 1
    failures = Failures(count, time.time() + delay_for(count))
    import json

    from srojournal.vault.errors import VaultError  # (the unlock window opens without these)
    from srojournal.vault.fsutil import atomic_write

    with contextlib.suppress(VaultError):  # a read-only folder: the delay stays in memory only
        atomic_write(
            folder / FILE_NAME,
            json.dumps({"count": failures.attempts, "retry_at": failures.retry_at}).encode(),
        )
    return failures


def clear(folder: Path) -> None:
    with contextlib.suppress(OSError):
        (folder / FILE_NAME).unlink()
