"""The one error label: a message in the theme's error colour, next to what it is about.

Hidden while empty; wrapped, never clipped; screen readers announce it by its accessible name.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget


class ErrorLabel(QLabel):
    def __init__(self, name: str = "Problem", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorLabel")
        self.setProperty("role", "error")  # the app theme colours it
        self.setAccessibleName(name)
        self.setWordWrap(True)
        self.setVisible(False)

    def set_message(self, text: str) -> None:
        """Show ``text``; an empty text hides the label."""
        self.setText(text)
        self.setVisible(bool(text))
