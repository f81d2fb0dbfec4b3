"""Starting the app: the unlock window comes first and light; a broken build says so and stops.

Start-up time itself is a benchmark (``benchmarks/``); these tests guard what makes it: what the
``srojournal`` command loads before its window is on screen, and the hand-parsed launch line.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from srojournal.cli import _app_launch, build_parser
from srojournal.ui.qsettings import APPLICATION, ORGANIZATION
from srojournal.vault.store import Vault
from tests.conftest import CHEAP_KDF, PASSPHRASE, REPO_ROOT

# Loaded only once there is something to unlock or to show behind the lock, or after the first
# paint. (Each module costs start-up time; the unlock window's figure is a benchmark.)
NOT_AT_START = (
    "importlib.metadata",  # the version, read on demand
    "sqlcipher3",
    "cryptography",
    "zxcvbn",
    "srojournal.vault.store",
    "srojournal.vault.keys",
    "srojournal.selftest",  # runs once the window is up
    "srojournal.ui.session",
    "srojournal.ui.workspace",
    "srojournal.ui.journal.page",
    "srojournal.ui.entry.dialog",
    "srojournal.ops.changes",  # what a write changed: nothing is written before unlock
    "srojournal.ui.clipboard",  # guards copies from the unlocked journal
    "srojournal.ui.accessible",  # for drop-down boxes: installed after the first paint
    # The window's menus' actions and auto-lock follow the first paint (MainWindow.finish_window)
    "srojournal.ui.autolock",
    "srojournal.ui.pages",  # the page registry
    "srojournal.domain.settings",
    "srojournal.ui.common.runner",  # the unlock screen's worker: made on the first attempt
    "srojournal.vault.errors",  # an attempt's outcome
    "srojournal.vault.fsutil",  # the unlock throttle writes only after a failure
    "dataclasses",
    "datetime",  # (with PySide's import hook reading every module's source, ~3 ms)
)

# Everything of ours that the first paint needs: the command line, the process hardening, the
# application and its theme and settings, the window with its unlock screen and the widgets
# that screen shows, and the vault folder's layout and unlock throttle. A module added here
# costs every start about a millisecond: defer it instead where it can be.
START_PATH = {
    "srojournal",
    "srojournal.cli",
    "srojournal.domain",
    "srojournal.domain.errors",
    "srojournal.hardening",
    "srojournal.app",
    "srojournal.ui",
    "srojournal.ui.theme",
    "srojournal.ui.qsettings",
    "srojournal.ui.main_window",
    "srojournal.ui.unlock",
    "srojournal.ui.unlock.screen",
    "srojournal.ui.widgets",
    "srojournal.ui.common",
    "srojournal.ui.common.error_label",
    "srojournal.vault",
    "srojournal.vault.layout",
    "srojournal.vault.throttle",
}

# Qt classes that PySide builds (with their enums) on first use, which the first paint does
# without: the event classes (a Python event handler or filter builds them), key sequences,
# size policies.
NOT_BUILT_AT_START = ("QEvent", "QKeyEvent", "QKeySequence", "QSizePolicy")

PROBE = textwrap.dedent(
    """
    import gc, os, sys
    from srojournal.ui.main_window import MainWindow

    show = MainWindow.show

    def report(self):
        show(self)
        import PySide6.QtCore, PySide6.QtGui, PySide6.QtWidgets

        screen = self.unlock_screen
        print("VIEW", screen.current_view(), sorted(screen._views))
        print("QT_NAMESPACE", "Qt" in vars(PySide6.QtCore))
        built = {**vars(PySide6.QtCore), **vars(PySide6.QtGui), **vars(PySide6.QtWidgets)}
        print("QT_CLASSES", " ".join(sorted(name for name in built if name.startswith("Q"))))
        print("MENUS", len(self.menuBar().actions()), len(self.file_menu.actions()))
        print("GC", gc.isenabled())
        from srojournal.ui import theme

        print("SCHEME", theme.current_scheme())
        print("MODULES", " ".join(sorted(sys.modules)))
        sys.stdout.flush()
        os._exit(0)

    MainWindow.show = report
    from srojournal.cli import main

    main(sys.argv[1:])
    """
)


def _env(tmp_path: Path, extra_path: Path | None = None) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    paths = [str(REPO_ROOT / "src")]
    if extra_path is not None:
        paths.insert(0, str(extra_path))
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.pop("SROJOURNAL_LOG", None)
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_unlock_window_shows_before_the_vault_stack_loads(tmp_path: Path) -> None:
    vault, _ = Vault.create(tmp_path / "v", PASSPHRASE, kdf=CHEAP_KDF, allow_weak_kdf=True)
    vault.close()
    env = _env(tmp_path)
    # A first start remembers the colour scheme; the next ones start on it.
    first = _run(["-m", "srojournal", "--vault", str(tmp_path / "v"), "--quit-when-ready"], env)
    assert first.returncode == 0, first.stderr
    proc = _run(["-c", PROBE, "--vault", str(tmp_path / "v")], env)
    assert proc.returncode == 0, proc.stderr
    lines = dict(line.split(" ", 1) for line in proc.stdout.splitlines() if " " in line)
    # The vault opens on its unlock view, and that view is the only one built.
    assert lines["VIEW"] == "unlock ['unlock']"
    # PySide builds the Qt namespace's 93 enums (~20 ms) on first use: after the window shows.
    assert lines["QT_NAMESPACE"] == "False"
    built = set(lines["QT_CLASSES"].split())
    assert "QLineEdit" in built  # the probe did see the classes in use
    assert sorted(built.intersection(NOT_BUILT_AT_START)) == []
    # The menu bar has its four titles; the actions in them come after the first paint.
    assert lines["MENUS"] == "4 0"
    assert lines["GC"] == "False"  # the garbage collector waits for the first paint
    loaded = set(lines["MODULES"].split())
    assert "srojournal.ui.unlock.screen" in loaded  # the probe did see the start-up
    assert sorted(loaded.intersection(NOT_AT_START)) == []
    assert sorted(m for m in loaded if m.startswith("srojournal") and m not in START_PATH) == []


def test_the_start_finishes_after_the_first_paint(tmp_path: Path) -> None:
    """Menus, auto-lock, self-test: after the window has been painted, never before it (a call
    queued at show() would run first: Qt paints at a lower priority)."""
    vault, _ = Vault.create(tmp_path / "v", PASSPHRASE, kdf=CHEAP_KDF, allow_weak_kdf=True)
    vault.close()
    probe = textwrap.dedent(
        """
        import gc, sys
        from srojournal.ui.main_window import MainWindow
        from srojournal.ui.unlock.screen import UnlockScreen

        events = []
        paint, finish = UnlockScreen.paintEvent, MainWindow.finish_window

        def painted(self, event):
            events.append("paint")
            paint(self, event)

        def finished(self):
            events.append(f"finish gc={gc.isenabled()}")
            finish(self)

        UnlockScreen.paintEvent = painted
        MainWindow.finish_window = finished
        from srojournal.cli import main

        code = main(sys.argv[1:])
        print("EVENTS", " ".join(events[:2]))
        sys.exit(code)
        """
    )
    proc = _run(["-c", probe, "--vault", str(tmp_path / "v"), "--quit-when-ready"], _env(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "EVENTS paint finish gc=True" in proc.stdout


def test_the_remembered_scheme_is_checked_against_the_system_once_the_window_is_up(
    tmp_path: Path,
) -> None:
    # Where a new app process reads it in this test's own profile. Not AppSettings().file_name()
    # in this process: the window tests point this process's settings elsewhere for good.
    ini = Path(os.environ["XDG_CONFIG_HOME"]) / ORGANIZATION / f"{APPLICATION}.ini"
    ini.parent.mkdir(parents=True, exist_ok=True)
    ini.write_text("[window]\ncolor_scheme=dark\n")
    shown = _run(["-c", PROBE], _env(tmp_path))
    assert "SCHEME dark" in shown.stdout, shown.stderr  # the window opens on the remembered one
    proc = _run(["-m", "srojournal", "--quit-when-ready"], _env(tmp_path))
    assert proc.returncode == 0, proc.stderr
    # Offscreen Qt reports no dark preference: the app switched to light and remembers it.
    assert "color_scheme=light" in ini.read_text()


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--demo"],
        ["--vault", "some folder"],
        ["--vault=v", "--demo"],
        ["--vault", "import"],  # a folder named like a command is still a folder
        ["--quit-when-ready", "--vault", "a", "--vault", "b"],
    ],
)
def test_the_launch_line_is_parsed_as_argparse_would(argv: list[str]) -> None:
    fast = _app_launch(argv)
    assert fast is not None
    assert vars(fast) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize(
    "argv",
    [
        ["init", "v"],
        ["--help"],
        ["--version"],
        ["--self-test"],
        ["--vau", "v"],  # argparse's abbreviations are argparse's business
        ["--vault"],
        ["--vault", "--demo"],
        ["stray"],
    ],
)
def test_anything_else_goes_to_argparse(argv: list[str]) -> None:
    assert _app_launch(argv) is None


def test_a_broken_build_stops_with_a_clear_message(tmp_path: Path) -> None:
    """No SQLCipher: the self-test after the window shows ends the app with exit code 1."""
    fake = tmp_path / "fake"
    (fake / "sqlcipher3").mkdir(parents=True)
    (fake / "sqlcipher3" / "__init__.py").write_text(
        "raise ImportError('this build has no SQLCipher')\n"
    )
    cmd = [sys.executable, "-m", "srojournal", "--quit-when-ready"]
    broken = subprocess.run(
        cmd, env=_env(tmp_path, fake), capture_output=True, text=True, timeout=120, check=False
    )
    assert broken.returncode == 1
    assert "self-test failed" in broken.stderr and "sqlcipher3" in broken.stderr
    assert "Traceback" not in broken.stderr + broken.stdout
    whole = subprocess.run(
        cmd, env=_env(tmp_path), capture_output=True, text=True, timeout=120, check=False
    )
    assert whole.returncode == 0, whole.stderr


def test_drop_down_boxes_get_their_accessible_names_once_the_window_is_up(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from srojournal.app import run_gui\n"
        "code = run_gui(None, quit_when_ready=True)\n"
        "import srojournal.ui.accessible as accessible\n"
        "print('INSTALLED', accessible._factory_installed)\n"
        "sys.exit(code)\n"
    )
    proc = _run(["-c", probe], _env(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "INSTALLED True" in proc.stdout
