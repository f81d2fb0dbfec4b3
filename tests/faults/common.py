"""Shared pieces of the fault campaigns: cheap vaults, child processes, tallies.

Everything here is plain Python so the same code runs under pytest (small trial counts) and from
``python -m tests.faults.campaign --full`` (the full campaign).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import resource
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from srojournal.domain.models import ContactInput, ContactStudent
from srojournal.vault.keys import accept_weak_kdf_for_tests
from srojournal.vault.store import Vault
from tests.conftest import CHEAP_KDF, PASSPHRASE  # the one definition, re-exported here

REPO_ROOT = Path(__file__).resolve().parents[2]
OTHER_PASSPHRASE = "violet lantern orbit meadow 47"
# The campaigns (and their child processes, which import this module) open vaults made with the
# cheap KDF: they opt in explicitly (tests/conftest.py does too, on import).
accept_weak_kdf_for_tests()
CHILD_TIMEOUT = 60.0
TIMED_OUT = -1000  # Run.code of a child killed by its timeout


@dataclass
class Tally:
    """One campaign's result. ``failures`` holds one line per failed trial (kept short)."""

    name: str
    trials: int = 0
    damaged: int = 0
    lost: int = 0
    crashes: int = 0
    interrupted: int = 0  # kill campaigns: trials where the kill landed before the acknowledgement
    skipped: str = ""
    failures: list[str] = field(default_factory=list)

    def fail(self, kind: str, detail: str) -> None:
        if kind == "damaged":
            self.damaged += 1
        elif kind == "lost":
            self.lost += 1
        else:
            self.crashes += 1
        if len(self.failures) < 50:
            self.failures.append(f"{self.name} [{kind}] {detail}")

    @property
    def failed(self) -> int:
        return self.damaged + self.lost + self.crashes

    def assert_clean(self) -> None:
        assert not self.failed, "\n".join(self.failures)


def make_vault(folder: Path, passphrase: str = PASSPHRASE) -> str:
    """A closed vault with one school; returns the recovery code."""
    vault, code = Vault.create(folder, passphrase, kdf=CHEAP_KDF, allow_weak_kdf=True)
    try:
        vault.journal.add_school("Lincoln Middle")
    finally:
        vault.close()
    return code


def contact(notes: str, school_id: int = 1, students: Sequence[int] = ()) -> ContactInput:
    return ContactInput(
        occurred_at=dt.datetime(2026, 3, 9, 10, 30),
        school_id=school_id,
        type_code="mentoring",
        students=tuple(ContactStudent(s) for s in students),
        duration_min=15,
        outcome="resolved",
        notes=notes,
    )


def child_env(private: Path | None = None) -> dict[str, str]:
    """Environment for a child: repo importable, Qt offscreen, optional private temp/config."""
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("SROJOURNAL_LOG", None)
    if private is not None:
        for var, sub in (
            ("TMPDIR", "tmp"),
            ("HOME", "home"),
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_DATA_HOME", "data"),
            ("XDG_CACHE_HOME", "cache"),
            ("XDG_STATE_HOME", "state"),
            ("XDG_RUNTIME_DIR", "runtime"),
        ):
            path = private / sub
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
            env[var] = str(path)
    return env


def worker_cmd(*args: str | os.PathLike[str]) -> list[str]:
    return [sys.executable, "-m", "tests.faults.worker", *map(str, args)]


def cli_cmd(*args: str | os.PathLike[str]) -> list[str]:
    """The command line in a child process, opted in to the campaigns' cheap vaults."""
    return [sys.executable, "-m", "tests.faults.cli", *map(str, args)]


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float


def _limits(mem_bytes: int | None) -> None:  # runs in the child before exec
    if mem_bytes is not None:
        resource.setrlimit(resource.RLIMIT_AS, (mem_bytes, mem_bytes))


def run(
    cmd: Sequence[str],
    *,
    stdin: str = "",
    timeout: float = CHILD_TIMEOUT,
    env: dict[str, str] | None = None,
    mem_bytes: int | None = None,
) -> Run:
    """Run a child to completion with a timeout (and optionally an address-space cap)."""
    start = time.monotonic()
    try:
        proc = subprocess.run(
            cmd,
            input=stdin.encode(),
            capture_output=True,
            timeout=timeout,
            env=env or child_env(),
            cwd=REPO_ROOT,
            check=False,
            preexec_fn=(lambda: _limits(mem_bytes)) if mem_bytes is not None else None,
        )
    except subprocess.TimeoutExpired:  # the child was killed and reaped by subprocess.run
        return Run(TIMED_OUT, "", f"timed out after {timeout:.0f} s", time.monotonic() - start)
    return Run(
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
        time.monotonic() - start,
    )


def one_clear_line(r: Run) -> str | None:
    """Why ``r.err`` is not one clear error line (None when it is)."""
    if "Traceback" in r.err or "Traceback" in r.out:
        return "traceback: " + r.err[-300:]
    lines = [ln for ln in r.err.splitlines() if ln.strip()]
    if len(lines) != 1:
        return f"{len(lines)} lines on stderr: {r.err[:300]!r}"
    if not lines[0].startswith("srojournal: ") or len(lines[0]) > 400:
        return f"unclear message: {lines[0][:300]!r}"
    return None


class Child:
    """A worker child whose stdout lines are acknowledgements, read without blocking forever."""

    def __init__(self, cmd: Sequence[str], *, stderr_path: Path, env: dict[str, str]) -> None:
        self._err = stderr_path.open("wb")
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._err,
            cwd=REPO_ROOT,
            env=env,
        )
        assert self.proc.stdout is not None
        self._fd = self.proc.stdout.fileno()
        os.set_blocking(self._fd, False)
        self._sel = selectors.DefaultSelector()
        self._sel.register(self._fd, selectors.EVENT_READ)
        self._buf = b""
        self._eof = False
        self.lines: list[str] = []
        self.stderr_path = stderr_path

    def _pump(self, timeout: float) -> None:
        if self._eof:
            return
        if not self._sel.select(timeout):
            return
        chunk = os.read(self._fd, 65536)
        if not chunk:
            self._eof = True
            return
        self._buf += chunk
        *done, self._buf = self._buf.split(b"\n")
        self.lines.extend(x.decode() for x in done)

    def wait_lines(self, n: int, timeout: float = CHILD_TIMEOUT) -> bool:
        """Read until ``n`` lines arrived (True) or the child ended / timed out (False)."""
        deadline = time.monotonic() + timeout
        while len(self.lines) < n and not self._eof:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self._pump(left)
        return len(self.lines) >= n

    def run_for(self, seconds: float) -> None:
        """Keep reading acknowledgements for ``seconds`` (the random moment before a kill)."""
        deadline = time.monotonic() + seconds
        while not self._eof:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self._pump(left)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(signal.SIGKILL)

    def finish(self) -> int:
        """Reap the child and read every line it wrote before it died."""
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=CHILD_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()
            self.proc.wait(timeout=CHILD_TIMEOUT)
        while not self._eof:
            self._pump(1.0)
        self._buf = b""  # an unterminated line is not an acknowledgement
        self._sel.close()
        assert self.proc.stdout is not None
        self.proc.stdout.close()
        self._err.close()
        return self.proc.returncode

    def acks(self, prefix: str = "ack") -> list[list[str]]:
        return [ln.split(" ") for ln in self.lines if ln.startswith(prefix + " ") or ln == prefix]

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")


@contextlib.contextmanager
def opened(folder: Path, passphrase: str = PASSPHRASE, **kw: bool) -> Iterator[Vault]:
    vault = Vault.open(folder, passphrase, **kw)
    try:
        yield vault
    finally:
        vault.close()
