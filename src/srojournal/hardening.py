"""Process hardening: a crash must not write a memory image of the journal or its key to disk.

``harden_process()`` runs first thing in ``srojournal.cli.main`` (the app and every command):

* POSIX: ``RLIMIT_CORE`` soft and hard limits 0, so no core file is written and the process
  cannot raise the limit again.
* Linux: ``prctl(PR_SET_DUMPABLE, 0)``. A non-dumpable process is not dumped (also not through a
  ``core_pattern`` pipe such as systemd-coredump or apport, unless an administrator set
  ``fs.suid_dumpable=2``: then the dump is readable by root only), other processes of the same
  user cannot ``ptrace`` it or read its memory through ``/proc/PID/mem``, and its ``/proc/PID``
  files belong to root.
* macOS: the core limit above (the system default is already 0). The crash reporter writes text
  reports (backtraces, registers), not memory images. ``PT_DENY_ATTACH`` is not used: it only
  stops debuggers, and it kills the process when one is attached.
* Windows (the packaged ``srojournal.exe``): ``WerAddExcludedApplication`` for the current user,
  which excludes the app from Windows Error Reporting. Local dumps (``LocalDumps``) are an
  administrator's setting under HKLM; see docs/packaging.md.

Each step is best effort: a platform that refuses one is logged (never the process's content) and
the app still runs.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Final

log = logging.getLogger("srojournal.hardening")

PR_SET_DUMPABLE: Final = 4
PR_GET_DUMPABLE: Final = 3


def harden_process() -> tuple[str, ...]:
    """Apply every protection this platform offers; returns the names of those applied."""
    applied: list[str] = []
    if os.name == "posix":
        import resource

        try:
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            applied.append("no-core-file")
        except (ValueError, OSError) as exc:
            log.warning("could not set the core-file limit to 0: %s", type(exc).__name__)
    if sys.platform.startswith("linux"):
        if _prctl(PR_SET_DUMPABLE, 0) == 0:
            applied.append("not-dumpable")
        else:
            log.warning("could not mark the process as not dumpable")
    elif sys.platform == "win32" and getattr(sys, "frozen", False):  # pragma: no cover
        # Only the packaged app: run from source, the executable is python.exe, and excluding
        # it would exclude every Python program of this user.
        if _exclude_from_windows_error_reporting(Path(sys.executable).name):
            applied.append("excluded-from-wer")
    return tuple(applied)


def is_dumpable() -> bool | None:
    """Linux only: whether this process could still be dumped (None elsewhere)."""
    if not sys.platform.startswith("linux"):
        return None
    return _prctl(PR_GET_DUMPABLE, 0) != 0


def _prctl(option: int, arg: int) -> int:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (ImportError, OSError, AttributeError):
        return -1
    prctl.restype = ctypes.c_int
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    return int(prctl(option, arg, 0, 0, 0))


def _exclude_from_windows_error_reporting(exe_name: str) -> bool:  # pragma: no cover - Windows
    import ctypes

    try:
        wer = ctypes.WinDLL("wer.dll")  # type: ignore[attr-defined]
        add = wer.WerAddExcludedApplication
    except (OSError, AttributeError):
        log.warning("Windows Error Reporting API not available")
        return False
    add.restype = ctypes.c_long  # HRESULT
    add.argtypes = [ctypes.c_wchar_p, ctypes.c_int]
    result = int(add(exe_name, 0))  # 0: the current user's list, no administrator needed
    if result != 0:
        log.warning("could not exclude the app from Windows Error Reporting (0x%08x)", result)
        return False
    return True
