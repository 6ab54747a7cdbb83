"""The IceSight dock: backend connection, results folder, and the actions on the chosen scene and
its selected targets (classify, explain) or the whole scene (probability map)."""

from __future__ import annotations

from qgis.core import (
    QgsApplication,
    QgsMapLayerProxyModel,
    QgsProject,
    QgsRasterLayer,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.gui import QgsFileWidget, QgsMapLayerComboBox
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QDockWidget,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from . import settings
from .client import BackendClient
from .layers import add_classification_layer, add_explanation_layers, add_probability_layer
from .log import log_error
from .patches import PatchError, SceneSource, Targets
from .tasks import CANCELLED, JobTask, classify_task, explain_task, map_scene_task
from .workflow import ATTRIBUTION_METHOD_NAMES, ClassificationOutcome, ExplanationOutcome, MapOutcome


class IceSightDock(QDockWidget):
    def __init__(self, iface, parent=None):
        super().__init__("IceSight", parent)
        self.setObjectName("IceSightDock")
        self.iface = iface
        self.task: JobTask | None = None
        self.last_layer: QgsVectorLayer | None = None  # the last classification result
        self.last_explanation: tuple[QgsVectorLayer, list[QgsRasterLayer]] | None = None
        self.last_probability: QgsRasterLayer | None = None
        self._connection_task: JobTask | None = None

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self._connection_box())
        layout.addWidget(self._targets_box())
        layout.addWidget(self._scene_box())
        layout.addWidget(self._progress_box())
        layout.addStretch(1)
        self.setWidget(body)
        self._set_running(False)

    # -- layout ---------------------------------------------------------------------------------

    def _connection_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Backend"))
        form = QFormLayout(box)
        current = settings.load()
        self.url_edit = QLineEdit(current.url)
        self.url_edit.setPlaceholderText(settings.DEFAULT_URL)
        self.token_edit = QLineEdit(current.token)
        self.token_edit.setEchoMode(QLineEdit.Password)
        self.token_edit.setPlaceholderText(self.tr("token from the backend's config dir"))
        self.results_widget = QgsFileWidget()
        self.results_widget.setStorageMode(QgsFileWidget.GetDirectory)
        self.results_widget.setFilePath(settings.chosen_results_dir())
        self.results_widget.lineEdit().setPlaceholderText(self.tr("next to the saved project"))
        self.results_widget.fileChanged.connect(settings.save_results_dir)
        self.save_button = QPushButton(self.tr("Save and test"))
        self.save_button.clicked.connect(self.save_and_test)
        self.connection_label = QLabel("")
        self.connection_label.setWordWrap(True)
        form.addRow(self.tr("URL"), self.url_edit)
        form.addRow(self.tr("Token"), self.token_edit)
        form.addRow(self.tr("Results folder"), self.results_widget)
        form.addRow(self.save_button, self.connection_label)
        return box

    def _targets_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Selected targets: ship or iceberg, and why"))
        form = QFormLayout(box)
        self.scene_combo = QgsMapLayerComboBox()
        self.scene_combo.setFilters(QgsMapLayerProxyModel.RasterLayer)
        self.targets_combo = QgsMapLayerComboBox()
        self.targets_combo.setFilters(QgsMapLayerProxyModel.PointLayer)
        self.model_edit = QLineEdit()
        self.model_edit.setPlaceholderText(self.tr("newest model"))
        self.method_combo = QComboBox()
        for method, name in ATTRIBUTION_METHOD_NAMES.items():
            self.method_combo.addItem(self.tr(name), method)
        form.addRow(self.tr("Scene (HH, HV[, incidence])"), self.scene_combo)
        form.addRow(self.tr("Targets (points)"), self.targets_combo)
        form.addRow(self.tr("Model"), self.model_edit)
        self.classify_button = QPushButton(self.tr("Classify selected patches"))
        self.classify_button.clicked.connect(self.classify_selected)
        form.addRow(self.classify_button)
        self.explain_button = QPushButton(self.tr("Explain selected"))
        self.explain_button.clicked.connect(self.explain_selected)
        row = QHBoxLayout()
        row.addWidget(self.method_combo, 1)
        row.addWidget(self.explain_button)
        form.addRow(self.tr("Attribution"), row)
        return box

    def _scene_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Whole scene"))
        form = QFormLayout(box)
        self.threshold_spin = QDoubleSpinBox()
        self.threshold_spin.setRange(0.0, 0.99)
        self.threshold_spin.setSingleStep(0.05)
        self.threshold_spin.setValue(settings.probability_threshold())
        self.threshold_spin.setToolTip(self.tr("Pixels with a lower iceberg probability are transparent"))
        self.threshold_spin.valueChanged.connect(settings.save_probability_threshold)
        self.map_button = QPushButton(self.tr("Map scene"))
        self.map_button.setToolTip(self.tr("Iceberg probability of every pixel of the chosen catalog scene"))
        self.map_button.clicked.connect(self.map_scene)
        form.addRow(self.tr("Show probability from"), self.threshold_spin)
        form.addRow(self.map_button)
        return box

    def _progress_box(self) -> QWidget:
        box = QWidget()
        form = QFormLayout(box)
        form.setContentsMargins(0, 0, 0, 0)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancel)
        row = QHBoxLayout()
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        form.addRow(row)
        form.addRow(self.status_label)
        return box

    # -- helpers --------------------------------------------------------------------------------

    def client(self) -> BackendClient:
        current = settings.load()
        return BackendClient(current.url, current.token)

    def model_id(self) -> str | None:
        return self.model_edit.text().strip() or None

    def _tell(self, message: str, level: str = "info") -> None:
        self.status_label.setText(message)
        bar = self.iface.messageBar()
        if level == "error":
            bar.pushCritical("IceSight", message)
        elif level == "warning":
            bar.pushWarning("IceSight", message)
        else:
            bar.pushInfo("IceSight", message)

    def _set_running(self, running: bool) -> None:
        for button in (self.classify_button, self.explain_button, self.map_button):
            button.setEnabled(not running)
        self.cancel_button.setEnabled(running)

    def _busy(self) -> bool:
        if self.task is not None:
            self._tell(self.tr("IceSight is still working on a job; wait for it or cancel it."), "warning")
            return True
        return False

    def _scene(self) -> SceneSource | None:
        try:
            return SceneSource.of(self.scene_combo.currentLayer())
        except PatchError as exc:
            self._tell(str(exc), "error")
            return None

    def _selected_targets(self) -> Targets | None:
        """The selected points of the targets layer, read here on the main thread."""
        layer = self.targets_combo.currentLayer()
        if not isinstance(layer, QgsVectorLayer) or layer.geometryType() != QgsWkbTypes.PointGeometry:
            self._tell(self.tr("Pick a point layer of targets, then select the targets."), "warning")
            return None
        targets = Targets.of(layer.name(), layer.getSelectedFeatures(), layer.fields(), layer.crs())
        if not targets.points:
            self._tell(
                self.tr("No targets selected in {layer}: select some with the selection tool first.").format(
                    layer=layer.name()
                ),
                "warning",
            )
            return None
        return targets

    def _start(self, task: JobTask, message: str) -> JobTask:
        task.progressChanged.connect(lambda value: self.progress.setValue(int(value)))
        task.message_changed.connect(self.status_label.setText)
        self.task = task
        self._set_running(True)
        self.progress.setValue(0)
        self.status_label.setText(message)
        QgsApplication.taskManager().addTask(task)
        return task

    def _finish(self, error: str | None, what: str) -> bool:
        """Common end of every task; True when there is an outcome to load."""
        self.task = None
        self._set_running(False)
        if error is None:
            self.progress.setValue(100)
            return True
        self.progress.setValue(0)
        if error == CANCELLED:
            self._tell(self.tr("{what} cancelled.").format(what=what))
        else:
            self._tell(self.tr("{what} failed: {error}").format(what=what, error=error), "error")
        return False

    def _skipped_note(self, skipped: list[str]) -> str:
        return self.tr(" ({n} target(s) off the scene skipped)").format(n=len(skipped)) if skipped else ""

    # -- actions --------------------------------------------------------------------------------

    def save_and_test(self) -> None:
        settings.save(self.url_edit.text(), self.token_edit.text())
        # Health needs no token; the job list checks the token too. Both off the GUI thread.
        client = self.client()
        task = JobTask(
            self.tr("IceSight: test the backend connection"),
            lambda on_progress, is_cancelled: (client.health(), client.jobs())[0],
            self._on_tested,
        )
        self.connection_label.setText(self.tr("Testing..."))
        self._connection_task = task  # kept alive until it finishes
        QgsApplication.taskManager().addTask(task)

    def _on_tested(self, health: dict | None, error: str | None) -> None:
        self._connection_task = None
        if health is None:
            self.connection_label.setText(self.tr("Not connected: {error}").format(error=error))
            log_error(f"backend check failed: {error}")
            return
        dask = health["dask"]
        gpu = self.tr("GPU") if health.get("gpu") else self.tr("CPU only")
        self.connection_label.setText(
            self.tr("Connected: {workers} worker(s), {threads} threads, {gpu}").format(
                workers=dask["n_workers"], threads=dask["total_threads"], gpu=gpu
            )
        )

    def classify_selected(self) -> JobTask | None:
        if self._busy():
            return None
        targets = self._selected_targets()
        scene = self._scene() if targets is not None else None
        if scene is None:
            return None
        task = classify_task(self.client(), scene, targets, settings.results_dir(),
                             QgsProject.instance().transformContext(), self._on_classified, self.model_id())
        return self._start(task, self.tr("Classifying {n} target(s)...").format(n=len(targets.points)))

    def _on_classified(self, outcome: ClassificationOutcome | None, error: str | None) -> None:
        if not self._finish(error, self.tr("Classification")):
            return
        try:
            self.last_layer = add_classification_layer(outcome.gpkg_path, outcome.job_id, QgsProject.instance())
        except ValueError as exc:
            self._tell(str(exc), "error")
            return
        labels = [c.label.value for c in outcome.result.classifications]
        self._tell(
            self.tr("Job {job}: {ships} ship(s), {bergs} iceberg(s) (model {model}){note}").format(
                job=outcome.job_id, ships=labels.count("ship"), bergs=labels.count("iceberg"),
                model=outcome.result.model_id, note=self._skipped_note(outcome.skipped),
            )
        )

    def explain_selected(self) -> JobTask | None:
        if self._busy():
            return None
        targets = self._selected_targets()
        scene = self._scene() if targets is not None else None
        if scene is None:
            return None
        method = self.method_combo.currentData()
        task = explain_task(self.client(), scene, targets, settings.results_dir(),
                            QgsProject.instance().transformContext(), self._on_explained, method, self.model_id())
        return self._start(
            task,
            self.tr("Explaining {n} target(s) with {method}...").format(
                n=len(targets.points), method=self.method_combo.currentText()
            ),
        )

    def _on_explained(self, outcome: ExplanationOutcome | None, error: str | None) -> None:
        if not self._finish(error, self.tr("Explanation")):
            return
        try:
            self.last_explanation = add_explanation_layers(outcome, QgsProject.instance())
        except ValueError as exc:
            self._tell(str(exc), "error")
            return
        self._tell(
            self.tr("Job {job}: {n} decision(s) explained ({method}, model {model}){note}").format(
                job=outcome.job_id, n=outcome.result.n_patches, method=outcome.result.method.value,
                model=outcome.result.model_id, note=self._skipped_note(outcome.skipped),
            )
        )

    def map_scene(self) -> JobTask | None:
        if self._busy():
            return None
        scene = self._scene()
        if scene is None:
            return None
        if scene.catalog_id is None:
            self._tell(
                self.tr(
                    "{scene} is a local raster the backend does not know: upload and ingest it into the "
                    "backend's scene catalog first (POST /uploads, then an ingest_scene job), then load the "
                    "catalog scene and map it."
                ).format(scene=scene.name),
                "warning",
            )
            return None
        task = map_scene_task(self.client(), scene.catalog_id, settings.results_dir(), self._on_mapped, self.model_id())
        return self._start(task, self.tr("Mapping scene {scene}...").format(scene=scene.catalog_id))

    def _on_mapped(self, outcome: MapOutcome | None, error: str | None) -> None:
        if not self._finish(error, self.tr("Scene map")):
            return
        try:
            self.last_probability = add_probability_layer(outcome, self.threshold_spin.value(), QgsProject.instance())
        except ValueError as exc:
            self._tell(str(exc), "error")
            return
        self._tell(
            self.tr("Job {job}: {share:.1%} of scene {scene} looks like iceberg (model {model})").format(
                job=outcome.job_id, share=outcome.result.iceberg_fraction, scene=outcome.result.scene_id,
                model=outcome.result.model_id,
            )
        )

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def detach(self) -> None:
        """Before the dock goes (plugin unload): cancel running tasks and drop their callbacks."""
        for task in (self.task, self._connection_task):
            if task is not None:
                task.on_done = lambda outcome, error: None
                task.cancel()
        self.task = self._connection_task = None

    def closeEvent(self, event):  # noqa: N802 - Qt API
        self.cancel()
        super().closeEvent(event)


DOCK_AREA = Qt.RightDockWidgetArea
