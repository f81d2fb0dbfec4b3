"""Passphrase rules (docs/vault.md): at least 12 characters, not common or easily guessed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from srojournal.vault.errors import WeakPassphrase

MIN_LENGTH: Final = 12
MIN_SCORE: Final = 3  # zxcvbn 0..4; 3 = "safely unguessable: moderate protection offline"
_ZXCVBN_MAX: Final = 100  # zxcvbn slows down on very long input; the tail adds no guessability


@dataclass(frozen=True, slots=True)
class Strength:
    score: int  # 0..4
    acceptable: bool
    problems: list[str]  # why it is refused (empty when acceptable)
    suggestions: list[str]


def assess(passphrase: str) -> Strength:
    problems: list[str] = []
    suggestions: list[str] = []
    if len(passphrase) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    score = 0
    if passphrase:
        from zxcvbn import zxcvbn  # 40 ms to import: only when a passphrase is being chosen

        result = zxcvbn(passphrase[:_ZXCVBN_MAX])
        score = int(result["score"])
        feedback = result.get("feedback") or {}
        warning = feedback.get("warning") or ""
        suggestions = [str(s) for s in feedback.get("suggestions") or []]
        if score < MIN_SCORE:
            problems.append(warning or "This passphrase is too easy to guess.")
    else:
        problems.append("Enter a passphrase.")
    if not problems:
        suggestions = []
    elif not suggestions:
        suggestions = ["A few unrelated words make a strong passphrase that is easy to type."]
    return Strength(score, not problems, problems, suggestions)


def check_passphrase(passphrase: str) -> None:
    s = assess(passphrase)
    if not s.acceptable:
        raise WeakPassphrase(" ".join(s.problems), s.suggestions)
