"""Background tasks (QgsTask): patch cutting and network work off the GUI thread, with progress,
the job's message, and cancel. ``on_done(outcome, error_message)`` runs on the main thread.

A task given its backend client closes it when its work ends, and announces each job the client
submits (``job_submitted``, delivered on the main thread) so the project can remember it.
:func:`start` hands a task to QGIS's task manager and keeps it alive until it has finished."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from qgis.core import QgsApplication, QgsCoordinateTransformContext, QgsTask
from qgis.PyQt.QtCore import pyqtSignal

from icesight_contract import AttributionMethod, ContractError, PatchRecord

from .client import BackendClient, BackendError, JobCancelledError
from .log import log_error, log_info
from .patches import PatchError, SceneSource, Targets, cut_patches
from .results import join_target_attributes
from .workflow import (
    ClassificationOutcome,
    ExplanationOutcome,
    MapOutcome,
    ProgressFn,
    classify_patches,
    explain_patches,
    map_scene,
)

#: The work a task does in its thread: ``work(on_progress, is_cancelled) -> outcome``.
Work = Callable[[ProgressFn, Callable[[], bool]], Any]
CANCELLED = "cancelled"


class JobTask(QgsTask):
    """Runs ``work`` in QGIS's task manager; every exception becomes a failure message."""

    message_changed = pyqtSignal(str)
    job_submitted = pyqtSignal(str)

    def __init__(self, description: str, work: Work, on_done: Callable[[Any, str | None], None],
                 client: BackendClient | None = None):
        super().__init__(description, QgsTask.CanCancel)
        self.work = work
        self.on_done = on_done
        self.outcome: Any = None
        self.error: str | None = None
        self.status_message = ""
        #: Log the outcome in the Message Log (a task repeated every few seconds logs what changes itself).
        self.log_outcome = True
        self.client = client
        if client is not None:
            client.on_submitted = lambda status: self.job_submitted.emit(status.id)

    def _progress(self, fraction: float, message: str) -> None:
        if message and message != self.status_message:
            self.status_message = message
            self.message_changed.emit(message)
        self.setProgress(100.0 * fraction)

    def run(self) -> bool:
        # An exception escaping run() would crash QGIS: turn each into a message.
        try:
            self.outcome = self.work(self._progress, self.isCanceled)
            return True
        except JobCancelledError:
            self.error = CANCELLED
        except BackendError as exc:
            self.error = exc.user_message()
        except (PatchError, ContractError, ValueError) as exc:
            self.error = str(exc)
        except Exception as exc:  # noqa: BLE001
            self.error = f"unexpected error: {type(exc).__name__}: {exc}"
            log_error(f"{self.description()}: {traceback.format_exc()}")
        finally:
            if self.client is not None:
                self.client.close()
        return False

    def finished(self, result: bool) -> None:
        _LIVE.discard(self)
        if result:
            if self.log_outcome:
                log_info(f"{self.description()}: done")
            self.on_done(self.outcome, None)
            return
        message = self.error or (CANCELLED if self.isCanceled() else "failed")
        if message != CANCELLED and self.log_outcome:
            log_error(f"{self.description()} failed: {message}")
        self.on_done(None, message)


#: Tasks handed to the task manager and not yet finished: the manager holds only the C++ object.
_LIVE: set[JobTask] = set()


def start(task: JobTask) -> JobTask:
    """Run ``task`` in QGIS's task manager, keeping its Python object alive until it finishes."""
    _LIVE.add(task)
    QgsApplication.taskManager().addTask(task)
    return task


def running_tasks() -> list[JobTask]:
    return list(_LIVE)


def _cut(scene: SceneSource, targets: Targets, context: QgsCoordinateTransformContext,
         on_progress: ProgressFn) -> tuple[list[PatchRecord], list[str], float]:
    """Patches around the targets, cut in this thread from a layer of its own; and the pixel size."""
    on_progress(0.0, f"cutting {len(targets.points)} patches from {scene.name}")
    layer = scene.open()
    cut = cut_patches(layer, targets.points, targets.crs, scene_id=scene.scene_id, transform_context=context)
    for reason in cut.skipped:
        log_info(f"patch skipped: {reason}")
    if not cut.patches:
        raise PatchError(f"none of the {len(targets.points)} targets lies on the scene {scene.name}")
    return cut.patches, cut.skipped, layer.rasterUnitsPerPixelX()


def classify_task(client: BackendClient, scene: SceneSource, targets: Targets, output_dir: str,
                  context: QgsCoordinateTransformContext, on_done, model_id: str | None = None) -> JobTask:
    def work(on_progress: ProgressFn, is_cancelled) -> ClassificationOutcome:
        patches, skipped, _ = _cut(scene, targets, context, on_progress)
        outcome = classify_patches(client, patches, output_dir, model_id, on_progress, is_cancelled)
        join_target_attributes(outcome.gpkg_path, targets, outcome.result)
        outcome.skipped = skipped
        return outcome

    return JobTask(f"IceSight: classify {len(targets.points)} targets", work, on_done, client)


def explain_task(client: BackendClient, scene: SceneSource, targets: Targets, output_dir: str,
                 context: QgsCoordinateTransformContext, on_done, method: AttributionMethod,
                 model_id: str | None = None) -> JobTask:
    def work(on_progress: ProgressFn, is_cancelled) -> ExplanationOutcome:
        patches, skipped, pixel_size = _cut(scene, targets, context, on_progress)
        outcome = explain_patches(client, patches, output_dir, method, model_id, pixel_size=pixel_size,
                                  on_progress=on_progress, is_cancelled=is_cancelled)
        outcome.skipped = skipped
        return outcome

    return JobTask(f"IceSight: explain {len(targets.points)} targets ({method.value})", work, on_done, client)


def map_scene_task(client: BackendClient, scene_id: str, output_dir: str, on_done,
                   model_id: str | None = None) -> JobTask:
    def work(on_progress: ProgressFn, is_cancelled) -> MapOutcome:
        return map_scene(client, scene_id, output_dir, model_id, on_progress, is_cancelled)

    return JobTask(f"IceSight: map scene {scene_id}", work, on_done, client)


class ClassifyPatchesTask(JobTask):
    """Classify patches cut already (scripts such as the demo); ``on_done`` gets a ClassificationOutcome."""

    def __init__(self, client: BackendClient, patches: list[PatchRecord], output_dir: str,
                 on_done: Callable[[ClassificationOutcome | None, str | None], None], model_id: str | None = None):
        def work(on_progress: ProgressFn, is_cancelled) -> ClassificationOutcome:
            return classify_patches(client, patches, output_dir, model_id, on_progress, is_cancelled)

        super().__init__(f"IceSight: classify {len(patches)} patches", work, on_done)
