"""Run a command in a new process and measure it: wall time, its own peak resident memory.

The peak (``ru_maxrss``) is taken from a small launcher process, not from the benchmark runner:
Linux carries the memory high-water mark of the process that forks over into the child, so a
child started straight from a runner that holds a 100,000-contact vault would report at least
the runner's size. The launcher is a bare Python (about 10 MiB), below any child we measure.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

LAUNCHER = r"""
import json, os, resource, subprocess, sys, time
err = open(sys.argv[1], "wb")
started = time.perf_counter()
code = subprocess.call(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=err)
took = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": took, "max_rss_kib": peak, "returncode": code}))
"""


@dataclass(frozen=True)
class ChildRun:
    seconds: float
    max_rss_mib: float
    returncode: int
    stderr: str


def run_measured(
    args: Sequence[str], cwd: Path, env: dict[str, str], scratch: Path, timeout: float = 600
) -> ChildRun:
    """Run ``args`` to its end in a new process (stdout discarded, stderr kept)."""
    err = scratch / "child-stderr.txt"
    out = subprocess.run(
        [sys.executable, "-c", LAUNCHER, str(err), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return ChildRun(
        data["seconds"],
        data["max_rss_kib"] / 1024,
        data["returncode"],
        err.read_text(errors="replace"),
    )
