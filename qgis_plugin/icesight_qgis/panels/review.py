"""Review panel: go through a classification layer's targets, the most uncertain first (active
learning), set each one's ``reviewed_class`` with a key (S ship, I iceberg, C clutter; N next,
B back) while the map follows the target; then send the corrections to the backend as a new
feature-group version and, if the analyst agrees, retrain on it and compare with the old model."""

from __future__ import annotations

from collections.abc import Callable

from qgis.core import (
    QgsCoordinateTransform,
    QgsFeatureRequest,
    QgsMapLayerProxyModel,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.gui import QgsVertexMarker
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor, QKeySequence
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QAction,
    QGridLayout,
    QGroupBox,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
)

from icesight_contract import PATCH_SIZE_PX, ContractError, FeatureGroupRef

from .. import settings
from ..corrections import CorrectionsOutcome, RetrainOutcome, retrain_task, send_corrections_task
from ..patches import PatchError, SceneSource
from ..review import (
    REVIEWED_CLASS_FIELD,
    ReviewClass,
    has_review_field,
    layer_model_id,
    mark_under_review,
    review_order,
    reviewed_class,
    reviewed_targets,
    set_reviewed_class,
)
from ..tasks import CANCELLED, JobTask
from .base import Panel, layer_combo, narrow_form, plain_label
from .models import METRICS, format_metric

#: The map shows this many patch widths around the current target.
VIEW_PATCH_WIDTHS = 3
#: The ring around the target under review: wide enough to leave the target's own bright pixels
#: (and its class symbol, hidden meanwhile) inside, in a colour no class uses.
REVIEW_RING_DIAMETER_PX = 46
REVIEW_RING_WIDTH_PX = 3
REVIEW_RING_COLOUR = "#ff3fd2"
DEFAULT_GROUP = "analyst_corrections"
DEFAULT_EPOCHS = 10


class ReviewPanel(Panel):
    def __init__(self, iface, parent=None):
        super().__init__(iface, parent)
        self.layer: QgsVectorLayer | None = None
        self.queue: list[int] = []  # feature ids, most informative first
        self.reviewed: set[int] = set()  # of the queue, those with a reviewed_class (kept up to date)
        self.position = 0
        self.task: JobTask | None = None
        self.last_corrections: CorrectionsOutcome | None = None
        self.last_retrain: RetrainOutcome | None = None
        self.ring: QgsVertexMarker | None = None  # on the map canvas, around the target under review
        #: Asks whether to retrain (the question on the main thread); tests answer it themselves.
        self.confirm_retrain: Callable[[str], bool] = self._ask

        self.actions: dict[str, QAction] = {}
        self.setFocusPolicy(Qt.StrongFocus)  # a click on the panel gives it the keys
        layout = QVBoxLayout(self)
        layout.addWidget(self._review_box())
        layout.addWidget(self._corrections_box())
        layout.addStretch(1)
        self._set_running(False)

    # -- layout -----------------------------------------------------------------------------------

    def _action(self, key: str, text: str, slot) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(key))
        # Only while the panel has focus: single letters must not steal QGIS's own shortcuts.
        action.setShortcutContext(Qt.WidgetWithChildrenShortcut)
        action.setToolTip(f"{text} ({key})")
        action.triggered.connect(slot)
        self.addAction(action)
        self.actions[key] = action
        return action

    def _review_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Most uncertain first"))
        form = narrow_form(parent=box)
        self.layer_combo = layer_combo(QgsMapLayerProxyModel.PointLayer)
        self.scene_combo = layer_combo(QgsMapLayerProxyModel.RasterLayer)
        form.addRow(self.tr("Classified targets"), self.layer_combo)
        form.addRow(self.tr("Scene (HH, HV)"), self.scene_combo)
        self.start_button = QPushButton(self.tr("Start review"))
        self.start_button.clicked.connect(lambda: self.start_review())
        form.addRow(self.start_button)
        self.current_label = plain_label(self.tr("Click Start review, then use the keys below on this panel."))
        form.addRow(self.current_label)
        keys = QGridLayout()
        buttons = [
            self._action("S", self.tr("Ship"), lambda: self.label_current(ReviewClass.SHIP)),
            self._action("I", self.tr("Iceberg"), lambda: self.label_current(ReviewClass.ICEBERG)),
            self._action("C", self.tr("Clutter"), lambda: self.label_current(ReviewClass.CLUTTER)),
            self._action("N", self.tr("Next"), lambda: self.next_target()),
            self._action("B", self.tr("Back"), lambda: self.previous_target()),
        ]
        for index, action in enumerate(buttons):  # two columns: fits a 300 px dock
            keys.addWidget(self._key_button(action), index // 2, index % 2)
        form.addRow(keys)
        return box

    @staticmethod
    def _key_button(action: QAction) -> QToolButton:
        button = QToolButton()
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonTextOnly)
        button.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        button.setText(f"{action.text()} ({action.shortcut().toString()})")
        return button

    def _corrections_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Correct and retrain"))
        form = narrow_form(parent=box)
        self.group_edit = QLineEdit(DEFAULT_GROUP)
        self.group_edit.setToolTip(self.tr("Feature group: lower-case letters, digits and _"))
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(1, 500)
        self.epochs_spin.setValue(DEFAULT_EPOCHS)
        form.addRow(self.tr("Feature group"), self.group_edit)
        form.addRow(self.tr("Retraining epochs"), self.epochs_spin)
        form.addRow(plain_label(self.tr(
            "Reviewed targets are sent with their patches as ship, iceberg or clutter (no target) and added to "
            "the feature group's newest version.")))
        self.send_button = QPushButton(self.tr("Send corrections"))
        self.send_button.clicked.connect(self.send_corrections)
        form.addRow(self.send_button)
        row = self.progress_row()
        form.addRow(row)
        self.status_label = plain_label()
        form.addRow(self.status_label)
        self.compare_table = QTableWidget(0, 3)
        self.compare_table.setHorizontalHeaderLabels([self.tr("Metric"), self.tr("Old model"), self.tr("New model")])
        self.compare_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.compare_table.verticalHeader().setVisible(False)
        self.compare_table.setMaximumHeight(150)
        form.addRow(self.compare_table)
        return box

    # -- review -----------------------------------------------------------------------------------

    def _tell(self, message: str, level: str = "info") -> None:
        self.status_label.setText(message)
        self.tell(message, level)

    @property
    def current_fid(self) -> int | None:
        return self.queue[self.position] if self.queue and 0 <= self.position < len(self.queue) else None

    def start_review(self, layer: QgsVectorLayer | None = None) -> bool:
        """Order the layer's targets by uncertainty and go to the first one not reviewed yet."""
        layer = layer or self.layer_combo.currentLayer()
        self.stop_review()  # a review of another layer ends
        if not has_review_field(layer):
            self._tell(self.tr("Pick an IceSight classification layer: it has the reviewed_class field."), "warning")
            return False
        self.layer_combo.setLayer(layer)
        self._unfollow_edits()
        self.layer = layer
        self.queue = review_order(layer)
        self.reviewed = self._read_reviewed()
        self._follow_edits()
        if not self.queue:
            self._tell(self.tr("{layer} has no target to review.").format(layer=layer.name()), "warning")
            return False
        unreviewed = [i for i, fid in enumerate(self.queue) if not self._is_reviewed(fid)]
        self.position = unreviewed[0] if unreviewed else 0
        self._show_current()
        self.setFocus(Qt.OtherFocusReason)  # the keys work while the panel has focus
        return True

    def _read_reviewed(self) -> set[int]:
        """The targets reviewed already, read in one pass over the layer (no geometry, one field);
        the review keeps the set up to date, so a key press reads one feature, not the layer."""
        index = self.layer.fields().indexOf(REVIEWED_CLASS_FIELD)
        request = QgsFeatureRequest().setFlags(QgsFeatureRequest.NoGeometry).setSubsetOfAttributes([index])
        return {f.id() for f in self.layer.getFeatures(request) if reviewed_class(f[REVIEWED_CLASS_FIELD]) is not None}

    def _is_reviewed(self, fid: int) -> bool:
        return fid in self.reviewed

    def _follow_edits(self) -> None:
        """Keep the set of reviewed targets right when ``reviewed_class`` changes elsewhere: the attribute
        table, the field calculator, an undo, edits thrown away."""
        self.layer.attributeValueChanged.connect(self._on_value_changed)
        self.layer.afterRollBack.connect(self._on_rolled_back)

    def _unfollow_edits(self) -> None:
        if self.layer is None:
            return
        for signal, slot in ((self.layer.attributeValueChanged, self._on_value_changed),
                             (self.layer.afterRollBack, self._on_rolled_back)):
            try:
                signal.disconnect(slot)
            except (TypeError, RuntimeError):  # not connected, or the layer is gone
                pass

    def _on_value_changed(self, fid: int, index: int, value) -> None:
        if self.layer is not None and index == self.layer.fields().indexOf(REVIEWED_CLASS_FIELD):
            if reviewed_class(value) is not None:
                self.reviewed.add(fid)
            else:
                self.reviewed.discard(fid)

    def _on_rolled_back(self) -> None:
        if self._layer_alive():
            self.reviewed = self._read_reviewed()

    def _layer_alive(self) -> bool:
        if self.layer is None or not self.queue:
            return False
        try:
            self.layer.id()
        except RuntimeError:  # deleted with the project
            self.layer, self.queue = None, []
            self._remove_ring()
            return False
        return True

    def stop_review(self) -> None:
        """The review's marks off the map: the ring goes, the target's symbol comes back."""
        if self.layer is not None:
            try:
                mark_under_review(self.layer, None)
            except RuntimeError:  # deleted with the project
                pass
        self._remove_ring()

    # The marks are there while the page is: a printed chart or another page's work must not lose
    # the symbol of the target last reviewed.

    def showEvent(self, event):  # noqa: N802 - Qt API
        super().showEvent(event)
        if self._layer_alive() and self.current_fid is not None:
            self._mark(self.layer.getFeature(self.current_fid))

    def hideEvent(self, event):  # noqa: N802 - Qt API
        self.stop_review()
        super().hideEvent(event)

    def _mark(self, feature) -> None:
        mark_under_review(self.layer, feature.id())
        self._ring_around(feature)

    def _remove_ring(self) -> None:
        if self.ring is not None:
            canvas = self.iface.mapCanvas() if self.iface is not None else None
            if canvas is not None:
                canvas.scene().removeItem(self.ring)
            self.ring = None

    def _ring_around(self, feature) -> None:
        canvas = self.iface.mapCanvas() if self.iface is not None else None
        if canvas is None or not feature.hasGeometry():
            return
        if self.ring is None:
            self.ring = QgsVertexMarker(canvas)
            self.ring.setIconType(QgsVertexMarker.ICON_CIRCLE)
            self.ring.setIconSize(REVIEW_RING_DIAMETER_PX)
            self.ring.setPenWidth(REVIEW_RING_WIDTH_PX)
            self.ring.setColor(QColor(REVIEW_RING_COLOUR))
            self.ring.setFillColor(QColor(0, 0, 0, 0))
        destination = canvas.mapSettings().destinationCrs()
        point = feature.geometry().asPoint()
        if destination.isValid() and self.layer.crs().isValid():
            point = QgsCoordinateTransform(self.layer.crs(), destination, QgsProject.instance()).transform(point)
        self.ring.setCenter(point)
        self.ring.show()

    def detach(self) -> None:
        self.stop_review()
        self._unfollow_edits()
        super().detach()

    def label_current(self, value: ReviewClass) -> None:
        """Set the current target's ``reviewed_class`` and go to the next target not reviewed yet."""
        if not self._layer_alive():
            self._tell(self.tr("Start the review first."), "warning")
            return
        try:
            set_reviewed_class(self.layer, self.current_fid, value)
        except ValueError as exc:
            self._tell(str(exc), "error")
            return
        if reviewed_class(self.layer.getFeature(self.current_fid)[REVIEWED_CLASS_FIELD]) is not None:
            self.reviewed.add(self.current_fid)
        else:
            self.reviewed.discard(self.current_fid)
        following = [i for i in range(self.position + 1, len(self.queue)) if not self._is_reviewed(self.queue[i])]
        if following:
            self.position = following[0]
        elif self.position + 1 < len(self.queue):
            self.position += 1
        self._show_current()

    def next_target(self) -> None:
        if self._layer_alive() and self.position + 1 < len(self.queue):
            self.position += 1
            self._show_current()

    def previous_target(self) -> None:
        if self._layer_alive() and self.position > 0:
            self.position -= 1
            self._show_current()

    def _show_current(self) -> None:
        """Select the current target, bring the map onto it and say where the review stands."""
        feature = self.layer.getFeature(self.current_fid)
        self.layer.selectByIds([feature.id()])
        self._pan_to(feature)
        self._mark(feature)
        n_reviewed = sum(1 for fid in self.queue if self._is_reviewed(fid))
        probability = feature["iceberg_probability"] if self.layer.fields().indexOf("iceberg_probability") >= 0 else None
        called = feature["class"] if self.layer.fields().indexOf("class") >= 0 else None
        reviewed = reviewed_class(feature[REVIEWED_CLASS_FIELD])
        parts = [self.tr("Target {k} of {n} ({done} reviewed)").format(
            k=self.position + 1, n=len(self.queue), done=n_reviewed)]
        if called:
            parts.append(self.tr("model: {cls}").format(cls=called)
                         + (f", p(iceberg) {float(probability):.2f}" if isinstance(probability, (int, float)) else ""))
        parts.append(self.tr("reviewed: {r}").format(r=reviewed.value if reviewed else "-"))
        self.current_label.setText("; ".join(parts))

    def _pan_to(self, feature) -> None:
        canvas = self.iface.mapCanvas() if self.iface is not None else None
        if canvas is None or not feature.hasGeometry():
            return
        point = feature.geometry().asPoint()
        destination = canvas.mapSettings().destinationCrs()
        scene = self.scene_combo.currentLayer()
        if scene is not None and scene.isValid() and destination.isValid():
            # A few patch footprints around the target, in the scene's pixels.
            to_scene = QgsCoordinateTransform(self.layer.crs(), scene.crs(), QgsProject.instance())
            centre = to_scene.transform(point)
            half = VIEW_PATCH_WIDTHS * PATCH_SIZE_PX * scene.rasterUnitsPerPixelX() / 2
            window = QgsRectangle(centre.x() - half, centre.y() - half, centre.x() + half, centre.y() + half)
            canvas.setExtent(QgsCoordinateTransform(scene.crs(), destination, QgsProject.instance())
                             .transformBoundingBox(window))
        else:
            transform = QgsCoordinateTransform(self.layer.crs(), destination, QgsProject.instance())
            canvas.setCenter(transform.transform(point) if destination.isValid() else point)
        canvas.refresh()

    # -- corrections and retraining ---------------------------------------------------------------------

    def _set_running(self, running: bool) -> None:
        self.send_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)

    def _group(self) -> str | None:
        group = self.group_edit.text().strip()
        try:
            FeatureGroupRef(group)  # the contract's rule for names
        except ContractError as exc:
            self._tell(exc.problem, "error")
            return None
        return group

    def _start(self, task: JobTask, message: str) -> JobTask:
        self.task = task
        self.progress.setValue(0)
        task.progressChanged.connect(self.show_progress)
        task.message_changed.connect(self.status_label.setText)
        self._set_running(True)
        self.status_label.setText(message)
        return self.run_task(task)

    def _finish(self, error: str | None, what: str) -> bool:
        self.task = None
        self._set_running(False)
        self.progress.setValue(0 if error else 100)
        if error == CANCELLED:
            self._tell(self.tr("{what} cancelled.").format(what=what), "warning")
            return False
        if error:
            self._tell(self.tr("{what} failed: {error}").format(what=what, error=error), "error")
            return False
        return True

    def send_corrections(self) -> JobTask | None:
        """Cut the patches of the targets reviewed as ship or iceberg and store them as a new
        version of the feature group (a task); then offer to retrain."""
        if self.task is not None:
            self._tell(self.tr("IceSight is still working on a job; wait for it or cancel it."), "warning")
            return None
        layer = self.layer if self._layer_alive() else self.layer_combo.currentLayer()
        group = self._group()
        if group is None:
            return None
        try:
            scene = SceneSource.of(self.scene_combo.currentLayer())
            reviewed = reviewed_targets(layer)
        except (PatchError, ValueError) as exc:
            self._tell(str(exc), "error")
            return None
        if not reviewed.labels:
            self._tell(self.tr("No target is reviewed yet."), "warning")
            return None
        self.layer = layer
        task = send_corrections_task(settings.make_client(), scene, reviewed, group,
                                     QgsProject.instance().transformContext(), self._on_sent,
                                     description=f"reviewed targets of {layer.name()}")
        return self._start(task, self.tr("Sending {n} corrections ({s} ship(s), {b} iceberg(s), {c} clutter)...").format(
            n=len(reviewed.labels), s=reviewed.n_ships, b=reviewed.n_icebergs, c=reviewed.n_clutter))

    def _on_sent(self, outcome: CorrectionsOutcome | None, error: str | None) -> None:
        if not self._finish(error, self.tr("Sending corrections")):
            return
        self.last_corrections = outcome
        result = outcome.result
        message = self.tr(
            "Feature group {group} v{version}: {sent} corrections added{base}; it holds {n} patches ({s} ship(s), "
            "{b} iceberg(s), {c} clutter){skipped}."
        ).format(group=result.group, version=result.version, sent=outcome.n_sent,
                 base=self.tr(" to v{v}").format(v=outcome.extended_version) if outcome.extended_version else "",
                 n=result.n_rows, s=result.n_ships, b=result.n_icebergs, c=result.n_clutter,
                 skipped=self.tr("; {n} off the scene").format(n=len(outcome.skipped)) if outcome.skipped else "")
        self._tell(message, "success")
        question = self.tr("Retrain a model on feature group {group} v{version} and compare it with the model "
                           "that made these calls?").format(group=result.group, version=result.version)
        if self.confirm_retrain(question):
            self.retrain(result.group, result.version)

    def _ask(self, question: str) -> bool:
        answer = QMessageBox.question(self, self.tr("IceSight: retrain?"), question,
                                      QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
        return answer == QMessageBox.Yes

    def retrain(self, group: str, version: int, old_model_id: str | None = None) -> JobTask | None:
        """A training dataset of the version, a model trained on it (a task), compared with the old
        model (by default the one that classified the reviewed layer)."""
        if self.task is not None:
            self._tell(self.tr("IceSight is still working on a job; wait for it or cancel it."), "warning")
            return None
        if old_model_id is None and self._layer_alive():
            old_model_id = layer_model_id(self.layer)
        task = retrain_task(settings.make_client(), group, version, self.epochs_spin.value(), old_model_id,
                            self._on_retrained)
        return self._start(task, self.tr("Retraining on {group} v{version}...").format(group=group, version=version))

    def _on_retrained(self, outcome: RetrainOutcome | None, error: str | None) -> None:
        if not self._finish(error, self.tr("Retraining")):
            return
        self.last_retrain = outcome
        new = outcome.trained
        self._fill_comparison(outcome)
        old = outcome.old_model_id or self.tr("none")
        self._tell(self.tr("Model {new} trained on {name} v{version} (validation accuracy {acc:.3f}); "
                           "compared with {old} below.").format(
            new=new.model_id, name=outcome.dataset.name, version=outcome.dataset.version,
            acc=new.metrics.val_accuracy, old=old), "success")

    def _fill_comparison(self, outcome: RetrainOutcome) -> None:
        models = (outcome.comparison or {}).get("models", [])
        old = models[0]["metrics"] if len(models) == 2 else {}
        new = models[1]["metrics"] if len(models) == 2 else {
            key: getattr(outcome.trained.metrics, key, None) for key, _name in METRICS}
        self.compare_table.setRowCount(len(METRICS))
        for row, (key, name) in enumerate(METRICS):
            for column, text in enumerate((self.tr(name), format_metric(old.get(key)), format_metric(new.get(key)))):
                self.compare_table.setItem(row, column, QTableWidgetItem(text))
