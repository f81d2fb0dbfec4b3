"""The Contact types tab: the built-in types and the officer's own (add, retire)."""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
)

from srojournal.domain import taxonomy
from srojournal.ops.changes import Change
from srojournal.ui.common.error_label import ErrorLabel
from srojournal.ui.common.kit import (
    Card,
    hint_label,
    named,
    primary,
    record_table,
    section_label,
)
from srojournal.ui.common.runner import user_message
from srojournal.ui.settings.base import SettingsTab

_ROLE: Final = Qt.ItemDataRole.UserRole


class TypesTab(SettingsTab):
    title = "Contact &types"
    types_changed = Signal()  # a type was added or (un)retired: templates offer the new list

    def _build(self) -> None:
        lay = self.column()
        lay.addWidget(
            hint_label(
                "Built-in types are fixed. Add your own, each counted under one category in "
                "summaries; retire a type you no longer use (its history stays)."
            )
        )
        self.types = named(QTableWidget(0, 4), "Contact types")
        self.types.setHorizontalHeaderLabels(["Label", "Code", "Category", "Status"])
        record_table(self.types)
        self.types.itemSelectionChanged.connect(self._on_type_selected)
        lay.addWidget(self.types, 1)
        row = QHBoxLayout()
        self.retire_button = named(QPushButton("Retire"), "Retire selected type")
        self.retire_button.clicked.connect(self.toggle_type_retired)
        row.addWidget(self.retire_button)
        row.addStretch(1)
        lay.addLayout(row)

        card = Card()
        card.body.addWidget(section_label("New contact type"))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.type_label = named(QLineEdit(), "New type label")
        self.type_label.setPlaceholderText("e.g. Lunch duty")
        self.type_label.textEdited.connect(self._suggest_code)
        self.type_code = named(QLineEdit(), "New type code", "Lowercase letters, digits, _")
        self.type_code.setPlaceholderText("e.g. lunch_duty (never changes)")
        self.type_category = named(QComboBox(), "New type category")
        for c in taxonomy.CATEGORIES:
            self.type_category.addItem(taxonomy.CATEGORY_LABELS[c], c)
        self.type_group = named(
            QCheckBox("A group activity (counts attendees, no individual students)"),
            "New type is a group activity",
        )
        form.addRow("&Label", self.type_label)
        form.addRow("C&ode", self.type_code)
        form.addRow("&Category", self.type_category)
        form.addRow("", self.type_group)
        card.body.addLayout(form)
        self.type_error = ErrorLabel()
        card.body.addWidget(self.type_error)
        add_row = QHBoxLayout()
        add_row.addStretch(1)
        add = primary(named(QPushButton("Add type"), "Add contact type"))
        add.clicked.connect(self.add_type)
        add_row.addWidget(add)
        card.body.addLayout(add_row)
        lay.addWidget(card)

    def _suggest_code(self, label: str) -> None:
        if self.type_code.isModified():
            return
        code = "".join(ch if ch.isalnum() else "_" for ch in label.lower()).strip("_")
        while "__" in code:
            code = code.replace("__", "_")
        self.type_code.setText(code[:40])

    def _load_types(self) -> None:
        keep = self._selected_type()
        self.types.setRowCount(0)
        types = self.journal.contact_types(include_retired=True)
        self.types.setRowCount(len(types))
        for i, t in enumerate(types):
            status = "Built-in" if t.builtin else "Custom"
            if t.retired:
                status += " · retired"
            cells = (t.label, t.code, taxonomy.CATEGORY_LABELS.get(t.category, t.category), status)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(_ROLE, t.code)
                self.types.setItem(i, col, item)
            if t.code == keep:
                self.types.selectRow(i)
        self._on_type_selected()

    def _selected_type(self) -> str | None:
        rows = self.types.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.types.item(rows[0].row(), 0)
        return None if item is None else str(item.data(_ROLE))

    def _on_type_selected(self) -> None:
        code = self._selected_type()
        t = self.journal.contact_type(code) if code and self._open() else None
        editable = t is not None and not t.builtin
        self.retire_button.setEnabled(editable)
        self.retire_button.setText("Unretire" if t and t.retired else "Retire")
        self.retire_button.setToolTip("Built-in types cannot be changed" if t and t.builtin else "")

    def add_type(self) -> None:
        code_text, label = self.type_code.text(), self.type_label.text()
        category, group = self.type_category.currentData(), self.type_group.isChecked()

        def failed(exc: BaseException) -> None:
            self.type_error.setText(user_message(exc))
            self.type_error.show()

        self.runner.write(
            lambda: self.journal.add_contact_type(code_text, label, category, group_activity=group),
            lambda _r: self._type_added(code_text),
            failed,
        )

    def _type_added(self, code_text: str) -> None:
        code = code_text.strip().lower()
        self.type_error.hide()
        self.type_code.clear()
        self.type_label.clear()
        self.type_group.setChecked(False)
        self.session.notify(Change.SETTINGS)
        self.status_message.emit("Contact type added")
        self._load_types()
        self.select_type(code)
        self.types_changed.emit()

    def select_type(self, code: str) -> None:
        for i in range(self.types.rowCount()):
            item = self.types.item(i, 0)
            if item is not None and item.data(_ROLE) == code:
                self.types.selectRow(i)

    def toggle_type_retired(self) -> None:
        code = self._selected_type()
        if code is None:
            return
        t = self.journal.contact_type(code)
        if t.builtin:
            return

        def done(_r: object) -> None:
            self.session.notify(Change.SETTINGS)
            self.status_message.emit("Type unretired" if t.retired else "Type retired")
            self._load_types()
            self.types_changed.emit()

        self.runner.write(
            lambda: self.journal.set_type_retired(code, not t.retired),
            done,
            lambda exc: self.status_message.emit(user_message(exc)),
        )

    def load(self) -> None:
        self._load_types()

    def clear(self) -> None:
        self.type_label.clear()
        self.type_code.clear()
        self.types.setRowCount(0)
        self.type_error.hide()
