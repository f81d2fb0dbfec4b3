"""What a vault folder holds. Kept free of heavy imports: the unlock screen needs it at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Final

DB_NAME: Final = "journal.db"
HEADER_NAME: Final = "vault.key"
LOCK_NAME: Final = "vault.lock"
# Written by ``srojournal demo`` next to a vault of synthetic data, so the lock screen can show
# the demo passphrase before anything is unlocked. Only a hint: the vault itself records that it
# is a demo (the ``demo_vault`` setting), and a hint the vault does not confirm is removed.
DEMO_MARKER: Final = "DEMO-VAULT.txt"
DEMO_MARKER_TEXT: Final = "This vault holds synthetic demo data only (made by `srojournal demo`).\n"
APP_FOLDER_NAME: Final = "SRO Journal"


def is_vault_folder(folder: Path) -> bool:
    return (folder / HEADER_NAME).is_file() and (folder / DB_NAME).is_file()


def is_demo_folder(folder: Path) -> bool:
    return (Path(folder) / DEMO_MARKER).is_file()


def _free(folder: Path) -> bool:
    return not folder.exists() or (folder.is_dir() and not any(folder.iterdir()))


def suggested_vault_folder() -> Path:
    """Where a new vault goes unless the officer says otherwise: "SRO Journal" in the user's
    documents folder (a second vault: "SRO Journal 2", …), never an existing folder's files."""
    import platformdirs  # small; loaded when a vault is created, not at start-up

    base = platformdirs.user_documents_path()
    candidate = base / APP_FOLDER_NAME
    n = 1
    while not _free(candidate):
        n += 1
        candidate = base / f"{APP_FOLDER_NAME} {n}"
    return candidate
