"""Accessibility that Qt's defaults lack, installed once the first window is on screen."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAccessible, QAccessibleActionInterface, QAccessibleInterface
from PySide6.QtWidgets import QAccessibleWidget, QComboBox


class _NamedComboAccessible(QAccessibleWidget):
    """A drop-down box as a screen reader should hear it: its name says what the field is
    (its accessible name), its value what is chosen. (On Linux, Qt reports the chosen text
    as the name and leaves the field's own name to a label relation most boxes lack.)"""

    def __init__(self, combo: QComboBox) -> None:
        super().__init__(combo, QAccessible.Role.ComboBox)
        self._combo = combo

    def text(self, t: QAccessible.Text) -> str:
        if t == QAccessible.Text.Name:
            return self._combo.accessibleName() or self._combo.currentText()
        if t == QAccessible.Text.Value:
            return self._combo.currentText()
        return super().text(t)

    def actionNames(self) -> list[str]:  # noqa: N802 - Qt override
        return [QAccessibleActionInterface.showMenuAction(), *super().actionNames()]

    def doAction(self, name: str) -> None:  # noqa: N802 - Qt override
        if name == QAccessibleActionInterface.showMenuAction():
            self._combo.showPopup()
        else:
            super().doAction(name)


def _accessible_factory(key: str, obj: QObject) -> QAccessibleInterface | None:
    if key != "QComboBox" or not isinstance(obj, QComboBox) or obj.isEditable():
        return None
    return _NamedComboAccessible(obj) if obj.accessibleName() else None


_factory_installed = False


def install_accessibility() -> None:
    """Named drop-down boxes say their name (see ``_NamedComboAccessible``); once per app."""
    global _factory_installed
    if not _factory_installed:
        QAccessible.installFactory(_accessible_factory)
        _factory_installed = True
