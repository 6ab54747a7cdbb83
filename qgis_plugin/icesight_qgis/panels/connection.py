"""Connection panel: backend URL, token (QGIS's auth database), request timeouts and results
folder; *Save and test* checks the backend in a task and reports its version, workers, GPU,
queue and production model."""

from __future__ import annotations

from qgis.gui import QgsFileWidget
from qgis.PyQt.QtCore import pyqtSignal
from qgis.PyQt.QtWidgets import QDoubleSpinBox, QLineEdit, QPushButton, QVBoxLayout

from .. import settings
from ..connection import ConnectionReport, check_connection
from ..tasks import JobTask
from .base import Panel, narrow_form, plain_label


class ConnectionPanel(Panel):
    #: A test ended: the report, or None when the backend could not be used.
    tested = pyqtSignal(object)

    def __init__(self, iface, parent=None):
        super().__init__(iface, parent)
        self.task: JobTask | None = None
        self.report: ConnectionReport | None = None
        current = settings.load()
        form = narrow_form()
        self.url_edit = QLineEdit(current.url)
        self.url_edit.setPlaceholderText(settings.DEFAULT_URL)
        self.token_edit = QLineEdit(current.token)
        self.token_edit.setEchoMode(QLineEdit.Password)
        self.token_edit.setPlaceholderText(self.tr("token from the backend's config folder"))
        self.connect_timeout_spin = self._seconds(current.connect_timeout_s, 1, 120)
        self.connect_timeout_spin.setToolTip(self.tr("How long to wait for the backend to accept a connection"))
        self.read_timeout_spin = self._seconds(current.read_timeout_s, 1, 3600)
        self.read_timeout_spin.setToolTip(self.tr("How long to wait for each answer of the backend"))
        self.results_widget = QgsFileWidget()
        self.results_widget.setStorageMode(QgsFileWidget.GetDirectory)
        self.results_widget.setFilePath(settings.chosen_results_dir())
        self.results_widget.lineEdit().setPlaceholderText(self.tr("next to the saved project"))
        self.results_widget.fileChanged.connect(settings.save_results_dir)
        self.save_button = QPushButton(self.tr("Save and test connection"))
        self.save_button.clicked.connect(self.save_and_test)
        self.connection_label = plain_label()
        form.addRow(self.tr("URL"), self.url_edit)
        form.addRow(self.tr("Token"), self.token_edit)
        form.addRow(self.tr("Connect timeout"), self.connect_timeout_spin)
        form.addRow(self.tr("Answer timeout"), self.read_timeout_spin)
        form.addRow(self.tr("Results folder"), self.results_widget)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.save_button)
        layout.addWidget(self.connection_label)
        layout.addStretch(1)

    def _seconds(self, value: float, low: float, high: float) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(low, high)
        spin.setDecimals(0)
        spin.setSuffix(self.tr(" s"))
        spin.setValue(value)
        return spin

    def save_and_test(self) -> JobTask | None:
        settings.save(self.url_edit.text(), self.token_edit.text())
        settings.save_timeouts(self.connect_timeout_spin.value(), self.read_timeout_spin.value())
        return self.test_connection()

    def test_connection(self) -> JobTask | None:
        if self.task is not None:
            return self.task
        client = settings.make_client()
        task = JobTask(self.tr("IceSight: test the backend connection"),
                       lambda on_progress, is_cancelled: check_connection(client), self._on_tested, client)
        self.connection_label.setText(self.tr("Testing the connection to {url}...").format(url=client.base_url))
        self.task = task
        return self.run_task(task)

    def _on_tested(self, report: ConnectionReport | None, error: str | None) -> None:
        self.task = None
        self.report = report
        if report is None:
            self.connection_label.setText(self.tr("Not connected: {error}").format(error=error))
            self.tell(self.tr("IceSight backend not usable: {error}").format(error=error), "error")
            self.tested.emit(None)
            return
        gpu = self.tr("GPU") if report.gpu else self.tr("CPU only")
        production = report.production_model or self.tr("none set (jobs use the newest model)")
        self.connection_label.setText(
            self.tr(
                "Connected to IceSight {version} (API {api}).\n"
                "{workers} worker(s), {threads} threads, {gpu}.\n"
                "Queue: {queued} job(s) waiting, {running} running.\n"
                "Production model: {production}"
            ).format(version=report.version, api=report.api_version, workers=report.n_workers,
                     threads=report.n_threads, gpu=gpu, queued=report.jobs_queued, running=report.jobs_running,
                     production=production)
        )
        self.tested.emit(report)

