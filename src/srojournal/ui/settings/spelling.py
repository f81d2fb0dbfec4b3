"""Settings → Spelling: the spell check of notes on or off, and the personal dictionary."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QListWidget, QPushButton

from srojournal.domain.settings import PERSONAL_WORDS, SPELL_CHECK
from srojournal.ops import spelling
from srojournal.ops.changes import Done
from srojournal.ui.common.kit import hint_label, named, section_label
from srojournal.ui.settings.base import SettingsTab


class SpellingTab(SettingsTab):
    title = "Spe&lling"

    def _build(self) -> None:
        lay = self.column()
        self.check = named(
            QCheckBox("Underline misspelled words in notes"), "Check the spelling of notes"
        )
        self.check.toggled.connect(self._toggled)
        lay.addWidget(self.check)
        lay.addWidget(
            hint_label(
                "The dictionary is on this computer; nothing you type is sent anywhere. "
                "Right-click an underlined word (or press the Menu key) for corrections."
            )
        )
        lay.addWidget(section_label("Your words"))
        lay.addWidget(
            hint_label(
                "Words you added with “Add to the dictionary”. They are kept in the vault, "
                "encrypted, like your notes. Students' aliases count as words already."
            )
        )
        self.words = named(QListWidget(), "Words you added to the dictionary")
        self.words.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.words.setMinimumHeight(120)
        lay.addWidget(self.words, 1)
        row = QHBoxLayout()
        self.remove_button = named(QPushButton("Remove"), "Remove the selected words")
        self.remove_button.clicked.connect(self._remove)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        lay.addLayout(row)

    def load(self) -> None:
        if not self._open():
            return
        self._loading = True
        self.check.setChecked(SPELL_CHECK.read(self.journal))
        self._show_words(PERSONAL_WORDS.read(self.journal))
        self._loading = False

    def clear(self) -> None:
        self.words.clear()

    def _show_words(self, words: tuple[str, ...]) -> None:
        self.words.clear()
        self.words.addItems(list(words))
        self.remove_button.setEnabled(bool(words))

    def _toggled(self, on: bool) -> None:
        if self._loading:
            return
        journal = self.journal
        self.write(
            lambda: spelling.set_spell_check(journal, on),
            lambda done: self._saved(done, "Spell check on" if on else "Spell check off"),
        )

    def _remove(self) -> None:
        chosen = tuple(i.text() for i in self.words.selectedItems())
        if not chosen:
            return
        journal = self.journal

        def done(result: Done[tuple[str, ...]]) -> None:
            self._show_words(self.session.applied(result))
            self.status_message.emit("Removed from your dictionary")

        self.write(lambda: spelling.remove_words(journal, chosen), done)

    def _saved(self, done: Done[None], message: str) -> None:
        self.session.applied(done)
        self.status_message.emit(message)
