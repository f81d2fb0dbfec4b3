"""Shared fixtures: real vaults in tmp_path with cheap (explicit) KDF parameters."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from srojournal.vault.keys import KdfParams, accept_weak_kdf_for_tests
from srojournal.vault.store import Vault

PASSPHRASE = "correct horse battery staple 9"
# Tests may pass cheaper KDF parameters explicitly; the product default stays (docs/vault.md).
# Opening such a vault needs this process's explicit opt-in: for the app and the CLI (a subprocess
# here) a header below the floor is a tampered header.
CHEAP_KDF = KdfParams(memory_kib=8192, iterations=1, lanes=1)
accept_weak_kdf_for_tests()
# The CLI never goes below the product floor; this is the cheapest it accepts.
CLI_KDF_ARGS = ("--kdf-memory", "64", "--kdf-iterations", "3")
REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Point every standard location at a temp dir so no test touches a real profile."""
    home = tmp_path_factory.mktemp("home")
    for var, sub in (
        ("HOME", ""),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_STATE_HOME", "state"),
    ):
        path = home / sub
        path.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(path))


@pytest.fixture
def make_vault(tmp_path: Path) -> Iterator[Callable[..., tuple[Vault, str]]]:
    opened: list[Vault] = []

    def make(name: str = "vault", passphrase: str = PASSPHRASE) -> tuple[Vault, str]:
        vault, code = Vault.create(tmp_path / name, passphrase, kdf=CHEAP_KDF, allow_weak_kdf=True)
        opened.append(vault)
        return vault, code

    yield make
    for v in opened:
        if v.conn is not None:
            v.close()


@pytest.fixture
def vault(make_vault: Callable[..., tuple[Vault, str]]) -> Vault:
    return make_vault()[0]


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def _cli_runner(tmp_path: Path, entry: str) -> Callable[..., CliResult]:
    def run(*args: str | os.PathLike[str], stdin: str = "", timeout: float = 120) -> CliResult:
        env = dict(os.environ)
        env["QT_QPA_PLATFORM"] = "offscreen"
        env.pop("SROJOURNAL_LOG", None)
        env["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        proc = subprocess.run(
            [sys.executable, "-m", entry, *map(str, args)],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            cwd=tmp_path,
            check=False,
        )
        return CliResult(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture
def cli(tmp_path: Path) -> Callable[..., CliResult]:
    """Run ``srojournal`` as a subprocess (the real entry point, no test switches), feeding
    ``stdin``. It refuses vaults made with ``CHEAP_KDF`` as tampered: ``cheap_cli`` opens them."""
    return _cli_runner(tmp_path, "srojournal")


@pytest.fixture
def cheap_cli(tmp_path: Path) -> Callable[..., CliResult]:
    """The same command line for vaults this suite made with ``CHEAP_KDF``: a child process that
    opts in to opening them (``tests/faults/cli.py``) and is otherwise ``srojournal`` itself.
    The KDF floor is attacked through ``cli``."""
    return _cli_runner(tmp_path, "tests.faults.cli")


def assert_no_traceback(result: CliResult) -> None:
    assert "Traceback" not in result.err, result.err
    assert "Traceback" not in result.out
