"""Monthly summary: preview exactly what an export publishes, export it, list earlier releases."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from srojournal.domain import taxonomy
from srojournal.ops.changes import Change, Done
from srojournal.ops.summaries import release_summary
from srojournal.reporting.model import STATUS_SUPPRESSED, Summary, Table
from srojournal.reporting.service import preview_month, preview_revision
from srojournal.reporting.tables import TABLE_TITLES
from srojournal.ui.common.kit import (
    SPACING,
    Card,
    hint_label,
    named,
    page_layout,
    primary,
    section_label,
    title_label,
)
from srojournal.ui.common.runner import user_message
from srojournal.ui.page import Page
from srojournal.ui.reports.chart import BarChart
from srojournal.ui.reports.contribution import ContributionCard
from srojournal.ui.session import Session

MONTHS_BACK = 24
ALL = "_all"


def label_for(value: str) -> str:
    if value == ALL:
        return "Total"
    if value in taxonomy.CATEGORY_LABELS:
        return taxonomy.CATEGORY_LABELS[value]
    if value in taxonomy.REFERRAL_TARGETS:
        return taxonomy.REFERRAL_TARGETS[value]
    return value.replace("_", " ").capitalize()


def cell_text(count: int | None, status: str) -> str:
    return "S" if status == STATUS_SUPPRESSED or count is None else str(count)


def months_before(today: dt.date, n: int) -> list[str]:
    out = []
    y, m = today.year, today.month
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out


class ReportsPage(Page):
    title = "Reports"
    object_name = "reportsPage"
    refreshed_by = Change.CONTACTS | Change.FOLLOW_UPS | Change.SETTINGS | Change.RELEASES
    refresh_on_show = True

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.runner = session.runner
        self.runner.busy_changed.connect(lambda _b: self._update_buttons())
        self.summary: Summary | None = None
        layout = page_layout(self)
        head = QHBoxLayout()
        head.setSpacing(SPACING)
        head.addWidget(title_label("Monthly summary"))
        head.addStretch(1)
        self.month = named(QComboBox(), "Month")
        self.month.currentIndexChanged.connect(self.preview)
        self.revise = named(
            QCheckBox("Revision"), "Preview and export a revision", "For late entries"
        )
        self.revise.toggled.connect(self.preview)
        head.addWidget(QLabel("&Month"))
        head.itemAt(head.count() - 1).widget().setBuddy(self.month)  # type: ignore[union-attr]
        head.addWidget(self.month)
        head.addWidget(self.revise)
        layout.addLayout(head)
        self.state = hint_label()
        named(self.state, "Summary status")
        layout.addWidget(self.state)

        body = QHBoxLayout()
        body.setSpacing(SPACING)
        left = QVBoxLayout()
        self.explain = hint_label()
        named(self.explain, "What was suppressed and why")
        left.addWidget(self.explain)
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        named(self.headline, "Headline figures")
        left.addWidget(self.headline)
        charts = QWidget()
        cl = QVBoxLayout(charts)
        cl.setContentsMargins(0, 0, 0, 0)
        self.chart_categories = BarChart("Contacts by category")
        self.chart_schools = BarChart("Contacts by school")
        cl.addWidget(self.chart_categories)
        cl.addWidget(self.chart_schools)
        cl.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(charts)
        left.addWidget(scroll, 1)
        self.tables = named(QTabWidget(), "Summary tables")
        self.tables.setDocumentMode(True)
        body.addLayout(left, 2)
        body.addWidget(self.tables, 3)
        layout.addLayout(body, 1)

        bottom = QHBoxLayout()
        bottom.setSpacing(SPACING)
        card = Card()
        card.body.addWidget(section_label("Summary (suppressed counts, for people)"))
        card.body.addWidget(
            hint_label(
                "The first export freezes the month as a release; exporting again gives the "
                "same file. Nothing is written unless the audit and leak check pass."
            )
        )
        brow = QHBoxLayout()
        self.export_buttons: dict[str, QPushButton] = {}
        for fmt in ("json", "csv", "pdf"):
            b = named(QPushButton(f"Export {fmt.upper()}…"), f"Export {fmt.upper()}")
            if fmt == "pdf":
                primary(b)
            b.clicked.connect(lambda _=False, f=fmt: self.choose_export_file(f))
            brow.addWidget(b)
            self.export_buttons[fmt] = b
        brow.addStretch(1)
        card.body.addLayout(brow)
        self.export_message = hint_label()
        named(self.export_message, "Export result")
        card.body.addWidget(self.export_message)
        bottom.addWidget(card, 3)
        self.contribution = ContributionCard(session, self.period)
        self.month.currentIndexChanged.connect(self.contribution.refresh)
        bottom.addWidget(self.contribution, 4)
        rel = Card()
        rel.body.addWidget(section_label("Earlier releases"))
        self.releases = named(QListWidget(), "Earlier releases")
        self.releases.setMaximumHeight(90)
        rel.body.addWidget(self.releases)
        bottom.addWidget(rel, 2)
        layout.addLayout(bottom)
        self._update_buttons()

    # -- Page contract ----------------------------------------------------------------------
    def refresh(self) -> None:
        if not self._open():
            return
        if self.month.count() == 0:
            self.month.blockSignals(True)
            for p in months_before(self.session.today(), MONTHS_BACK):
                self.month.addItem(p, p)
            self.month.setCurrentIndex(1)  # last month: the one usually reported
            self.month.blockSignals(False)
        self._load_releases()
        self.contribution.refresh()
        self.preview()

    def clear(self) -> None:
        self.runner.finish()
        self.summary = None
        self.month.blockSignals(True)
        self.month.clear()
        self.month.blockSignals(False)
        self.releases.clear()
        self.contribution.clear()
        self.tables.clear()
        self.chart_categories.set_bars([])
        self.chart_schools.set_bars([])
        for label in (self.state, self.explain, self.headline, self.export_message):
            label.clear()
        self._update_buttons()

    # -- preview ----------------------------------------------------------------------------
    def period(self) -> str | None:
        data = self.month.currentData()
        return None if data is None else str(data)

    def _load_releases(self) -> None:
        self.releases.clear()
        rel = self.session.journal.released_periods()
        for period, n in rel:
            self.releases.addItem(f"{period} — release {n}")
        if not rel:
            self.releases.addItem("None yet")

    def preview(self) -> None:
        period = self.period()
        if period is None or not self._open():
            return
        journal = self.session.journal
        revise = self.revise.isChecked()
        self.state.setText(f"Preparing the summary of {period}…")

        def work() -> Summary:
            return preview_revision(journal, period) if revise else preview_month(journal, period)

        self.runner.run(work, self._show, lambda exc: self._failed(user_message(exc)))

    def _failed(self, message: str) -> None:
        self.summary = None
        self.state.setText(message[:1].upper() + message[1:] if message else "")
        self.tables.clear()
        self._update_buttons()

    def _show(self, s: Summary) -> None:
        if not self._open():
            return
        self.summary = s
        released = any(p == s.period for p, _ in self.session.journal.released_periods())
        if self.revise.isChecked():
            state = f"Revision {s.release} of {s.period} (not exported yet), k = {s.threshold}."
        elif released:
            state = f"{s.period} is released (release {s.release}), k = {s.threshold}."
        else:
            state = f"{s.period}, not released yet. k = {s.threshold}."
        self.state.setText(state)
        suppressed = sum(1 for t in s.tables for c in t.cells if c.status == STATUS_SUPPRESSED)
        lines = list(s.notes)
        if suppressed and not lines:
            lines.append(
                f"{suppressed} cells are shown as S: they involve fewer than {s.threshold} "
                "different students, or could be worked out from other cells."
            )
        if not suppressed and not lines:
            lines.append("Nothing is suppressed.")
        self.explain.setText(" ".join(lines))
        t0 = s.table("T0")
        self.headline.setText(
            "  ·  ".join(
                f"{label_for(c.coords[0])}: {cell_text(c.count, c.status)}" for c in t0.cells
            )
        )
        t1 = s.table("T1")
        self.chart_categories.set_bars(
            [
                (label_for(c.coords[0]), c.count if c.status != STATUS_SUPPRESSED else None)
                for c in t1.cells
                if c.coords[1] == ALL and c.coords[0] != ALL
            ]
        )
        t2 = s.table("T2")
        self.chart_schools.set_bars(
            [
                (c.coords[0], c.count if c.status != STATUS_SUPPRESSED else None)
                for c in t2.cells
                if c.coords[1] == ALL and c.coords[0] != ALL
            ]
        )
        current = self.tables.currentIndex()
        self.tables.clear()
        for t in s.tables:
            self.tables.addTab(self._table_widget(t), t.id)
            self.tables.setTabToolTip(self.tables.count() - 1, TABLE_TITLES.get(t.id, t.id))
        self.tables.setCurrentIndex(max(current, 0))
        self._update_buttons()

    def _table_widget(self, t: Table) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.setContentsMargins(0, SPACING // 2, 0, 0)
        lay.addWidget(hint_label(f"{TABLE_TITLES.get(t.id, t.id)} (unit: {t.unit})"))
        rows: list[str] = []
        cols: list[str] = []
        for c in t.cells:
            if c.coords[0] not in rows:
                rows.append(c.coords[0])
            col = c.coords[1] if len(c.coords) > 1 else "count"
            if col not in cols:
                cols.append(col)
        table = QTableWidget(len(rows), len(cols))
        table.setAccessibleName(f"Table {t.id}")
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setTabKeyNavigation(False)
        table.setHorizontalHeaderLabels([label_for(c) if c != "count" else "Count" for c in cols])
        table.setVerticalHeaderLabels([label_for(r) for r in rows])
        for c in t.cells:
            col = c.coords[1] if len(c.coords) > 1 else "count"
            item = QTableWidgetItem(cell_text(c.count, c.status))
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if c.status == STATUS_SUPPRESSED:
                item.setToolTip("Suppressed")
            table.setItem(rows.index(c.coords[0]), cols.index(col), item)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        lay.addWidget(table, 1)
        return w

    def _update_buttons(self) -> None:
        ok = self.summary is not None and not self.runner.busy
        for b in self.export_buttons.values():
            b.setEnabled(ok)

    # -- export -----------------------------------------------------------------------------
    def choose_export_file(self, fmt: str) -> QFileDialog | None:
        period = self.period()
        if period is None or self.summary is None:
            return None
        suffix = "-rev" if self.revise.isChecked() else ""
        name = f"sro-summary-{period}{suffix}.{fmt}"
        start = str(Path.home() / name)
        dlg = QFileDialog(self, f"Export {fmt.upper()}", start)
        dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dlg.setDefaultSuffix(fmt)
        dlg.setNameFilter(f"{fmt.upper()} files (*.{fmt})")
        dlg.fileSelected.connect(lambda path: self.export(fmt, Path(path)))
        dlg.finished.connect(dlg.deleteLater)
        dlg.open()
        return dlg

    def export(self, fmt: str, path: Path) -> None:
        """Ask the engine for the bytes (audit and leak check inside), then write the file."""
        period = self.period()
        if period is None:
            return
        journal = self.session.journal
        revise = self.revise.isChecked()
        self.export_message.setText("Checking and exporting…")

        def work() -> Done[int]:
            return release_summary(journal, period, fmt, path, revise=revise)  # type: ignore[arg-type]

        def done(result: Done[int]) -> None:
            self.session.applied(result)
            if not self._open():
                return
            self.export_message.setText(f"Exported {path.name}.")
            self.status_message.emit("Summary exported")
            if revise:
                self.revise.setChecked(False)
            self.refresh()

        def failed(exc: BaseException) -> None:
            message = user_message(exc)
            self.export_message.setText("Not exported: " + message if message else "Not exported.")

        self.runner.run(work, done, failed)
