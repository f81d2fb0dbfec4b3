"""The write-ahead log, checked before SQLite opens it.

After a crash, saved entries may live only in ``journal.db-wal``. When SQLite recovers the log it
reads frames until the first one whose salt or checksum is wrong and silently ignores that frame
and **every commit after it**; a damaged log header, or a log truncated or deleted, loses them all
the same way. So before SQLite sees the files, ``check_before_open`` reads the log itself
(SQLCipher encrypts the page images, but the log header, the frame headers and their checksums are
plain SQLite format, https://www.sqlite.org/fileformat2.html#walformat) and the shared-memory
index ``journal.db-shm`` that the last writer left behind (its header says up to which frame the
log held committed transactions, and up to which frame they were already copied into the
database). Saved commits that SQLite would drop mean the vault is refused (exit 4): the log is
kept in place and copied aside for recovery, and the message names the latest backup.

What is not damage: a torn last frame (a kill in the middle of a write, before the commit that
would have acknowledged it), frames of an earlier generation of the log (after a checkpoint the
log restarts with new salts and old frames stay behind it), frames of a transaction that was
rolled back, or a log whose commits were all copied into the database already.

What cannot be known: damage in the very last transaction of a log whose index was lost too
(a power cut, not a crash of the app, leaves no usable index); the key file's journal mark
(``keys.JournalMark``) still catches a database rolled back behind the last clean close.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from srojournal.vault.backup_files import latest_backup_note
from srojournal.vault.errors import VaultDamaged
from srojournal.vault.layout import DB_NAME

log = logging.getLogger("srojournal.vault.wal")

WAL_NAME: Final = DB_NAME + "-wal"
SHM_NAME: Final = DB_NAME + "-shm"
KEPT_PREFIX: Final = WAL_NAME + ".damaged-"
_MAGIC: Final = (0x377F0682, 0x377F0683)  # the low bit: checksums in big-endian words
_VERSION: Final = 3007000
_HEADER: Final = 32
_FRAME_HEADER: Final = 24
_MASK: Final = 0xFFFFFFFF
_CHUNK_FRAMES: Final = 256


@dataclass(frozen=True, slots=True)
class WalScan:
    """What SQLite's recovery would make of a log, and what it would leave behind."""

    header_ok: bool
    salts: bytes  # the header's two salts, as stored
    frames: int  # whole frames in the file
    valid_frames: int  # frames SQLite uses: through the last commit of the unbroken prefix
    damage_at: int | None  # 1-based number of the first frame of this log that breaks the chain
    last_commit_after_damage: int  # 1-based number of the last intact commit past it (0: none)


@dataclass(frozen=True, slots=True)
class ShmHeader:
    """The wal-index header the last writer left (https://www.sqlite.org/walformat.html)."""

    max_frame: int  # last frame of a committed transaction
    backfilled: int  # frames already copied into the database file
    salts: bytes


def _native(words: bytes, big_endian: bool) -> tuple[int, ...]:
    return struct.unpack((">" if big_endian else "<") + f"{len(words) // 4}I", words)


def _checksum(data: bytes, s1: int, s2: int, big_endian: bool) -> tuple[int, int]:
    """SQLite's WAL checksum over ``data`` (a multiple of 8 bytes), continuing from (s1, s2)."""
    words = _native(data, big_endian)
    for i in range(0, len(words), 2):
        s1 = (s1 + words[i] + s2) & _MASK
        s2 = (s2 + words[i + 1] + s1) & _MASK
    return s1, s2


class _FrameSums:
    """The checksum of many frames at once.

    One step of the checksum is linear: (s1, s2) ← M·(s1, s2) + (a, a + b) with
    M = [[1, 1], [1, 2]] (mod 2^32), for each pair of words (a, b). Over a frame of n pairs,
    s_out = M^n·s_in + Σ_k M^(n-1-k)·u_k: the sum depends only on the frame's bytes, so it is
    computed for every frame of a chunk in one vectorised pass (numpy), and chaining frames is two
    small matrix products each. A 100 MB log checks in about a second.
    """

    def __init__(self, pairs: int) -> None:
        import numpy as np

        self.np = np
        powers = [(1, 0, 0, 1)]
        for _ in range(pairs):
            a, b, c, d = powers[-1]
            powers.append(
                ((a + b) & _MASK, (a + 2 * b) & _MASK, (c + d) & _MASK, (c + 2 * d) & _MASK)
            )
        self.step = powers[pairs]  # M^n
        weights = np.array(powers[pairs - 1 :: -1][:pairs], dtype=np.uint64)  # M^(n-1-k)
        self.lo = weights & 0xFFFF
        self.hi = weights >> 16

    def sums(self, frames: Any, big_endian: bool) -> Any:
        """(F, 2) sums for frames given as bytes, each frame header[0:8] + page."""
        np = self.np
        words = frames.view(">u4" if big_endian else "<u4").astype(np.uint64)
        a, b = words[:, 0::2], words[:, 1::2]
        u = (a, (a + b) & _MASK)
        out = np.zeros((frames.shape[0], 2), dtype=np.uint64)
        for row in range(2):
            total = np.zeros(frames.shape[0], dtype=np.uint64)
            for col in range(2):
                idx = row * 2 + col
                lo = (u[col] * self.lo[:, idx]).sum(axis=1)
                hi = (u[col] * self.hi[:, idx]).sum(axis=1)
                total += (((hi & _MASK) << 16) + lo) & _MASK
            out[:, row] = total & _MASK
        return out

    def chain(self, s: tuple[int, int], frame_sum: Any) -> tuple[int, int]:
        a, b, c, d = self.step
        return (
            (a * s[0] + b * s[1] + int(frame_sum[0])) & _MASK,
            (c * s[0] + d * s[1] + int(frame_sum[1])) & _MASK,
        )


def scan_wal(path: Path) -> WalScan | None:
    """Read the log at ``path`` as SQLite's recovery would (None: no log, or an empty one)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    if not data:
        return None
    no_header = WalScan(False, b"", 0, 0, None, 0)
    if len(data) < _HEADER:
        return no_header
    magic, version, page_size = struct.unpack(">3I", data[:12])
    big = magic & 1 == 1
    if (
        magic not in _MAGIC
        or version != _VERSION
        or page_size < 512
        or page_size > 65536
        or page_size & (page_size - 1)
        or _checksum(data[:24], 0, 0, big) != struct.unpack(">2I", data[24:32])
    ):
        # Frames may follow, but nothing tells where their pages start: count them at 4096.
        frames = (len(data) - _HEADER) // (_FRAME_HEADER + 4096)
        return WalScan(False, b"", frames, 0, None, 0)
    salts = data[16:24]
    frame_size = _FRAME_HEADER + page_size
    frames = (len(data) - _HEADER) // frame_size
    sums = _FrameSums(1 + page_size // 8)
    np = sums.np
    chained = struct.unpack(">2I", data[24:32])  # what the next frame's checksum continues from
    valid = 0
    damage_at: int | None = None
    last_commit_after = 0
    prev_stored = chained
    for start in range(0, frames, _CHUNK_FRAMES):
        count = min(_CHUNK_FRAMES, frames - start)
        raw = np.frombuffer(
            data, dtype=np.uint8, count=count * frame_size, offset=_HEADER + start * frame_size
        ).reshape(count, frame_size)
        covered = np.concatenate([raw[:, :8], raw[:, _FRAME_HEADER:]], axis=1)
        frame_sums = sums.sums(np.ascontiguousarray(covered), big)
        for i in range(count):
            number = start + i + 1
            header = raw[i, :_FRAME_HEADER].tobytes()
            commit = struct.unpack(">I", header[4:8])[0]
            stored = struct.unpack(">2I", header[16:24])
            same_log = header[8:16] == salts
            if damage_at is None:
                if same_log and sums.chain(chained, frame_sums[i]) == stored:
                    chained = stored
                    if commit:
                        valid = number
                else:
                    damage_at = number
            elif same_log and commit and sums.chain(prev_stored, frame_sums[i]) == stored:
                # An intact commit of this same log past the break: SQLite would drop it.
                last_commit_after = number
            prev_stored = stored
    return WalScan(True, salts, frames, valid, damage_at, last_commit_after)


def read_shm(path: Path) -> ShmHeader | None:
    """The wal-index header, if the file holds a valid one (two equal copies, checksum right)."""
    try:
        with path.open("rb") as f:
            data = f.read(136)
    except OSError:
        return None
    if len(data) < 136 or data[:48] != data[48:96]:
        return None
    for order in ("<", ">"):  # the index is in the writer's native byte order
        version, _unused, _change, is_init, _big, _page = struct.unpack(order + "IIIBBH", data[:16])
        if version != _VERSION or not is_init:
            continue
        if _checksum(data[:40], 0, 0, order == ">") != struct.unpack(order + "2I", data[40:48]):
            continue
        max_frame = struct.unpack(order + "I", data[16:20])[0]
        backfilled = struct.unpack(order + "I", data[96:100])[0]
        return ShmHeader(max_frame, backfilled, data[32:40])
    return None


def lost_commits(scan: WalScan | None, shm: ShmHeader | None) -> str | None:
    """Why opening would silently lose saved commits (None: it would not)."""
    index = shm if shm is not None and (scan is None or shm.salts == scan.salts) else None
    all_copied = index is not None and index.max_frame <= index.backfilled
    if scan is None:
        if shm is not None and shm.max_frame > shm.backfilled:
            return "the write-ahead log (journal.db-wal) holding saved entries is missing or empty"
        return None
    if not scan.header_ok:
        if scan.frames and not (shm is not None and shm.max_frame <= shm.backfilled):
            return "the header of the write-ahead log (journal.db-wal) is damaged"
        return None
    if scan.last_commit_after_damage and not (
        index is not None and scan.last_commit_after_damage <= index.backfilled
    ):
        return "the write-ahead log (journal.db-wal) is damaged and saved entries follow the damage"
    if (
        index is not None
        and not all_copied
        and index.max_frame > max(scan.valid_frames, index.backfilled)
    ):
        return (
            "the write-ahead log (journal.db-wal) is damaged or cut short: saved entries are gone"
        )
    return None


def check_before_open(folder: Path) -> None:
    """Refuse (``VaultDamaged``) a vault whose log would lose saved commits; keep a copy."""
    wal, shm = folder / WAL_NAME, folder / SHM_NAME
    reason = lost_commits(scan_wal(wal), read_shm(shm))
    if reason is None:
        return
    kept = _keep_aside(folder)
    where = f" A copy is kept as {kept}." if kept else ""
    raise VaultDamaged(
        f"The vault was not opened: {reason}, and opening it would lose them silently."
        f"{where} Restore the latest good backup.{latest_backup_note(folder)}"
    )


def _keep_aside(folder: Path) -> str | None:
    """Copy the log (and its index) next to it, once per distinct content; the originals stay,
    so the vault keeps refusing until it is restored or recovered."""
    wal = folder / WAL_NAME
    try:
        digest = hashlib.sha256(wal.read_bytes()).hexdigest()[:12]
    except OSError:
        digest = "missing"
    name = KEPT_PREFIX + digest
    try:
        if wal.exists() and not (folder / name).exists():
            shutil.copy2(wal, folder / name)
            (folder / name).chmod(0o600)
        shm = folder / SHM_NAME
        if shm.exists() and not (folder / (name + "-shm")).exists():
            shutil.copy2(shm, folder / (name + "-shm"))
            (folder / (name + "-shm")).chmod(0o600)
    except OSError as exc:  # a read-only folder: the originals are untouched anyway
        log.warning("could not keep a copy of the damaged log: %s", type(exc).__name__)
        return None
    return name if wal.exists() else None
