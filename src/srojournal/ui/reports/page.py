"""Summaries: preview exactly what an export publishes, say why numbers are hidden, export.

A period is a month, a quarter or a school year (the chooser starts on the last complete one,
never before the journal's first entry, and keeps the choice while the screen comes and goes).
Every table is named by what it counts and says in one sentence how much of it is hidden and
why; for a month, the screen also says what its quarter would publish that the month cannot. A
period that is not over asks before its first export (that export freezes it), and a revision
the engine refuses is explained: how many students the changes concern, and where they will be
counted instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QMargins, QObject, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from srojournal.domain.periods import parse_period
from srojournal.ops.changes import Change, Done
from srojournal.ops.summaries import release_summary
from srojournal.reporting import ReportRejected, RevisionRefused
from srojournal.reporting.model import STATUS_SUPPRESSED, Summary, Table
from srojournal.reporting.service import preview
from srojournal.ui.common.kit import (
    SPACING,
    Card,
    confirm,
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
from srojournal.ui.reports.wording import (
    ALL,
    KINDS,
    TABLE_NAMES,
    TABLE_UNITS,
    cell_text,
    default_period,
    headline_text,
    hidden_sentence,
    label_for,
    larger_period,
    larger_sentence,
    overall_sentence,
    period_name,
    periods,
    refused_sentence,
    short_name,
    year_of,
)
from srojournal.ui.session import Session

__all__ = ["ReportsPage", "label_for"]


@dataclass(frozen=True, slots=True)
class _Refusal:
    """A revision the engine refused, with what the screen needs to explain it."""

    period: str
    text: str
    current: Summary | None  # the release that stays as it is


class ReportsPage(Page):
    title = "Reports"
    object_name = "reportsPage"
    refreshed_by = Change.CONTACTS | Change.FOLLOW_UPS | Change.SETTINGS | Change.RELEASES
    refresh_on_show = True

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.runner = session.runner
        self.runner.busy_changed.connect(self._on_runner_busy)
        self.summary: Summary | None = None  # what an export would publish now
        self._shown: Summary | None = None  # what the tables show (a refused revision: the release)
        self._chosen: dict[str, str] = {}  # the period chosen for each kind (kept while shown)
        self._first_entry: dt.date | None = None
        self._stale = True
        layout = page_layout(self)

        head = QHBoxLayout()
        head.setSpacing(SPACING)
        head.addWidget(title_label("Summaries"))
        head.addStretch(1)
        self.kind = named(QComboBox(), "Kind of period")
        for key, label in KINDS:
            self.kind.addItem(label, key)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.month = named(QComboBox(), "Period")  # the period of the chosen kind
        self.month.setMinimumContentsLength(26)
        self.month.currentIndexChanged.connect(self._period_changed)
        self.revise = named(
            QCheckBox("&Revision"),
            "Preview and export a revision",
            "A released period with late or edited entries gets a new release",
        )
        self.revise.toggled.connect(self.preview)
        kind_label = QLabel("&Summary of")
        kind_label.setBuddy(self.kind)
        head.addWidget(kind_label)
        head.addWidget(self.kind)
        head.addWidget(self.month)
        head.addWidget(self.revise)
        layout.addLayout(head)

        self.state = named(hint_label(), "Summary status")
        layout.addWidget(self.state)
        self.explain = named(QLabel(), "What is hidden and why")
        self.explain.setWordWrap(True)
        layout.addWidget(self.explain)
        self.larger = named(hint_label(), "What the quarter would show")
        layout.addWidget(self.larger)
        # The headline stays when the charts give way to a wide table.
        self.headline = named(QLabel(), "Headline figures")
        self.headline.setWordWrap(True)
        layout.addWidget(self.headline)

        body = QHBoxLayout()
        body.setSpacing(SPACING * 2)
        left_box = QWidget()
        left_box.setMaximumWidth(320)
        left = QVBoxLayout(left_box)
        left.setContentsMargins(0, 0, 0, 0)
        left.setSpacing(SPACING // 2)
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
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(charts)
        left.addWidget(scroll, 1)
        body.addWidget(left_box, 2)
        self.left_box = left_box

        right = QVBoxLayout()
        right.setSpacing(SPACING // 2)
        pick = QHBoxLayout()
        pick.setSpacing(SPACING)
        table_label = QLabel("&Table")
        table_label.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.table_list = named(QComboBox(), "Table")
        table_label.setBuddy(self.table_list)
        self.table_list.currentIndexChanged.connect(self._show_table)
        pick.addWidget(table_label)
        pick.addWidget(self.table_list, 1)
        right.addLayout(pick)
        self.table_why = named(hint_label(), "How much of this table is hidden and why")
        right.addWidget(self.table_why)
        self.table_view = named(QTableWidget(), "Table")
        self.table_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table_view.setTabKeyNavigation(False)
        # Ten narrow columns of numbers: tighter header padding than the lists', so that a
        # table fits beside the sidebar on a small laptop.
        self.table_view.setStyleSheet("QHeaderView::section { padding: 4px 2px; }")
        corner = self.table_view.findChild(QAbstractButton)
        if corner is not None:  # the view's top-left corner selects every cell
            corner.setAccessibleName("Select the whole table")
        right.addWidget(self.table_view, 1)
        body.addLayout(right, 5)
        layout.addLayout(body, 1)

        # Three cards side by side; on a narrow window the earlier releases go below the other
        # two (see _reflow) instead of making the screen scroll sideways.
        self.bottom = QGridLayout()
        self.bottom.setSpacing(SPACING)
        card = Card()
        title = section_label("Summary (suppressed counts, for people)")
        title.setWordWrap(True)
        card.body.addWidget(title)
        card.body.addWidget(
            hint_label(
                "The first export freezes the period as a release: exporting it again gives "
                "the same file. Nothing is written unless the audit and the leak check pass."
            )
        )
        brow = QHBoxLayout()
        self.export_buttons: dict[str, QPushButton] = {}
        for fmt in ("json", "csv", "pdf"):
            # The card says what is exported: the buttons say only the format, so that the
            # three cards fit side by side on a laptop's width.
            b = named(QPushButton(f"{fmt.upper()}…"), f"Export {fmt.upper()}")
            if fmt == "pdf":
                primary(b)
            b.clicked.connect(lambda _=False, f=fmt: self.request_export(f))
            brow.addWidget(b)
            self.export_buttons[fmt] = b
        brow.addStretch(1)
        card.body.addLayout(brow)
        self.export_message = named(hint_label(), "Export result")
        card.body.addWidget(self.export_message)
        self.bottom.addWidget(card, 0, 0)
        self.bottom.setColumnStretch(0, 3)
        self.summary_card = card
        self.contribution = ContributionCard(session, self.period)
        self.month.currentIndexChanged.connect(self.contribution.refresh)
        self.bottom.addWidget(self.contribution, 0, 1)
        self.bottom.setColumnStretch(1, 4)
        rel = Card()
        rel.body.addWidget(section_label("Earlier releases"))
        self.releases = named(QListWidget(), "Earlier releases")
        self.releases.setMaximumHeight(90)
        rel.body.addWidget(self.releases)
        self.releases_card = rel
        self._narrow = False
        self._host: QWidget | None = None
        self._place_releases()
        layout.addLayout(self.bottom)
        self._update_buttons()

    # -- Page contract ----------------------------------------------------------------------
    def refresh(self) -> None:
        if not self._open():
            return
        first = self.session.journal.first_entry_day()
        if self.month.count() == 0 or first != self._first_entry:
            self._first_entry = first
            self._fill_periods()
        self._load_releases()
        self.contribution.refresh()
        if self._stale or self.summary is None or self.summary.period != self.period():
            self.preview()

    def on_data_changed(self, changes: Change) -> None:
        if self.refreshed_by is None or changes & self.refreshed_by:
            self._stale = True
        super().on_data_changed(changes)

    def clear(self) -> None:
        self.runner.finish()
        self.contribution.clear()
        self.summary = None
        self._shown = None
        self._chosen.clear()
        self._first_entry = None
        self._stale = True
        self.month.blockSignals(True)
        self.month.clear()
        self.month.blockSignals(False)
        self.releases.clear()
        self.table_list.clear()
        self.table_view.clear()
        self.table_view.setRowCount(0)
        self.table_view.setColumnCount(0)
        self.chart_categories.set_bars([])
        self.chart_schools.set_bars([])
        for label in (
            self.state, self.explain, self.larger, self.headline, self.export_message,
            self.table_why,
        ):  # fmt: skip
            label.clear()
        self._update_buttons()

    # -- choosing a period ------------------------------------------------------------------
    def period(self) -> str | None:
        data = self.month.currentData()
        return None if data is None else str(data)

    def period_kind(self) -> str:
        return str(self.kind.currentData())

    def _fill_periods(self) -> None:
        kind = self.period_kind()
        today = self.session.today()
        options = periods(kind, today, self._first_entry)
        chosen = self._chosen.get(kind)
        if chosen not in options:
            chosen = default_period(kind, today, self._first_entry)
        self.month.blockSignals(True)
        self.month.clear()
        for p in options:
            self.month.addItem(period_name(p), p)
        self.month.setCurrentIndex(max(self.month.findData(chosen), 0))
        self.month.blockSignals(False)
        current = self.period()
        if current is not None:
            self._chosen[kind] = current

    def _kind_changed(self) -> None:
        if not self._open():
            return
        self._fill_periods()
        self.preview()

    def _period_changed(self) -> None:
        current = self.period()
        if current is not None:
            self._chosen[self.period_kind()] = current
        self.preview()

    def _load_releases(self) -> None:
        self.releases.clear()
        rel = self.session.journal.released_periods()
        for period, n in rel:
            self.releases.addItem(f"{period_name(period)} — release {n}")
        if not rel:
            self.releases.addItem("None yet")

    # -- preview ----------------------------------------------------------------------------
    def preview(self) -> None:
        period = self.period()
        if period is None or not self._open():
            return
        journal = self.session.journal
        revise = self.revise.isChecked()
        self._stale = False
        self.state.setText(f"Preparing the summary of {period_name(period)}…")
        self.larger.clear()

        def work() -> Summary | _Refusal:
            try:
                return preview(journal, period, revise=revise)
            except RevisionRefused as exc:
                text = refused_sentence(
                    exc.period, exc.previous, exc.students, exc.k, exc.counted_in
                )
                try:
                    current = preview(journal, period)
                except ReportRejected:
                    current = None
                return _Refusal(period, text, current)

        self.runner.run(work, self._show, lambda exc: self._failed(user_message(exc)))

    def _failed(self, message: str) -> None:
        self.summary = None
        self.explain.clear()
        self.state.setText(message[:1].upper() + message[1:] if message else "")
        self._clear_tables()
        self._update_buttons()

    def _show(self, result: Summary | _Refusal) -> None:
        if not self._open() or (isinstance(result, _Refusal) and result.period != self.period()):
            return
        if isinstance(result, _Refusal):
            self.summary = None  # nothing to export
            self._clear_tables()
            if result.current is not None:
                self._display(result.current)
                self.state.setText(
                    f"Revision refused: release {result.current.release} stays as it is "
                    "(shown below)."
                )
            else:
                self.state.setText("Revision refused.")
            self.explain.setText(result.text)
            self._update_buttons()
            return
        s = result
        if s.period != self.period():
            return  # the officer moved on while this was computed
        self.summary = s
        self._display(s)
        quarter = larger_period(s.period)
        if quarter is not None and not self.revise.isChecked():
            self._compare(s, quarter)

    def _display(self, s: Summary) -> None:
        """Show a summary: its state, why numbers are hidden, headline, charts and tables."""
        self._shown = s
        released = any(p == s.period for p, _ in self.session.journal.released_periods())
        name = period_name(s.period)
        if self.revise.isChecked():
            state = f"{name}: revision {s.release}, not exported yet."
        elif released:
            state = (
                f"{name} was exported (release {s.release}) and is frozen: exporting it again "
                "gives the same file."
            )
        else:
            state = f"{name}: not exported yet."
            if not parse_period(s.period).is_over(self.session.today()):
                state += f" {short_name(s.period)} is not over."
        self.state.setText(state)
        self.explain.setText(overall_sentence(s))
        t0 = s.table("T0")
        self.headline.setText(headline_text(t0))
        self.chart_categories.set_bars(self._bars(s.table("T1"), label_for))
        self.chart_schools.set_bars(self._bars(s.table("T2"), str))
        current = self.table_list.currentIndex()
        self.table_list.blockSignals(True)
        self.table_list.clear()
        for t in s.tables:
            hidden = sum(1 for c in t.cells if c.status == STATUS_SUPPRESSED)
            self.table_list.addItem(
                f"{TABLE_NAMES[t.id]} — {hidden} of {len(t.cells)} hidden", t.id
            )
        self.table_list.blockSignals(False)
        self.table_list.setCurrentIndex(current if current >= 0 else 1)
        self._show_table(self.table_list.currentIndex(), s)
        self._update_buttons()

    @staticmethod
    def _bars(t: Table, name: object) -> list[tuple[str, int | None]]:
        label = name if callable(name) else str
        return [
            (str(label(c.coords[0])), None if c.status == STATUS_SUPPRESSED else c.count)
            for c in t.cells
            if c.coords[1] == ALL and c.coords[0] != ALL
        ]

    def _compare(self, month: Summary, quarter: str) -> None:
        """Say what the month's quarter would publish that the month hides (in the background)."""
        journal = self.session.journal
        self.larger.setText(f"Looking at what {quarter} would show…")

        def work() -> Summary | None:
            try:
                return preview(journal, quarter)
            except ReportRejected:
                return None

        def done(large: Summary | None) -> None:
            if not self._open() or self.summary is not month:
                return
            self.larger.setText("" if large is None else larger_sentence(month, large))

        self.runner.run(work, done, lambda _exc: self.larger.clear())

    def _clear_tables(self) -> None:
        self._shown = None
        self.table_list.clear()
        self.table_view.setRowCount(0)
        self.table_view.setColumnCount(0)
        self.table_why.clear()
        self.headline.clear()
        self.larger.clear()
        self.chart_categories.set_bars([])
        self.chart_schools.set_bars([])

    def _show_table(self, row: int, shown: Summary | None = None) -> None:
        s = shown or self.summary or self._shown
        if s is None or not 0 <= row < len(s.tables):
            return
        t = s.tables[row]
        self.table_why.setText(
            f"Counts {TABLE_UNITS.get(t.unit, t.unit)}. "
            + hidden_sentence(t, s.reasons, s.threshold, s.period)
        )
        rows: list[str] = []
        cols: list[str] = []
        for c in t.cells:
            if c.coords[0] not in rows:
                rows.append(c.coords[0])
            col = c.coords[1] if len(c.coords) > 1 else "count"
            if col not in cols:
                cols.append(col)
        view = self.table_view
        view.clear()
        view.setRowCount(len(rows))
        view.setColumnCount(len(cols))
        view.setAccessibleName(TABLE_NAMES[t.id])
        view.setHorizontalHeaderLabels(
            [
                _two_lines(label_for(c), hyphen=self._narrow) if c != "count" else "Count"
                for c in cols
            ]
        )
        # On a narrow window the row labels take two lines too, so the columns keep their room.
        view.setVerticalHeaderLabels(
            [
                _two_lines(label_for(r), hyphen=True, longer_than=16)
                if self._narrow
                else label_for(r)
                for r in rows
            ]
        )
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for c in t.cells:
            col = c.coords[1] if len(c.coords) > 1 else "count"
            item = QTableWidgetItem(cell_text(c.count, c.status))
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if c.status == STATUS_SUPPRESSED:
                item.setToolTip("Hidden (S)")
            view.setItem(rows.index(c.coords[0]), cols.index(col), item)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self._fit_table()

    def _table_width(self) -> int:
        """The width the table needs to show every column whole."""
        view = self.table_view
        vertical = view.verticalScrollBar()
        bar = vertical.sizeHint().width() if vertical.maximum() > 0 else 0
        return (
            view.verticalHeader().sizeHint().width()
            + view.horizontalHeader().length()
            + (2 * view.frameWidth() + bar)
        )

    def _fit_table(self) -> None:
        """The charts give way when the table needs their width: the table is what is
        exported, the charts repeat two of its rows."""
        if self.table_view.columnCount() == 0:
            return
        need = self._table_width()
        have = self.table_view.width()
        if self.left_box.isVisible():
            if have < need:
                self.left_box.setVisible(False)
        elif have - need > self.left_box.sizeHint().width() + 2 * SPACING:
            self.left_box.setVisible(True)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._reflow()
        self._fit_table()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self._host and event.type() == QEvent.Type.Resize:
            self._reflow()
        return super().eventFilter(watched, event)

    def _reflow(self) -> None:
        """The width the screen has is the scroll area's, not the page's: a page is never
        narrower than its minimum, so only the area shows how much room there is."""
        host = self.parentWidget()
        if host is not self._host:
            if self._host is not None:
                self._host.removeEventFilter(self)
            self._host = host
            if host is not None:
                host.installEventFilter(self)
        cards = (self.summary_card, self.contribution, self.releases_card)
        layout = self.layout()
        margins = layout.contentsMargins() if layout is not None else QMargins()
        room = (host or self).width() - margins.left() - margins.right()
        need = sum(c.minimumSizeHint().width() for c in cards) + 2 * self.bottom.spacing()
        if (room < need) != self._narrow:
            self._narrow = room < need
            self._place_releases()
            self._show_table(self.table_list.currentIndex())

    def _place_releases(self) -> None:
        self.bottom.removeWidget(self.releases_card)
        self.bottom.setColumnStretch(2, 0 if self._narrow else 2)
        if self._narrow:
            self.bottom.addWidget(self.releases_card, 1, 0, 1, 2)
        else:
            self.bottom.addWidget(self.releases_card, 0, 2)

    def _on_runner_busy(self, _busy: bool) -> None:
        # A method, not a lambda: Qt drops the connection when this page goes away.
        self._update_buttons()

    def _update_buttons(self) -> None:
        ok = self.summary is not None and not self.runner.busy
        for b in self.export_buttons.values():
            b.setEnabled(ok)

    # -- export -----------------------------------------------------------------------------
    def needs_freeze_confirmation(self) -> bool:
        """The first export of a period that is not over freezes it for good: ask first."""
        period = self.period()
        if period is None or self.revise.isChecked():
            return False
        released = any(p == period for p, _ in self.session.journal.released_periods())
        return not released and not parse_period(period).is_over(self.session.today())

    def request_export(self, fmt: str) -> QMessageBox | QFileDialog | None:
        """An export button: confirm freezing a period that is not over, then ask for a file."""
        period = self.period()
        if period is None or self.summary is None:
            return None
        if not self.needs_freeze_confirmation():
            return self.choose_export_file(fmt)
        name, short = period_name(period), short_name(period)
        later = (
            f"Contacts you add for {short} afterwards appear only in a revision (when they "
            f"concern at least {self.summary.threshold} students)"
        )
        quarter = larger_period(period)
        if quarter is not None:
            later += f" or in the quarter {quarter} and the school year {year_of(period)}"
        elif parse_period(period).kind == "quarter":
            later += f" or in the school year {year_of(period)}"
        return confirm(
            self,
            f"Freeze {name}?",
            f"{short} is not over yet. Exporting now freezes {name} for good.",
            "Freeze and export",
            lambda: self._then_choose(fmt),
            informative=later + ".",
        )

    def _then_choose(self, fmt: str) -> None:
        self.choose_export_file(fmt)

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
            # The file is written only after the engine returned checked bytes.
            return release_summary(journal, period, fmt, path, revise=revise)  # type: ignore[arg-type]

        def done(result: Done[int]) -> None:
            self.session.applied(result)
            if not self._open():
                return
            self.export_message.setText(f"Exported {path.name}.")
            self.status_message.emit("Summary exported")
            if revise:
                self.revise.setChecked(False)  # previews the new release
            else:
                self._stale = True
                self.refresh()

        def failed(exc: BaseException) -> None:
            message = user_message(exc)
            self.export_message.setText("Not exported: " + message if message else "Not exported.")

        self.runner.run(work, done, failed)


def _two_lines(label: str, *, hyphen: bool = False, longer_than: int = 8) -> str:
    """A label longer than ``longer_than`` of two words or more (with ``hyphen``, also a
    hyphenated word) on two lines, split near its middle, so that a column or the row labels
    stay narrow."""
    if len(label) <= longer_than:
        return label
    cuts = [i + 1 for i, ch in enumerate(label) if ch == " " or (hyphen and ch == "-")]
    if not cuts:
        return label
    cut = min(cuts, key=lambda i: abs(i - len(label) / 2))
    return label[:cut].rstrip(" ") + "\n" + label[cut:]
