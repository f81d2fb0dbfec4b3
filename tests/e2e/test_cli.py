"""The command line as a subprocess: exit codes, messages, no tracebacks (docs/cli.md)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CLI_KDF_ARGS, PASSPHRASE, assert_no_traceback

NEW = "a completely different passphrase 77"
CSV = (
    "date,time,school,type,students,grades,outcome,notes\n"
    "2026-03-02,09:30,Lincoln High,mentoring,Zebediah Quill,10,resolved,Quietly discussed the "
    "algebra exam and the lunchroom seating arrangement today\n"
    "2026-03-03,10:00,Lincoln High,classroom,,,,Internet safety lesson\n"
)


@pytest.fixture
def vault_dir(cli, tmp_path: Path) -> tuple[Path, str]:
    v = tmp_path / "v"
    r = cli("init", v, "--passphrase-stdin", *CLI_KDF_ARGS, stdin=PASSPHRASE + "\n")
    assert r.code == 0, r.err
    lines = r.out.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Recovery code: ")
    code = lines[0].removeprefix("Recovery code: ")
    assert re.fullmatch(r"([0-9A-Z]{4}-){7}[0-9A-Z]{4}", code)
    return v, code


def _csv(tmp_path: Path, text: str = CSV) -> Path:
    p = tmp_path / "in.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_init_import_verify(cli, vault_dir, tmp_path: Path) -> None:
    v, _ = vault_dir
    r = cli(
        "import", v, _csv(tmp_path), "--add-schools", "--passphrase-stdin", stdin=PASSPHRASE + "\n"
    )
    assert r.code == 0, r.err
    assert "imported 2 contacts" in r.out
    r = cli("verify", v, "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert (r.code, r.out) == (0, "ok contacts=2 students=1 follow_ups=0\n")
    for f in v.iterdir():
        data = f.read_bytes()
        assert b"Zebediah" not in data and b"algebra" not in data and b"Lincoln" not in data


def test_dry_run_and_bad_rows(cli, vault_dir, tmp_path: Path) -> None:
    v, _ = vault_dir
    r = cli(
        "import",
        v,
        _csv(tmp_path),
        "--dry-run",
        "--add-schools",
        "--passphrase-stdin",
        stdin=PASSPHRASE + "\n",
    )
    assert r.code == 0 and "nothing was written" in r.out
    bad = CSV + "2026-13-01,,,mentoring,,,,x\n2026-03-04,,,bogus,,,,y\n"
    r = cli(
        "import",
        v,
        _csv(tmp_path, bad),
        "--add-schools",
        "--passphrase-stdin",
        stdin=PASSPHRASE + "\n",
    )
    assert r.code == 5
    assert "line 4: date" in r.err and "line 5: type" in r.err
    assert_no_traceback(r)
    r = cli("verify", v, "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert r.out == "ok contacts=0 students=0 follow_ups=0\n"


def test_wrong_passphrase_exit_3(cli, vault_dir) -> None:
    v, _ = vault_dir
    r = cli("verify", v, "--passphrase-stdin", stdin="wrong passphrase entirely\n")
    assert r.code == 3 and "Wrong passphrase" in r.err
    assert len(r.err.strip().splitlines()) == 1
    assert_no_traceback(r)


def test_not_a_vault_and_damage_exit_4(cli, vault_dir, tmp_path: Path) -> None:
    v, _ = vault_dir
    r = cli("verify", tmp_path / "nothing", "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert r.code == 4
    (tmp_path / "empty").mkdir()
    assert (
        cli("verify", tmp_path / "empty", "--passphrase-stdin", stdin=PASSPHRASE + "\n").code == 4
    )
    db = v / "journal.db"
    data = bytearray(db.read_bytes())
    data[len(data) // 2] ^= 0x40
    db.write_bytes(bytes(data))
    r = cli("verify", v, "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert r.code == 4 and "damaged" in r.err
    assert_no_traceback(r)


def test_damaged_header_exit_4(cli, vault_dir) -> None:
    v, _ = vault_dir
    (v / "vault.key").write_text('{"format": "srojournal-keyheader", "version": 1}')
    r = cli("verify", v, "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert r.code == 4 and "backup" in r.err
    assert_no_traceback(r)


def test_passwd_and_recover(cli, vault_dir) -> None:
    v, code = vault_dir
    r = cli("passwd", v, "--passphrase-stdin", stdin=f"{PASSPHRASE}\n{NEW}\n")
    assert r.code == 0, r.err
    assert cli("verify", v, "--passphrase-stdin", stdin=PASSPHRASE + "\n").code == 3
    assert cli("verify", v, "--passphrase-stdin", stdin=NEW + "\n").code == 0
    third = "yet another passphrase for recovery 5"
    r = cli("recover", v, "--passphrase-stdin", stdin=f"{code.lower()}\n{third}\n")
    assert r.code == 0, r.err
    assert cli("verify", v, "--passphrase-stdin", stdin=third + "\n").code == 0
    r = cli("recover", v, "--passphrase-stdin", stdin=f"AAAA-BBBB\n{third}\n")
    assert r.code == 3


def test_weak_new_passphrase_is_usage_error(cli, vault_dir) -> None:
    v, _ = vault_dir
    r = cli("passwd", v, "--passphrase-stdin", stdin=f"{PASSPHRASE}\npassword123\n")
    assert r.code == 2 and "passphrase refused" in r.err
    assert cli("verify", v, "--passphrase-stdin", stdin=PASSPHRASE + "\n").code == 0


def test_backup_and_restore(cli, vault_dir, tmp_path: Path) -> None:
    v, _ = vault_dir
    cli("import", v, _csv(tmp_path), "--add-schools", "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    r = cli("backup", v, tmp_path / "bk", "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert r.code == 0, r.err
    backup = Path(r.out.strip().split(": ", 1)[1])
    assert (backup / "vault.key").is_file() and (backup / "journal.db").is_file()
    for f in backup.iterdir():
        assert b"Zebediah" not in f.read_bytes() and b"algebra" not in f.read_bytes()
    r = cli("restore", backup, tmp_path / "restored", "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert r.code == 0, r.err
    r = cli("verify", tmp_path / "restored", "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert r.out.startswith("ok contacts=2 ")
    r = cli("restore", backup, tmp_path / "restored", "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert r.code == 4 and "not empty" in r.err


def test_usage_errors_exit_2(cli, vault_dir, tmp_path: Path) -> None:
    v, _ = vault_dir
    r = cli("summary", v)
    assert r.code == 2 and len(r.err.strip().splitlines()) == 1
    assert cli("frobnicate").code == 2
    r = cli("verify", v)  # no terminal and no --passphrase-stdin
    assert r.code == 2 and "--passphrase-stdin" in r.err
    r = cli(
        "init", tmp_path / "x", "--passphrase-stdin", "--kdf-memory", "8", stdin=PASSPHRASE + "\n"
    )
    assert r.code == 2


def test_second_instance_refused(cli, vault_dir) -> None:
    """A live process holding the vault makes another one exit 4 with a clear message."""
    v, _ = vault_dir
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(v), PASSPHRASE],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        r = cli("verify", v, "--passphrase-stdin", stdin=PASSPHRASE + "\n")
        assert r.code == 4 and "already open" in r.err
    finally:
        holder.kill()
        holder.wait()
        for pipe in (holder.stdin, holder.stdout):
            if pipe is not None:
                pipe.close()
    # The lock of a killed process does not block the next start.
    assert cli("verify", v, "--passphrase-stdin", stdin=PASSPHRASE + "\n").code == 0


_HOLD = """
import sys
from pathlib import Path
from srojournal.vault.store import Vault
v = Vault.open(Path(sys.argv[1]), sys.argv[2])
print("holding", flush=True)
sys.stdin.readline()  # holds the vault until the test closes our stdin or kills us
"""


def test_kill_during_import_is_all_or_nothing(cli, vault_dir, tmp_path: Path) -> None:
    v, _ = vault_dir
    rows = "".join(
        f"2026-0{1 + i % 9}-1{i % 9},10:00,School {i % 3},mentoring,S{i % 400},{1 + i % 12},"
        f"resolved,note number {i} with some words\n"
        for i in range(20000)
    )
    src = _csv(tmp_path, "date,time,school,type,students,grades,outcome,notes\n" + rows)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    interrupted = 0
    # Kill points measured in the child's own CPU time after it opened the database (so a slow
    # or busy machine moves them with the work, not against it): at once, then further in.
    for cpu_budget in (0.0, 0.4, 0.8, 1.2):
        proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "srojournal", "import", str(v), str(src)),
                *("--add-schools", "--passphrase-stdin"),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(PASSPHRASE + "\n")
        proc.stdin.close()
        _kill_after(proc, v / "journal.db", cpu_budget)
        finished = "imported" in proc.stdout.read()
        proc.stdout.close()
        proc.wait()
        interrupted += not finished
        r = cli("verify", v, "--passphrase-stdin", stdin=PASSPHRASE + "\n")
        assert r.code == 0, r.err
        n = int(r.out.split()[1].split("=")[1])
        assert n % 20000 == 0, n  # none or all of each file's rows
    assert interrupted  # at least one kill landed mid-import


def _kill_after(proc: subprocess.Popen[str], db: Path, cpu_budget: float) -> None:
    """SIGKILL once the child opened ``db`` and then used ``cpu_budget`` more CPU seconds."""
    _poll(lambda: proc.poll() is not None or _has_open(proc.pid, db))
    start = _cpu_seconds(proc.pid)
    _poll(lambda: proc.poll() is not None or _cpu_seconds(proc.pid) >= start + cpu_budget)
    proc.send_signal(signal.SIGKILL)


def _poll(done: Callable[[], bool], deadline: float = 60.0) -> None:
    """Wait until ``done()``, checking often; fail after ``deadline`` seconds."""
    end = time.monotonic() + deadline
    while not done():
        assert time.monotonic() < end, "the child never got there"
        time.sleep(0.005)


def _has_open(pid: int, path: Path) -> bool:
    """Whether process ``pid`` has ``path`` open (Linux /proc)."""
    fd_dir = Path(f"/proc/{pid}/fd")
    try:
        return any(os.readlink(fd_dir / fd) == str(path) for fd in os.listdir(fd_dir))
    except OSError:
        return False


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("inf")  # gone: nothing left to wait for
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_tricky_passphrase_through_stdin(cli, tmp_path: Path) -> None:
    tricky = "Zürich \"quoted\" 'single' back\\slash – ñandú 🦆 $HOME;`x`"
    v = tmp_path / "tricky"
    r = cli("init", v, "--passphrase-stdin", *CLI_KDF_ARGS, stdin=tricky + "\n")
    assert r.code == 0, r.err
    assert cli("verify", v, "--passphrase-stdin", stdin=tricky + "\n").code == 0
    assert cli("verify", v, "--passphrase-stdin", stdin=tricky[:-1] + "\n").code == 3


def test_demo_is_deterministic_and_sound(cli, tmp_path: Path) -> None:
    for name in ("d1", "d2"):
        r = cli("demo", tmp_path / name, "--seed", "11", *CLI_KDF_ARGS)
        assert r.code == 0, r.err
        assert "synthetic" in r.out
    outs = [
        cli(
            "verify", tmp_path / n, "--passphrase-stdin", stdin="demo passphrase for testing only\n"
        )
        for n in ("d1", "d2")
    ]
    assert outs[0].code == 0 and outs[0].out == outs[1].out
    assert outs[0].out.startswith("ok contacts=2500 students=300 ")
    # The vault says it is a demo, in itself and (for its lock screen) beside itself.
    from srojournal.domain.settings import DEMO_VAULT
    from srojournal.vault.layout import is_demo_folder
    from srojournal.vault.store import Vault

    assert is_demo_folder(tmp_path / "d1")
    with Vault.open(tmp_path / "d1", "demo passphrase for testing only") as v:
        assert DEMO_VAULT.read(v.journal)
