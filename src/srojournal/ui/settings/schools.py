"""The Schools tab: the officer's school list (add, rename, retire, merge)."""

from __future__ import annotations

from typing import Any, Final

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from srojournal.domain.errors import InvalidInput
from srojournal.ops import schools as school_ops
from srojournal.ops.changes import Done
from srojournal.ui.common.error_label import ErrorLabel
from srojournal.ui.common.forms import FormDialog
from srojournal.ui.common.kit import (
    hint_label,
    named,
    primary,
)
from srojournal.ui.common.runner import Runner, user_message
from srojournal.ui.settings.base import SettingsTab
from srojournal.vault.schools import ListedSchool, MergeResult

_ROLE: Final = Qt.ItemDataRole.UserRole


class MergeSchoolDialog(FormDialog):
    """Merge one school into another: choose the school its records move to."""

    def __init__(
        self,
        source: ListedSchool,
        targets: list[ListedSchool],
        submit: Any,
        parent: QWidget | None = None,
        *,
        runner: Runner,
    ) -> None:
        super().__init__(f"Merge {source.name}", submit, parent, runner=runner, ok_label="Merge")
        self.source = source
        note = QLabel(
            f"Every contact and student of {source.name} moves to the school you choose. "
            f"{source.name} stays on the list as a retired name that points there, so a "
            "spreadsheet that still uses it is imported into the right school. A student whose "
            "alias the other school already has becomes that student. This cannot be undone."
        )
        note.setWordWrap(True)
        # Above the form, in the dialog's column: a wrapped label gets its full height there.
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(0, note)
        self.setMinimumWidth(520)
        # A window does not grow for a wrapped label by itself: give the label its height at
        # the narrowest width the dialog can have.
        margins = layout.contentsMargins()
        note.setMinimumHeight(note.heightForWidth(520 - margins.left() - margins.right()))
        self.target = named(QComboBox(), "School to merge into")
        for t in targets:
            self.target.addItem(t.name, t.id)
        self.form.addRow("&Into", self.target)
        self.target.setFocus()

    def value(self) -> tuple[int, int]:
        target = self.target.currentData()
        if target is None:
            raise InvalidInput("There is no other school to merge into.")
        return self.source.id, int(target)


class SchoolsTab(SettingsTab):
    title = "&Schools"

    def _build(self) -> None:
        self._listed: list[ListedSchool] = []
        lay = self.column()
        lay.addWidget(
            hint_label(
                "Schools appear in quick entry and in summaries. Retire a school you no longer "
                "serve: its history stays. Merge two names of the same school into one."
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
        self.school_active_button = named(QPushButton("Retire"), "Retire selected school")
        self.school_active_button.clicked.connect(self.toggle_school_active)
        self.merge_button = named(QPushButton("&Merge into…"), "Merge selected school into another")
        self.merge_button.clicked.connect(self.ask_merge)
        self.merge_dialog: MergeSchoolDialog | None = None
        row.addWidget(self.school_name, 1)
        for b in (add, self.rename_school_button, self.school_active_button, self.merge_button):
            row.addWidget(b)
        lay.addLayout(row)
        self.school_error = ErrorLabel()
        lay.addWidget(self.school_error)

    def _load_schools(self) -> None:
        keep = self._selected_school()
        self.schools.clear()
        self._listed = school_ops.school_list(self.journal)
        names = {s.id: s.name for s in self._listed}
        for s in self._listed:
            if s.merged_into is not None:
                text = f"{s.name} (merged into {names.get(s.merged_into, 'another school')})"
            elif not s.active:
                text = f"{s.name} (retired)"
            else:
                text = s.name
            item = QListWidgetItem(text)
            item.setData(_ROLE, (s.id, s.name, s.active, s.merged_into))
            self.schools.addItem(item)
            if keep and keep[0] == s.id:
                self.schools.setCurrentItem(item)
        self._on_school_selected()

    def _selected_school(self) -> tuple[int, str, bool, int | None] | None:
        item = self.schools.currentItem()
        if item is None:
            return None
        sid, name, active, merged_into = item.data(_ROLE)
        return int(sid), str(name), bool(active), merged_into

    def _on_school_selected(self, *_: Any) -> None:
        s = self._selected_school()
        merged = s is not None and s[3] is not None
        self.rename_school_button.setEnabled(s is not None and not merged)
        self.school_active_button.setEnabled(s is not None and not merged)
        self.merge_button.setEnabled(s is not None and not merged and len(self._targets()) > 0)
        self.school_active_button.setText("Reactivate" if s and not s[2] else "Retire")
        self.school_active_button.setAccessibleName(
            "Reactivate selected school" if s and not s[2] else "Retire selected school"
        )
        if s is not None:
            self.school_name.setText(s[1])

    def _targets(self) -> list[ListedSchool]:
        s = self._selected_school()
        return [t for t in self._listed if s is not None and t.id != s[0] and t.merged_into is None]

    def _school_done(self, result: Done[Any], message: str) -> None:
        self.school_error.hide()
        self.session.applied(result)
        self.status_message.emit(message)
        self._load_schools()

    def _school_failed(self, exc: BaseException) -> None:
        self.school_error.setText(user_message(exc))
        self.school_error.show()

    def add_school(self) -> None:
        name = self.school_name.text()

        journal = self.journal

        def done(result: Done[int]) -> None:
            self._school_done(result, "School added")
            for i in range(self.schools.count()):
                item = self.schools.item(i)
                if item is not None and item.data(_ROLE)[0] == result.value:
                    self.schools.setCurrentItem(item)

        self.runner.write(lambda: school_ops.add_school(journal, name), done, self._school_failed)

    def rename_school(self) -> None:
        s = self._selected_school()
        if s is None:
            return
        name = self.school_name.text()
        journal = self.journal
        self.runner.write(
            lambda: school_ops.rename_school(journal, s[0], name),
            lambda r: self._school_done(r, "School renamed"),
            self._school_failed,
        )

    def toggle_school_active(self) -> None:
        s = self._selected_school()
        if s is None:
            return
        journal = self.journal
        self.runner.write(
            lambda: school_ops.set_school_active(journal, s[0], not s[2]),
            lambda r: self._school_done(r, "School reactivated" if not s[2] else "School retired"),
            self._school_failed,
        )

    def ask_merge(self) -> MergeSchoolDialog | None:
        """Choose the school the selected one merges into (a dialog; nothing moves until OK)."""
        s = self._selected_school()
        if s is None or s[3] is not None:
            return None
        source = next(x for x in self._listed if x.id == s[0])
        journal = self.journal
        dlg = MergeSchoolDialog(
            source,
            self._targets(),
            lambda ids: school_ops.merge_schools(journal, *ids),
            self,
            runner=self.runner,
        )

        def merged(result: Done[MergeResult]) -> None:
            m = result.value
            self._school_done(
                result,
                f"{source.name} merged: {m.contacts} contacts and {m.students} students moved",
            )

        dlg.completed.connect(merged)
        dlg.finished.connect(self._merge_dialog_closed)
        self.merge_dialog = dlg
        dlg.open()
        return dlg

    def load(self) -> None:
        self._load_schools()

    def _merge_dialog_closed(self, _result: int) -> None:
        self.merge_dialog = None

    def clear(self) -> None:
        self._listed = []
        if self.merge_dialog is not None:
            self.merge_dialog.reject()
            self.merge_dialog = None
        self.school_name.clear()
        self.schools.clear()
        self.school_error.hide()
