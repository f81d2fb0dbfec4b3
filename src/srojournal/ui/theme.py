"""Light and dark themes: a Fusion palette plus one style sheet for spacing and accents.

The theme follows the system colour scheme (``QStyleHints.colorScheme``) and switches live when
the system does. ``apply_theme(app, "dark")`` forces a scheme (screenshots, tests).

Start-up note: asking Qt for the colour scheme makes PySide build the ``Qt`` namespace (93 enum
classes, ~20 ms). The app starts on the scheme it remembered and confirms it with
``match_system_scheme`` once its window is up (see ``app.run_gui``).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import NamedTuple

from PySide6 import QtCore
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication

log = logging.getLogger("srojournal.ui.theme")

FONT_FAMILY = "DejaVu Sans"
MONO_FAMILY = "DejaVu Sans Mono"
APP_ID = "org.srojournal.SROJournal"


# The functional form: the class form would compile each of its 20 annotations (strings here,
# see the __future__ import) at start-up.
Colors = NamedTuple(  # noqa: UP014 - see above
    "Colors",
    [
        ("window", str),
        ("base", str),
        ("alt_base", str),
        ("text", str),
        ("muted", str),
        ("border", str),
        ("sidebar", str),
        ("accent", str),
        ("accent_text", str),
        ("highlight", str),
        ("danger", str),
        ("warning_bg", str),
        ("warning_text", str),
        ("success", str),
        ("badge", str),
        ("focus", str),  # the focus ring: visible on the page and on an accent-coloured button
        ("accent_focus", str),  # an accent-coloured button with the focus
        ("check", str),  # the tick drawn on a ticked box (an icon file name)
        ("mark", str),  # behind a search hit
        ("mark_text", str),
    ],
)


LIGHT = Colors(
    window="#f5f6f8",
    base="#ffffff",
    alt_base="#f8f9fb",
    text="#1d2330",
    muted="#5a6372",
    border="#d5d9e0",
    sidebar="#e9ecf1",
    accent="#2457c5",
    accent_text="#ffffff",
    highlight="#d6e2fb",
    danger="#b3261e",
    warning_bg="#fff4d6",
    warning_text="#6b4e00",
    success="#1e7a3c",
    badge="#c62828",
    focus="#0b1f4d",
    accent_focus="#17408f",
    check="check-light.svg",
    mark="#ffe58a",
    mark_text="#1d2330",
)

DARK = Colors(
    window="#1c1f26",
    base="#242831",
    alt_base="#2a2f39",
    text="#e6e9ef",
    muted="#a3abb9",
    border="#3a404c",
    sidebar="#171a20",
    accent="#7aa2f7",
    accent_text="#10131a",
    highlight="#2f4471",
    danger="#ff8a80",
    warning_bg="#4a3c12",
    warning_text="#ffe08a",
    success="#7fd49a",
    badge="#e57373",
    focus="#ffd866",
    accent_focus="#a4c0ff",
    check="check-dark.svg",
    mark="#6b5300",
    mark_text="#fff4c2",
)

_current: Colors = LIGHT


def colors() -> Colors:
    """The colours of the theme in use (for widgets that paint themselves)."""
    return _current


_RESOURCES = Path(__file__).parent.parent / "resources"  # srojournal/resources


def resource_dir(*parts: str) -> Path:
    return _RESOURCES.joinpath(*parts)


def fonts_dir() -> Path:
    return resource_dir("fonts")


def app_icon() -> QIcon:
    return QIcon(str(resource_dir("icons", APP_ID + ".svg")))


def load_fonts() -> list[str]:
    """Register the bundled DejaVu fonts so rendering never depends on system fonts."""
    families: list[str] = []
    for path in sorted(fonts_dir().glob("*.ttf")):
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            log.warning("could not load bundled font %s", path.name)
            continue
        families.extend(QFontDatabase.applicationFontFamilies(font_id))
    return families


def system_is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == QtCore.Qt.ColorScheme.Dark


def palette_for(c: Colors) -> QPalette:
    p = QPalette()
    role = QPalette.ColorRole
    group = QPalette.ColorGroup
    p.setColor(role.Window, QColor(c.window))
    p.setColor(role.WindowText, QColor(c.text))
    p.setColor(role.Base, QColor(c.base))
    p.setColor(role.AlternateBase, QColor(c.alt_base))
    p.setColor(role.ToolTipBase, QColor(c.base))
    p.setColor(role.ToolTipText, QColor(c.text))
    p.setColor(role.PlaceholderText, QColor(c.muted))
    p.setColor(role.Text, QColor(c.text))
    p.setColor(role.Button, QColor(c.base))
    p.setColor(role.ButtonText, QColor(c.text))
    p.setColor(role.BrightText, QColor(c.danger))
    p.setColor(role.Link, QColor(c.accent))
    p.setColor(role.Highlight, QColor(c.accent))
    p.setColor(role.HighlightedText, QColor(c.accent_text))
    p.setColor(role.Mid, QColor(c.border))
    p.setColor(role.Midlight, QColor(c.alt_base))
    p.setColor(role.Dark, QColor(c.border))
    p.setColor(role.Shadow, QColor(c.border))
    for r in (role.Text, role.WindowText, role.ButtonText):
        p.setColor(group.Disabled, r, QColor(c.muted))
    return p


def _icon_url(name: str) -> str:
    return resource_dir("icons", name).as_posix()


def style_sheet(c: Colors) -> str:
    return f"""
QWidget {{ font-size: 10pt; }}
QMainWindow, QDialog {{ background: {c.window}; }}
QToolTip {{ color: {c.text}; background: {c.base}; border: 1px solid {c.border}; padding: 4px; }}

#Sidebar {{ background: {c.sidebar}; border: none; border-right: 1px solid {c.border};
            padding: 8px 6px; outline: 0; }}
#Sidebar::item {{ padding: 9px 12px; border-radius: 6px; margin: 1px 0; color: {c.text}; }}
#Sidebar::item:selected {{ background: {c.highlight}; color: {c.text}; font-weight: bold; }}
#Sidebar::item:hover:!selected {{ background: {c.alt_base}; }}

QLineEdit, QPlainTextEdit, QTextEdit, QTextBrowser, QComboBox, QSpinBox, QDateEdit,
QDateTimeEdit, QListWidget {{
    background: {c.base}; color: {c.text}; border: 1px solid {c.border}; border-radius: 5px;
    padding: 4px 6px; selection-background-color: {c.accent}; selection-color: {c.accent_text};
}}
QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus, QComboBox:focus, QSpinBox:focus,
QDateEdit:focus, QDateTimeEdit:focus, QListWidget:focus, QTextBrowser:focus {{
    border: 2px solid {c.accent}; padding: 3px 5px;
}}
QTableView:focus, QTreeView:focus, QListView:focus {{ border: 2px solid {c.accent}; }}
QLineEdit[invalid="true"] {{ border: 2px solid {c.danger}; padding: 3px 5px; }}
#SuggestionPopup {{ background: {c.base}; color: {c.text}; border: 1px solid {c.accent};
                    padding: 0; }}
#SuggestionPopup::item {{ padding: 3px 8px; }}
#SuggestionPopup::item:selected {{ background: {c.highlight}; color: {c.text}; }}
QFrame[role="chip"] {{ background: {c.alt_base}; border: 1px solid {c.border};
                       border-radius: 13px; }}
QFrame[role="chip"] QLabel, QFrame[role="chip"] QCheckBox {{ background: transparent; }}
QComboBox::drop-down, QDateEdit::drop-down, QDateTimeEdit::drop-down {{
    subcontrol-origin: padding; subcontrol-position: center right; width: 22px; border: none; }}
QComboBox::down-arrow, QDateEdit::down-arrow, QDateTimeEdit::down-arrow {{
    image: url("{_icon_url("chevron-down.svg")}"); width: 12px; height: 12px; }}
QSpinBox::up-button, QSpinBox::down-button {{ subcontrol-origin: border; width: 20px;
    border: none; background: transparent; }}
QSpinBox::up-button {{ subcontrol-position: top right; }}
QSpinBox::down-button {{ subcontrol-position: bottom right; }}
QSpinBox::up-arrow {{ image: url("{_icon_url("chevron-up.svg")}"); width: 10px; height: 10px; }}
QSpinBox::down-arrow {{ image: url("{_icon_url("chevron-down.svg")}"); width: 10px; height: 10px; }}
QSpinBox::up-arrow:disabled, QSpinBox::down-arrow:disabled {{ image: none; }}
QComboBox QAbstractItemView {{ background: {c.base}; color: {c.text};
    selection-background-color: {c.highlight}; selection-color: {c.text}; }}

QPushButton {{ background: {c.base}; color: {c.text}; border: 1px solid {c.border};
               border-radius: 5px; padding: 5px 14px; min-height: 20px; }}
QPushButton:hover {{ border-color: {c.accent}; }}
QPushButton:focus {{ border: 2px solid {c.accent}; padding: 4px 13px; }}
QPushButton[primary="true"]:focus {{ border: 2px solid {c.focus}; padding: 4px 13px;
                                     background: {c.accent_focus}; }}
QPushButton:disabled {{ color: {c.muted}; background: {c.alt_base}; }}
QPushButton[primary="true"] {{ background: {c.accent}; color: {c.accent_text};
                               border-color: {c.accent}; font-weight: bold; }}
QPushButton[primary="true"]:disabled {{ background: {c.border}; color: {c.muted};
                                        border-color: {c.border}; }}
QPushButton[flat="true"] {{ border: none; background: transparent; color: {c.accent};
                            padding: 4px 6px; }}
QPushButton[flat="true"]:focus {{ border: 2px solid {c.accent}; padding: 2px 4px; }}

QTableView {{ background: {c.base}; alternate-background-color: {c.alt_base}; color: {c.text};
              border: 1px solid {c.border}; border-radius: 5px; gridline-color: {c.border};
              selection-background-color: {c.highlight}; selection-color: {c.text}; }}
QHeaderView::section {{ background: {c.window}; color: {c.muted}; border: none;
                        border-bottom: 1px solid {c.border}; padding: 6px 8px;
                        font-weight: bold; }}

QLabel[role="title"] {{ font-size: 17pt; font-weight: bold; color: {c.text}; }}
QLabel[role="subtitle"] {{ font-size: 11pt; color: {c.muted}; }}
QLabel[role="section"] {{ font-weight: bold; color: {c.text}; margin-top: 6px; }}
QLabel[role="hint"] {{ color: {c.muted}; }}
QLabel[role="error"] {{ color: {c.danger}; }}
QLabel[role="warning"] {{ color: {c.warning_text}; background: {c.warning_bg};
                          border-radius: 5px; padding: 6px 10px; }}
QLabel[role="demo"] {{ color: {c.warning_text}; background: {c.warning_bg};
                       border: 1px dashed {c.warning_text}; border-radius: 6px;
                       padding: 8px 12px; }}
QLabel[role="code"] {{ font-family: "{MONO_FAMILY}"; font-size: 15pt; color: {c.text};
                       background: {c.base}; border: 1px solid {c.border};
                       border-radius: 6px; padding: 12px; }}
QFrame[role="card"] {{ background: {c.base}; border: 1px solid {c.border}; border-radius: 10px; }}
QFrame[role="card"] QLabel {{ background: transparent; }}
QFrame[role="card"] QCheckBox {{ background: transparent; }}
QFrame#FilterBar {{ background: transparent; }}
QStatusBar {{ background: {c.window}; color: {c.muted}; border-top: 1px solid {c.border}; }}
QStatusBar QLabel {{ color: {c.muted}; padding: 0 6px; }}
QProgressBar {{ border: 1px solid {c.border}; border-radius: 4px; background: {c.alt_base};
                text-align: center; color: {c.text}; max-height: 10px; }}
QProgressBar::chunk {{ background: {c.accent}; border-radius: 3px; }}
QProgressBar[strength="0"]::chunk, QProgressBar[strength="1"]::chunk {{ background: {c.danger}; }}
QProgressBar[strength="2"]::chunk {{ background: #d08a00; }}
QProgressBar[strength="3"]::chunk, QProgressBar[strength="4"]::chunk {{
    background: {c.success}; }}
QCheckBox::indicator, QListWidget::indicator {{ width: 14px; height: 14px;
    border: 1px solid {c.muted}; border-radius: 3px; background: {c.base}; }}
QCheckBox::indicator:checked, QListWidget::indicator:checked {{
    background: {c.accent}; border-color: {c.accent}; image: url("{_icon_url(c.check)}"); }}
QCheckBox::indicator:focus, QRadioButton::indicator:focus {{ border: 2px solid {c.focus}; }}
QCheckBox:focus, QRadioButton:focus {{ background: {c.highlight}; border-radius: 4px; }}
QCheckBox::indicator:disabled {{ background: {c.alt_base}; border-color: {c.border}; }}
QSplitter::handle {{ background: {c.border}; }}
QMenuBar {{ background: {c.window}; color: {c.text}; }}
QMenuBar::item:selected {{ background: {c.highlight}; }}
QMenu {{ background: {c.base}; color: {c.text}; border: 1px solid {c.border}; }}
QMenu::item:selected {{ background: {c.highlight}; color: {c.text}; }}
"""


def apply_theme(app: QApplication, scheme: str | None = None, *, set_style: bool = True) -> str:
    """Apply ``"light"`` or ``"dark"``; ``None`` follows the system. Returns the scheme used.

    ``set_style=False`` when the application was started with ``-style Fusion`` already (that
    spares start-up the cost of wrapping a QStyle in Python).
    """
    global _current
    if scheme is None:
        scheme = "dark" if system_is_dark() else "light"
    _current = DARK if scheme == "dark" else LIGHT
    if set_style:
        app.setStyle("Fusion")
    app.setPalette(palette_for(_current))
    app.setStyleSheet(style_sheet(_current))
    return scheme


def current_scheme() -> str:
    return "dark" if _current is DARK else "light"


def match_system_scheme(app: QApplication) -> str:
    """Switch to the system's scheme if the one in use is not it; returns the scheme."""
    scheme = "dark" if system_is_dark() else "light"
    if scheme != current_scheme():
        apply_theme(app, scheme, set_style=False)
    return scheme


def follow_system_scheme(app: QApplication) -> None:
    """Re-apply the theme whenever the system switches between light and dark."""

    def changed(_scheme: object) -> None:
        apply_theme(app, set_style=False)

    QGuiApplication.styleHints().colorSchemeChanged.connect(changed)


def base_font() -> QFont:
    font = QFont(FONT_FAMILY)
    font.setPointSize(10)
    return font


def mono_font() -> QFont:
    font = QFont(MONO_FAMILY)
    font.setStyleHint(QFont.StyleHint.Monospace)
    return font
