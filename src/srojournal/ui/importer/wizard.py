"""File > Import…: a spreadsheet into the journal, previewed before anything is written.

Steps: choose the file (and sheet, and a saved mapping) → confirm which column is which field →
answer what the file leaves open (the date order, labels we do not know, schools not on the
list) → the preview: the first rows as they will be saved, every problem with its line, the
counts → the import, with progress and Cancel (a cancel writes nothing).

Reading and checking the file run off the GUI thread (they touch no widget and no vault: the
journal is read once, up front, into a snapshot). Writing is a job on the session's runner (the
one writer, on its worker thread): its progress comes back to the window as a signal, and
Cancel is a flag the job reads between steps (it then rolls back). A write asked for meanwhile
(an entry saved, a draft kept on lock) waits its turn behind the import and never joins its
transaction, so a cancelled import takes nothing else with it.
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, cast

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from srojournal.importing.dates import DateOrder
from srojournal.importing.fields import FIELD_BY_NAME, FIELDS, Field, fields_for
from srojournal.importing.mapping import Mapping
from srojournal.importing.plan import Preview, plan_import
from srojournal.importing.sources import ReadCancelled, Table
from srojournal.ops.changes import Change
from srojournal.ui.common.runner import user_message
from srojournal.ui.widgets import label, primary_button
from srojournal.vault import importer, mappings
from srojournal.vault.errors import VaultError

if TYPE_CHECKING:
    from srojournal.importing.plan import JournalSnapshot, UnknownValue
    from srojournal.ui.session import Session

log = logging.getLogger("srojournal.ui.importer")

STEPS: Final = ("Choose a file", "Columns", "Check the labels", "Preview", "Import")
NOT_IMPORTED: Final = "— not imported —"
AUTOMATIC: Final = "Find columns by their names"
CHOOSE: Final = "— choose —"
ADD_SCHOOL: Final = "Add it to the school list"
ADD_MARK: Final = "\x00add"  # item data of ADD_SCHOOL (a school name never holds a NUL)
PREVIEW_COLUMNS: Final = ("Line", "Date and time", "School", "Type", "Students", "Outcome", "Notes")
FILE_FILTER: Final = "Spreadsheets (*.csv *.txt *.tsv *.xlsx *.xlsm);;All files (*)"


def _section(text: str) -> QLabel:
    return label(text, "section")


class _Progress(QObject):
    """Lives on the window's thread; the import job emits on the worker, Qt delivers here."""

    changed = Signal(float)


class _CancelFlag:
    """Set by the window, read by the import job between steps (a plain attribute)."""

    __slots__ = ("set",)

    def __init__(self) -> None:
        self.set = False


def _import_job(run: importer.ImportRun, progress: _Progress, cancel: _CancelFlag) -> Any:
    """Write the import on the worker: report each step, stop and roll back when cancelled.
    Once everything is written (1.0), only tidying the file is left and a cancel is too late."""
    steps = cast(Generator[float, None, None], run.steps())
    try:
        for fraction in steps:
            if cancel.set and fraction < 1.0:
                steps.close()  # leaves the transaction: rolled back
                raise importer.ImportCancelled
            progress.changed.emit(fraction)
    finally:
        steps.close()
    return run.result


class ImportWizard(QDialog):
    """Emits ``imported(contacts)`` after a successful import."""

    imported = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.journal = session.journal
        self.setObjectName("importWizard")
        self.setWindowTitle("Import contacts")
        self.setModal(True)
        self.resize(980, 640)
        self.table: Table | None = None
        self.preview: Preview | None = None
        self.snapshot: JournalSnapshot | None = None
        self.mapping = Mapping()
        self.mapping_name: str | None = None
        self.approved_schools: set[str] = set()
        # The fields a column can be read as: those of the export too for a file of records.
        self.fields: tuple[Field, ...] = FIELDS
        self._reading = False  # a read or a check runs in the background
        self._cancel_read = False
        self._importing = False  # the import job is running on the session's runner
        self._cancel_import = _CancelFlag()
        self._progress = _Progress(self)
        self._progress.changed.connect(self._import_progress)
        self.done_ok = False

        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 16, 20, 16)
        outer.setSpacing(10)
        self.step_label = label("", "subtitle")
        self.step_label.setAccessibleName("Step")
        self.title = label("", "title")
        outer.addWidget(self.step_label)
        outer.addWidget(self.title)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack, 1)
        self.error = label("", "error")
        self.error.setAccessibleName("Import problem")
        self.error.hide()
        outer.addWidget(self.error)
        buttons = QHBoxLayout()
        self.back_button = QPushButton("< &Back")
        self.back_button.setAccessibleName("Back")
        self.next_button = primary_button("&Next >", "Next")
        self.next_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel")
        buttons.addStretch(1)
        for b in (self.back_button, self.next_button, self.cancel_button):
            buttons.addWidget(b)
        outer.addLayout(buttons)
        self.back_button.clicked.connect(self.go_back)
        self.next_button.clicked.connect(self.go_next)
        self.cancel_button.clicked.connect(self.cancel)

        self._build_file_page()
        self._build_columns_page()
        self._build_values_page()
        self._build_preview_page()
        self._build_progress_page()
        self._show(0)
        self.finished.connect(self._on_finished)

    # -- pages --------------------------------------------------------------------------------
    def _build_file_page(self) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(
            label(
                "Import contacts from a spreadsheet: a CSV file or an Excel workbook (.xlsx). "
                "You will see every row as it will be saved before anything is written.",
                "hint",
            )
        )
        form = QFormLayout()
        row = QHBoxLayout()
        self.path_edit = QLineEdit()
        self.path_edit.setAccessibleName("File to import")
        self.path_edit.setPlaceholderText("Path of a .csv or .xlsx file")
        self.path_edit.returnPressed.connect(self.go_next)
        self.browse_button = QPushButton("&Browse…")
        self.browse_button.setAccessibleName("Browse for a file")
        self.browse_button.clicked.connect(self.browse)
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse_button)
        form.addRow(label("&File", buddy=self.path_edit), row)
        self.sheet_combo = QComboBox()
        self.sheet_combo.setAccessibleName("Sheet")
        self.sheet_label = label("S&heet", buddy=self.sheet_combo)
        form.addRow(self.sheet_label, self.sheet_combo)
        self.mapping_combo = QComboBox()
        self.mapping_combo.setAccessibleName("Saved mapping")
        form.addRow(label("&Mapping", buddy=self.mapping_combo), self.mapping_combo)
        lay.addLayout(form)
        self.read_progress = QProgressBar()
        self.read_progress.setAccessibleName("Reading the file")
        self.read_progress.setRange(0, 100)
        self.read_progress.hide()
        lay.addWidget(self.read_progress)
        lay.addStretch(1)
        self.sheet_combo.hide()
        self.sheet_label.hide()
        self._fill_mappings()
        self.stack.addWidget(page)

    def _fill_mappings(self) -> None:
        self.mapping_combo.clear()
        self.mapping_combo.addItem(AUTOMATIC, None)
        for name in mappings.names(self.journal):
            self.mapping_combo.addItem(f"Saved: {name}", name)

    def _build_columns_page(self) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 0, 0, 0)
        self.columns_hint = label("", "hint")
        lay.addWidget(self.columns_hint)
        self.columns_area = QScrollArea()
        self.columns_area.setWidgetResizable(True)
        self.columns_area.setFrameShape(QFrame.Shape.NoFrame)
        lay.addWidget(self.columns_area, 1)
        self.column_combos: list[QComboBox] = []
        self.stack.addWidget(page)

    def _build_values_page(self) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 0, 0, 0)
        self.values_hint = label(
            "The file uses some labels and school names we do not know. Say what each one "
            "means; nothing is guessed.",
            "hint",
        )
        lay.addWidget(self.values_hint)
        self.values_area = QScrollArea()
        self.values_area.setWidgetResizable(True)
        self.values_area.setFrameShape(QFrame.Shape.NoFrame)
        lay.addWidget(self.values_area, 1)
        self.date_combo: QComboBox | None = None
        self.value_combos: list[tuple[UnknownValue, QComboBox]] = []
        self.stack.addWidget(page)

    def _build_preview_page(self) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 0, 0, 0)
        self.counts_label = label("", "section")
        self.counts_label.setAccessibleName("What the import will write")
        self.counts_label.setWordWrap(True)
        lay.addWidget(self.counts_label)
        self.notes_label = label("", "hint")
        self.notes_label.setAccessibleName("Notes about the file")
        lay.addWidget(self.notes_label)
        self.problems_title = _section("Problems")
        lay.addWidget(self.problems_title)
        self.problems = QListWidget()
        self.problems.setAccessibleName("Problems")
        self.problems.setMaximumHeight(140)
        lay.addWidget(self.problems)
        self.rows_title = _section("The first rows, as they will be saved")
        lay.addWidget(self.rows_title)
        self.rows_table = QTableWidget(0, len(PREVIEW_COLUMNS))
        self.rows_table.setAccessibleName("Rows as they will be saved")
        self.rows_table.setHorizontalHeaderLabels(PREVIEW_COLUMNS)
        self.rows_table.verticalHeader().setVisible(False)
        self.rows_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.rows_table.setTabKeyNavigation(False)
        header = self.rows_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(PREVIEW_COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.rows_table, 1)
        save_row = QHBoxLayout()
        self.save_check = QCheckBox("&Remember these choices as")
        self.save_check.setAccessibleName("Remember these choices")
        self.save_name = QLineEdit()
        self.save_name.setAccessibleName("Name of the saved mapping")
        self.save_name.setPlaceholderText("e.g. Monthly log")
        self.save_name.setEnabled(False)
        self.save_check.toggled.connect(self.save_name.setEnabled)
        save_row.addWidget(self.save_check)
        save_row.addWidget(self.save_name, 1)
        lay.addLayout(save_row)
        self.stack.addWidget(page)

    def _build_progress_page(self) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 0, 0, 0)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Import progress")
        self.progress.setRange(0, 1000)
        self.progress_label = label("", "hint")
        self.progress_label.setAccessibleName("Import status")
        lay.addWidget(self.progress_label)
        lay.addWidget(self.progress)
        lay.addStretch(1)
        self.stack.addWidget(page)

    # -- navigation ---------------------------------------------------------------------------
    @property
    def step(self) -> int:
        return self.stack.currentIndex()

    def _show(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        self.step_label.setText(f"Step {index + 1} of {len(STEPS)}")
        self.title.setText(STEPS[index])
        self.back_button.setEnabled(0 < index < 4)
        self.next_button.setText("&Import" if index == 3 else "&Next >")
        self.next_button.setAccessibleName("Import" if index == 3 else "Next")
        self.next_button.setVisible(index < 4)
        self.cancel_button.setText("Cancel")
        self._set_error("")
        if index == 3:
            self.next_button.setEnabled(self.preview is not None and self.preview.ok)
        else:
            self.next_button.setEnabled(True)
        focus = {
            0: self.path_edit,
            1: self.column_combos[0] if self.column_combos else self.next_button,
            2: self._first_value_control(),
            3: self.next_button if self.next_button.isEnabled() else self.problems,
            4: self.cancel_button,
        }[index]
        focus.setFocus()

    def _first_value_control(self) -> QWidget:
        if self.date_combo is not None:
            return self.date_combo
        if self.value_combos:
            return self.value_combos[0][1]
        return self.next_button

    def _set_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def go_back(self) -> None:
        if self._busy():
            return
        if self.step == 3 and not self._needs_values():
            self._show(1)
        elif self.step > 0:
            self._show(self.step - 1)

    def go_next(self) -> None:
        if self._busy():
            return
        if self.step == 0:
            self.read_file()
        elif self.step == 1:
            self.mapping = self._mapping_from_columns()
            self.check()
        elif self.step == 2:
            if not self._apply_values():
                return
            self.check()
        elif self.step == 3:
            self.start_import()

    def _busy(self) -> bool:
        return self._reading or self._importing

    def cancel(self) -> None:
        """Cancel whatever runs (a read, a check, the import: nothing is written), or close."""
        if self._importing:
            self._stop_import()
            return
        if self._reading:
            self._cancel_read = True
            return
        self.reject()

    def abort(self) -> None:
        """The vault is locking: the import stops at its next step (rolled back); close."""
        if self._importing:
            self._stop_import()
        self._cancel_read = True
        self.reject()

    def _on_finished(self, _result: int) -> None:
        if self._importing:
            self._cancel_import.set = True  # the window closed: the import is rolled back

    # -- step 1: the file ---------------------------------------------------------------------
    def browse(self) -> None:
        dlg = QFileDialog(self, "Choose a spreadsheet to import", "", FILE_FILTER)
        dlg.setFileMode(QFileDialog.FileMode.ExistingFile)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dlg.fileSelected.connect(self.path_edit.setText)
        dlg.open()

    def read_file(self) -> None:
        text = self.path_edit.text().strip()
        if not text:
            self._set_error("Choose the file to import.")
            return
        path = Path(text).expanduser()
        sheet = self.sheet_combo.currentText() if self.sheet_combo.isVisible() else None
        self._cancel_read = False
        self.read_progress.setValue(0)
        self.read_progress.show()
        self._set_error("")
        self.next_button.setEnabled(False)
        name = self.mapping_combo.currentData()
        saved = mappings.load(self.journal, name) if name else None

        def work() -> Table:
            return importer.read_file(
                path,
                sheet=sheet or (saved.sheet if saved else None),
                cancelled=lambda: self._cancel_read,
            )

        self._reading = True
        self.session.runner.run(
            work, lambda table: self._on_read(table, saved, name), self._on_read_failed
        )

    def _on_read(self, table: Table, saved: Mapping | None, name: str | None) -> None:
        self._reading = False
        self.read_progress.hide()
        self.next_button.setEnabled(True)
        self.table = table
        if len(table.sheets) > 1:
            self.sheet_combo.blockSignals(True)
            self.sheet_combo.clear()
            self.sheet_combo.addItems(list(table.sheets))
            self.sheet_combo.setCurrentText(table.sheet or "")
            self.sheet_combo.blockSignals(False)
            self.sheet_combo.show()
            self.sheet_label.show()
        if saved is None and name is None:
            found = mappings.best_for(self.journal, table.header)
            if found is not None:
                name, saved = found
        self.mapping = saved or Mapping()
        self.mapping_name = name
        if name:
            self.save_check.setChecked(True)
            self.save_name.setText(name)
        self._fill_columns()
        self._show(1)

    def _on_read_failed(self, exc: BaseException) -> None:
        self._reading = False
        self.read_progress.hide()
        self.next_button.setEnabled(True)
        if isinstance(exc, ReadCancelled):
            self._set_error("Reading the file was cancelled.")
        elif isinstance(exc, importer.ImportRejected):
            self._set_error("; ".join(str(e) for e in exc.errors))
        elif isinstance(exc, VaultError):
            self._set_error(exc.message)
        else:
            log.error("reading an import file failed: %s", type(exc).__name__)
            self._set_error("The file could not be read.")
        self.path_edit.setFocus()

    # -- step 2: columns ----------------------------------------------------------------------
    def _fill_columns(self) -> None:
        assert self.table is not None
        from srojournal.importing.plan import column_uses, resolve_columns

        chosen = resolve_columns(self.table, self.mapping)
        uses = column_uses(self.table, chosen)
        self.fields = fields_for(chosen)
        box = QWidget()
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.column_combos = []
        for use in uses:
            combo = QComboBox()
            combo.addItem(NOT_IMPORTED, None)
            for f in self.fields:
                combo.addItem(f.label + (" (required)" if f.required else ""), f.name)
            combo.setCurrentIndex(max(0, combo.findData(use.field)))
            header = use.header or f"(column {use.index + 1} has no header)"
            combo.setAccessibleName(f"Column {header}")
            combo.setProperty("column", use.index)
            text = f"<b>{_escape(header)}</b>"
            if use.samples:
                text += "<br><span>e.g. " + _escape(", ".join(use.samples)) + "</span>"
            lbl = QLabel(text)
            lbl.setTextFormat(Qt.TextFormat.RichText)
            lbl.setWordWrap(True)
            lbl.setBuddy(combo)
            form.addRow(lbl, combo)
            self.column_combos.append(combo)
        self.columns_area.setWidget(box)
        info = f"{self.table.name}: {len(self.table.rows):,} rows"
        if self.table.sheet:
            info += f" on the sheet {self.table.sheet!r}"
        if self.mapping_name:
            info += f". Using the saved mapping {self.mapping_name!r}"
        self.columns_hint.setText(
            info + ". Check which field each column holds; columns left out are not imported."
        )

    def _mapping_from_columns(self) -> Mapping:
        assert self.table is not None
        columns: dict[str, str | None] = {}
        seen: set[str] = set()
        for combo in self.column_combos:
            name = combo.currentData()
            header = self.table.header[int(combo.property("column"))]
            if name is None or not header or name in seen:
                continue
            seen.add(name)
            columns[name] = header
        for f in self.fields:
            columns.setdefault(f.name, None)  # what the officer left out stays out
        return Mapping(
            columns=columns,
            values={k: dict(v) for k, v in self.mapping.values.items()},
            date_order=self.mapping.date_order,
            default_school=self.mapping.default_school,
            sheet=self.table.sheet,
            list_separator=self.mapping.list_separator,
        )

    # -- checking (after steps 2 and 3) -------------------------------------------------------
    def check(self) -> None:
        assert self.table is not None
        table, mapping, approved = self.table, self.mapping, set(self.approved_schools)
        missing = [
            f.label
            for f in FIELDS
            if f.required and not mapping.columns.get(f.name) and not mapping.columns.get("record")
        ]
        if missing:
            self._set_error("Choose the column that holds: " + ", ".join(missing) + ".")
            return
        self.snapshot = importer.snapshot(self.journal)
        snapshot = self.snapshot
        self.next_button.setEnabled(False)
        self._cancel_read = False

        def work() -> Preview:
            return plan_import(
                table,
                mapping,
                snapshot,
                approved_schools=approved,
                cancelled=lambda: self._cancel_read,
            )

        self._reading = True
        self.session.runner.run(work, self._on_checked, self._on_read_failed)

    def _on_checked(self, preview: Preview) -> None:
        self._reading = False
        self.preview = preview
        self.next_button.setEnabled(True)
        if self._needs_values():
            self._fill_values()
            self._show(2)
        else:
            self._fill_preview()
            self._show(3)

    def _needs_values(self) -> bool:
        p = self.preview
        return p is not None and (bool(p.unknown) or p.date_question is not None)

    # -- step 3: labels, schools, date order --------------------------------------------------
    def _fill_values(self) -> None:
        p = self.preview
        assert p is not None and self.snapshot is not None
        box = QWidget()
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.date_combo = None
        if p.date_question is not None:
            combo = QComboBox()
            combo.setAccessibleName("Date format")
            combo.addItem(CHOOSE, None)
            for order in (DateOrder.MDY, DateOrder.DMY):
                combo.addItem(order.label, order.name)
            example = p.date_question.example or "3/4/2026"
            lbl = label(f"Dates such as <b>{_escape(example)}</b> are written", buddy=combo)
            lbl.setTextFormat(Qt.TextFormat.RichText)
            form.addRow(lbl, combo)
            self.date_combo = combo
        self.value_combos = []
        school_names = sorted({s.name for s in self.snapshot.schools.values()}, key=str.casefold)
        vocab_labels = _vocab_labels(self.snapshot)
        for u in p.unknown:
            combo = QComboBox()
            combo.addItem(CHOOSE, None)
            if u.field == "school":
                combo.addItem(ADD_SCHOOL, ADD_MARK)
                for name in school_names:
                    combo.addItem(name, name)
            else:
                for code, text in vocab_labels[u.field].items():
                    combo.addItem(text, code)
            if u.suggestion:
                combo.setCurrentIndex(max(0, combo.findData(u.suggestion)))
            what_field = FIELD_BY_NAME[u.field].label
            rows = f"{u.rows:,} row{'s' if u.rows != 1 else ''}"
            combo.setAccessibleName(f"{what_field} {u.value}")
            lbl = QLabel(f"{_escape(what_field)}: <b>{_escape(u.value)}</b> ({rows})")
            lbl.setTextFormat(Qt.TextFormat.RichText)
            lbl.setBuddy(combo)
            form.addRow(lbl, combo)
            self.value_combos.append((u, combo))
        self.values_area.setWidget(box)

    def _apply_values(self) -> bool:
        values = {k: dict(v) for k, v in self.mapping.values.items()}
        date_order = self.mapping.date_order
        if self.date_combo is not None:
            chosen = self.date_combo.currentData()
            if chosen is None:
                self._set_error("Say how the file writes its dates.")
                self.date_combo.setFocus()
                return False
            date_order = DateOrder[chosen]
        added: list[str] = []
        for u, combo in self.value_combos:
            data = combo.currentData()
            if data is None:
                self._set_error(f"Say what {u.value!r} means (or go back and change the column).")
                combo.setFocus()
                return False
            if data == ADD_MARK:
                added.append(u.value)
            else:
                values.setdefault(u.field, {})[u.value] = str(data)
        # The officer said so: these names join the school list when the import is written.
        self.approved_schools.update(added)
        self.mapping = Mapping(
            columns=dict(self.mapping.columns),
            values=values,
            date_order=date_order,
            default_school=self.mapping.default_school,
            sheet=self.mapping.sheet,
            list_separator=self.mapping.list_separator,
        )
        return True

    # -- step 4: the preview ------------------------------------------------------------------
    def _fill_preview(self) -> None:
        p = self.preview
        assert p is not None
        parts = [f"{p.contacts:,} contacts", f"{p.new_students:,} new students"]
        if p.new_schools:
            parts.append(
                f"{len(p.new_schools)} new school{'s' if len(p.new_schools) != 1 else ''} "
                f"({', '.join(p.new_schools)})"
            )
        else:
            parts.append("no new schools")
        parts.append(f"{p.follow_ups:,} follow-ups")
        if p.records:
            parts.append(f"{len(p.students):,} student records")
            parts.append(f"{len(p.cases):,} conflict cases")
            new_types = sum(1 for t in p.types if t.new)
            parts.append(f"{new_types:,} new contact type{'s' if new_types != 1 else ''}")
        if p.ok:
            self.counts_label.setText("Ready to import: " + " · ".join(parts) + ".")
        else:
            self.counts_label.setText(
                f"Nothing can be imported yet: {p.total_problems:,} problem"
                f"{'s' if p.total_problems != 1 else ''} to fix in the file first."
            )
        self.notes_label.setText("\n".join(p.notes))
        self.notes_label.setVisible(bool(p.notes))
        self.problems.clear()
        for problem in p.problems:
            self.problems.addItem(str(problem))
        if p.total_problems > len(p.problems):
            self.problems.addItem(f"… and {p.total_problems - len(p.problems):,} more")
        self.problems.setVisible(bool(p.problems))
        self.problems_title.setVisible(bool(p.problems))
        shown = p.rows[:50]
        self.rows_table.setRowCount(len(shown))
        for r, row in enumerate(shown):
            students = ", ".join(
                s.alias + (f" ({s.grade})" if s.grade else "") + (" new" if s.new else "")
                for s in row.students
            )
            cells = (
                str(row.line),
                row.occurred_at.strftime("%Y-%m-%d %H:%M"),
                row.school,
                self._type_label(row.type_code),
                students,
                row.outcome or "",
                row.notes.strip().split("\n", 1)[0][:120],
            )
            for c, text in enumerate(cells):
                self.rows_table.setItem(r, c, QTableWidgetItem(text))
        self.save_check.setEnabled(p.ok)

    def _type_label(self, code: str) -> str:
        assert self.snapshot is not None
        for t in self.snapshot.types:
            if t.code == code:
                return t.label
        for planned in self.preview.types if self.preview is not None else ():
            if planned.code == code:  # a contact type the file adds
                return planned.label
        return code

    # -- step 5: the import -------------------------------------------------------------------
    def start_import(self) -> None:
        p = self.preview
        if p is None or not p.ok or self.table is None:
            return
        self._show(4)
        self.cancel_button.setText("Cancel")
        self.progress.setValue(0)
        self.progress_label.setText(f"Importing {p.contacts:,} contacts…")
        run = importer.ImportRun(self.journal, p, file_name=self.table.name)
        self._cancel_import = cancel = _CancelFlag()
        self._importing = True
        progress = self._progress
        self.session.runner.run(
            lambda: _import_job(run, progress, cancel), self._finish_import, self._import_failed
        )

    def _import_progress(self, fraction: float) -> None:
        if not self._importing:
            return
        self.progress.setValue(int(fraction * 1000))
        if fraction >= 1.0:
            self.progress_label.setText("Saved. Tidying the vault file…")
            self.cancel_button.setEnabled(False)

    def _stop_import(self) -> None:
        """Cancel: the job stops at its next step and rolls back (then ``_import_failed``)."""
        self._cancel_import.set = True
        self.progress_label.setText("Cancelling…")
        self.cancel_button.setEnabled(False)

    def _import_failed(self, exc: BaseException) -> None:
        self._importing = False
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Close")
        self.back_button.setEnabled(False)
        if isinstance(exc, importer.ImportCancelled):
            self.progress.setValue(0)
            self.progress_label.setText("Cancelled: nothing was imported.")
        else:
            self.progress_label.setText(f"Nothing was imported. {user_message(exc)}")
        self.cancel_button.setFocus()

    def _finish_import(self, result: importer.ImportResult) -> None:
        self._importing = False
        self.cancel_button.setEnabled(True)
        self.progress.setValue(1000)
        saved = ""
        if self.save_check.isChecked() and self.save_name.text().strip():
            try:
                name = mappings.save(self.journal, self.save_name.text(), self.mapping)
                saved = f" The choices were saved as {name!r}."
            except VaultError as exc:
                saved = f" The choices were not saved: {exc.message}"
        cases = f", {result.cases:,} conflict cases" if result.cases else ""
        self.progress_label.setText(
            f"Imported {result.contacts:,} contacts ({result.new_students:,} new students, "
            f"{len(result.new_schools)} new schools, {result.follow_ups:,} follow-ups{cases})."
            f"{saved}"
        )
        self.cancel_button.setText("Close")
        self.cancel_button.setFocus()
        self.done_ok = True
        self.session.notify(
            Change.SCHOOLS
            | Change.STUDENTS
            | Change.FOLLOW_UPS
            | Change.CONTACTS
            | Change.CASES
            | Change.SETTINGS  # contact types
        )
        self.imported.emit(result.contacts)


def _vocab_labels(snapshot: JournalSnapshot) -> dict[str, dict[str, str]]:
    from srojournal.importing import values

    return {
        "type": {t.code: t.label for t in snapshot.types},
        "outcome": values.outcome_vocabulary().labels,
        "initiated_by": values.initiator_vocabulary().labels,
        "referrals": values.referral_vocabulary().labels,
        "roles": values.role_vocabulary().labels,
    }


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
