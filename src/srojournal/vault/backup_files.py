"""Finding backups: where they go by default, what a backup folder is called and holds, the list
of those in a folder and the newest one (named in a damage message).

Reading only: nothing here opens a vault, so the store can name the newest backup when it refuses
a damaged journal without depending on the code that writes backups (``backup.py``).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Final

PREFIX: Final = "srojournal-backup-"
MANIFEST: Final = "manifest.json"


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    created_at: dt.datetime
    contacts: int
    students: int
    reason: str  # manual | daily | migration


def default_backup_dir(vault_folder: Path) -> Path:
    """Next to the vault, not inside it: ``<vault>-backups``."""
    vault_folder = Path(vault_folder).resolve()
    return vault_folder.with_name(vault_folder.name + "-backups")


def latest_backup_note(vault_folder: Path) -> str:
    """For a damage message: " The latest backup is … (taken …)." from the default backup
    folder (a configured one is recorded inside the vault, which cannot be read), or ""."""
    try:
        found = list_backups(default_backup_dir(vault_folder))
    except OSError:
        return ""
    if not found:
        return ""
    newest = found[0]
    return f" The latest backup is {newest.path} (taken {newest.created_at:%Y-%m-%d %H:%M})."


def list_backups(dest_dir: Path) -> list[BackupInfo]:
    """Backups in ``dest_dir``, newest first (unreadable manifests are skipped)."""
    found: list[BackupInfo] = []
    if not Path(dest_dir).is_dir():
        return found
    for child in Path(dest_dir).iterdir():
        if not child.name.startswith(PREFIX) or not child.is_dir():
            continue
        try:
            m = json.loads((child / MANIFEST).read_text(encoding="utf-8"))
            counts = m["counts"]
            found.append(
                BackupInfo(
                    child,
                    dt.datetime.fromisoformat(m["created_at"]),
                    int(counts["contacts"]),
                    int(counts["students"]),
                    str(m.get("reason", "manual")),
                )
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue
    found.sort(key=lambda b: b.created_at, reverse=True)
    return found
