"""The only place that touches QSettings. It stores nothing sensitive: window geometry, the
path of the last vault and the colour scheme last in use. Everything else (auto-lock minutes,
templates, drafts) lives encrypted in the vault.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "SROJournal"
APPLICATION = "SROJournal"

_LAST_VAULT = "vault/last_path"
_GEOMETRY = "window/geometry"
_STATE = "window/state"
_SCHEME = "window/color_scheme"


class AppSettings:
    def __init__(self) -> None:
        self._s = QSettings(
            QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
        )

    @property
    def last_vault_path(self) -> Path | None:
        value = self._s.value(_LAST_VAULT, "")
        return Path(str(value)) if value else None

    @last_vault_path.setter
    def last_vault_path(self, path: Path | None) -> None:
        if path is None:
            self._s.remove(_LAST_VAULT)
        else:
            self._s.setValue(_LAST_VAULT, str(Path(path).resolve()))
        self._s.sync()

    @property
    def window_geometry(self) -> QByteArray | None:
        value = self._s.value(_GEOMETRY)
        return value if isinstance(value, QByteArray) else None

    @window_geometry.setter
    def window_geometry(self, value: QByteArray) -> None:
        self._s.setValue(_GEOMETRY, value)
        self._s.sync()

    @property
    def window_state(self) -> QByteArray | None:
        value = self._s.value(_STATE)
        return value if isinstance(value, QByteArray) else None

    @window_state.setter
    def window_state(self, value: QByteArray) -> None:
        self._s.setValue(_STATE, value)
        self._s.sync()

    @property
    def color_scheme(self) -> str | None:
        """``"light"`` or ``"dark"``: the scheme in use when the app last ran."""
        value = self._s.value(_SCHEME, "")
        return str(value) if value in ("light", "dark") else None

    @color_scheme.setter
    def color_scheme(self, scheme: str) -> None:
        if scheme in ("light", "dark") and scheme != self.color_scheme:
            self._s.setValue(_SCHEME, scheme)
            self._s.sync()

    def file_name(self) -> str:
        return self._s.fileName()
