"""Core dumps are off in the running app and in the command line (Linux).

The attack: the process crashes (SIGABRT here) while the journal is open, and the system writes
its memory to a core file. Each test starts the real entry point as a subprocess with a core
limit the parent raised to unlimited, reads the limits the process itself reports in /proc, and
then makes it crash to see whether a core file appears.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import CLI_KDF_ARGS, PASSPHRASE

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc and Linux core-dump settings"
)


def _allow_core_files() -> None:  # in the child, before exec: the product must lower it itself
    resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("SROJOURNAL_LOG", None)
    return env


def _core_limit(pid: int) -> tuple[str, str]:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max core file size"):
            soft, hard = line.split()[4:6]
            return soft, hard
    raise AssertionError("no core limit in /proc/PID/limits")


def _wait_for(predicate, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def _assert_hardened(proc: subprocess.Popen[bytes], cwd: Path) -> None:
    assert _core_limit(proc.pid) == ("0", "0")
    if os.geteuid() != 0:
        # A process that is not dumpable has its /proc files owned by root (proc(5)).
        assert Path(f"/proc/{proc.pid}/environ").stat().st_uid == 0
    core_pattern = Path("/proc/sys/kernel/core_pattern").read_text().strip()
    proc.send_signal(signal.SIGABRT)  # the default action of SIGABRT is a core dump
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGABRT
    if core_pattern.startswith("|") or "/" in core_pattern:
        return  # dumps go to a collector or elsewhere: the limits above are the check
    time.sleep(0.5)  # the kernel writes the core after the exit status is visible
    assert not [p.name for p in cwd.iterdir() if p.name.startswith("core")]


def test_the_command_line_runs_without_core_dumps(cli, tmp_path: Path) -> None:
    vault = tmp_path / "v"
    r = cli("init", vault, "--passphrase-stdin", *CLI_KDF_ARGS, stdin=PASSPHRASE + "\n")
    assert r.code == 0, r.err
    work = tmp_path / "cwd"
    work.mkdir()
    # `verify` waits for its passphrase on stdin: a command line at work, vault in reach.
    proc = subprocess.Popen(
        [sys.executable, "-m", "srojournal", "verify", str(vault), "--passphrase-stdin"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=work,
        env=_env(tmp_path),
        preexec_fn=_allow_core_files,
    )
    try:
        _wait_for(lambda: _core_limit(proc.pid) == ("0", "0"), "the CLI to start")
        _assert_hardened(proc, work)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        assert proc.stdin is not None
        proc.stdin.close()


def test_the_running_app_runs_without_core_dumps(tmp_path: Path) -> None:
    work = tmp_path / "cwd"
    work.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "srojournal"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=work,
        env=_env(tmp_path),
        preexec_fn=_allow_core_files,
    )
    try:

        def window_up() -> bool:
            maps = Path(f"/proc/{proc.pid}/maps").read_text()
            return "libQt6Widgets" in maps and "libQt6Gui" in maps

        _wait_for(window_up, "the app to load its window")
        _assert_hardened(proc, work)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_harden_process_marks_the_process_not_dumpable() -> None:
    code = (
        "from srojournal.hardening import harden_process, is_dumpable\n"
        "before = is_dumpable()\n"
        "applied = harden_process()\n"
        "print(before, is_dumpable(), ' '.join(applied))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        preexec_fn=_allow_core_files,
    ).stdout.split()
    assert out == ["True", "False", "no-core-file", "not-dumpable"]
