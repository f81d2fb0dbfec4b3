"""What a vault folder holds. Kept free of heavy imports: the unlock screen needs it at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Final

DB_NAME: Final = "journal.db"
HEADER_NAME: Final = "vault.key"
LOCK_NAME: Final = "vault.lock"


def is_vault_folder(folder: Path) -> bool:
    return (folder / HEADER_NAME).is_file() and (folder / DB_NAME).is_file()
