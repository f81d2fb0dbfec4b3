"""After a lock, the process's memory holds no hex copy of the data key (Linux).

The attack: read the memory of a process that unlocked, used and locked a vault (a memory dump,
a debugger, a swap file) and look for the key as SQLCipher takes it, ``x'<64 hex digits>'``.
A child process creates, opens, writes, backs up and locks a vault, then reads its own memory
through /proc/self/mem. The needle is kept XOR-masked so the scan never plants a copy itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self/mem")

CHILD = textwrap.dedent(
    """
    import gc, sys
    from pathlib import Path
    from tests.conftest import CHEAP_KDF, PASSPHRASE
    from srojournal.vault.backup import create_backup
    from srojournal.vault.store import Vault

    MASK = 0x5A

    def masked_hex(key, digits):
        out = bytearray()
        for b in key:
            out += bytes((digits[b >> 4] ^ MASK, digits[b & 15] ^ MASK))
        return out

    def copies(masked):
        prefix = bytes(x ^ MASK for x in masked[:8])  # 8 of 64 digits: never a whole copy
        n = 0
        regions = [line.split() for line in open("/proc/self/maps")]
        with open("/proc/self/mem", "rb", 0) as mem:
            for r in regions:
                if "r" not in r[1] or (len(r) > 5 and r[5].startswith("[v")):
                    continue
                start, end = (int(x, 16) for x in r[0].split("-"))
                try:
                    mem.seek(start)
                    data = mem.read(end - start)
                except OSError:
                    continue
                i = data.find(prefix)
                while i >= 0:
                    if i + len(masked) <= len(data) and all(
                        data[i + j] ^ MASK == masked[j] for j in range(8, len(masked))
                    ):
                        n += 1
                    i = data.find(prefix, i + 1)
        return n

    folder = Path(sys.argv[1])
    vault, _ = Vault.create(folder, PASSPHRASE, kdf=CHEAP_KDF, allow_weak_kdf=True)
    vault.close()
    vault = Vault.open(folder, PASSPHRASE)
    vault.journal.add_school("Lincoln Middle")
    create_backup(vault, folder.with_name("backups"))
    digits = b"0123456789abcdef"
    needles = [masked_hex(vault._key, digits), masked_hex(vault._key, digits.upper())]
    vault.close()
    gc.collect()
    print(*[copies(n) for n in needles])
    """
)


def test_no_hex_copy_of_the_data_key_after_lock(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path / "v")],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["0", "0"], "hex copies of the data key (lower, upper case)"
