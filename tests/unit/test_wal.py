"""The write-ahead log check: SQLite's own checksums, and no false alarm on what is not damage."""

from __future__ import annotations

import os
import random
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest
import sqlcipher3

from srojournal.vault import keymaterial, wal


def _reference(data: bytes, s1: int, s2: int, big: bool) -> tuple[int, int]:
    words = struct.unpack((">" if big else "<") + f"{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s1 = (s1 + words[i] + s2) & 0xFFFFFFFF
        s2 = (s2 + words[i + 1] + s1) & 0xFFFFFFFF
    return s1, s2


@pytest.mark.parametrize("big", [False, True])
@pytest.mark.parametrize("page_size", [512, 4096])
def test_vectorised_frame_checksums_match_sqlites(big: bool, page_size: int) -> None:
    rng = random.Random(page_size + big)
    sums = wal._FrameSums(1 + page_size // 8)
    frames = [rng.randbytes(8 + page_size) for _ in range(5)]
    got = sums.sums(np.frombuffer(b"".join(frames), dtype=np.uint8).reshape(5, -1), big)
    s = (rng.getrandbits(32), rng.getrandbits(32))
    for frame, row in zip(frames, got, strict=True):
        assert sums.chain(s, row) == _reference(frame, *s, big)
        s = _reference(frame, *s, big)


class _Db:
    """A real SQLCipher database in WAL mode, as the vault opens it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.key = bytearray(os.urandom(32))
        self.conn = sqlcipher3.connect(str(folder / "journal.db"), isolation_level=None)
        self.conn.execute("PRAGMA cipher_log_level = NONE")
        keymaterial.set_key(self.conn, self.key)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA wal_autocheckpoint = 0")
        self.conn.execute("CREATE TABLE t (x TEXT)")

    def commit(self, n: int = 1, size: int = 3000) -> None:
        for _ in range(n):
            self.conn.execute("INSERT INTO t VALUES (?)", (os.urandom(size).hex(),))

    def snapshot(self, dest: Path) -> tuple[wal.WalScan | None, wal.ShmHeader | None]:
        """What a crash right now would leave: the log and its index as they are on disk."""
        dest.mkdir()
        for name in (wal.WAL_NAME, wal.SHM_NAME):
            if (self.folder / name).exists():
                shutil.copy(self.folder / name, dest / name)
        return wal.scan_wal(dest / wal.WAL_NAME), wal.read_shm(dest / wal.SHM_NAME)


def test_an_intact_log_after_a_crash(tmp_path: Path) -> None:
    db = _Db(tmp_path)
    db.commit(8)
    scan, shm = db.snapshot(tmp_path / "crash")
    assert scan is not None and shm is not None
    assert scan.damage_at is None and scan.valid_frames == scan.frames == shm.max_frame
    assert wal.lost_commits(scan, shm) is None


def test_frames_of_a_rolled_back_transaction_are_not_damage(tmp_path: Path) -> None:
    """A big transaction spills pages into the log, rolls back; the next commit overwrites only
    the start of them. The rest stay behind with this log's salts: not committed, not lost."""
    db = _Db(tmp_path)
    db.commit(2)
    db.conn.execute("PRAGMA cache_size = 10")
    db.conn.execute("BEGIN")
    db.commit(60)
    db.conn.execute("ROLLBACK")
    db.commit(1, size=10)
    scan, shm = db.snapshot(tmp_path / "crash")
    assert scan is not None and scan.damage_at is not None  # stale frames follow the commit
    assert scan.last_commit_after_damage == 0
    assert wal.lost_commits(scan, shm) is None


def test_frames_of_an_earlier_log_generation_are_not_damage(tmp_path: Path) -> None:
    db = _Db(tmp_path)
    db.commit(10)
    db.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")  # all copied; the log restarts next write
    db.commit(1, size=10)
    scan, shm = db.snapshot(tmp_path / "crash")
    assert scan is not None and scan.frames > scan.valid_frames
    assert wal.lost_commits(scan, shm) is None


def test_a_flipped_bit_before_later_commits_is_lost_commits(tmp_path: Path) -> None:
    db = _Db(tmp_path)
    db.commit(6)
    scan, shm = db.snapshot(tmp_path / "crash")
    log = tmp_path / "crash" / wal.WAL_NAME
    data = bytearray(log.read_bytes())
    data[32 + 24 + 7] ^= 0x10
    log.write_bytes(bytes(data))
    scan = wal.scan_wal(log)
    assert scan is not None and scan.damage_at == 1 and scan.last_commit_after_damage > 1
    assert wal.lost_commits(scan, None) is not None  # even without the index
    assert wal.lost_commits(scan, shm) is not None


def test_damage_in_the_last_commit_is_caught_by_the_index(tmp_path: Path) -> None:
    db = _Db(tmp_path)
    db.commit(6)
    scan, shm = db.snapshot(tmp_path / "crash")
    assert shm is not None and scan is not None
    log = tmp_path / "crash" / wal.WAL_NAME
    data = bytearray(log.read_bytes())
    data[-10] ^= 0x01  # inside the last frame: nothing follows it
    log.write_bytes(bytes(data))
    scan = wal.scan_wal(log)
    assert scan is not None and scan.last_commit_after_damage == 0
    assert wal.lost_commits(scan, shm) is not None
    # Without the index (a power cut, not a crash) this one cannot be told from a torn write.
    assert wal.lost_commits(scan, None) is None


def test_commits_already_copied_into_the_database_are_not_lost(tmp_path: Path) -> None:
    db = _Db(tmp_path)
    db.commit(6)
    db.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    _scan, shm = db.snapshot(tmp_path / "crash")
    assert shm is not None and shm.backfilled == shm.max_frame
    (tmp_path / "crash" / wal.WAL_NAME).unlink()
    assert wal.lost_commits(None, shm) is None
