"""Upload panel: a local GeoTIFF/COG, zipped Sentinel-1 SAFE or SNAP BEAM-DIMAP product sent to the backend in chunks (a
cancellable task with progress), then ingested into the scene catalog; the new scene comes back
as ``scene_ingested`` (the dock adds it to the map)."""

from __future__ import annotations

import os

from qgis.gui import QgsDateTimeEdit, QgsFileWidget
from qgis.PyQt.QtCore import pyqtSignal
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from icesight_contract import AcquisitionMode, IngestSceneResult

from .. import settings
from ..tasks import CANCELLED, JobTask
from ..workflow import SCENE_FILE_FILTER, upload_and_ingest
from .base import Panel, narrow_combo, narrow_form, plain_label


class UploadPanel(Panel):
    #: A scene entered the catalog: its id.
    scene_ingested = pyqtSignal(str)

    def __init__(self, iface, parent=None):
        super().__init__(iface, parent)
        self.task: JobTask | None = None
        self.last_result: IngestSceneResult | None = None
        self.file_widget = QgsFileWidget()
        self.file_widget.setFilter(SCENE_FILE_FILTER)
        self.mode_combo = narrow_combo(QComboBox())
        self.mode_combo.addItem(self.tr("Unknown"), None)
        for mode in AcquisitionMode:
            self.mode_combo.addItem(mode.value, mode)
        self.acquired_edit = QgsDateTimeEdit()
        self.acquired_edit.setAllowNull(True)
        self.acquired_edit.setNullRepresentation(self.tr("unknown"))
        self.acquired_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.acquired_edit.clear()
        self.scene_id_edit = QLineEdit()
        self.scene_id_edit.setPlaceholderText(self.tr("made from the file"))
        self.upload_button = QPushButton(self.tr("Upload and ingest"))
        self.upload_button.clicked.connect(self.upload)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.status_label = plain_label()
        form = narrow_form()
        form.addRow(self.tr("Scene file"), self.file_widget)
        form.addRow(self.tr("Mode"), self.mode_combo)
        form.addRow(self.tr("Acquired (UTC)"), self.acquired_edit)
        form.addRow(self.tr("Scene id"), self.scene_id_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.upload_button, 1)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        layout.addStretch(1)

    def upload(self) -> JobTask | None:
        if self.task is not None:
            self.tell(self.tr("An upload is still running; wait for it or cancel it."), "warning")
            return None
        path = self.file_widget.filePath().strip()
        if not path or not os.path.isfile(path):
            self.tell(self.tr("Choose a scene file (GeoTIFF, COG, zipped Sentinel-1 SAFE or SNAP BEAM-DIMAP) first."), "warning")
            return None
        mode = self.mode_combo.currentData()
        acquired = None if self.acquired_edit.isNull() else \
            self.acquired_edit.dateTime().toUTC().toString("yyyy-MM-ddTHH:mm:ssZ")
        scene_id = self.scene_id_edit.text().strip() or None
        client = settings.make_client()
        task = JobTask(
            self.tr("IceSight: upload {name}").format(name=os.path.basename(path)),
            lambda on_progress, is_cancelled: upload_and_ingest(client, path, mode, acquired, scene_id, on_progress,
                                                                is_cancelled),
            self._on_done, client,
        )
        task.progressChanged.connect(self.show_progress)
        task.message_changed.connect(self.status_label.setText)
        self.task = task
        self.upload_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setValue(0)
        self.status_label.setText(self.tr("Uploading {name}...").format(name=os.path.basename(path)))
        return self.run_task(task)


    def _on_done(self, outcome: tuple[str, IngestSceneResult] | None, error: str | None) -> None:
        self.task = None
        self.upload_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        if outcome is None:
            self.progress.setValue(0)
            if error == CANCELLED:
                self.status_label.setText(self.tr("Upload cancelled."))
                self.tell(self.tr("Upload cancelled."))
            else:
                self.status_label.setText(self.tr("Upload failed: {error}").format(error=error))
                self.tell(self.tr("The scene could not be uploaded: {error}").format(error=error), "error")
            return
        job_id, result = outcome
        self.last_result = result
        self.progress.setValue(100)
        message = self.tr("Scene {scene} is in the catalog (job {job}): {w} x {h} px at {px:g} m").format(
            scene=result.scene_id, job=job_id, w=result.width_px, h=result.height_px, px=result.pixel_size_m)
        self.status_label.setText(message)
        self.tell(message, "success")
        self.scene_ingested.emit(result.scene_id)

