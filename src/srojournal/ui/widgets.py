"""Small widgets shared by several screens."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from PySide6 import QtCore
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import (
    QAbstractButton,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

# QEvent (its class holds 180 event types, built by PySide on first use), QKeyEvent and
# QSizePolicy are not imported at run time: the unlock window shows without them.
if TYPE_CHECKING:
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QEnterEvent, QKeyEvent

    from srojournal.vault.passphrase import Strength


def _presses(event: QKeyEvent) -> bool:
    return (
        event.key() in (QtCore.Qt.Key.Key_Return, QtCore.Qt.Key.Key_Enter) and not event.modifiers()
    )


class _EnterClicks(QObject):
    """Enter on a focused button presses it, as Space does.

    Our buttons are not "auto-default" (an auto-default button would take the Enter typed in a
    text field of its dialog), so Qt gives them only Space; this gives them Enter too.
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (
            event.type() == event.Type.KeyPress
            and _presses(cast("QKeyEvent", event))  # a key press arrives as a QKeyEvent
            and isinstance(watched, QAbstractButton)
            and watched.isEnabled()
        ):
            watched.click()
            return True
        return False


_ENTER_CLICKS = _EnterClicks()


class _Button(QPushButton):
    """A push button that Enter presses when it has the focus, like ``enter_clicks``.

    In its own key handler rather than an event filter: a filter written in Python is called
    for every event of the button (paint, layout, hover), and the unlock window's buttons are
    on screen from the first paint.
    """

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if _presses(event) and self.isEnabled():
            self.click()
            event.accept()
            return
        super().keyPressEvent(event)


def enter_clicks(b: QAbstractButton) -> QAbstractButton:
    """Let Enter press this button when it has the focus (see ``_EnterClicks``)."""
    if not isinstance(b, _Button) and not b.property("enterClicks"):
        b.setProperty("enterClicks", True)
        b.installEventFilter(_ENTER_CLICKS)
    return b


def label(text: str, role: str | None = None, *, buddy: QWidget | None = None) -> QLabel:
    w = QLabel(text)
    if role:
        w.setProperty("role", role)
    if buddy is not None:
        w.setBuddy(buddy)
    w.setWordWrap(role in ("hint", "error", "warning", "demo", "subtitle"))
    return w


def primary_button(text: str, name: str) -> QPushButton:
    b = _Button(text)
    b.setProperty("primary", True)
    b.setAccessibleName(name)
    b.setDefault(False)
    b.setAutoDefault(False)
    return b


class LinkButton(_Button):
    """A flat, link-like button: the pointing hand appears when it is hovered.

    (Set on hover, not when built: the unlock window shows before PySide builds the ``Qt``
    namespace, see ``ui/theme.py``.)
    """

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.setProperty("flat", True)

    def enterEvent(self, event: QEnterEvent) -> None:  # noqa: N802 - Qt override
        self.setCursor(QtCore.Qt.CursorShape.PointingHandCursor)
        super().enterEvent(event)


def button(text: str, name: str, *, flat: bool = False) -> QPushButton:
    b = LinkButton(text) if flat else _Button(text)
    b.setAccessibleName(name)
    b.setAutoDefault(False)
    return b


def card() -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setProperty("role", "card")
    lay = QVBoxLayout(frame)
    lay.setContentsMargins(28, 24, 28, 24)
    lay.setSpacing(10)
    return frame, lay


def _icon(name: str) -> QIcon:
    from srojournal.ui.theme import resource_dir

    return QIcon(str(resource_dir("icons", name)))


class PassphraseEdit(QLineEdit):
    """A password field that notices Caps Lock and can reveal what was typed.

    Qt has no portable Caps Lock query, so the state is inferred from typed letters: a capital
    letter without Shift (or a small one with Shift) means Caps Lock is on.
    """

    caps_lock_changed = Signal(bool)

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEchoMode(QLineEdit.EchoMode.Password)
        self.setAccessibleName(name)
        self.setClearButtonEnabled(False)
        self.caps_lock = False
        self._reveal = QAction(_icon("eye.svg"), "Show passphrase", self)
        self._reveal.setCheckable(True)
        self._reveal.setToolTip("Show or hide the passphrase")
        self._reveal.toggled.connect(self._on_reveal)
        self.addAction(self._reveal, QLineEdit.ActionPosition.TrailingPosition)

    def _on_reveal(self, on: bool) -> None:
        self.setEchoMode(QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password)
        self._reveal.setIcon(_icon("eye-off.svg" if on else "eye.svg"))
        self._reveal.setText("Hide passphrase" if on else "Show passphrase")

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        text = event.text()
        if len(text) == 1 and text.isalpha() and text.upper() != text.lower():
            shift = bool(event.modifiers() & QtCore.Qt.KeyboardModifier.ShiftModifier)
            caps = text.isupper() != shift
            if caps != self.caps_lock:
                self.caps_lock = caps
                self.caps_lock_changed.emit(caps)
        elif event.key() == QtCore.Qt.Key.Key_CapsLock:
            self.caps_lock = not self.caps_lock
            self.caps_lock_changed.emit(self.caps_lock)
        super().keyPressEvent(event)

    def wipe(self) -> None:
        self.clear()
        self._reveal.setChecked(False)


class StrengthMeter(QWidget):
    """Strength bar (zxcvbn score 0–4) with the estimator's feedback under it."""

    LABELS = ("Very weak", "Weak", "Fair", "Strong", "Very strong")
    changed = Signal(object)  # Strength | None

    def __init__(self, parent: QWidget | None = None) -> None:
        from PySide6.QtWidgets import QSizePolicy  # (not needed by the unlock window)

        super().__init__(parent)
        self.strength: Strength | None = None
        self._pending = ""
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        row = QHBoxLayout()
        self.bar = QProgressBar()
        self.bar.setRange(0, 4)
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName("Passphrase strength")
        self.bar.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.verdict = label("", "hint")
        self.verdict.setAccessibleName("Passphrase strength verdict")
        self.verdict.setMinimumWidth(90)
        row.addWidget(self.bar, 1)
        row.addWidget(self.verdict)
        lay.addLayout(row)
        self.feedback = label("", "hint")
        self.feedback.setAccessibleName("Passphrase feedback")
        lay.addWidget(self.feedback)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self._assess_now)
        self.update_for("")

    def update_for(self, passphrase: str, *, immediate: bool = False) -> None:
        self._pending = passphrase
        if immediate:
            self._assess_now()
        else:
            self._timer.start()

    def _assess_now(self) -> None:
        self._timer.stop()
        text = self._pending
        self._pending = ""
        if not text:
            self.strength = None
            self.bar.setValue(0)
            self.bar.setProperty("strength", "0")
            self.verdict.setText("")
            self.feedback.setText(
                "At least 12 characters. A few unrelated words are strong and easy to type."
            )
        else:
            from srojournal.vault.passphrase import assess  # loaded when a passphrase is chosen

            s = assess(text)
            self.strength = s
            self.bar.setValue(max(s.score, 1))
            self.bar.setProperty("strength", str(s.score))
            verdict = self.LABELS[s.score]
            self.verdict.setText(verdict if s.acceptable else f"{verdict} — not accepted")
            lines = s.problems + s.suggestions
            self.feedback.setText(" ".join(lines) if lines else "Good passphrase.")
        self.bar.style().unpolish(self.bar)
        self.bar.style().polish(self.bar)
        self.changed.emit(self.strength)

    def flush(self) -> Strength | None:
        if self._timer.isActive():
            self._assess_now()
        return self.strength
