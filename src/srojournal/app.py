"""The GUI face: QApplication bootstrap.

Fonts are bundled (DejaVu) and registered before any widget exists, so rendering never depends on
what the system has installed; Qt's own messages go to Python logging; the palette follows the
system's light/dark setting.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6 import QtCore
from PySide6.QtCore import QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from srojournal.ui import theme

log = logging.getLogger("srojournal.app")
qt_log = logging.getLogger("srojournal.qt")

APP_ID = theme.APP_ID
APP_NAME = "SRO Journal"

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _qt_message(msg_type: QtMsgType, context: object, message: str) -> None:
    category = getattr(context, "category", None) or "qt"
    qt_log.log(_QT_LEVELS.get(msg_type, logging.WARNING), "[%s] %s", category, message)


def _frames(tb: TracebackType | None) -> str:
    return " <- ".join(
        f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(traceback.extract_tb(tb))
    )


def handle_uncaught(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    """Last line of defence for an exception escaping a Qt slot: a bug, never a leak.

    Python's default hook prints the exception's message, which may quote journal content
    (an alias in a KeyError, a note in a ValueError). Log the type and where it happened (file,
    line, function: never values), and tell the officer without blocking the window.
    """
    if issubclass(exc_type, KeyboardInterrupt):
        QApplication.quit()
        return
    log.error("internal error (%s) at %s", exc_type.__name__, _frames(tb))
    app = QApplication.instance()
    if not isinstance(app, QApplication) or os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        return
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "Something went wrong",
        f"SRO Journal hit an internal error ({exc_type.__name__}). Saved entries are safe; "
        "an entry being typed is kept as a draft when the vault locks. Please report this bug.",
        parent=app.activeWindow(),
    )
    box.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose, True)
    box.open()


def install_qt_message_handler() -> None:
    """Route qDebug/qWarning/… into the ``srojournal.qt`` logger."""
    qInstallMessageHandler(_qt_message)


def prepare_environment() -> None:
    """Before the QApplication exists: bundled fonts for every platform plugin.

    (Fractional high-DPI scale factors pass through unrounded: Qt 6's default.)
    """
    current = os.environ.get("QT_QPA_FONTDIR")
    if not current or not Path(current).is_dir():
        os.environ["QT_QPA_FONTDIR"] = str(theme.fonts_dir())


def configure_application(
    app: QApplication,
    scheme: str | None = None,
    *,
    fusion_from_argv: bool = False,
    remembered_scheme: str | None = None,
    accessibility: bool = True,
) -> None:
    """Identity, fonts and theme on an existing application (also used by tests).

    ``scheme`` forces light or dark; ``None`` follows the system, starting on
    ``remembered_scheme`` when there is one (the caller then confirms it with
    ``theme.match_system_scheme`` once the window is up). ``accessibility=False`` leaves
    ``install_accessibility`` to the caller (the app runs it once its first window is up).
    """
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName("SROJournal")
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(theme.app_icon())
    if accessibility:
        install_accessibility()
    theme.load_fonts()
    app.setFont(theme.base_font())
    start = scheme if scheme is not None else remembered_scheme
    theme.apply_theme(
        app, start if start in ("light", "dark") else None, set_style=not fusion_from_argv
    )
    if scheme is None:
        theme.follow_system_scheme(app)


def install_accessibility() -> None:
    """Named drop-down boxes say their name to screen readers (ui/accessible.py)."""
    from srojournal.ui.accessible import install_accessibility as install

    install()


def create_application(
    argv: list[str] | None = None,
    *,
    remembered_scheme: str | None = None,
    accessibility: bool = True,
) -> QApplication:
    prepare_environment()
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app, fusion_from_argv = existing, False
    else:
        # The theme is drawn on Fusion everywhere; asked for here rather than with setStyle().
        app = QApplication([*(argv or sys.argv[:1]), "-style", "Fusion"])
        fusion_from_argv = True
    install_qt_message_handler()
    configure_application(
        app,
        fusion_from_argv=fusion_from_argv,
        remembered_scheme=remembered_scheme,
        accessibility=accessibility,
    )
    return app


def run_gui(vault_path: Path | None, *, quit_when_ready: bool = False) -> int:
    """Open the desktop app (``srojournal [--vault DIR]``); returns the exit code.

    (Whether a vault is a demo is recorded with the vault, see ``vault/layout.py``.)

    The unlock window comes first, on the colour scheme the app last ran with. Once it is up,
    long before a passphrase could be typed, the app confirms the system's scheme and runs the
    build's self-test (SQLCipher, FTS5, Argon2id, AES-GCM): a broken build then closes the
    window with a clear message and exit code 1 instead of crashing later. ``quit_when_ready``
    quits once the self-test passed (the packaged build's smoke test).
    """
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from srojournal.ui.qsettings import AppSettings

    settings = AppSettings()
    # The unlock window has no drop-down box: the accessibility factory for them is installed
    # right after its first paint, like the checks below.
    app = create_application(remembered_scheme=settings.color_scheme, accessibility=False)
    sys.excepthook = handle_uncaught
    from PySide6.QtCore import QTimer

    from srojournal.ui.main_window import MainWindow

    # The window opens on its unlock screen; its menus and auto-lock follow the first paint.
    window = MainWindow(
        settings, vault_path=Path(vault_path) if vault_path else None, finish_later=True
    )
    window.show()

    def remember_scheme() -> None:
        settings.color_scheme = theme.current_scheme()

    finished = False

    def after_first_paint() -> None:
        nonlocal finished
        if finished:
            return
        finished = True
        gc.enable()  # paused for the start by the command line (cli._run_gui)
        window.finish_window()
        install_accessibility()
        theme.match_system_scheme(app)
        remember_scheme()
        check_build()

    def check_build() -> None:
        from srojournal.selftest import run_self_test

        check = run_self_test()
        if check.ok:
            log.info("SQLCipher %s", check.cipher_version)
            if quit_when_ready:
                app.quit()
            return
        log.error("self-test failed: %s", "; ".join(check.problems))
        window.hide()
        if not quit_when_ready:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.critical(
                None,
                "SRO Journal cannot start",
                "This installation of SRO Journal is incomplete:\n\n"
                + "\n".join(check.problems)
                + "\n\nReinstall the app. Your vaults were not touched.",
            )
        app.exit(1)

    app.aboutToQuit.connect(remember_scheme)
    # Queued from the first paint, the rest runs once that paint is on screen. (A timer started
    # here would run first: Qt paints at a lower priority than queued calls.) A window that is
    # never painted still finishes its start.
    window.unlock_screen.first_painted.connect(lambda: QTimer.singleShot(0, after_first_paint))
    QTimer.singleShot(1000, after_first_paint)
    return int(app.exec())
