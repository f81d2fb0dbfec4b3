"""Every setting the officer can change, declared once: key, type, default and range.

Settings live inside the vault (encrypted, through ``Journal.get_setting``/``set_setting``),
never in QSettings. Each is declared here exactly once, the way Electrum declares its
``ConfigVar``s; declaring a key twice fails when this module is imported. Reading a stored value
clamps it into the declared range, and an unreadable value reads as the default; a caller that
must not guess (the summaries' threshold) uses :meth:`IntSetting.read_strict`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Final, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    import datetime as dt  # imported where a date is parsed: start-up does without it

T = TypeVar("T")


class SettingsReader(Protocol):
    def get_setting(self, key: str, default: str | None = None) -> str | None: ...


class SettingsStore(SettingsReader, Protocol):
    def set_setting(self, key: str, value: str) -> None: ...


_DECLARED: dict[str, Setting[object]] = {}
MAX_WORD_CHARS: Final = 60


class Setting(Generic[T]):
    """One setting: its key in the vault, its default and how its text is read and written."""

    def __init__(self, key: str, default: T, description: str) -> None:
        if key in _DECLARED:
            raise ValueError(f"the setting {key!r} is declared twice")
        self.key = key
        self.default = default
        self.description = description
        _DECLARED[key] = self  # type: ignore[assignment]

    def parse(self, text: str) -> T:
        """The value of a stored text; ValueError when it cannot be read."""
        raise NotImplementedError

    def format(self, value: T) -> str:
        return str(value)

    def read(self, store: SettingsReader) -> T:
        raw = store.get_setting(self.key)
        if raw is None or not raw.strip():
            return self.default
        try:
            return self.parse(raw.strip())
        except ValueError:
            return self.default

    def write(self, store: SettingsStore, value: T) -> None:
        store.set_setting(self.key, self.format(value))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.key!r})"


class IntSetting(Setting[int]):
    """A whole number within ``low``–``high`` (a stored value outside is clamped)."""

    def __init__(self, key: str, default: int, low: int, high: int, description: str) -> None:
        if not low <= default <= high:
            raise ValueError(f"the default of {key!r} is outside its range")
        super().__init__(key, default, description)
        self.low = low
        self.high = high

    def clamp(self, value: int) -> int:
        return max(self.low, min(self.high, value))

    def parse(self, text: str) -> int:
        return self.clamp(int(text))

    def format(self, value: int) -> str:
        return str(self.clamp(int(value)))

    def read_strict(self, store: SettingsReader) -> int:
        """Like :meth:`read`, but a stored value that is not a whole number raises ValueError."""
        raw = store.get_setting(self.key)
        if raw is None or not raw.strip():
            return self.default
        return self.parse(raw.strip())


class BoolSetting(Setting[bool]):
    def parse(self, text: str) -> bool:
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(text)

    def format(self, value: bool) -> str:
        return "1" if value else "0"


class WordsSetting(Setting[tuple[str, ...]]):
    """A set of words (kept sorted, each once, without case duplicates), stored as JSON."""

    def parse(self, text: str) -> tuple[str, ...]:
        raw = json.loads(text)
        if not isinstance(raw, list) or not all(isinstance(w, str) for w in raw):
            raise ValueError("not a list of words")
        return self.tidy(raw)

    def format(self, value: tuple[str, ...]) -> str:
        return json.dumps(list(self.tidy(value)), ensure_ascii=False)

    @staticmethod
    def tidy(words: Iterable[str]) -> tuple[str, ...]:
        seen: dict[str, str] = {}
        for w in words:
            w = w.strip()
            if w and len(w) <= MAX_WORD_CHARS:
                seen.setdefault(w.casefold(), w)
        return tuple(sorted(seen.values(), key=str.casefold))


class PathSetting(Setting["Path | None"]):
    """A folder; None (not set) means the caller's default place."""

    def parse(self, text: str) -> Path | None:
        return Path(text)

    def format(self, value: Path | None) -> str:
        return "" if value is None else str(value)


class DateSetting(Setting["dt.date | None"]):
    def parse(self, text: str) -> dt.date | None:
        import datetime as dt

        return dt.date.fromisoformat(text)

    def format(self, value: dt.date | None) -> str:
        return "" if value is None else value.isoformat()


AUTOLOCK_MINUTES: Final = IntSetting(
    "autolock_minutes",
    default=5,
    low=1,
    high=30,  # the CJIS maximum
    description="Lock after this many minutes without input.",
)
REPORT_THRESHOLD: Final = IntSetting(
    "report_threshold",
    default=10,
    low=5,  # never below 5 (docs/summary-format.md)
    high=1000,
    description="k: a summary cell with fewer distinct students is suppressed.",
)
BACKUP_DIR: Final = PathSetting(
    "backup_dir", default=None, description="Where backups go (default: next to the vault)."
)
LAST_DAILY_BACKUP: Final = DateSetting(
    "last_daily_backup", default=None, description="The day the last daily backup was taken."
)
CLIPBOARD_TIMEOUT_SECONDS: Final = IntSetting(
    "clipboard_timeout_seconds",
    default=30,
    low=10,  # shorter and a paste into a report form races the clearing
    high=600,
    description="Clear text copied from the journal after this many seconds (and on lock).",
)


DEMO_VAULT: Final = BoolSetting(
    "demo_vault",
    default=False,
    description="This vault holds synthetic demo data (set by `srojournal demo`).",
)
SPELL_CHECK: Final = BoolSetting(
    "spell_check_notes",
    default=True,
    description="Underline misspelled words in notes (checked on this computer only).",
)
PERSONAL_WORDS: Final = WordsSetting(
    "personal_dictionary",
    default=(),
    description="Words the spell check accepts (names, places); kept in the vault only.",
)


def declared() -> dict[str, Setting[object]]:
    """Every declared setting by key (for tests and a settings export)."""
    return dict(_DECLARED)
