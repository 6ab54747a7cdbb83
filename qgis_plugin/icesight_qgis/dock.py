"""The IceSight dock: backend connection, and classification of the selected targets."""

from __future__ import annotations

from qgis.core import QgsApplication, QgsMapLayerProxyModel, QgsProject, QgsVectorLayer, QgsWkbTypes
from qgis.gui import QgsMapLayerComboBox
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import (
    QDockWidget,
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
from .client import BackendClient, BackendError
from .layers import add_classification_layer
from .log import log_error, log_info
from .patches import PatchError, cut_patches
from .tasks import ClassifyPatchesTask


class IceSightDock(QDockWidget):
    def __init__(self, iface, parent=None):
        super().__init__("IceSight", parent)
        self.setObjectName("IceSightDock")
        self.iface = iface
        self.task: ClassifyPatchesTask | None = None
        self.last_layer: QgsVectorLayer | None = None

        body = QWidget()
        layout = QVBoxLayout(body)

        connection = QGroupBox("Backend")
        form = QFormLayout(connection)
        current = settings.load()
        self.url_edit = QLineEdit(current.url)
        self.url_edit.setPlaceholderText(settings.DEFAULT_URL)
        self.token_edit = QLineEdit(current.token)
        self.token_edit.setEchoMode(QLineEdit.Password)
        self.token_edit.setPlaceholderText("token from the backend's config dir")
        self.save_button = QPushButton("Save and test")
        self.save_button.clicked.connect(self.save_and_test)
        self.connection_label = QLabel("")
        self.connection_label.setWordWrap(True)
        form.addRow("URL", self.url_edit)
        form.addRow("Token", self.token_edit)
        form.addRow(self.save_button, self.connection_label)
        layout.addWidget(connection)

        classify = QGroupBox("Classify ship / iceberg")
        form = QFormLayout(classify)
        self.scene_combo = QgsMapLayerComboBox()
        self.scene_combo.setFilters(QgsMapLayerProxyModel.RasterLayer)
        self.targets_combo = QgsMapLayerComboBox()
        self.targets_combo.setFilters(QgsMapLayerProxyModel.PointLayer)
        self.model_edit = QLineEdit()
        self.model_edit.setPlaceholderText("newest model")
        form.addRow("Scene (HH, HV[, incidence])", self.scene_combo)
        form.addRow("Targets (points)", self.targets_combo)
        form.addRow("Model", self.model_edit)
        buttons = QHBoxLayout()
        self.classify_button = QPushButton("Classify selected patches")
        self.classify_button.clicked.connect(self.classify_selected)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        buttons.addWidget(self.classify_button)
        buttons.addWidget(self.cancel_button)
        form.addRow(buttons)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        form.addRow(self.progress)
        form.addRow(self.status_label)
        layout.addWidget(classify)
        layout.addStretch(1)
        self.setWidget(body)

    # -- helpers --------------------------------------------------------------------------------

    def client(self) -> BackendClient:
        current = settings.load()
        return BackendClient(current.url, current.token)

    def _tell(self, message: str, level: str = "info") -> None:
        self.status_label.setText(message)
        bar = self.iface.messageBar()
        if level == "error":
            bar.pushCritical("IceSight", message)
        elif level == "warning":
            bar.pushWarning("IceSight", message)
        else:
            bar.pushInfo("IceSight", message)

    # -- actions --------------------------------------------------------------------------------

    def save_and_test(self) -> None:
        settings.save(self.url_edit.text(), self.token_edit.text())
        try:
            health = self.client().health()
            # Health needs no token; check the token on a protected route too.
            self.client().jobs()
        except BackendError as exc:
            self.connection_label.setText(f"Not connected: {exc.user_message()}")
            log_error(f"backend check failed: {exc}")
            return
        dask = health["dask"]
        gpu = "GPU" if health.get("gpu") else "CPU only"
        self.connection_label.setText(f"Connected: {dask['n_workers']} worker(s), {dask['total_threads']} threads, {gpu}")

    def classify_selected(self) -> None:
        if self.task is not None:
            self._tell("A classification is already running; wait for it or cancel it.", "warning")
            return
        scene = self.scene_combo.currentLayer()
        targets = self.targets_combo.currentLayer()
        if targets is None or not isinstance(targets, QgsVectorLayer) or targets.geometryType() != QgsWkbTypes.PointGeometry:
            self._tell("Pick a point layer of targets, then select the targets to classify.", "warning")
            return
        features = list(targets.getSelectedFeatures())
        if not features:
            self._tell(f"No targets selected in {targets.name()}: select some with the selection tool first.", "warning")
            return
        points = [(f"{targets.name()}:{f.id()}", f.geometry().asPoint()) for f in features if f.hasGeometry()]
        try:
            cut = cut_patches(scene, points, targets.crs())
        except PatchError as exc:
            self._tell(str(exc), "error")
            return
        for reason in cut.skipped:
            log_info(f"patch skipped: {reason}")
        if not cut.patches:
            self._tell("None of the selected targets lies on the scene raster.", "warning")
            return
        self.start_classification(cut.patches, note=f"{len(cut.skipped)} skipped" if cut.skipped else "")

    def start_classification(self, patches, note: str = "") -> ClassifyPatchesTask:
        model_id = self.model_edit.text().strip() or None
        task = ClassifyPatchesTask(self.client(), patches, settings.results_dir(), self._on_done, model_id)
        task.progressChanged.connect(lambda value: self.progress.setValue(int(value)))
        self.task = task
        self.classify_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status_label.setText(f"Classifying {len(patches)} patches{' (' + note + ')' if note else ''}...")
        QgsApplication.taskManager().addTask(task)
        return task

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _on_done(self, outcome, error: str | None) -> None:
        self.task = None
        self.classify_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        if outcome is None:
            self.progress.setValue(0)
            if error == "cancelled":
                self._tell("Classification cancelled.")
            else:
                self._tell(f"Classification failed: {error}", "error")
            return
        try:
            self.last_layer = add_classification_layer(outcome.gpkg_path, outcome.job_id, QgsProject.instance())
        except ValueError as exc:
            self._tell(str(exc), "error")
            return
        labels = [c.label.value for c in outcome.result.classifications]
        self._tell(
            f"Job {outcome.job_id}: {labels.count('ship')} ship(s), {labels.count('iceberg')} iceberg(s) "
            f"(model {outcome.result.model_id})"
        )

    def closeEvent(self, event):  # noqa: N802 - Qt API
        self.cancel()
        super().closeEvent(event)


DOCK_AREA = Qt.RightDockWidgetArea
