"""Settings: schools, contact types, templates, auto-lock, reports, backups, passphrase, retention.

Every setting lives inside the vault (``journal.set_setting``), never in QSettings, and applies
at once (no separate "Apply").
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from srojournal.domain import taxonomy
from srojournal.domain.models import Template
from srojournal.ui import clipboard
from srojournal.ui import session as what
from srojournal.ui.page import Page
from srojournal.ui.progress import WorkProgress
from srojournal.ui.session import Session
from srojournal.ui.students.forms import error_label
from srojournal.ui.students.kit import (
    SPACING,
    Card,
    TaskRunner,
    confirm,
    hint_label,
    named,
    page_layout,
    primary,
    record_table,
    section_label,
    title_label,
)
from srojournal.ui.widgets import PassphraseEdit, StrengthMeter
from srojournal.vault.backup import backup_dir, default_backup_dir
from srojournal.vault.errors import VaultError
from srojournal.vault.repo import Journal

AUTOLOCK: Final = "autolock_minutes"
AUTOLOCK_DEFAULT: Final = 5
THRESHOLD: Final = "report_threshold"
THRESHOLD_DEFAULT: Final = 10
THRESHOLD_MIN: Final = 5
BACKUP_DIR: Final = "backup_dir"
_ROLE: Final = Qt.ItemDataRole.UserRole


def int_setting(journal: Journal, key: str, default: int, low: int, high: int) -> int:
    try:
        value = int(journal.get_setting(key) or default)
    except ValueError:
        value = default
    return min(max(value, low), high)


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _tab(widget: QWidget) -> QScrollArea:
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setWidget(widget)
    return scroll


def _column() -> tuple[QWidget, QVBoxLayout]:
    w = QWidget()
    lay = QVBoxLayout(w)
    lay.setContentsMargins(0, SPACING, 0, 0)
    lay.setSpacing(SPACING)
    return w, lay


class SettingsPage(Page):
    title = "Settings"
    object_name = "settingsPage"
    refreshed_by = frozenset({what.SCHOOLS, what.TEMPLATES})
    refresh_on_show = True

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._loading = False
        self.tasks = TaskRunner(self)
        layout = page_layout(self)
        layout.addWidget(title_label("Settings"))
        self.tabs = named(QTabWidget(), "Settings sections")
        self.tabs.setDocumentMode(True)
        layout.addWidget(self.tabs, 1)
        self._build_general()
        self._build_schools()
        self._build_types()
        self._build_templates()
        self._build_security()

    # == General ===============================================================================
    def _build_general(self) -> None:
        w, lay = _column()
        card = Card()
        card.body.addWidget(section_label("Safety"))
        form = QFormLayout()
        self.autolock = named(QSpinBox(), "Auto-lock after minutes idle")
        self.autolock.setMaximumWidth(140)
        self.autolock.setRange(1, 30)
        self.autolock.setSuffix(" min")
        self.autolock.valueChanged.connect(
            lambda v: self._save_setting(AUTOLOCK, v, "Auto-lock time saved")
        )
        form.addRow("&Lock after idle", self.autolock)
        self.clipboard_seconds = named(QSpinBox(), "Clear copied text after seconds")
        self.clipboard_seconds.setMaximumWidth(140)
        self.clipboard_seconds.setRange(*clipboard.SECONDS_RANGE)
        self.clipboard_seconds.setSuffix(" s")
        self.clipboard_seconds.valueChanged.connect(
            lambda v: self._save_setting(clipboard.SETTING, v, "Clipboard time saved")
        )
        form.addRow("Clear copied &text after", self.clipboard_seconds)
        card.body.addLayout(form)
        card.body.addWidget(
            hint_label(
                "Lock: 1 to 30 minutes (30 is the CJIS maximum); Ctrl+L locks at once. Text "
                "copied from the journal is cleared after the time above and when the vault "
                "locks, and clipboard managers are told it is secret."
            )
        )
        lay.addWidget(card)

        card = Card()
        card.body.addWidget(section_label("Monthly summary"))
        form = QFormLayout()
        self.threshold = named(QSpinBox(), "Report threshold k")
        self.threshold.setMaximumWidth(140)
        self.threshold.setRange(THRESHOLD_MIN, 1000)
        self.threshold.valueChanged.connect(
            lambda v: self._save_setting(THRESHOLD, v, "Report threshold saved")
        )
        form.addRow("&Threshold k", self.threshold)
        card.body.addLayout(form)
        card.body.addWidget(
            hint_label(
                "A cell with fewer than k distinct students is suppressed (shown as S). "
                "Never below 5; 10 is the default."
            )
        )
        lay.addWidget(card)

        card = Card()
        card.body.addWidget(section_label("Storage"))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.vault_path = named(QLineEdit(), "Vault location")
        self.vault_path.setReadOnly(True)
        open_folder = named(QPushButton("Open folder"), "Open the vault folder")
        open_folder.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.session.vault.folder)))
        )
        row = QHBoxLayout()
        row.addWidget(self.vault_path, 1)
        row.addWidget(open_folder)
        form.addRow("Vault", row)
        self.backup_path = named(QLineEdit(), "Backup folder")
        self.backup_path.setReadOnly(True)
        choose = named(QPushButton("Choose…"), "Choose backup folder")
        choose.clicked.connect(self.choose_backup_dir)
        reset = named(QPushButton("Default"), "Use the default backup folder")
        reset.clicked.connect(lambda: self.set_backup_dir(None))
        row = QHBoxLayout()
        row.addWidget(self.backup_path, 1)
        row.addWidget(choose)
        row.addWidget(reset)
        form.addRow("Backups", row)
        card.body.addLayout(form)
        card.body.addWidget(
            hint_label(
                "Backups are encrypted with the vault's key. Keep them on another disk when you "
                "can; the default is a folder next to the vault."
            )
        )
        lay.addWidget(card)
        lay.addStretch(1)
        self.tabs.addTab(_tab(w), "&General")

    def _save_setting(self, key: str, value: object, message: str) -> None:
        if self._loading or not self._open():
            return
        self.journal.set_setting(key, str(value))
        self.session.notify(what.SETTINGS)
        self.status_message.emit(message)

    def choose_backup_dir(self) -> QFileDialog:
        dlg = QFileDialog(self, "Backup folder", str(backup_dir(self.session.vault)))
        dlg.setFileMode(QFileDialog.FileMode.Directory)
        dlg.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dlg.fileSelected.connect(lambda path: self.set_backup_dir(path))
        dlg.finished.connect(dlg.deleteLater)
        dlg.open()
        return dlg

    def set_backup_dir(self, path: str | None) -> None:
        if path:
            self.journal.set_setting(BACKUP_DIR, str(Path(path)))
        else:
            self.journal.set_setting(BACKUP_DIR, "")
        self.backup_path.setText(str(backup_dir(self.session.vault)))
        self.session.notify(what.SETTINGS)
        self.session.notify(what.BACKUPS)
        self.status_message.emit("Backup folder saved")

    # == Schools ===============================================================================
    def _build_schools(self) -> None:
        w, lay = _column()
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
        self.school_error = error_label()
        lay.addWidget(self.school_error)
        self.tabs.addTab(_tab(w), "&Schools")

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
        self.session.notify(what.SCHOOLS)
        self.status_message.emit(message)
        self._load_schools()

    def _school_failed(self, exc: VaultError) -> None:
        self.school_error.setText(exc.message)
        self.school_error.show()

    def add_school(self) -> None:
        try:
            sid = self.journal.add_school(self.school_name.text())
        except VaultError as exc:
            self._school_failed(exc)
            return
        self._school_done("School added")
        for i in range(self.schools.count()):
            item = self.schools.item(i)
            if item is not None and item.data(_ROLE)[0] == sid:
                self.schools.setCurrentItem(item)

    def rename_school(self) -> None:
        s = self._selected_school()
        if s is None:
            return
        try:
            self.journal.rename_school(s[0], self.school_name.text())
        except VaultError as exc:
            self._school_failed(exc)
            return
        self._school_done("School renamed")

    def toggle_school_active(self) -> None:
        s = self._selected_school()
        if s is None:
            return
        self.journal.set_school_active(s[0], not s[2])
        self._school_done("School reactivated" if not s[2] else "School deactivated")

    # == Contact types =========================================================================
    def _build_types(self) -> None:
        w, lay = _column()
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
        self.type_error = error_label()
        card.body.addWidget(self.type_error)
        add_row = QHBoxLayout()
        add_row.addStretch(1)
        add = primary(named(QPushButton("Add type"), "Add contact type"))
        add.clicked.connect(self.add_type)
        add_row.addWidget(add)
        card.body.addLayout(add_row)
        lay.addWidget(card)
        self.tabs.addTab(_tab(w), "Contact &types")

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
        try:
            self.journal.add_contact_type(
                self.type_code.text(),
                self.type_label.text(),
                self.type_category.currentData(),
                group_activity=self.type_group.isChecked(),
            )
        except VaultError as exc:
            self.type_error.setText(exc.message)
            self.type_error.show()
            return
        code = self.type_code.text().strip().lower()
        self.type_error.hide()
        self.type_code.clear()
        self.type_label.clear()
        self.type_group.setChecked(False)
        self.session.notify(what.SETTINGS)
        self.status_message.emit("Contact type added")
        self._load_types()
        self.select_type(code)
        self._load_template_types()

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
        self.journal.set_type_retired(code, not t.retired)
        self.session.notify(what.SETTINGS)
        self.status_message.emit("Type unretired" if t.retired else "Type retired")
        self._load_types()
        self._load_template_types()

    # == Templates =============================================================================
    def _build_templates(self) -> None:
        w, lay = _column()
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
        self.t_error = error_label()
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
        self.tabs.addTab(_tab(w), "Te&mplates")

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
        try:
            with self.journal.batch():
                if old is not None and old.name != " ".join(t.name.split()):
                    self.journal.delete_template(old.id)
                self.journal.add_template(t)
        except VaultError as exc:
            self.t_error.setText(exc.message)
            self.t_error.show()
            return
        name = " ".join(t.name.split())
        self.session.notify(what.TEMPLATES)
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

        def delete() -> None:
            self.journal.delete_template(t.id)
            self.session.notify(what.TEMPLATES)
            self.status_message.emit("Template deleted")
            self._load_templates()

        confirm(
            self,
            "Delete template",
            f"Delete the template “{t.name}”?",
            "Delete",
            delete,
            informative="Contacts logged with it are not affected.",
            destructive=True,
        )

    # == Security ==============================================================================
    def _build_security(self) -> None:
        w, lay = _column()
        card = Card()
        card.body.addWidget(section_label("Change passphrase"))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.old_pass = PassphraseEdit("Current passphrase")
        self.new_pass = PassphraseEdit("New passphrase")
        self.confirm_pass = PassphraseEdit("Confirm new passphrase")
        self.meter = StrengthMeter()
        self.new_pass.textChanged.connect(self.meter.update_for)
        self.meter.changed.connect(lambda _s: self._update_pass_button())
        self.confirm_pass.textChanged.connect(lambda _t: self._update_pass_button())
        self.old_pass.textChanged.connect(lambda _t: self._update_pass_button())
        form.addRow("C&urrent", self.old_pass)
        form.addRow("&New", self.new_pass)
        form.addRow("", self.meter)
        form.addRow("Con&firm", self.confirm_pass)
        card.body.addLayout(form)
        self.pass_message = hint_label()
        named(self.pass_message, "Passphrase change result")
        card.body.addWidget(self.pass_message)
        self.pass_error = error_label()
        card.body.addWidget(self.pass_error)
        prow = QHBoxLayout()
        prow.addStretch(1)
        self.pass_button = primary(named(QPushButton("Change passphrase"), "Change passphrase"))
        self.pass_button.clicked.connect(self.change_passphrase)
        prow.addWidget(self.pass_button)
        card.body.addLayout(prow)
        card.body.addWidget(
            hint_label(
                "The journal is re-encrypted under new keys, so the old passphrase stops opening "
                "it. Your recovery code keeps working. Backups taken before the change still "
                "open with the old passphrase (the one of their time)."
            )
        )
        lay.addWidget(card)

        card = Card()
        card.body.addWidget(section_label("Recovery code"))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.code_pass = PassphraseEdit("Passphrase for a new recovery code")
        self.code_pass.textChanged.connect(lambda _t: self._update_code_button())
        form.addRow("Pass&phrase", self.code_pass)
        card.body.addLayout(form)
        self.code_error = error_label()
        card.body.addWidget(self.code_error)
        crow = QHBoxLayout()
        crow.addStretch(1)
        self.code_button = named(QPushButton("New recovery code…"), "New recovery code")
        self.code_button.clicked.connect(self.new_recovery_code)
        self.code_pass.returnPressed.connect(self.new_recovery_code)
        crow.addWidget(self.code_button)
        card.body.addLayout(crow)
        card.body.addWidget(
            hint_label(
                "Issues a new recovery code and re-encrypts the journal: the current code stops "
                "working, also with older copies of the key file. The new code is shown once."
            )
        )
        lay.addWidget(card)

        card = Card()
        card.body.addWidget(section_label("Retention: purge old notes"))
        form = QFormLayout()
        self.purge_years = named(QSpinBox(), "Purge notes older than years")
        self.purge_years.setMaximumWidth(140)
        self.purge_years.setRange(1, 50)
        self.purge_years.setValue(7)
        self.purge_years.setSuffix(" years")
        self.purge_years.valueChanged.connect(self._update_purge_text)
        form.addRow("&Older than", self.purge_years)
        card.body.addLayout(form)
        self.purge_text = hint_label()
        card.body.addWidget(self.purge_text)
        rrow = QHBoxLayout()
        rrow.addStretch(1)
        self.purge_button = named(QPushButton("Purge notes…"), "Purge old notes")
        self.purge_button.clicked.connect(self.ask_purge)
        rrow.addWidget(self.purge_button)
        card.body.addLayout(rrow)
        lay.addWidget(card)
        lay.addStretch(1)
        self.tasks.busy_changed.connect(self._on_busy)
        self.tabs.addTab(_tab(w), "Sec&urity")
        self._update_pass_button()
        self._update_code_button()

    def _update_pass_button(self) -> None:
        s = self.meter.strength
        ok = (
            bool(self.old_pass.text())
            and s is not None
            and s.acceptable
            and self.confirm_pass.text() == self.new_pass.text()
            and not self.tasks.busy
        )
        self.pass_button.setEnabled(ok)
        mismatch = (
            bool(self.confirm_pass.text()) and self.confirm_pass.text() != self.new_pass.text()
        )
        self.pass_message.setText("The confirmation does not match." if mismatch else "")

    def _update_code_button(self) -> None:
        self.code_button.setEnabled(bool(self.code_pass.text()) and not self.tasks.busy)

    def _on_busy(self, busy: bool) -> None:
        self.purge_button.setEnabled(not busy)
        self._update_pass_button()
        self._update_code_button()

    def change_passphrase(self) -> None:
        self.meter.flush()
        self._update_pass_button()
        if not self.pass_button.isEnabled():
            return
        old, new = self.old_pass.text(), self.new_pass.text()
        vault = self.session.vault
        self.pass_error.hide()
        self.pass_message.setText("Changing the passphrase…")
        self.pass_button.setEnabled(False)
        progress = WorkProgress(
            self, "Changing the passphrase", "Re-encrypting the journal under new keys…"
        )

        def done(result: object) -> None:
            progress.close()
            for edit in (self.old_pass, self.new_pass, self.confirm_pass):
                edit.wipe()
            self.pass_message.setText(
                "Passphrase changed and the journal re-encrypted: the old passphrase no longer "
                "opens it. Backups taken before the change still open with the old passphrase."
            )
            self.status_message.emit("Passphrase changed")
            self.session.notify(what.SETTINGS)
            if isinstance(result, str):  # a vault from an earlier release: a new recovery code
                from srojournal.ui.recovery_code import show_new_recovery_code

                show_new_recovery_code(self, self.session.vault, result)

        def failed(message: str) -> None:
            progress.close()
            self.pass_message.setText("")
            self.pass_error.setText(message)
            self.pass_error.show()
            self.old_pass.selectAll()
            self.old_pass.setFocus()

        self.tasks.run(
            lambda: vault.change_passphrase(old, new, progress=progress.report), done, failed
        )

    def new_recovery_code(self) -> None:
        """Issue a new recovery code (the passphrase is required); the old code stops working."""
        passphrase = self.code_pass.text()
        if not passphrase or self.tasks.busy:
            return
        vault = self.session.vault
        self.code_error.hide()
        progress = WorkProgress(
            self, "New recovery code", "Re-encrypting the journal under new keys…"
        )

        def done(code: object) -> None:
            progress.close()
            self.code_pass.wipe()
            self.status_message.emit("New recovery code issued")
            from srojournal.ui.recovery_code import show_new_recovery_code

            self.code_dialog = show_new_recovery_code(self, vault, str(code))

        def failed(message: str) -> None:
            progress.close()
            self.code_error.setText(message)
            self.code_error.show()
            self.code_pass.selectAll()
            self.code_pass.setFocus()

        self.tasks.run(
            lambda: vault.replace_recovery_code(passphrase, progress=progress.report), done, failed
        )

    def _update_purge_text(self) -> None:
        cutoff = years_before(self.session.today(), self.purge_years.value())
        self.purge_text.setText(
            f"Erases the narrative notes of contacts before {cutoff.isoformat()} and the "
            "descriptions of finished follow-ups due before then. Kept: dates, schools, types, "
            "students, outcomes, referrals and tags, so counts and summaries stay the same."
        )

    def ask_purge(self) -> None:
        cutoff = years_before(self.session.today(), self.purge_years.value())
        journal = self.journal

        def purge() -> None:
            self.purge_button.setEnabled(False)

            def done(n: object) -> None:
                self.status_message.emit(f"Notes purged from {n} contacts")
                self.purge_text.setText(f"Notes purged from {n} contacts.")
                self.session.notify(what.CONTACTS)

            def failed(message: str) -> None:
                self.purge_text.setText(message)

            self.tasks.run(lambda: journal.purge_notes_before(cutoff), done, failed)

        confirm(
            self,
            "Purge old notes",
            f"Permanently erase the notes of every contact before {cutoff.isoformat()}?",
            "Purge notes",
            purge,
            informative=(
                "Kept: dates, schools, contact types, students, outcomes, referrals and tags — "
                "everything counted in summaries. The erased text cannot be recovered, except "
                "from backups taken before today."
            ),
            destructive=True,
        )

    # == Page contract =========================================================================
    def refresh(self) -> None:
        if not self._open():
            return
        j = self.journal
        self._loading = True
        self.autolock.setValue(int_setting(j, AUTOLOCK, AUTOLOCK_DEFAULT, 1, 30))
        self.clipboard_seconds.setValue(clipboard.clamp_seconds(j.get_setting(clipboard.SETTING)))
        self.threshold.setValue(int_setting(j, THRESHOLD, THRESHOLD_DEFAULT, THRESHOLD_MIN, 1000))
        self.vault_path.setText(str(self.session.vault.folder))
        self.backup_path.setText(str(backup_dir(self.session.vault)))
        self.backup_path.setToolTip(f"Default: {default_backup_dir(self.session.vault.folder)}")
        self._loading = False
        self._load_schools()
        self._load_types()
        self._load_template_types()
        self._load_templates()
        self._update_purge_text()
        if not self.new_pass.text():
            self.meter.update_for("", immediate=True)

    def clear(self) -> None:
        self.tasks.wait()
        self.tasks.cancel_results()
        self._loading = True
        for edit in (self.old_pass, self.new_pass, self.confirm_pass, self.code_pass):
            edit.wipe()
        self.meter.update_for("", immediate=True)
        for line in (self.vault_path, self.backup_path, self.school_name, self.type_label,
                     self.type_code, self.t_name, self.t_tags):  # fmt: skip
            line.clear()
        self.t_notes.clear()
        self.schools.clear()
        self.types.setRowCount(0)
        self.templates.clear()
        self.t_type.clear()
        self.pass_message.clear()
        self.purge_text.clear()
        for label in (
            self.pass_error, self.code_error, self.school_error, self.type_error, self.t_error
        ):  # fmt: skip
            label.hide()
        self._loading = False
