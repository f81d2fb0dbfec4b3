"""The write-ahead log check fails when it is wrong: tests written against the mutants of
``vault/wal.py`` that survived `make mutation` (tests/mutation/run.py).

The logs and indexes here are written byte by byte from SQLite's file format
(https://www.sqlite.org/fileformat2.html#walformat, https://www.sqlite.org/walformat.html), so
every header field, salt, checksum and commit mark can be set where a test needs it; the tests
in test_wal.py check the same code on logs SQLCipher wrote.
"""

from __future__ import annotations

import hashlib
import logging
import os
import struct
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from srojournal.vault import wal
from srojournal.vault.errors import VaultDamaged

MAGIC_LE, MAGIC_BE = 0x377F0682, 0x377F0683
VERSION = 3007000
SALTS = b"\x11\x22\x33\x44\x55\x66\x77\x88"
OLD_SALTS = b"\x99\xaa\xbb\xcc\xdd\xee\xff\x00"

MISSING = "the write-ahead log (journal.db-wal) holding saved entries is missing or empty"
HEADER = "the header of the write-ahead log (journal.db-wal) is damaged"
FOLLOW_DAMAGE = (
    "the write-ahead log (journal.db-wal) is damaged and saved entries follow the damage"
)
CUT_SHORT = "the write-ahead log (journal.db-wal) is damaged or cut short: saved entries are gone"


def _checksum(data: bytes, s: tuple[int, int], big: bool) -> tuple[int, int]:
    """SQLite's WAL checksum, written out from the file format's definition."""
    s1, s2 = s
    words = struct.unpack((">" if big else "<") + f"{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s1 = (s1 + words[i] + s2) & 0xFFFFFFFF
        s2 = (s2 + words[i + 1] + s1) & 0xFFFFFFFF
    return s1, s2


@dataclass
class Log:
    """A write-ahead log as SQLite writes it: a header, then frames chained by checksums."""

    page_size: int = 1024
    big: bool = False
    salts: bytes = SALTS
    frames: list[bytes] = field(default_factory=list)
    header: bytes = b""
    chain: tuple[int, int] = (0, 0)

    def __post_init__(self) -> None:
        magic = MAGIC_BE if self.big else MAGIC_LE
        head = struct.pack(">4I", magic, VERSION, self.page_size, 7) + self.salts
        self.chain = _checksum(head, (0, 0), self.big)
        self.header = head + struct.pack(">2I", *self.chain)

    def frame(self, commit: bool = False, *, salts: bytes | None = None, chain: bool = True) -> int:
        """Append a frame (a commit when ``commit``); its 1-based number.

        ``salts`` other than the log's makes a frame of an earlier generation of the log;
        ``chain=False`` gives it a checksum that does not continue from the frame before.
        """
        n = len(self.frames) + 1
        page = os.urandom(self.page_size)
        first = struct.pack(">2I", n, n if commit else 0)
        sums = _checksum(first + page, self.chain if chain else (1, 2), self.big)
        if chain:
            self.chain = sums
        self.frames.append(first + (salts or self.salts) + struct.pack(">2I", *sums) + page)
        return n

    def frames_of(self, *commits: bool) -> None:
        for c in commits:
            self.frame(c)

    def damage(self, number: int, offset: int = 100) -> None:
        """Flip a bit in frame ``number``'s page: its checksum no longer matches."""
        f = bytearray(self.frames[number - 1])
        f[24 + offset] ^= 0x04
        self.frames[number - 1] = bytes(f)

    def bytes(self) -> bytes:
        return self.header + b"".join(self.frames)

    def scan(self, tmp_path: Path, tail: bytes = b"") -> wal.WalScan:
        path = tmp_path / "scanned-wal"
        path.write_bytes(self.bytes() + tail)
        scan = wal.scan_wal(path)
        assert scan is not None
        return scan


def _shm(
    max_frame: int,
    backfilled: int,
    salts: bytes = SALTS,
    *,
    big: bool = False,
    version: int = VERSION,
    is_init: int = 1,
    bad_checksum: bool = False,
) -> bytes:
    """The wal-index header: two equal copies of the header, then the checkpoint info."""
    order = ">" if big else "<"
    head = struct.pack(order + "IIIBBH", version, 0, 5, is_init, int(big), 1024)
    head += struct.pack(order + "II", max_frame, 40) + struct.pack(order + "2I", 1, 2) + salts
    s = _checksum(head, (0, 0), big)
    if bad_checksum:
        s = (s[0] ^ 1, s[1])
    copy = head + struct.pack(order + "2I", *s)
    info = struct.pack(order + "I", backfilled) + bytes(36)
    return copy + copy + info


def _read_shm(tmp_path: Path, data: bytes) -> wal.ShmHeader | None:
    path = tmp_path / "index-shm"
    path.write_bytes(data)
    return wal.read_shm(path)


# -- reading the log -------------------------------------------------------------------------


@pytest.mark.parametrize("big", [False, True])
@pytest.mark.parametrize("page_size", [512, 4096, 65536])
def test_an_intact_log_is_read_through_its_last_commit(
    tmp_path: Path, big: bool, page_size: int
) -> None:
    log = Log(page_size=page_size, big=big)
    log.frames_of(False, True, False, False, True, False)  # the last frame: not yet committed
    scan = log.scan(tmp_path)
    assert scan == wal.WalScan(True, SALTS, 6, 5, None, 0)


def test_a_log_without_its_header_is_no_log_or_a_damaged_one(tmp_path: Path) -> None:
    assert wal.scan_wal(tmp_path / "absent") is None
    (tmp_path / "empty").write_bytes(b"")
    assert wal.scan_wal(tmp_path / "empty") is None
    (tmp_path / "short").write_bytes(Log().header[:31])
    assert wal.scan_wal(tmp_path / "short") == wal.WalScan(False, b"", 0, 0, None, 0)


def _with_header(log: Log, offset: int, value: int, *, checksum: bool = True) -> bytes:
    """The log with one header field changed; its header checksum recomputed (as a writer
    with that field would have made it) unless ``checksum`` is False."""
    data = bytearray(log.bytes())
    data[offset : offset + 4] = struct.pack(">I", value)
    if checksum:
        magic = struct.unpack(">I", data[:4])[0]
        data[24:32] = struct.pack(">2I", *_checksum(bytes(data[:24]), (0, 0), bool(magic & 1)))
    return bytes(data)


@pytest.mark.parametrize(
    ("offset", "value"),
    [
        (0, 0x377F0681),  # magic
        (0, 0x377F0684),
        (4, VERSION + 1),  # format version
        (4, VERSION - 1),
        (8, 256),  # page size: below 512,
        (8, 131072),  # above 65536,
        (8, 4096 + 1024),  # not a power of two
        (8, 65536 + 4096),
    ],
)
def test_a_log_header_with_one_field_wrong_counts_frames_at_4096_bytes(
    tmp_path: Path, offset: int, value: int
) -> None:
    """Each field alone refuses the header, even with a checksum that matches it."""
    log = Log(page_size=4096)
    log.frames_of(True, True, True)
    path = tmp_path / "log"
    # Whole frames of 4096-byte pages, and the start of one more: it is not counted.
    path.write_bytes(_with_header(log, offset, value) + os.urandom(24 + 4096 - 20))
    assert wal.scan_wal(path) == wal.WalScan(False, b"", 3, 0, None, 0)
    assert isinstance(wal.scan_wal(path).frames, int)


@pytest.mark.parametrize("offset", [24, 28])
def test_a_log_header_with_a_wrong_checksum_is_damaged(tmp_path: Path, offset: int) -> None:
    log = Log(page_size=4096)
    log.frames_of(True, True, True)
    path = tmp_path / "log"
    path.write_bytes(_with_header(log, offset, 0, checksum=False))
    assert wal.scan_wal(path) == wal.WalScan(False, b"", 3, 0, None, 0)


def test_a_log_of_only_its_header_is_an_intact_empty_log(tmp_path: Path) -> None:
    assert Log(salts=OLD_SALTS).scan(tmp_path) == wal.WalScan(True, OLD_SALTS, 0, 0, None, 0)


def test_a_log_cut_back_to_its_header_loses_the_commits_its_index_knows(tmp_path: Path) -> None:
    scan = Log().scan(tmp_path)
    reason = wal.lost_commits(scan, wal.ShmHeader(5, 0, SALTS))
    assert reason == CUT_SHORT


def test_checksums_with_the_top_bit_set_are_read_as_unsigned(tmp_path: Path) -> None:
    """Every salt makes other checksums: about half of them have the top bit set."""
    for i in range(16):
        salts = bytes([i * 16 + 1] * 8)
        log = Log(salts=salts, big=bool(i % 2))
        log.frames_of(True, False, True)
        assert log.scan(tmp_path) == wal.WalScan(True, salts, 3, 3, None, 0), i


def test_a_log_without_a_commit_keeps_no_frame(tmp_path: Path) -> None:
    log = Log()
    log.frames_of(False, False)
    assert log.scan(tmp_path) == wal.WalScan(True, SALTS, 2, 0, None, 0)
    log.frame(True)
    log.damage(1)
    assert log.scan(tmp_path) == wal.WalScan(True, SALTS, 3, 0, 1, 3)
    assert wal.lost_commits(log.scan(tmp_path), wal.ShmHeader(3, 0, SALTS)) == FOLLOW_DAMAGE


def test_a_torn_frame_at_the_end_is_not_counted(tmp_path: Path) -> None:
    log = Log()
    log.frames_of(True, True)
    scan = log.scan(tmp_path, tail=os.urandom(24 + 1024 - 1))
    assert scan == wal.WalScan(True, SALTS, 2, 2, None, 0)


def test_damage_is_found_at_its_frame_and_the_commits_past_it_are_counted(
    tmp_path: Path,
) -> None:
    log = Log()
    log.frames_of(True, False, True, False, True, False)
    log.damage(3)
    scan = log.scan(tmp_path)
    # SQLite keeps frames 1 and 2 (through the commit in 1); frame 5 commits past the break.
    assert (scan.valid_frames, scan.damage_at, scan.last_commit_after_damage) == (1, 3, 5)


def test_only_intact_commits_of_this_log_count_past_the_damage(tmp_path: Path) -> None:
    log = Log()
    log.frames_of(True, True)
    log.damage(2)
    log.frame(False)  # 3: intact, not a commit
    log.frame(True, salts=OLD_SALTS)  # 4: a commit of an earlier generation of the log
    log.frame(True, chain=False)  # 5: a commit whose checksum does not follow frame 4
    log.damage(log.frame(True))  # 6: a damaged commit
    scan = log.scan(tmp_path)
    assert (scan.valid_frames, scan.damage_at, scan.last_commit_after_damage) == (1, 2, 0)
    log.frame(False)  # 7
    log.frame(True)  # 8: an intact commit, chained to 7
    assert log.scan(tmp_path).last_commit_after_damage == 8


def test_a_frame_of_an_earlier_log_ends_the_valid_frames(tmp_path: Path) -> None:
    log = Log()
    log.frames_of(True)
    log.frame(True, salts=OLD_SALTS)
    scan = log.scan(tmp_path)
    assert (scan.valid_frames, scan.damage_at) == (1, 2)


def test_a_log_longer_than_one_chunk_is_read_across_chunks(tmp_path: Path) -> None:
    log = Log(page_size=512)
    n = 2 * 256 + 10
    log.frames_of(*[i % 7 == 0 for i in range(1, n + 1)])
    log.frame(True)  # n + 1: the last commit
    scan = log.scan(tmp_path)
    assert (scan.frames, scan.valid_frames, scan.damage_at) == (n + 1, n + 1, None)
    log.damage(300)
    log.frame(False)
    log.frame(True)  # n + 3
    scan = log.scan(tmp_path)
    assert scan.valid_frames == 294  # the last commit before frame 300 (a multiple of 7)
    assert (scan.damage_at, scan.last_commit_after_damage) == (300, n + 3)


# -- reading the index -------------------------------------------------------------------------


@pytest.mark.parametrize("big", [False, True])
def test_the_index_header_is_read_in_its_writers_byte_order(tmp_path: Path, big: bool) -> None:
    assert _read_shm(tmp_path, _shm(9, 4, big=big)) == wal.ShmHeader(9, 4, SALTS)


@pytest.mark.parametrize(
    "data",
    [
        _shm(9, 4)[:135],  # too short
        _shm(9, 4)[:47] + b"\x01" + _shm(9, 4)[48:],  # the two copies differ
        _shm(9, 4, version=VERSION - 1),
        _shm(9, 4, is_init=0),
        _shm(9, 4, bad_checksum=True),
        _shm(9, 4, big=True, bad_checksum=True),
    ],
)
def test_an_index_header_that_does_not_verify_is_ignored(tmp_path: Path, data: bytes) -> None:
    assert _read_shm(tmp_path, data) is None


def test_frame_counts_of_the_index_are_unsigned(tmp_path: Path) -> None:
    shm = _read_shm(tmp_path, _shm(2**31 + 5, 2**31 + 1))
    assert shm == wal.ShmHeader(2**31 + 5, 2**31 + 1, SALTS)


def test_a_missing_index_is_none(tmp_path: Path) -> None:
    assert wal.read_shm(tmp_path / "absent") is None


# -- deciding what would be lost ----------------------------------------------------------------


def _scan(valid: int, frames: int, damage_at: int | None = None, after: int = 0) -> wal.WalScan:
    return wal.WalScan(True, SALTS, frames, valid, damage_at, after)


@pytest.mark.parametrize(
    ("scan", "shm", "lost"),
    [
        # No log: lost only if the index says committed frames were not copied yet.
        (None, None, None),
        (None, wal.ShmHeader(5, 5, SALTS), None),
        (None, wal.ShmHeader(5, 4, SALTS), MISSING),
        # A damaged log header: lost if it held frames not known to be copied.
        (wal.WalScan(False, b"", 0, 0, None, 0), None, None),
        (wal.WalScan(False, b"", 1, 0, None, 0), None, HEADER),
        (wal.WalScan(False, b"", 3, 0, None, 0), wal.ShmHeader(3, 3, SALTS), None),
        (wal.WalScan(False, b"", 3, 0, None, 0), wal.ShmHeader(3, 2, SALTS), HEADER),
        # Intact commits past the damage: lost unless already copied into the database.
        (_scan(1, 6, 3, 5), None, FOLLOW_DAMAGE),
        (_scan(1, 6, 3, 5), wal.ShmHeader(5, 5, SALTS), None),
        (_scan(1, 6, 3, 5), wal.ShmHeader(5, 4, SALTS), FOLLOW_DAMAGE),
        (_scan(1, 6, 3, 5), wal.ShmHeader(5, 5, OLD_SALTS), FOLLOW_DAMAGE),
        # The index knows of commits the log no longer has (damaged last commit, log cut).
        (_scan(4, 6, 5), wal.ShmHeader(6, 0, SALTS), CUT_SHORT),
        (_scan(4, 6, 5), wal.ShmHeader(4, 0, SALTS), None),
        (_scan(4, 6, 5), wal.ShmHeader(6, 6, SALTS), None),  # all copied
        (_scan(4, 6, 5), wal.ShmHeader(6, 5, SALTS), CUT_SHORT),
        (_scan(4, 6, 5), wal.ShmHeader(6, 3, OLD_SALTS), None),  # another log's index
        (_scan(2, 6, 3), wal.ShmHeader(5, 5, SALTS), None),  # copied past the valid frames
    ],
)
def test_lost_commits_at_each_edge(
    scan: wal.WalScan | None, shm: wal.ShmHeader | None, lost: str | None
) -> None:
    assert wal.lost_commits(scan, shm) == lost


# -- refusing, and keeping a copy --------------------------------------------------------------


def _damaged_folder(folder: Path, *, with_index: bool = True) -> bytes:
    folder.mkdir()
    log = Log()
    log.frames_of(True, True, True)
    log.damage(1)
    (folder / wal.WAL_NAME).write_bytes(log.bytes())
    if with_index:
        (folder / wal.SHM_NAME).write_bytes(_shm(3, 0))
    return log.bytes()


def _kept(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(wal.KEPT_PREFIX))


def test_a_log_that_would_lose_commits_is_refused_and_kept_aside_once(tmp_path: Path) -> None:
    folder = tmp_path / "vault"
    data = _damaged_folder(folder)
    with pytest.raises(VaultDamaged, match="follow the damage") as caught:
        wal.check_before_open(folder)
    [log_copy, index_copy] = _kept(folder)
    # Named by the log's content: the same damage is kept once, other damage beside it.
    assert log_copy == wal.KEPT_PREFIX + hashlib.sha256(data).hexdigest()[:12]
    assert index_copy == log_copy + "-shm"
    assert str(caught.value) == (
        "The vault was not opened: the write-ahead log (journal.db-wal) is damaged and saved "
        "entries follow the damage, and opening it would lose them silently. A copy is kept as "
        f"{log_copy}. Restore the latest good backup."
    )
    assert caught.value.exit_code == 4
    assert (folder / log_copy).read_bytes() == data == (folder / wal.WAL_NAME).read_bytes()
    assert (folder / index_copy).read_bytes() == (folder / wal.SHM_NAME).read_bytes()
    for name in (log_copy, index_copy):
        assert (folder / name).stat().st_mode & 0o777 == 0o600
    # Refused again: the same copies, not others, and not written over.
    for name in (log_copy, index_copy):
        (folder / name).write_bytes(b"the officer's own copy, not to be overwritten")
    with pytest.raises(VaultDamaged):
        wal.check_before_open(folder)
    assert _kept(folder) == [log_copy, index_copy]
    for name in (log_copy, index_copy):
        assert (folder / name).read_bytes().startswith(b"the officer's")
    # Different damage: a second copy (and its index) beside the first.
    changed = bytearray(data)
    changed[-1] ^= 1
    (folder / wal.WAL_NAME).write_bytes(bytes(changed))
    with pytest.raises(VaultDamaged):
        wal.check_before_open(folder)
    assert len(_kept(folder)) == 4


def test_a_missing_log_is_refused_without_a_copy(tmp_path: Path) -> None:
    folder = tmp_path / "vault"
    folder.mkdir()
    (folder / wal.SHM_NAME).write_bytes(_shm(3, 0))
    with pytest.raises(VaultDamaged) as caught:
        wal.check_before_open(folder)
    assert str(caught.value) == (
        f"The vault was not opened: {MISSING}, and opening it would lose them silently. "
        "Restore the latest good backup."
    )
    assert _kept(folder) == [wal.KEPT_PREFIX + "missing-shm"]  # the index, for recovery


def test_a_damaged_log_without_its_index_is_kept_alone(tmp_path: Path) -> None:
    folder = tmp_path / "vault"
    data = _damaged_folder(folder, with_index=False)
    with pytest.raises(VaultDamaged, match="A copy is kept as"):
        wal.check_before_open(folder)
    assert _kept(folder) == [wal.KEPT_PREFIX + hashlib.sha256(data).hexdigest()[:12]]


def test_a_log_that_loses_nothing_opens_and_nothing_is_copied(tmp_path: Path) -> None:
    folder = tmp_path / "vault"
    folder.mkdir()
    log = Log()
    log.frames_of(True, True, False)
    (folder / wal.WAL_NAME).write_bytes(log.bytes())
    (folder / wal.SHM_NAME).write_bytes(_shm(2, 0))
    wal.check_before_open(folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted([wal.WAL_NAME, wal.SHM_NAME])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's 4096-byte path limit")
def test_a_log_that_cannot_be_copied_aside_is_still_refused_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A folder where no copy can be written (here: its name would pass the path limit, even for
    root, who can write into a read-only folder): the refusal stands, the log stays in place."""
    folder = tmp_path
    while len(str(folder / wal.WAL_NAME)) < 4095 - 200:
        folder /= "d" * 200
    folder /= "d" * (4095 - len(str(folder / "x" / wal.WAL_NAME)) - 1)
    assert len(str(folder / wal.WAL_NAME)) < 4096 < len(str(folder / wal.KEPT_PREFIX)) + 12
    folder.parent.mkdir(parents=True)
    data = _damaged_folder(folder)
    with (
        caplog.at_level(logging.WARNING, logger="srojournal.vault.wal"),
        pytest.raises(VaultDamaged, match="follow the damage") as caught,
    ):
        wal.check_before_open(folder)
    assert "A copy is kept" not in str(caught.value)
    assert (folder / wal.WAL_NAME).read_bytes() == data
    assert [r.getMessage() for r in caplog.records] == [
        "could not keep a copy of the damaged log: OSError"
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_only_the_index_header_is_read(tmp_path: Path) -> None:
    """An index that never ends (a pipe in its place): its 136 header bytes are read, no more."""
    path = tmp_path / "index-shm"
    os.mkfifo(path)
    release = threading.Event()

    def writer() -> None:
        with path.open("wb") as f:
            f.write(_shm(9, 4) + bytes(1000))
            f.flush()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    start = time.monotonic()
    try:
        assert wal.read_shm(path) == wal.ShmHeader(9, 4, SALTS)
        assert time.monotonic() - start < 5
    finally:
        release.set()
        thread.join()
