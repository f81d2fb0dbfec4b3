"""The Schools tab: the officer's school list (add, rename, deactivate)."""

from __future__ import annotations

from typing import Any, Final

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
)

from srojournal.ops.changes import Change
from srojournal.ui.common.error_label import ErrorLabel
from srojournal.ui.common.kit import (
    hint_label,
    named,
    primary,
)
from srojournal.ui.common.runner import user_message
from srojournal.ui.settings.base import SettingsTab

_ROLE: Final = Qt.ItemDataRole.UserRole


class SchoolsTab(SettingsTab):
    title = "&Schools"

    def _build(self) -> None:
        lay = self.column()
        lay.addWidget(
            hint_label(
                "Schools appear in quick entry and in summaries. Deactivate a school you no "
                "longer serve: its history stays."
            )
        )
        self.schools = named(QListWidget(), "Schools")
        self.schools.currentItemChanged.connect(self._on_school_selected)
        lay.addWidget(self.schools, 1)
        row = QHBoxLayout()
        self.school_name = named(QLineEdit(), "School name")
        self.school_name.setPlaceholderText("School name")
        self.school_name.returnPressed.connect(self.add_school)
        add = primary(named(QPushButton("Add"), "Add school"))
        add.clicked.connect(self.add_school)
        self.rename_school_button = named(QPushButton("Rename"), "Rename selected school")
        self.rename_school_button.clicked.connect(self.rename_school)
        self.school_active_button = named(QPushButton("Deactivate"), "Deactivate selected school")
        self.school_active_button.clicked.connect(self.toggle_school_active)
        row.addWidget(self.school_name, 1)
        for b in (add, self.rename_school_button, self.school_active_button):
            row.addWidget(b)
        lay.addLayout(row)
        self.school_error = ErrorLabel()
        lay.addWidget(self.school_error)

    def _load_schools(self) -> None:
        keep = self._selected_school()
        self.schools.clear()
        for s in self.journal.schools(include_inactive=True):
            item = QListWidgetItem(s.name if s.active else f"{s.name} (inactive)")
            item.setData(_ROLE, (s.id, s.name, s.active))
            self.schools.addItem(item)
            if keep and keep[0] == s.id:
                self.schools.setCurrentItem(item)
        self._on_school_selected()

    def _selected_school(self) -> tuple[int, str, bool] | None:
        item = self.schools.currentItem()
        if item is None:
            return None
        sid, name, active = item.data(_ROLE)
        return int(sid), str(name), bool(active)

    def _on_school_selected(self, *_: Any) -> None:
        s = self._selected_school()
        self.rename_school_button.setEnabled(s is not None)
        self.school_active_button.setEnabled(s is not None)
        self.school_active_button.setText("Reactivate" if s and not s[2] else "Deactivate")
        self.school_active_button.setAccessibleName(
            "Reactivate selected school" if s and not s[2] else "Deactivate selected school"
        )
        if s is not None:
            self.school_name.setText(s[1])

    def _school_done(self, message: str) -> None:
        self.school_error.hide()
        self.session.notify(Change.SCHOOLS)
        self.status_message.emit(message)
        self._load_schools()

    def _school_failed(self, exc: BaseException) -> None:
        self.school_error.setText(user_message(exc))
        self.school_error.show()

    def add_school(self) -> None:
        name = self.school_name.text()

        def done(sid: int) -> None:
            self._school_done("School added")
            for i in range(self.schools.count()):
                item = self.schools.item(i)
                if item is not None and item.data(_ROLE)[0] == sid:
                    self.schools.setCurrentItem(item)

        self.runner.write(lambda: self.journal.add_school(name), done, self._school_failed)

    def rename_school(self) -> None:
        s = self._selected_school()
        if s is None:
            return
        name = self.school_name.text()
        self.runner.write(
            lambda: self.journal.rename_school(s[0], name),
            lambda _r: self._school_done("School renamed"),
            self._school_failed,
        )

    def toggle_school_active(self) -> None:
        s = self._selected_school()
        if s is None:
            return
        self.runner.write(
            lambda: self.journal.set_school_active(s[0], not s[2]),
            lambda _r: self._school_done(
                "School reactivated" if not s[2] else "School deactivated"
            ),
            self._school_failed,
        )

    def load(self) -> None:
        self._load_schools()

    def clear(self) -> None:
        self.school_name.clear()
        self.schools.clear()
        self.school_error.hide()
