"""Analysis panel: the actions on the chosen scene and its selected targets (classify, explain)
or on the whole catalog scene (probability map), each a task with progress and cancel."""

from __future__ import annotations

from collections.abc import Callable

from qgis.core import (
    QgsMapLayerProxyModel,
    QgsProject,
    QgsRasterLayer,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QGroupBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .. import settings
from ..client import BackendClient
from ..layers import add_classification_layer, add_explanation_layers, add_probability_layer
from ..patches import PatchError, SceneSource, Targets
from ..tasks import CANCELLED, JobTask, classify_task, explain_task, map_scene_task
from ..workflow import ATTRIBUTION_METHOD_NAMES, ClassificationOutcome, ExplanationOutcome, MapOutcome
from .base import Panel, layer_combo, narrow_combo, narrow_form, plain_label


class AnalysisPanel(Panel):
    def __init__(self, iface, model_id: Callable[[], str | None] = lambda: None, parent=None):
        super().__init__(iface, parent)
        self._model_id = model_id
        self.task: JobTask | None = None
        self.last_layer: QgsVectorLayer | None = None  # the last classification result
        self.last_explanation: tuple[QgsVectorLayer, list[QgsRasterLayer]] | None = None
        self.last_probability: QgsRasterLayer | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(self._targets_box())
        layout.addWidget(self._scene_box())
        layout.addWidget(self._progress_box())
        layout.addStretch(1)
        self._set_running(False)

    def _targets_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Selected targets"))
        form = narrow_form(parent=box)
        self.scene_combo = layer_combo(QgsMapLayerProxyModel.RasterLayer)
        self.targets_combo = layer_combo(QgsMapLayerProxyModel.PointLayer)
        self.method_combo = narrow_combo(QComboBox())
        for method, name in ATTRIBUTION_METHOD_NAMES.items():  # the methods' names in the literature
            self.method_combo.addItem(name, method)
        form.addRow(self.tr("Scene (HH, HV[, incidence])"), self.scene_combo)
        form.addRow(self.tr("Targets (points)"), self.targets_combo)
        self.classify_button = QPushButton(self.tr("Classify selected patches"))
        self.classify_button.clicked.connect(self.classify_selected)
        form.addRow(self.classify_button)
        self.explain_button = QPushButton(self.tr("Explain selected"))
        self.explain_button.clicked.connect(self.explain_selected)
        form.addRow(self.tr("Attribution"), self.method_combo)
        form.addRow(self.explain_button)
        return box

    def _scene_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Whole scene"))
        form = narrow_form(parent=box)
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
        form = narrow_form(parent=box)
        form.setContentsMargins(0, 0, 0, 0)
        row = self.progress_row()
        self.status_label = plain_label()
        form.addRow(row)
        form.addRow(self.status_label)
        return box

    # -- helpers --------------------------------------------------------------------------------

    def client(self) -> BackendClient:
        return settings.make_client()

    def model_id(self) -> str | None:
        """The model chosen in the Models panel (None: the backend's production model)."""
        return self._model_id()

    def _tell(self, message: str, level: str = "info") -> None:
        self.status_label.setText(message)
        self.tell(message, level)

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
        task.progressChanged.connect(self.show_progress)
        task.message_changed.connect(self.status_label.setText)
        self.task = task
        self._set_running(True)
        self.progress.setValue(0)
        self.status_label.setText(message)
        return self.run_task(task)

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


