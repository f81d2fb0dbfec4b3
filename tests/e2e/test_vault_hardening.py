"""The vault hardening findings, each attacked from outside through the command line.

Every vault here is made by ``srojournal init`` at the product floor (64 MiB, 3 iterations): the
subprocess is the real entry point and has no test-only switches.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CLI_KDF_ARGS, PASSPHRASE, assert_no_traceback

NEW = "a completely different passphrase 77"


def _resum(doc: dict) -> dict:
    """What a forger does after editing the key file: recompute its (unkeyed) checksum."""
    body = {k: v for k, v in doc.items() if k != "checksum"}
    body["checksum"] = hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    return body


@pytest.fixture
def vault_dir(cli, tmp_path: Path) -> tuple[Path, str]:
    v = tmp_path / "v"
    r = cli("init", v, "--passphrase-stdin", *CLI_KDF_ARGS, stdin=PASSPHRASE + "\n")
    assert r.code == 0, r.err
    return v, r.out.strip().removeprefix("Recovery code: ")


def _verify(cli, v: Path, passphrase: str = PASSPHRASE):
    return cli("verify", v, "--passphrase-stdin", stdin=passphrase + "\n")


# -- 7. the KDF floor is enforced on open ------------------------------------------------------


def _weaken(v: Path, **changes: int) -> None:
    path = v / "vault.key"
    doc = json.loads(path.read_text())

    def visit(node: object) -> None:
        if isinstance(node, dict):
            if "memory_kib" in node:
                node.update(changes)
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(doc)
    path.write_text(json.dumps(_resum(doc)))


@pytest.mark.parametrize(
    "changes", [{"memory_kib": 8192}, {"iterations": 2}, {"memory_kib": 8192, "iterations": 1}]
)
def test_header_below_the_kdf_floor_is_tampered_not_a_wrong_passphrase(
    cli, vault_dir, changes
) -> None:
    v, _ = vault_dir
    _weaken(v, **changes)
    start = time.monotonic()
    r = _verify(cli, v)
    assert r.code == 4, r.err
    assert "tampered" in r.err and "Wrong passphrase" not in r.err
    assert len(r.err.strip().splitlines()) == 1
    assert_no_traceback(r)
    # Refused before any key derivation: the whole command is start-up time only.
    assert time.monotonic() - start < 5
    # Nothing about the attempt is remembered as a failed unlock.
    assert not (v / "unlock-failures").exists()


# -- 10. messages and leftovers ----------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("--kdf-memory", "2048"),
        ("--kdf-memory", "32"),
        ("--kdf-iterations", "50"),
        ("--kdf-iterations", "2"),
    ],
)
def test_init_with_kdf_settings_out_of_range_is_a_usage_error(cli, tmp_path: Path, args) -> None:
    r = cli("init", tmp_path / "x", "--passphrase-stdin", *args, stdin=PASSPHRASE + "\n")
    assert r.code == 2, r.err
    assert "damaged" not in r.err and "--kdf-" in r.err
    assert not (tmp_path / "x").exists()


def _backup(cli, v: Path) -> Path:
    r = cli(
        "backup", v, v.with_name(v.name + "-backups"), "--passphrase-stdin", stdin=PASSPHRASE + "\n"
    )
    assert r.code == 0, r.err
    return Path(r.out.strip().split(": ", 1)[1])


def test_flipped_byte_in_page_2_says_damaged_and_names_the_backup(cli, vault_dir) -> None:
    v, _ = vault_dir
    taken = _backup(cli, v)
    db = v / "journal.db"
    data = bytearray(db.read_bytes())
    data[4096 + 200] ^= 0x01  # page 2 holds the vault's own bookkeeping (its id)
    db.write_bytes(bytes(data))
    r = _verify(cli, v)
    assert r.code == 4, r.err
    assert "different vaults" not in r.err and "damaged" in r.err
    assert taken.name in r.err
    assert len(r.err.strip().splitlines()) == 1
    assert_no_traceback(r)


def test_empty_database_says_damaged_not_different_vaults(cli, vault_dir) -> None:
    v, _ = vault_dir
    taken = _backup(cli, v)
    (v / "journal.db").write_bytes(b"")
    for command in ("verify", "backup"):
        args = (v,) if command == "verify" else (v, v.parent / "elsewhere")
        r = cli(command, *args, "--passphrase-stdin", stdin=PASSPHRASE + "\n")
        assert r.code == 4, r.err
        assert "different vaults" not in r.err and "empty" in r.err
        assert taken.name in r.err
        assert_no_traceback(r)
    assert (v / "journal.db").stat().st_size == 0  # nothing was written into it


def test_a_key_file_temp_left_by_a_kill_is_removed_on_the_next_open(cli, vault_dir) -> None:
    v, _ = vault_dir
    leftover = v / ".vault.key.tmp-4242"
    leftover.write_bytes((v / "vault.key").read_bytes()[:100])
    assert _verify(cli, v).code == 0  # a read-only check leaves the folder alone
    assert leftover.exists()
    _backup(cli, v)
    assert not leftover.exists()
    assert _verify(cli, v).code == 0


# -- 6. backups are private and never written to -----------------------------------------------


def test_backup_files_are_private(cli, vault_dir) -> None:
    v, _ = vault_dir
    taken = _backup(cli, v)
    assert taken.stat().st_mode & 0o777 == 0o700
    for f in taken.iterdir():
        assert f.stat().st_mode & 0o777 == 0o600, f.name


def _snapshot(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    return {
        p.name: (p.stat().st_size, p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).digest())
        for p in sorted(folder.iterdir())
    }


@contextlib.contextmanager
def _read_only_copy(src: Path, tmp_path: Path) -> Iterator[Path]:
    """``src`` copied onto write-protected media: a read-only tmpfs where this machine lets us
    mount one (root ignores file modes), else a copy with its write permissions removed."""
    where = tmp_path / "media"
    where.mkdir()
    mounted = False
    if os.geteuid() == 0 and shutil.which("mount"):
        mounted = (
            subprocess.run(
                ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(where)],
                capture_output=True,
                check=False,
            ).returncode
            == 0
        )
    dest = where / src.name
    shutil.copytree(src, dest)
    try:
        if mounted:
            r = subprocess.run(
                ["mount", "-o", "remount,ro", str(where)], capture_output=True, check=False
            )
            assert r.returncode == 0, r.stderr
        else:
            for f in dest.iterdir():
                f.chmod(0o400)
            dest.chmod(0o500)
        yield dest
    finally:
        if mounted:
            subprocess.run(["umount", str(where)], capture_output=True, check=False)
        else:
            dest.chmod(0o700)


def test_restore_from_write_protected_media(cli, vault_dir, tmp_path: Path) -> None:
    v, _ = vault_dir
    taken = _backup(cli, v)
    with _read_only_copy(taken, tmp_path) as media:
        before = _snapshot(media)
        r = cli(
            "restore", media, tmp_path / "restored", "--passphrase-stdin", stdin=PASSPHRASE + "\n"
        )
        assert r.code == 0, r.err
        assert _snapshot(media) == before  # not a byte, not a new file (-wal, -shm, -journal)
    assert _verify(cli, tmp_path / "restored").code == 0
    for f in (tmp_path / "restored").iterdir():
        assert f.stat().st_mode & 0o077 == 0, f.name


def test_verifying_a_backup_writes_nothing_to_it(cli, vault_dir, tmp_path: Path) -> None:
    v, _ = vault_dir
    taken = _backup(cli, v)
    before = _snapshot(taken)
    r = cli("restore", taken, tmp_path / "restored", "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert r.code == 0, r.err
    assert _snapshot(taken) == before


# -- 9. one writer, even when vault.lock is deleted -------------------------------------------

_HOLD = """
import sys
from pathlib import Path
from srojournal.vault.store import Vault
v = Vault.open(Path(sys.argv[1]), sys.argv[2])
print("holding", flush=True)
sys.stdin.read()
v.close()
"""


def test_deleting_the_lock_file_does_not_let_a_second_writer_in(cli, vault_dir) -> None:
    v, _ = vault_dir
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(v), PASSPHRASE],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline().strip() == "holding"
        (v / "vault.lock").unlink()
        for args in (("verify", v), ("backup", v, v.parent / "bk")):
            r = cli(*args, "--passphrase-stdin", stdin=PASSPHRASE + "\n")
            assert r.code == 4 and "already open" in r.err, (args, r.err)
        holder.stdin.close()
        assert holder.wait(timeout=60) == 0
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        assert holder.stdout is not None
        holder.stdout.close()
    assert _verify(cli, v).code == 0  # the lock went with its holder


# -- 1. a passphrase change revokes the old passphrase ----------------------------------------

NOTE_AFTER = "Zanzibarra talked about the field trip after the change"


def _import(cli, v: Path, tmp_path: Path, notes: str, passphrase: str) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        f"date,school,type,notes\n2026-03-09,Lincoln High,mentoring,{notes}\n", encoding="utf-8"
    )
    # --add-schools: the school goes on the school list (a new vault's list is empty).
    r = cli("import", v, src, "--add-schools", "--passphrase-stdin", stdin=passphrase + "\n")
    assert r.code == 0, r.err


def test_old_passphrase_with_a_backup_key_file_does_not_open_the_live_journal(
    cli, vault_dir, tmp_path: Path
) -> None:
    """The reviewer's reproduction: backup, passwd, import, copy the backup's vault.key over the
    live one, verify with the OLD passphrase."""
    v, code = vault_dir
    _import(cli, v, tmp_path, "before the change", PASSPHRASE)
    taken = _backup(cli, v)
    r = cli("passwd", v, "--passphrase-stdin", stdin=f"{PASSPHRASE}\n{NEW}\n")
    assert r.code == 0, r.err
    assert "Recovery code" not in r.out  # the code survives a passphrase change
    assert "older backups" in r.out.lower() or "backups taken before" in r.out.lower()
    _import(cli, v, tmp_path, NOTE_AFTER, NEW)
    live_key = (v / "vault.key").read_bytes()
    (v / "vault.key").write_bytes((taken / "vault.key").read_bytes())
    r = _verify(cli, v, PASSPHRASE)
    assert r.code == 4 and "older copy" in r.err, r.err
    assert not r.out.startswith("ok")
    r = cli("recover", v, "--passphrase-stdin", stdin=f"{code}\nyet another passphrase 31\n")
    assert r.code == 4, r.err  # the recovery code with the old key file: no way in either
    (v / "vault.key").write_bytes(live_key)
    assert _verify(cli, v, PASSPHRASE).code == 3
    assert _verify(cli, v, NEW).out.startswith("ok contacts=2 ")
    # The backup keeps opening with the passphrase it was taken under, without the new note.
    r = cli("restore", taken, tmp_path / "old", "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert r.code == 0, r.err
    assert _verify(cli, tmp_path / "old", PASSPHRASE).out.startswith("ok contacts=1 ")
    for f in v.iterdir():
        assert b"Zanzibarra" not in f.read_bytes()
    # And the recovery code, never re-issued, opens the live journal.
    r = cli("recover", v, "--passphrase-stdin", stdin=f"{code}\nyet another passphrase 31\n")
    assert r.code == 0, r.err


# -- 2. using the recovery code replaces it; a new one can be issued --------------------------


def _code_from(out: str) -> str:
    lines = [ln for ln in out.splitlines() if ln.startswith("Recovery code: ")]
    assert len(lines) == 1, out
    return lines[0].removeprefix("Recovery code: ")


def test_recover_prints_a_new_code_and_the_used_one_is_dead(cli, vault_dir) -> None:
    v, code = vault_dir
    r = cli("recover", v, "--passphrase-stdin", stdin=f"{code}\n{NEW}\n")
    assert r.code == 0, r.err
    new_code = _code_from(r.out)
    assert new_code != code
    assert "stays valid" not in r.out + r.err
    r = cli("recover", v, "--passphrase-stdin", stdin=f"{code}\nanother long passphrase 88\n")
    assert r.code == 3, r.err
    assert _verify(cli, v, NEW).code == 0
    r = cli("recover", v, "--passphrase-stdin", stdin=f"{new_code}\nanother long passphrase 88\n")
    assert r.code == 0, r.err
    assert _verify(cli, v, "another long passphrase 88").code == 0


def test_new_recovery_code_needs_the_passphrase_and_kills_the_old_code(cli, vault_dir) -> None:
    v, code = vault_dir
    r = cli("new-recovery-code", v, "--passphrase-stdin", stdin="not the passphrase at all\n")
    assert r.code == 3
    r = cli("new-recovery-code", v, "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert r.code == 0, r.err
    new_code = _code_from(r.out)
    r = cli("recover", v, "--passphrase-stdin", stdin=f"{code}\n{NEW}\n")
    assert r.code == 3
    r = cli("recover", v, "--passphrase-stdin", stdin=f"{new_code}\n{NEW}\n")
    assert r.code == 0, r.err


# -- 3. damage to the write-ahead log never loses saved entries silently ---------------------

_CRASH = """
import os, sys
from pathlib import Path
from srojournal.vault.store import Vault
v = Vault.open(Path(sys.argv[1]), sys.argv[2])
school = v.journal.add_school("Lincoln High")
for i in range(int(sys.argv[3])):
    v.journal.add_student(f"Student {i}", school, "9")  # one commit each
print("saved", flush=True)
os._exit(0)  # a crash: no checkpoint, no clean close
"""


def _crash_with_commits_in_the_log(v: Path, n: int = 12) -> None:
    r = subprocess.run(
        [sys.executable, "-c", _CRASH, str(v), PASSPHRASE, str(n)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert r.stdout.strip() == "saved", r.stderr
    assert (v / "journal.db-wal").stat().st_size > 32 + 24 + 4096


def _students(r) -> int:
    assert r.code == 0, r.err
    return int(r.out.split()[2].split("=")[1])


def test_a_crash_with_an_intact_log_loses_nothing(cli, vault_dir) -> None:
    v, _ = vault_dir
    _crash_with_commits_in_the_log(v)
    assert _students(_verify(cli, v)) == 12
    assert not [p for p in v.iterdir() if ".damaged-" in p.name]


@pytest.mark.parametrize(
    "damage",
    [
        "byte in the first frame",
        "byte in a middle frame's header",
        "log header",
        "log cut in half",
        "log deleted",
    ],
)
def test_log_damage_after_a_crash_is_refused_not_silently_dropped(
    cli, vault_dir, damage: str
) -> None:
    v, _ = vault_dir
    taken = _backup(cli, v)
    _crash_with_commits_in_the_log(v)
    log = v / "journal.db-wal"
    data = bytearray(log.read_bytes())
    frame = 24 + 4096
    if damage == "byte in the first frame":
        data[32 + 24 + 100] ^= 0x01
    elif damage == "byte in a middle frame's header":
        data[32 + (len(data) // frame // 2) * frame + 2] ^= 0x01  # its page number
    elif damage == "log header":
        data[20] ^= 0x01  # a salt
    elif damage == "log cut in half":
        data = data[: 32 + (len(data) // frame // 2) * frame]
    if damage == "log deleted":
        log.unlink()
    else:
        log.write_bytes(bytes(data))
    before = log.read_bytes() if log.exists() else None
    for _ in range(2):  # and again: it stays refused, nothing was dropped in between
        r = _verify(cli, v)
        assert r.code == 4, (damage, r.code, r.out, r.err)
        assert not r.out.startswith("ok")
        assert "write-ahead log" in r.err and taken.name in r.err
        assert len(r.err.strip().splitlines()) == 1
        assert_no_traceback(r)
    if before is not None:
        assert log.read_bytes() == before  # left in place for recovery...
        kept = [
            p
            for p in v.iterdir()
            if p.name.startswith("journal.db-wal.damaged-") and not p.name.endswith("-shm")
        ]
        assert [p.read_bytes() for p in kept] == [before]  # ...and a copy kept aside
        assert kept[0].stat().st_mode & 0o077 == 0
    r = cli("backup", v, v.parent / "more", "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert r.code == 4  # a writable open is refused the same way


def test_a_torn_uncommitted_tail_is_not_damage(cli, vault_dir) -> None:
    """A kill in the middle of writing a frame that no commit acknowledged: harmless."""
    v, _ = vault_dir
    _crash_with_commits_in_the_log(v)
    log = v / "journal.db-wal"
    data = log.read_bytes()
    header = bytearray(data[32 : 32 + 24])  # a frame header of this log, not a commit
    header[0:4] = (2).to_bytes(4, "big")
    header[4:8] = bytes(4)
    log.write_bytes(data + bytes(header) + os.urandom(1000))
    assert _students(_verify(cli, v)) == 12


def test_a_journal_rolled_back_behind_its_key_file_is_refused(cli, vault_dir, tmp_path) -> None:
    v, _ = vault_dir
    _import(cli, v, tmp_path, "first entry", PASSPHRASE)
    old_copy = (v / "journal.db").read_bytes()  # e.g. a file sync restoring an older version
    _import(cli, v, tmp_path, "second entry", PASSPHRASE)
    (v / "journal.db").write_bytes(old_copy)
    r = _verify(cli, v)
    assert r.code == 4, r.err
    assert "rolled back" in r.err and "older copy" in r.err
    assert_no_traceback(r)
