"""Start / unlock screen.

Views (one ``QStackedWidget``): *home* (open the last vault, choose a folder, create a vault),
*unlock* (passphrase with Caps Lock warning and a growing delay after failures), *recover*
(recovery code and a new passphrase), *create* (folder, passphrase, confirmation, strength meter)
and *code* (the recovery code, shown once). Every key derivation runs in a worker thread while a
busy bar moves; the window never freezes.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6 import QtCore
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from srojournal.domain.errors import UserError
from srojournal.ui.common.error_label import ErrorLabel
from srojournal.ui.qsettings import AppSettings
from srojournal.ui.widgets import (
    PassphraseEdit,
    StrengthMeter,
    button,
    card,
    label,
    primary_button,
)
from srojournal.vault import throttle
from srojournal.vault.layout import is_demo_folder, is_vault_folder, suggested_vault_folder

if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent
    from PySide6.QtWidgets import QFileDialog, QProgressBar

    from srojournal.ui.common.runner import Runner
    from srojournal.vault.keys import KdfParams
    from srojournal.vault.store import Vault

log = logging.getLogger("srojournal.ui.unlock")

DEMO_PASSPHRASE = "demo passphrase for testing only"  # noqa: S105 - synthetic demo vault only
failure_delay = throttle.delay_for  # seconds before the next attempt: 0, 1, 2, 4 … 30


_CODE_HINT = (
    "This code opens the vault if you forget your passphrase. It is shown only now: write it "
    "down, print it or save it somewhere safe, away from this laptop."
)
_NEW_CODE_HINT = (
    "The code you used no longer works: this new one replaces it. It is shown only now: write "
    "it down, print it or save it somewhere safe, away from this laptop."
)


def _message(exc: BaseException) -> str:
    if isinstance(exc, UserError):
        return exc.message
    log.error("unexpected error while opening a vault: %s", type(exc).__name__)
    return "Something went wrong while opening the vault. Please report this problem."


class _Views(QWidget):
    """The screen's views, one shown at a time, sized to the one shown.

    A QStackedWidget sizes every page to the tallest (hidden ones included), which stretched
    the short views. In a box layout a hidden widget takes no room: the shown view alone sets
    the size (its height for the card's width, as wrapped text needs), and it gets the whole
    area. (No ``event()`` override: a Python one is called for every event the card gets.)
    """

    def __init__(self) -> None:
        super().__init__()
        self._current: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def addWidget(self, view: QWidget) -> None:  # noqa: N802 - QStackedWidget's name
        view.hide()
        self._layout.addWidget(view)

    def setCurrentWidget(self, view: QWidget) -> None:  # noqa: N802
        if view is self._current:
            return
        if self._current is not None:
            self._current.hide()
        self._current = view
        view.show()

    def currentWidget(self) -> QWidget | None:  # noqa: N802
        return self._current


class UnlockScreen(QWidget):
    """Emits ``unlocked(vault)`` with an open ``Vault``; the receiver owns it from then on.

    Choose the first view (``open_path`` or ``show_home``) before the screen is shown. (It has
    no ``showEvent`` to do that itself: a Python event handler makes PySide build its event
    classes before the first paint, about 1.5 ms of the start.)
    """

    unlocked = Signal(object)
    busy_changed = Signal(bool)
    first_painted = Signal()  # once, when the screen has been painted for the first time

    def __init__(
        self,
        settings: AppSettings,
        *,
        kdf: KdfParams | None = None,
        allow_weak_kdf: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("UnlockScreen")
        self.settings = settings
        self.kdf = kdf
        self.allow_weak_kdf = allow_weak_kdf
        self.vault_path: Path | None = None
        self.failures = 0
        self.retry_at = 0.0
        self._painted = False
        self._runner: Runner | None = None
        self._busy: QProgressBar | None = None
        self._dialog: QFileDialog | None = None
        self._pending_vault: Vault | None = None
        self._recovery_code = ""

        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 24, 24, 24)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.stack = _Views()
        self.stack.setFixedWidth(520)
        row.addWidget(self.stack)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

        # Views are built the first time they are shown: the window that opens at start-up
        # only pays for the view the officer sees (usually *unlock*).
        self._views: dict[str, QWidget] = {}
        self._delay_timer = QTimer(self)
        self._delay_timer.setInterval(250)
        self._delay_timer.timeout.connect(self._tick_delay)

    @property
    def runner(self) -> Runner:
        """Key derivation runs here, off the window's thread (there is no session yet); made on
        the first attempt, not before the window shows."""
        if self._runner is None:
            from srojournal.ui.common.runner import Runner

            self._runner = Runner(self)
        return self._runner

    @property
    def busy(self) -> QProgressBar:
        """The bar that moves while a key is derived (made on first use, like the runner)."""
        if self._busy is None:
            from PySide6.QtWidgets import QProgressBar

            self._busy = QProgressBar()
            self._busy.setRange(0, 0)
            self._busy.setAccessibleName("Working")
            self._busy.setVisible(False)
        return self._busy

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.first_painted.emit()

    def _view(self, name: str) -> QWidget:
        view = self._views.get(name)
        if view is None:
            view = self._views[name] = getattr(self, f"_build_{name}")()
            self.stack.addWidget(view)
        return view

    def _built(self, name: str) -> bool:
        return name in self._views

    # -- building ------------------------------------------------------------------------------
    def _header(self, lay: QVBoxLayout, title: str, subtitle: str) -> QLabel:
        t = label(title, "title")
        lay.addWidget(t)
        s = label(subtitle, "subtitle")
        lay.addWidget(s)
        lay.addSpacing(6)
        return s

    def _build_home(self) -> QWidget:
        frame, lay = card()
        self._header(lay, "SRO Journal", "Your journal is kept in an encrypted vault folder.")
        self.recent_label = label("", "hint")
        self.recent_label.setAccessibleName("Last vault")
        lay.addWidget(self.recent_label)
        self.open_recent_btn = primary_button("Open last vault", "Open last vault")
        self.open_recent_btn.clicked.connect(self._open_recent)
        lay.addWidget(self.open_recent_btn)
        self.choose_btn = button("Open a vault folder…", "Open a vault folder")
        self.choose_btn.clicked.connect(self._choose_folder)
        lay.addWidget(self.choose_btn)
        self.new_btn = button("Create a new vault…", "Create a new vault")
        self.new_btn.clicked.connect(lambda: self.show_create())
        lay.addWidget(self.new_btn)
        self.home_error = ErrorLabel("Problem")
        lay.addWidget(self.home_error)
        return frame

    def _build_unlock(self) -> QWidget:
        frame, lay = card()
        self.unlock_subtitle = self._header(lay, "Unlock your journal", "")
        self.unlock_subtitle.setAccessibleName("Vault location")
        # Shown only for a folder that ``srojournal demo`` made (see ``show_unlock``).
        self.demo_notice = label(
            "SYNTHETIC DEMO DATA — this vault holds made-up entries only.\n"
            f"Demo passphrase: {DEMO_PASSPHRASE}",
            "demo",
        )
        self.demo_notice.setAccessibleName("Demo vault notice")
        lay.addWidget(self.demo_notice)
        self.demo_fill_btn = button("Fill in the demo passphrase", "Fill in demo passphrase")
        self.demo_fill_btn.clicked.connect(self.fill_demo_passphrase)
        lay.addWidget(self.demo_fill_btn)
        self.passphrase = PassphraseEdit("Passphrase")
        self.passphrase.setPlaceholderText("Passphrase")
        lay.addWidget(label("&Passphrase", "section", buddy=self.passphrase))
        lay.addWidget(self.passphrase)
        self.caps_warning = label("Caps Lock is on.", "warning")
        self.caps_warning.setAccessibleName("Caps Lock warning")
        self.caps_warning.setVisible(False)
        self.passphrase.caps_lock_changed.connect(self.caps_warning.setVisible)
        lay.addWidget(self.caps_warning)
        self.unlock_error = ErrorLabel("Unlock problem")
        lay.addWidget(self.unlock_error)
        self.unlock_btn = primary_button("Unlock", "Unlock")
        self.unlock_btn.clicked.connect(self.unlock)
        self.passphrase.returnPressed.connect(self.unlock)
        lay.addWidget(self.unlock_btn)
        self.unlock_busy_slot = QVBoxLayout()
        lay.addLayout(self.unlock_busy_slot)
        links = QHBoxLayout()
        self.recover_btn = button("Use recovery code", "Use recovery code", flat=True)
        self.recover_btn.clicked.connect(self.show_recover)
        self.unlock_back_btn = button("Other vault…", "Choose another vault", flat=True)
        self.unlock_back_btn.clicked.connect(self.show_home)
        links.addWidget(self.recover_btn)
        links.addStretch(1)
        links.addWidget(self.unlock_back_btn)
        lay.addLayout(links)
        return frame

    def fill_demo_passphrase(self) -> None:
        self.passphrase.setText(DEMO_PASSPHRASE)
        self.passphrase.setFocus()

    def _build_recover(self) -> QWidget:
        frame, lay = card()
        self._header(
            lay,
            "Use your recovery code",
            "Enter your recovery code, then choose a new passphrase. You get a new recovery "
            "code at once: the one you enter here stops working.",
        )
        self.recovery_code = QLineEdit()
        self.recovery_code.setAccessibleName("Recovery code")
        self.recovery_code.setPlaceholderText("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
        lay.addWidget(label("Recovery &code", "section", buddy=self.recovery_code))
        lay.addWidget(self.recovery_code)
        self.recover_new = PassphraseEdit("New passphrase")
        self.recover_confirm = PassphraseEdit("Confirm new passphrase")
        lay.addWidget(label("&New passphrase", "section", buddy=self.recover_new))
        lay.addWidget(self.recover_new)
        self.recover_meter = StrengthMeter()
        self.recover_new.textChanged.connect(self.recover_meter.update_for)
        lay.addWidget(self.recover_meter)
        lay.addWidget(label("Con&firm new passphrase", "section", buddy=self.recover_confirm))
        lay.addWidget(self.recover_confirm)
        self.recover_error = ErrorLabel("Recovery problem")
        lay.addWidget(self.recover_error)
        self.recover_go = primary_button("Unlock and set passphrase", "Unlock and set passphrase")
        self.recover_go.clicked.connect(self.recover)
        self.recover_confirm.returnPressed.connect(self.recover)
        lay.addWidget(self.recover_go)
        self.recover_busy_slot = QVBoxLayout()
        lay.addLayout(self.recover_busy_slot)
        back = button("Back", "Back to unlock", flat=True)
        back.clicked.connect(lambda: self.show_unlock(self.vault_path))
        lay.addWidget(back, 0, QtCore.Qt.AlignmentFlag.AlignLeft)
        return frame

    def _build_create(self) -> QWidget:
        frame, lay = card()
        self._header(
            lay,
            "Create a new vault",
            "Choose an empty folder for the vault and a passphrase you can remember.",
        )
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        self.create_folder = QLineEdit()
        self.create_folder.setAccessibleName("Vault folder")
        self.create_folder.setPlaceholderText("A new or empty folder")
        browse = button("Browse…", "Browse for a folder")
        browse.clicked.connect(self._browse_new_folder)
        lay.addWidget(label("Vault &folder", "section", buddy=self.create_folder))
        grid.addWidget(self.create_folder, 0, 0)
        grid.addWidget(browse, 0, 1)
        lay.addLayout(grid)
        self.create_pass = PassphraseEdit("New passphrase")
        self.create_confirm = PassphraseEdit("Confirm passphrase")
        lay.addWidget(label("&Passphrase", "section", buddy=self.create_pass))
        lay.addWidget(self.create_pass)
        self.create_meter = StrengthMeter()
        self.create_pass.textChanged.connect(self.create_meter.update_for)
        lay.addWidget(self.create_meter)
        lay.addWidget(label("&Confirm passphrase", "section", buddy=self.create_confirm))
        lay.addWidget(self.create_confirm)
        self.create_caps = label("Caps Lock is on.", "warning")
        self.create_caps.setAccessibleName("Caps Lock warning")
        self.create_caps.setVisible(False)
        self.create_pass.caps_lock_changed.connect(self.create_caps.setVisible)
        lay.addWidget(self.create_caps)
        self.create_error = ErrorLabel("Create problem")
        lay.addWidget(self.create_error)
        self.create_btn = primary_button("Create vault", "Create vault")
        self.create_btn.clicked.connect(self.create_vault)
        self.create_confirm.returnPressed.connect(self.create_vault)
        lay.addWidget(self.create_btn)
        self.create_busy_slot = QVBoxLayout()
        lay.addLayout(self.create_busy_slot)
        back = button("Back", "Back to start", flat=True)
        back.clicked.connect(self.show_home)
        lay.addWidget(back, 0, QtCore.Qt.AlignmentFlag.AlignLeft)
        QWidget.setTabOrder(self.create_folder, browse)
        QWidget.setTabOrder(browse, self.create_pass)
        QWidget.setTabOrder(self.create_pass, self.create_confirm)
        QWidget.setTabOrder(self.create_confirm, self.create_btn)
        return frame

    def _build_code(self) -> QWidget:
        frame, lay = card()
        self.code_subtitle = self._header(lay, "Your recovery code", _CODE_HINT)
        self.code_label = label("", "code")
        self.code_label.setAccessibleName("Recovery code")
        self.code_label.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.code_label.setWordWrap(False)
        lay.addWidget(self.code_label)
        row = QHBoxLayout()
        self.save_code_btn = button("Save to file…", "Save recovery code to a file")
        self.save_code_btn.clicked.connect(self._save_code)
        self.print_code_btn = button("Print…", "Print recovery code")
        self.print_code_btn.clicked.connect(self._print_code)
        row.addWidget(self.save_code_btn)
        row.addWidget(self.print_code_btn)
        row.addStretch(1)
        lay.addLayout(row)
        self.code_status = label("", "hint")
        self.code_status.setAccessibleName("Recovery code status")
        lay.addWidget(self.code_status)
        self.stored_check = QCheckBox("I have stored the recovery code somewhere safe")
        self.stored_check.setAccessibleName("I have stored the recovery code")
        lay.addWidget(self.stored_check)
        self.code_continue = primary_button("Open my journal", "Open my journal")
        self.code_continue.setEnabled(False)
        self.stored_check.toggled.connect(self.code_continue.setEnabled)
        self.code_continue.clicked.connect(self._finish_create)
        lay.addWidget(self.code_continue)
        return frame

    # -- navigation ----------------------------------------------------------------------------
    def show_home(self) -> None:
        view = self._view("home")
        last = self.settings.last_vault_path
        usable = last is not None and is_vault_folder(last)
        self.open_recent_btn.setVisible(usable)
        self.recent_label.setText(f"Last vault: {last}" if usable else "No recent vault.")
        self.home_error.set_message("")
        self.stack.setCurrentWidget(view)
        (self.open_recent_btn if usable else self.choose_btn).setFocus()

    def show_unlock(self, path: Path | None) -> None:
        if path is None:
            self.show_home()
            return
        view = self._view("unlock")
        self.vault_path = Path(path)
        # Failed attempts are remembered next to the vault: restarting does not reset the delay.
        remembered = throttle.load(self.vault_path)
        self.failures = remembered.attempts
        self.retry_at = time.monotonic() + remembered.seconds_left()
        self.unlock_subtitle.setText(f"Vault: {self.vault_path}")
        demo = is_demo_folder(self.vault_path)
        if demo:  # (set here: the Qt namespace costs start-up time, see ui/theme.py)
            self.demo_notice.setTextInteractionFlags(
                QtCore.Qt.TextInteractionFlag.TextSelectableByMouse
            )
        self.demo_notice.setVisible(demo)
        self.demo_fill_btn.setVisible(demo)
        self.unlock_error.set_message("")
        self.stack.setCurrentWidget(view)
        self.passphrase.setFocus()
        self._tick_delay()

    def show_recover(self) -> None:
        view = self._view("recover")
        self.recover_error.set_message("")
        self.stack.setCurrentWidget(view)
        self.recovery_code.setFocus()

    def show_create(self, folder: Path | None = None) -> None:
        view = self._view("create")
        if folder is not None:
            self.create_folder.setText(str(folder))
        elif not self.create_folder.text():
            self.create_folder.setText(str(suggested_vault_folder()))
        self.create_error.set_message("")
        self.stack.setCurrentWidget(view)
        (self.create_pass if self.create_folder.text() else self.create_folder).setFocus()

    def open_path(self, path: Path) -> None:
        """Show the right view for a folder: unlock an existing vault, else offer to create one."""
        path = Path(path)
        if is_vault_folder(path):
            self.show_unlock(path)
        elif not path.exists() or (path.is_dir() and not any(path.iterdir())):
            self.show_create(path)
        else:
            self.show_home()
            self.home_error.set_message(f"{path} is not an SRO Journal vault.")

    def reset(self) -> None:
        """Forget every typed secret (after unlock, and when the app locks)."""
        self._recovery_code = ""
        if self._built("unlock"):
            self.passphrase.wipe()
            self.unlock_error.set_message("")
        if self._built("recover"):
            self.recover_new.wipe()
            self.recover_confirm.wipe()
            self.recovery_code.clear()
            self.recover_error.set_message("")
        if self._built("create"):
            self.create_pass.wipe()
            self.create_confirm.wipe()
            self.create_error.set_message("")
        if self._built("code"):
            self.code_label.clear()
            self.stored_check.setChecked(False)
            self.code_status.clear()

    @property
    def is_busy(self) -> bool:
        return self._runner is not None and self._runner.busy

    def _set_busy(self, on: bool, slot: QVBoxLayout | None = None) -> None:
        if on and slot is not None:
            slot.addWidget(self.busy)
        if self._busy is not None:
            self._busy.setVisible(on)
        inputs: list[QWidget] = []
        if self._built("unlock"):
            inputs += [self.unlock_btn, self.passphrase, self.recover_btn, self.unlock_back_btn]
        if self._built("recover"):
            inputs += [self.recover_go, self.recovery_code, self.recover_new, self.recover_confirm]
        if self._built("create"):
            inputs += [self.create_btn, self.create_pass, self.create_confirm, self.create_folder]
        for w in inputs:
            w.setEnabled(not on)
        if not on:
            self._tick_delay()
        self.busy_changed.emit(on)

    # -- home actions --------------------------------------------------------------------------
    def _open_recent(self) -> None:
        last = self.settings.last_vault_path
        if last is not None:
            self.open_path(last)

    def choose_vault_folder(self) -> None:
        """Home, with the folder chooser open (File → Open vault…)."""
        self.show_home()
        self._choose_folder()

    def _folder_dialog(self, title: str, on_chosen: Callable[[Path], None]) -> None:
        from PySide6.QtWidgets import QFileDialog  # dialogs load when first opened

        last = self.settings.last_vault_path
        start = last.parent if last is not None else suggested_vault_folder().parent
        dialog = QFileDialog(self, title, str(start))
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(lambda p: on_chosen(Path(p)))
        self._dialog = dialog
        dialog.open()

    def _choose_folder(self) -> None:
        self._folder_dialog("Open a vault folder", self.open_path)

    def _browse_new_folder(self) -> None:
        self._folder_dialog(
            "Choose a folder for the new vault", lambda p: self.create_folder.setText(str(p))
        )

    # -- unlock --------------------------------------------------------------------------------
    def seconds_until_retry(self) -> int:
        return max(0, int(self.retry_at - time.monotonic() + 0.999))

    def _tick_delay(self) -> None:
        if not self._built("unlock"):
            return
        wait = self.seconds_until_retry()
        if wait > 0:
            self.unlock_btn.setEnabled(False)
            self.unlock_btn.setText(f"Try again in {wait} s")
            if not self._delay_timer.isActive():
                self._delay_timer.start()
        else:
            self._delay_timer.stop()
            self.unlock_btn.setText("Unlock")
            self.unlock_btn.setEnabled(not self.is_busy)

    def unlock(self) -> None:
        if self.is_busy or self.vault_path is None or self.seconds_until_retry() > 0:
            return
        secret = self.passphrase.text()
        if not secret:
            self.unlock_error.set_message("Enter your passphrase.")
            return
        self.unlock_error.set_message("")
        folder = self.vault_path
        self._set_busy(True, self.unlock_busy_slot)
        self.runner.run(lambda: _unlock(folder, secret), self._on_unlocked, self._on_unlock_failed)

    def _on_unlocked(self, vault: object) -> None:
        self.failures = 0
        self.retry_at = 0.0
        if self.vault_path is not None:
            throttle.clear(self.vault_path)
        self._set_busy(False)
        self._deliver(vault)

    def _on_unlock_failed(self, exc: BaseException) -> None:
        from srojournal.vault.errors import WrongPassphrase  # not needed to show the window

        self._set_busy(False)
        if isinstance(exc, WrongPassphrase):
            if self.vault_path is not None:
                remembered = throttle.record_failure(self.vault_path)
                self.failures = remembered.attempts
                self.retry_at = time.monotonic() + remembered.seconds_left()
            else:
                self.failures += 1
                self.retry_at = time.monotonic() + failure_delay(self.failures)
            msg = "That passphrase is not right. Check Caps Lock and try again."
            if _interrupted_key_change(exc):  # it is right, for the other side of the change
                msg = exc.message
            elif self.failures >= 3:
                msg += " If you have forgotten it, use your recovery code."
            self.unlock_error.set_message(msg)
            self.passphrase.selectAll()
        else:
            self.unlock_error.set_message(_message(exc))
        self._tick_delay()
        self.passphrase.setFocus()

    def _deliver(self, vault: object) -> None:
        assert self.vault_path is not None
        self.settings.last_vault_path = self.vault_path
        self.reset()
        self.unlocked.emit(vault)

    # -- recovery ------------------------------------------------------------------------------
    def recover(self) -> None:
        if self.is_busy or self.vault_path is None:
            return
        code = self.recovery_code.text().strip()
        new = self.recover_new.text()
        if not code:
            self.recover_error.set_message("Enter the recovery code.")
            return
        strength = self.recover_meter.flush() or self.recover_meter.strength
        if strength is None or not strength.acceptable:
            self.recover_error.set_message("Choose a stronger new passphrase (see above).")
            return
        if new != self.recover_confirm.text():
            self.recover_error.set_message("The two new passphrases are not the same.")
            return
        self.recover_error.set_message("")
        folder = self.vault_path

        self._set_busy(True, self.recover_busy_slot)
        self.runner.run(
            lambda: _recover(folder, code, new), self._on_recovered, self._on_recover_failed
        )

    def _on_recovered(self, result: tuple[Vault, str]) -> None:
        """The code was used up: show the new one, with the same "I have stored it" step as at
        creation, before the journal opens."""
        self.failures = 0
        self.retry_at = 0.0
        if self.vault_path is not None:
            throttle.clear(self.vault_path)
        self._set_busy(False)
        self.recover_new.wipe()
        self.recover_confirm.wipe()
        self.recovery_code.clear()
        vault, code = result
        self._show_code(vault, code, new=True)

    def _on_recover_failed(self, exc: BaseException) -> None:
        from srojournal.vault.errors import WrongPassphrase  # not needed to show the window

        self._set_busy(False)
        if isinstance(exc, WrongPassphrase):
            self.recover_error.set_message(
                exc.message
                if _interrupted_key_change(exc)
                else "That recovery code is not right. Check each group of four characters.",
            )
        else:
            self.recover_error.set_message(_message(exc))

    # -- create --------------------------------------------------------------------------------
    def create_vault(self) -> None:
        if self.is_busy:
            return
        folder_text = self.create_folder.text().strip()
        if not folder_text:
            self.create_error.set_message("Choose a folder for the vault.")
            self.create_folder.setFocus()
            return
        folder = Path(folder_text).expanduser()
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            self.create_error.set_message("That folder is not empty; choose a new or empty folder.")
            return
        strength = self.create_meter.flush() or self.create_meter.strength
        if strength is None or not strength.acceptable:
            self.create_error.set_message("Choose a stronger passphrase (see above).")
            self.create_pass.setFocus()
            return
        if self.create_pass.text() != self.create_confirm.text():
            self.create_error.set_message("The two passphrases are not the same.")
            self.create_confirm.setFocus()
            return
        self.create_error.set_message("")
        passphrase = self.create_pass.text()
        kdf, weak = self.kdf, self.allow_weak_kdf
        self._set_busy(True, self.create_busy_slot)
        self.runner.run(
            lambda: _create_vault(folder, passphrase, kdf, weak),
            lambda result: self._on_created(folder, result),
            self._on_create_failed,
        )

    def _on_created(self, folder: Path, result: tuple[Vault, str]) -> None:
        self._set_busy(False)
        vault, code = result
        self.vault_path = folder
        self.create_pass.wipe()
        self.create_confirm.wipe()
        self._show_code(vault, code, new=False)

    def _show_code(self, vault: Vault, code: str, *, new: bool) -> None:
        view = self._view("code")
        self._pending_vault = vault
        self._recovery_code = code
        self.code_subtitle.setText(_NEW_CODE_HINT if new else _CODE_HINT)
        # Two lines of four groups: easy to copy by hand, never broken mid-group.
        groups = code.split("-")
        half = len(groups) // 2
        self.code_label.setText("-".join(groups[:half]) + "\n" + "-".join(groups[half:]))
        self.stored_check.setChecked(False)
        self.stack.setCurrentWidget(view)
        self.save_code_btn.setFocus()

    def _on_create_failed(self, exc: BaseException) -> None:
        from srojournal.vault.errors import WeakPassphrase  # not needed to show the window

        self._set_busy(False)
        if isinstance(exc, WeakPassphrase):
            self.create_error.set_message(" ".join([exc.message, *exc.feedback]))
        else:
            self.create_error.set_message(_message(exc))

    def _finish_create(self) -> None:
        if not self.stored_check.isChecked() or self._pending_vault is None:
            return
        vault = self._pending_vault
        self._pending_vault = None
        if not vault.recovery_code_unconfirmed:
            self._deliver(vault)
            return

        # A code issued by recovery: now it is stored.
        def failed(exc: BaseException) -> None:
            log.error("could not record the stored recovery code: %s", type(exc).__name__)
            self._deliver(vault)

        self.runner.write(
            lambda: _confirm_recovery_code(vault), lambda _: self._deliver(vault), failed
        )

    @property
    def pending_vault(self) -> Vault | None:
        """A vault created but not yet handed over (its recovery code is on screen)."""
        return self._pending_vault

    def _code_text(self) -> str:
        return (
            "SRO Journal — vault recovery code\n\n"
            f"{self._recovery_code}\n\n"
            "Keep this code away from the laptop. It opens the vault if the passphrase is lost.\n"
        )

    def _save_code(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        dialog = QFileDialog(self, "Save the recovery code")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.selectFile("srojournal-recovery-code.txt")
        dialog.fileSelected.connect(lambda p: self.save_code_to(Path(p)))
        self._dialog = dialog
        dialog.open()

    def save_code_to(self, path: Path) -> None:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(self._code_text())
        except OSError:
            self.code_status.setText("Could not save the file there. Choose another place.")
            return
        self.code_status.setText("Saved. Move that file somewhere safe, away from this laptop.")

    def _print_code(self) -> None:
        import html

        from PySide6.QtGui import QTextDocument
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter
        from PySide6.QtWidgets import QDialog

        printer = QPrinter()
        dialog = QPrintDialog(printer, self)
        doc = QTextDocument()
        doc.setHtml(
            "<h2>SRO Journal — vault recovery code</h2>"
            f"<p style='font-family:monospace;font-size:18pt'>{html.escape(self._recovery_code)}"
            "</p><p>Keep this page away from the laptop.</p>"
        )

        def do_print() -> None:
            doc.print_(printer)
            self.code_status.setText("Sent to the printer.")

        dialog.accepted.connect(do_print)
        self._print_dialog = (dialog, printer, doc)
        QDialog.open(dialog)

    # The passphrase text is never stored here; only widgets hold it until reset().
    def focus_passphrase(self) -> None:
        if self.current_view() == "unlock":
            self.passphrase.setFocus()

    def current_view(self) -> str:
        current = self.stack.currentWidget()
        for name, view in self._views.items():
            if view is current:
                return name
        return "home"


__all__ = ["DEMO_PASSPHRASE", "UnlockScreen", "failure_delay"]


def _interrupted_key_change(exc: BaseException) -> bool:
    from srojournal.vault.keychange import KeyChangeInterrupted  # loaded with the vault stack

    return isinstance(exc, KeyChangeInterrupted)


# The vault stack (SQLCipher, cryptography) loads on first use, off the start-up path.
def _unlock(folder: Path, secret: str) -> Any:
    from srojournal.ops.access import unlock

    return unlock(folder, secret)


def _recover(folder: Path, code: str, new: str) -> Any:
    from srojournal.ops.access import recover

    return recover(folder, code, lambda: new)


def _confirm_recovery_code(vault: Vault) -> Any:
    from srojournal.ops.access import confirm_recovery_code

    return confirm_recovery_code(vault)


def _create_vault(folder: Path, passphrase: str, kdf: KdfParams | None, weak: bool) -> Any:
    from srojournal.ops.access import create_vault

    return create_vault(folder, passphrase, kdf=kdf, allow_weak_kdf=weak)
