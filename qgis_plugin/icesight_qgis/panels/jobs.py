"""Jobs panel: every backend job (or only this project's) with kind, state, stage, progress and
elapsed time, refreshed by a timer whose network call runs in a task; cancel a job; put a finished
job's results on the map again. The project remembers its jobs (:mod:`..project_jobs`)."""

from __future__ import annotations

from datetime import UTC, datetime

from qgis.core import QgsProject
from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP, QTimer
from qgis.PyQt.QtGui import QFont
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from icesight_contract import JobStatus

from .. import project_jobs, settings
from ..log import log_error, log_info
from ..reload import Fetched, add_results, can_reload, fetch_results
from ..tasks import JobTask
from .base import Panel, plain_label

#: How often the list refreshes itself while the panel is shown.
REFRESH_INTERVAL_MS = 5000
#: The table's column titles (translated where shown; marked for the catalogue under @default).
COLUMNS = (QT_TRANSLATE_NOOP("@default", "Job"), QT_TRANSLATE_NOOP("@default", "Kind"),
           QT_TRANSLATE_NOOP("@default", "State"), QT_TRANSLATE_NOOP("@default", "Stage"),
           QT_TRANSLATE_NOOP("@default", "Progress"), QT_TRANSLATE_NOOP("@default", "Elapsed"))


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def elapsed_s(status: JobStatus, now: datetime | None = None) -> float | None:
    """Seconds the job has run (until it finished, or until now)."""
    started = _parse_time(status.started_at) or _parse_time(status.created_at)
    if started is None:
        return None
    end = _parse_time(status.finished_at) or now or datetime.now(UTC)
    if started.tzinfo is None:
        started = started.replace(tzinfo=UTC)
    if end.tzinfo is None:
        end = end.replace(tzinfo=UTC)
    return max(0.0, (end - started).total_seconds())


def format_elapsed(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class JobsPanel(Panel):
    def __init__(self, iface, parent=None):
        super().__init__(iface, parent)
        self.jobs: list[JobStatus] = []
        self.refresh_task: JobTask | None = None
        self.action_tasks: set[JobTask] = set()
        self.refreshes = 0  # finished refreshes (tests and the status line)
        self.listing_error: str | None = None  # why the last listing failed (logged once, not every refresh)
        self.last_added: list = []

        self.project_only_check = QCheckBox(self.tr("This project's jobs only"))
        self.project_only_check.toggled.connect(lambda _on: self._fill())
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.Stretch)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        self.cancel_button = QPushButton(self.tr("Cancel job"))
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.reload_button = QPushButton(self.tr("Add results to map again"))
        self.reload_button.clicked.connect(self.reload_selected)
        row = QHBoxLayout()
        row.addWidget(self.refresh_button)
        row.addWidget(self.cancel_button)
        self.status_label = plain_label()
        layout = QVBoxLayout(self)
        layout.addWidget(self.project_only_check)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.reload_button)
        layout.addWidget(self.status_label)

        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_INTERVAL_MS)
        self.timer.timeout.connect(self.refresh)

    # -- refreshing -------------------------------------------------------------------------------

    def showEvent(self, event):  # noqa: N802 - Qt API
        super().showEvent(event)
        self.timer.start()
        self.refresh()

    def hideEvent(self, event):  # noqa: N802 - Qt API
        self.timer.stop()
        super().hideEvent(event)

    def refresh(self) -> JobTask | None:
        """List the jobs in a task; a refresh still under way is not doubled."""
        if self.refresh_task is not None:
            return self.refresh_task
        client = settings.make_client()
        task = JobTask(self.tr("IceSight: list jobs"), lambda on_progress, is_cancelled: client.jobs(limit=200),
                       self._on_refreshed, client)
        task.log_outcome = False  # every few seconds while the page is shown: _on_refreshed logs a change only
        self.refresh_task = task
        return self.run_task(task)

    def _on_refreshed(self, jobs: list[JobStatus] | None, error: str | None) -> None:
        self.refresh_task = None
        self.refreshes += 1
        if jobs is None:
            if error != self.listing_error:
                log_error(f"the jobs could not be listed: {error}")
            self.listing_error = error
            self.status_label.setText(self.tr("Jobs could not be listed: {error}").format(error=error))
            return
        if self.listing_error is not None:
            log_info("the jobs are listed again")
        self.listing_error = None
        self.jobs = jobs
        self._fill()

    def visible_jobs(self) -> list[JobStatus]:
        if not self.project_only_check.isChecked():
            return self.jobs
        mine = set(project_jobs.job_ids(QgsProject.instance()))
        return [job for job in self.jobs if job.id in mine]

    def _fill(self) -> None:
        selected = self.selected_job()
        jobs = self.visible_jobs()
        mine = set(project_jobs.job_ids(QgsProject.instance()))
        self.table.setRowCount(len(jobs))
        for row, job in enumerate(jobs):
            cells = (job.id, job.kind.value, job.state.value, job.message or "", f"{100 * job.progress:.0f} %",
                     format_elapsed(elapsed_s(job)))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(job.error.message if job.error else text)
                if job.id in mine:
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, column, item)
        if selected is not None:
            self.select_job(selected.id)
        self.status_label.setText(self.tr("{n} job(s); this project's in bold").format(n=len(jobs)))

    def job_row(self, job_id: str) -> JobStatus | None:
        return next((job for job in self.visible_jobs() if job.id == job_id), None)

    def select_job(self, job_id: str) -> bool:
        for row, job in enumerate(self.visible_jobs()):
            if job.id == job_id:
                self.table.selectRow(row)
                return True
        return False

    def selected_job(self) -> JobStatus | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        jobs = self.visible_jobs()
        if not rows or rows[0].row() >= len(jobs):
            return None
        return jobs[rows[0].row()]

    # -- actions ----------------------------------------------------------------------------------

    def _run_action(self, task: JobTask) -> JobTask:
        self.action_tasks.add(task)
        return self.run_task(task)

    def cancel_selected(self) -> JobTask | None:
        job = self.selected_job()
        if job is None:
            self.tell(self.tr("Choose a job in the list first."), "warning")
            return None
        if job.state.is_final:
            self.tell(self.tr("Job {job} has already ended ({state}).").format(job=job.id, state=job.state.value),
                      "warning")
            return None
        return self.cancel_job(job.id)

    def cancel_job(self, job_id: str) -> JobTask:
        client = settings.make_client()
        task = JobTask(self.tr("IceSight: cancel job {job}").format(job=job_id),
                       lambda on_progress, is_cancelled: client.cancel(job_id), None, client)
        task.on_done = lambda status, error, task=task: self._on_cancelled(task, job_id, status, error)
        return self._run_action(task)

    def _on_cancelled(self, task: JobTask, job_id: str, status: JobStatus | None, error: str | None) -> None:
        self.action_tasks.discard(task)
        if status is None:
            self.tell(self.tr("Job {job} could not be cancelled: {error}").format(job=job_id, error=error), "error")
        else:
            self.tell(self.tr("Job {job} is {state}.").format(job=job_id, state=status.state.value))
        self.refresh()

    def reload_selected(self) -> JobTask | None:
        job = self.selected_job()
        if job is None:
            self.tell(self.tr("Choose a job in the list first."), "warning")
            return None
        if not can_reload(job):
            self.tell(self.tr("Job {job} ({kind}, {state}) has no results to put on the map.").format(
                job=job.id, kind=job.kind.value, state=job.state.value), "warning")
            return None
        return self.reload_job(job.id)

    def reload_job(self, job_id: str) -> JobTask | None:
        current = settings.load()
        try:
            header_file = settings.write_gdal_header_file(current.token)
        except OSError as exc:
            self.tell(self.tr("The results of job {job} cannot be put on the map: {error}").format(
                job=job_id, error=settings.header_file_problem(exc)), "error")
            return None
        output_dir = settings.results_dir()
        client = settings.make_client(current)
        task = JobTask(self.tr("IceSight: results of job {job}").format(job=job_id),
                       lambda on_progress, is_cancelled: fetch_results(client, job_id, output_dir, header_file,
                                                                       is_cancelled),
                       None, client)
        task.on_done = lambda fetched, error, task=task: self._on_fetched(task, job_id, fetched, error)
        return self._run_action(task)

    def _on_fetched(self, task: JobTask, job_id: str, fetched: Fetched | None, error: str | None) -> None:
        self.action_tasks.discard(task)
        if fetched is None:
            self.tell(self.tr("The results of job {job} could not be fetched: {error}").format(job=job_id, error=error),
                      "error")
            return
        try:
            self.last_added = add_results(fetched)
        except ValueError as exc:
            self.tell(str(exc), "error")
            return
        self.tell(self.tr("Results of job {job} are on the map again.").format(job=job_id), "success")

    def detach(self) -> None:
        self.timer.stop()
        for task in [self.refresh_task, *self.action_tasks]:
            if task is not None:
                task.on_done = lambda outcome, error: None
                task.cancel()
        self.refresh_task = None
        self.action_tasks.clear()


