"""Settings and drafts: kept inside the vault (encrypted), never in QSettings."""

from __future__ import annotations

from srojournal.vault.repo.core import JournalCore, now_text


class SettingsAndDrafts(JournalCore):
    def get_setting(self, key: str, default: str | None = None) -> str | None:
        return self._vault.get_meta("setting." + key, default)

    def set_setting(self, key: str, value: str) -> None:
        with self.batch():
            self._vault.set_meta("setting." + key, value)

    def save_draft(self, name: str, payload: str) -> None:
        with self.batch() as c:
            c.execute(
                "INSERT OR REPLACE INTO drafts (name, payload, updated_at) VALUES (?, ?, ?)",
                (name, payload, now_text()),
            )

    def load_draft(self, name: str) -> str | None:
        row = self.conn.execute("SELECT payload FROM drafts WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def delete_draft(self, name: str) -> None:
        with self.batch() as c:
            c.execute("DELETE FROM drafts WHERE name = ?", (name,))
