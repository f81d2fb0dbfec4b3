"""The Templates tab: prefilled quick entries."""

from __future__ import annotations

from typing import Any, Final

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from srojournal.domain import taxonomy
from srojournal.domain.models import Template
from srojournal.ops.changes import Change
from srojournal.ui.common.error_label import ErrorLabel
from srojournal.ui.common.kit import (
    SPACING,
    Card,
    confirm,
    hint_label,
    named,
    primary,
)
from srojournal.ui.common.runner import user_message
from srojournal.ui.settings.base import SettingsTab

_ROLE: Final = Qt.ItemDataRole.UserRole


class TemplatesTab(SettingsTab):
    title = "Te&mplates"

    def _build(self) -> None:
        lay = self.column()
        lay.addWidget(hint_label("Templates fill quick entry for the contacts you log most often."))
        row = QHBoxLayout()
        row.setSpacing(SPACING)
        left = QVBoxLayout()
        self.templates = named(QListWidget(), "Templates")
        self.templates.currentItemChanged.connect(self._on_template_selected)
        left.addWidget(self.templates, 1)
        new = named(QPushButton("New template"), "New template")
        new.clicked.connect(self._new_template_clicked)
        left.addWidget(new)
        row.addLayout(left, 1)
        card = Card()
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.t_name = named(QLineEdit(), "Template name")
        self.t_type = named(QComboBox(), "Template contact type")
        self.t_duration = named(QSpinBox(), "Template duration in minutes")
        self.t_duration.setRange(0, 24 * 60)
        self.t_duration.setSingleStep(5)
        self.t_duration.setSuffix(" min")
        self.t_duration.setSpecialValueText("Not set")
        self.t_initiated = named(QComboBox(), "Template initiated by")
        self.t_initiated.addItem("Not set", None)
        for code in taxonomy.INITIATORS:
            self.t_initiated.addItem("SRO" if code == "sro" else code.capitalize(), code)
        self.t_outcome = named(QComboBox(), "Template outcome")
        self.t_outcome.addItem("Not set", None)
        for o in taxonomy.OUTCOMES:
            self.t_outcome.addItem(o.label, o.code)
        self.t_notes = named(QPlainTextEdit(), "Template notes")
        self.t_notes.setTabChangesFocus(True)
        self.t_notes.setMaximumHeight(90)
        self.t_tags = named(QLineEdit(), "Template tags", "Separate tags with commas")
        self.t_tags.setPlaceholderText("tag, another tag")
        form.addRow("&Name", self.t_name)
        form.addRow("T&ype", self.t_type)
        form.addRow("&Duration", self.t_duration)
        form.addRow("&Initiated by", self.t_initiated)
        form.addRow("&Outcome", self.t_outcome)
        form.addRow("No&tes", self.t_notes)
        form.addRow("T&ags", self.t_tags)
        card.body.addLayout(form)
        self.t_error = ErrorLabel()
        card.body.addWidget(self.t_error)
        card.body.addStretch(1)
        brow = QHBoxLayout()
        self.t_delete = named(QPushButton("Delete…"), "Delete template")
        self.t_delete.clicked.connect(self.delete_template)
        t_save = primary(named(QPushButton("Save template"), "Save template"))
        t_save.clicked.connect(self.save_template)
        brow.addWidget(self.t_delete)
        brow.addStretch(1)
        brow.addWidget(t_save)
        card.body.addLayout(brow)
        row.addWidget(card, 2)
        lay.addLayout(row, 1)

    def load_types(self) -> None:
        """The contact types a template may use (again, after one was added or retired)."""
        self._load_template_types()

    def _load_template_types(self) -> None:
        current = self.t_type.currentData()
        self.t_type.clear()
        for t in self.journal.contact_types(include_retired=False):
            self.t_type.addItem(t.label, t.code)
        idx = self.t_type.findData(current)
        if idx >= 0:
            self.t_type.setCurrentIndex(idx)

    def _load_templates(self) -> None:
        keep = self._selected_template()
        self.templates.clear()
        for t in self.journal.templates():
            item = QListWidgetItem(t.name)
            item.setData(_ROLE, t)
            self.templates.addItem(item)
            if keep and keep.name == t.name:
                self.templates.setCurrentItem(item)
        if self.templates.currentItem() is None:
            self.new_template()

    def _selected_template(self) -> Template | None:
        item = self.templates.currentItem()
        if item is None:
            return None
        t: Template = item.data(_ROLE)
        return t

    def _new_template_clicked(self) -> None:
        self.new_template()
        self.t_name.setFocus()

    def new_template(self) -> None:
        self.templates.setCurrentRow(-1)
        self.templates.clearSelection()
        self._fill_template(None)

    def _on_template_selected(self, *_: Any) -> None:
        self._fill_template(self._selected_template())

    def _fill_template(self, t: Template | None) -> None:
        self.t_error.hide()
        self.t_delete.setEnabled(t is not None)
        self.t_name.setText(t.name if t else "")
        if t is not None and self.t_type.findData(t.type_code) < 0:
            self.t_type.addItem(self.journal.contact_type(t.type_code).label, t.type_code)
        self.t_type.setCurrentIndex(max(self.t_type.findData(t.type_code if t else None), 0))
        self.t_duration.setValue((t.duration_min or 0) if t else 0)
        self.t_initiated.setCurrentIndex(max(self.t_initiated.findData(t and t.initiated_by), 0))
        self.t_outcome.setCurrentIndex(max(self.t_outcome.findData(t and t.outcome), 0))
        self.t_notes.setPlainText(t.notes if t else "")
        self.t_tags.setText(", ".join(t.tags) if t else "")

    def save_template(self) -> None:
        old = self._selected_template()
        tags = tuple(x.strip() for x in self.t_tags.text().split(",") if x.strip())
        t = Template(
            id=0,
            name=self.t_name.text(),
            type_code=self.t_type.currentData() or "",
            duration_min=self.t_duration.value() or None,
            initiated_by=self.t_initiated.currentData(),
            outcome=self.t_outcome.currentData(),
            notes=self.t_notes.toPlainText(),
            tags=tags,
        )
        name = " ".join(t.name.split())

        def save() -> None:
            with self.journal.batch():
                if old is not None and old.name != name:
                    self.journal.delete_template(old.id)
                self.journal.add_template(t)

        def failed(exc: BaseException) -> None:
            self.t_error.setText(user_message(exc))
            self.t_error.show()

        self.runner.write(save, lambda _r: self._template_saved(name), failed)

    def _template_saved(self, name: str) -> None:
        self.session.notify(Change.TEMPLATES)
        self.status_message.emit("Template saved")
        self._load_templates()
        for i in range(self.templates.count()):
            item = self.templates.item(i)
            if item is not None and item.text() == name:
                self.templates.setCurrentItem(item)

    def delete_template(self) -> None:
        t = self._selected_template()
        if t is None:
            return

        def deleted(_r: object) -> None:
            self.session.notify(Change.TEMPLATES)
            self.status_message.emit("Template deleted")
            self._load_templates()

        def delete() -> None:
            self.runner.write(
                lambda: self.journal.delete_template(t.id),
                deleted,
                lambda exc: self.status_message.emit(user_message(exc)),
            )

        confirm(
            self,
            "Delete template",
            f"Delete the template “{t.name}”?",
            "Delete",
            delete,
            informative="Contacts logged with it are not affected.",
            destructive=True,
        )

    def load(self) -> None:
        self._load_template_types()
        self._load_templates()

    def clear(self) -> None:
        self.t_name.clear()
        self.t_tags.clear()
        self.t_notes.clear()
        self.templates.clear()
        self.t_type.clear()
        self.t_error.hide()
