"""Follow-ups: what the officer promised, grouped overdue / due today / this week / later.

The agreement checks of open conflict cases are listed with them (a case's check date is a
promise too): Mark done records the check (held or broken), Reschedule moves its date, Cancel
drops it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from srojournal.domain.followups import by_bucket
from srojournal.domain.models import ConflictCase, ContactInput, FollowUp
from srojournal.ops import cases as case_ops
from srojournal.ops import followups as follow_up_ops
from srojournal.ops.changes import Change, Done
from srojournal.ui.common.kit import (
    confirm,
    header_row,
    hint_label,
    named,
    page_layout,
    primary,
    roomy,
)
from srojournal.ui.common.runner import user_message
from srojournal.ui.conflicts.dialogs import CheckDialog
from srojournal.ui.followups.dialogs import AddFollowUpDialog, DoneFollowUpDialog, RescheduleDialog
from srojournal.ui.page import Page
from srojournal.ui.session import Session

BUCKETS = (
    ("overdue", "Overdue"),
    ("today", "Due today"),
    ("week", "This week"),
    ("later", "Later"),
)
OVERDUE_ACCENT = QColor("#d64545")
_ID_ROLE = Qt.ItemDataRole.UserRole
_CASE_ROLE = Qt.ItemDataRole.UserRole + 1  # the case id of an agreement check


class _Check:
    """A case's agreement check, listed by its due date like a follow-up."""

    def __init__(self, case: ConflictCase) -> None:
        self.case = case
        assert case.check_date is not None
        self.due = case.check_date


class FollowUpsPage(Page):
    title = "Follow-ups"
    object_name = "followUpsPage"
    refreshed_by = Change.FOLLOW_UPS | Change.STUDENTS | Change.CONTACTS | Change.CASES
    refresh_on_show = True

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._names: dict[int, str] = {}
        self._overdue = 0
        layout = page_layout(self)
        self.add_button = named(QPushButton("Add follow-up…"), "Add follow-up")
        self.add_button.clicked.connect(self.open_add_dialog)
        head, _ = header_row("Follow-ups", self.add_button)
        layout.addLayout(head)
        self.summary = hint_label()
        named(self.summary, "Follow-up summary")
        layout.addWidget(self.summary)

        actions = QHBoxLayout()
        self.done_button = primary(
            named(QPushButton("Mark done…"), "Mark follow-up done", "Ctrl+D, or double-click")
        )
        self.done_button.clicked.connect(self.open_done_dialog)
        self.reschedule_button = named(QPushButton("Reschedule…"), "Reschedule follow-up")
        self.reschedule_button.clicked.connect(self.open_reschedule_dialog)
        self.cancel_button = named(QPushButton("Cancel follow-up…"), "Cancel follow-up")
        self.cancel_button.clicked.connect(self.ask_cancel)
        for b in (self.done_button, self.reschedule_button, self.cancel_button):
            actions.addWidget(b)
        actions.addStretch(1)
        layout.addLayout(actions)

        self.tree = named(QTreeWidget(), "Open follow-ups")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Due", "What", "Students"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        roomy(self.tree)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        h = self.tree.header()
        h.setStretchLastSection(False)
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        h.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        h.resizeSection(2, 260)
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.tree.itemActivated.connect(lambda *_: self.open_done_dialog())
        layout.addWidget(self.tree, 1)
        self.empty_hint = hint_label(
            "Nothing open. Follow-ups you add here or in quick entry (Ctrl+N, “Follow up on”), "
            "and the agreement checks of conflict cases, show up here by due date."
        )
        layout.addWidget(self.empty_hint)

        done_shortcut = QShortcut(QKeySequence("Ctrl+D"), self)
        done_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        done_shortcut.activated.connect(self.open_done_dialog)
        self.setTabOrder(self.add_button, self.done_button)
        self.setTabOrder(self.done_button, self.reschedule_button)
        self.setTabOrder(self.reschedule_button, self.cancel_button)
        self.setTabOrder(self.cancel_button, self.tree)
        self._update_buttons()

    # -- Page contract ----------------------------------------------------------------------

    def overdue_count(self) -> int:
        """Open follow-ups and agreement checks due before today (the sidebar badge)."""
        if not self._open():
            return 0
        return follow_up_ops.overdue_count(self.journal, self.session.today())

    def refresh(self) -> None:
        if not self._open():
            return
        keep = self.selected_id()
        keep_case = self.selected_case()
        j = self.journal
        self._names = {s.id: s.alias for s in j.students(include_archived=True)}
        items: list[FollowUp | _Check] = [*j.follow_ups(status="open")]
        items += [_Check(c) for c in case_ops.case_checks(j)]
        items.sort(key=lambda x: x.due)
        buckets = by_bucket(items, self.session.today())
        self.tree.clear()
        select: QTreeWidgetItem | None = None
        for key, label in BUCKETS:
            items = buckets[key]
            if not items:
                continue
            group = QTreeWidgetItem([f"{label} ({len(items)})"])
            group.setFirstColumnSpanned(True)
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = QFont(self.tree.font())
            font.setBold(True)
            group.setFont(0, font)
            if key == "overdue":
                group.setForeground(0, QBrush(OVERDUE_ACCENT))
            group.setData(0, Qt.ItemDataRole.AccessibleTextRole, f"{label}: {len(items)}")
            self.tree.addTopLevelItem(group)
            for f in items:
                if isinstance(f, _Check):
                    what = f"Agreement check: {f.case.title}"
                    row = QTreeWidgetItem([f.due.isoformat(), what, self._parties(f.case)])
                    row.setData(0, _CASE_ROLE, f.case.id)
                    chosen = f.case.id == keep_case
                else:
                    what = f.what or "Follow-up"
                    row = QTreeWidgetItem([f.due.isoformat(), what, self._aliases(f)])
                    row.setData(0, _ID_ROLE, f.id)
                    chosen = f.id == keep
                if key == "overdue":
                    row.setForeground(0, QBrush(OVERDUE_ACCENT))
                row.setToolTip(1, what)
                group.addChild(row)
                if chosen:
                    select = row
        self.tree.expandAll()
        if select is not None:
            self.tree.setCurrentItem(select)
        counts = {k: len(v) for k, v in buckets.items()}
        self._overdue = counts["overdue"]
        total = sum(counts.values())
        self.summary.setText(
            f"{counts['overdue']} overdue · {counts['today']} due today · "
            f"{counts['week']} this week · {counts['later']} later"
        )
        self.empty_hint.setVisible(total == 0)
        self._update_buttons()

    def clear(self) -> None:
        self.tree.clear()
        self._names = {}
        self._overdue = 0
        self.summary.clear()
        self._update_buttons()

    # -- helpers ----------------------------------------------------------------------------
    def _aliases(self, f: FollowUp) -> str:
        return ", ".join(self._names.get(s, "?") for s in f.student_ids)

    def _parties(self, c: ConflictCase) -> str:
        return ", ".join(self._names.get(s, "?") for s in c.party_ids)

    def _selected(self, role: int) -> int | None:
        item = self.tree.currentItem()
        if item is None or not item.isSelected():
            return None
        value = item.data(0, role)
        return None if value is None else int(value)

    def selected_id(self) -> int | None:
        """The follow-up selected (None for none, or for an agreement check)."""
        return self._selected(_ID_ROLE)

    def selected_case(self) -> int | None:
        """The case whose agreement check is selected."""
        return self._selected(_CASE_ROLE)

    def select(self, follow_up_id: int, *, role: int = _ID_ROLE) -> None:
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            for k in range(group.childCount() if group else 0):
                child = group.child(k) if group else None
                if child is not None and child.data(0, role) == follow_up_id:
                    self.tree.setCurrentItem(child)
                    return

    def select_check(self, case_id: int) -> None:
        self.select(case_id, role=_CASE_ROLE)

    def _update_buttons(self) -> None:
        on = self.selected_id() is not None or self.selected_case() is not None
        for b in (self.done_button, self.reschedule_button, self.cancel_button):
            b.setEnabled(on)

    # -- mark done --------------------------------------------------------------------------
    def follow_up_contact(self, f: FollowUp) -> ContactInput | None:
        """The follow-up contact an officer would log: same students, today, same school."""
        return follow_up_ops.follow_up_contact(
            self.journal, f, self.session.today(), self.session.now()
        )

    def open_done_dialog(self) -> DoneFollowUpDialog | CheckDialog | None:
        case_id = self.selected_case()
        if case_id is not None:
            return self.open_check_dialog(case_id)
        fid = self.selected_id()
        if fid is None:
            return None
        f = self.journal.follow_up(fid)
        journal, today = self.journal, self.session.today()
        dlg = DoneFollowUpDialog(
            self.follow_up_contact(f),
            self._aliases(f),
            f.what,
            lambda contact: follow_up_ops.complete_follow_up(journal, fid, today, contact),
            runner=self.session.runner,
            parent=self,
            now=self.session.now,
        )
        dlg.completed.connect(self._marked_done)
        dlg.open()
        dlg.buttons.setFocus()
        return dlg

    def open_check_dialog(self, case_id: int, *, held: bool = True) -> CheckDialog:
        """Record the check of a case's agreement (held or broken) in one step."""
        journal = self.journal
        case = journal.conflict_case(case_id)
        dlg = CheckDialog(
            case.title,
            held,
            self.session.today(),
            self.session.now,
            lambda check: case_ops.record_check(journal, case_id, check),
            runner=self.session.runner,
            parent=self,
        )
        dlg.completed.connect(lambda done: self._completed("Check recorded; contact logged", done))
        dlg.open()
        dlg.held_choice.setFocus()
        return dlg

    def _marked_done(self, done: Done[int | None]) -> None:
        logged = done.value is not None
        self._completed("Follow-up done; contact logged" if logged else "Follow-up done", done)

    def _completed(self, message: str, done: Done[Any]) -> None:
        self.status_message.emit(message)
        self.session.notify(done.changes)
        self.refresh()

    # -- reschedule / cancel ----------------------------------------------------------------
    def open_reschedule_dialog(self) -> RescheduleDialog | None:
        journal = self.journal
        case_id = self.selected_case()
        fid = self.selected_id()
        if case_id is not None:
            check = journal.conflict_case(case_id).check_date or self.session.today()
            dlg = RescheduleDialog(
                check,
                self.session.today(),
                lambda due: case_ops.reschedule_check(journal, case_id, due),
                runner=self.session.runner,
                parent=self,
            )
        elif fid is not None:
            f = journal.follow_up(fid)
            dlg = RescheduleDialog(
                f.due,
                self.session.today(),
                lambda due: follow_up_ops.reschedule_follow_up(journal, fid, due),
                runner=self.session.runner,
                parent=self,
            )
        else:
            return None
        dlg.completed.connect(lambda done: self._completed("Follow-up rescheduled", done))
        dlg.open()
        dlg.due.setFocus()
        return dlg

    def ask_cancel(self) -> None:
        case_id = self.selected_case()
        if case_id is not None:
            self._ask_drop_check(case_id)
            return
        fid = self.selected_id()
        if fid is None:
            return

        def cancel() -> None:
            self.session.runner.write(
                lambda: follow_up_ops.cancel_follow_up(self.journal, fid),
                lambda done: self._completed("Follow-up cancelled", done),
                lambda exc: self.status_message.emit(user_message(exc)),
            )

        confirm(
            self,
            "Cancel follow-up",
            "Cancel this follow-up?",
            "Cancel follow-up",
            cancel,
            informative="It leaves the list; monthly summaries count it as cancelled.",
            destructive=True,
        )

    def _ask_drop_check(self, case_id: int) -> None:
        def drop() -> None:
            self.session.runner.write(
                lambda: case_ops.reschedule_check(self.journal, case_id, None),
                lambda done: self._completed("Check dropped", done),
                lambda exc: self.status_message.emit(user_message(exc)),
            )

        confirm(
            self,
            "Cancel agreement check",
            "Drop the check date of this case?",
            "Drop the check",
            drop,
            informative="The case stays as it is; it is no longer listed here.",
            destructive=True,
        )

    # -- add --------------------------------------------------------------------------------
    def open_add_dialog(self) -> AddFollowUpDialog:
        journal = self.journal
        dlg = AddFollowUpDialog(
            journal,
            self.session.today(),
            lambda new: follow_up_ops.add_follow_up(journal, new),
            runner=self.session.runner,
            parent=self,
        )
        dlg.completed.connect(self._added)
        dlg.open()
        dlg.what.setFocus()
        return dlg

    def _added(self, done: Done[int]) -> None:
        self._completed("Follow-up added", done)
        self.select(done.value)
