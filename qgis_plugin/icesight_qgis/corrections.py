"""Closing the loop: the analyst's reviewed targets become a new feature-group version on the
backend, and a model is retrained on it and compared with the one that made the calls.

The patches are cut in a task's thread (``patches.cut_patches``) and stored through
``workflow.add_to_feature_group``, the same path as the Processing algorithm *Add labelled targets
to a feature group*. ``retrain`` is Qt-free; the task factories hand outcomes to the main thread.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

from qgis.core import QgsCoordinateTransformContext

from icesight_contract import (
    BuildFeatureGroupResult,
    CreateTrainingDatasetParams,
    CreateTrainingDatasetResult,
    FeatureGroupRef,
    JobKind,
    TrainingDatasetRef,
    TrainModelParams,
    TrainModelResult,
)

from .client import BackendClient
from .log import log_info
from .patches import PatchError, SceneSource, cut_patches
from .review import ReviewedTargets
from .tasks import JobTask
from .workflow import ProgressFn, add_to_feature_group

#: Suffix of the training dataset made from a feature group of corrections (one name per group,
#: a new version per retraining).
DATASET_SUFFIX = "_review"
#: Longest training dataset name the contract accepts.
_MAX_NAME_CHARS = 64


@dataclass
class CorrectionsOutcome:
    job_id: str
    result: BuildFeatureGroupResult
    n_clutter: int  # reviewed as clutter: sent as patches with no target
    skipped: list[str] = field(default_factory=list)  # reviewed targets no patch was cut for
    n_sent: int = 0
    extended_version: int | None = None  # the version whose rows the new one keeps


@dataclass
class RetrainOutcome:
    dataset: CreateTrainingDatasetResult
    trained: TrainModelResult
    old_model_id: str | None
    comparison: dict | None  # GET /models/compare?ids=old,new; None without an old model


def dataset_name(group: str) -> str:
    return group[: _MAX_NAME_CHARS - len(DATASET_SUFFIX)] + DATASET_SUFFIX


def send_corrections(client: BackendClient, scene: SceneSource, reviewed: ReviewedTargets, group: str,
                     context: QgsCoordinateTransformContext, description: str = "",
                     on_progress: ProgressFn | None = None,
                     is_cancelled: Callable[[], bool] | None = None) -> CorrectionsOutcome:
    """Cut the reviewed targets' patches (in this thread, from a layer of its own), label them (ship,
    iceberg or clutter) and store them as a new version of ``group`` that keeps the rows of its
    newest version (a target sent again takes its new label)."""
    on_progress = on_progress or (lambda fraction, message: None)
    if not reviewed.labels:
        raise PatchError("no target is reviewed yet: review some targets first")
    on_progress(0.0, f"cutting {len(reviewed.labels)} reviewed patches from {scene.name}")
    cut = cut_patches(scene.open(), reviewed.targets.points, reviewed.targets.crs, scene_id=scene.scene_id,
                      transform_context=context)
    for reason in cut.skipped:
        log_info(f"reviewed target skipped: {reason}")
    if not cut.patches:
        raise PatchError(f"none of the {len(reviewed.labels)} reviewed targets lies on the scene {scene.name}")
    patches = [dataclasses.replace(p, is_iceberg=None, label=reviewed.labels[p.id]) for p in cut.patches]
    newest = client.newest_feature_group_version(group)
    job_id, result = add_to_feature_group(
        client, group, patches, description=description,
        on_progress=lambda fraction, message: on_progress(0.1 + 0.9 * fraction, message), is_cancelled=is_cancelled,
        extend_version=newest,
    )
    return CorrectionsOutcome(job_id, result, reviewed.n_clutter, cut.skipped, len(patches), newest)


def retrain(client: BackendClient, group: str, version: int, epochs: int, old_model_id: str | None,
            on_progress: ProgressFn | None = None, is_cancelled: Callable[[], bool] | None = None) -> RetrainOutcome:
    """A training dataset of the feature group version, a model trained on it, and its metrics next
    to the old model's."""
    on_progress = on_progress or (lambda fraction, message: None)
    on_progress(0.0, f"making a training dataset of {group} v{version}")
    params = CreateTrainingDatasetParams(
        name=dataset_name(group), feature_group=FeatureGroupRef(group, version),
        description=f"analyst corrections, feature group {group} v{version}",
    )
    status = client.submit(JobKind.CREATE_TRAINING_DATASET, params)
    dataset: CreateTrainingDatasetResult = client.wait(
        status.id, on_progress=lambda s: on_progress(0.2 * s.progress, s.message), is_cancelled=is_cancelled,
    ).typed_result()
    on_progress(0.2, f"training on {dataset.name} v{dataset.version}")
    status = client.submit(JobKind.TRAIN_MODEL, TrainModelParams(
        epochs=epochs, training_dataset=TrainingDatasetRef(dataset.name, dataset.version)))
    trained: TrainModelResult = client.wait(
        status.id, on_progress=lambda s: on_progress(0.2 + 0.75 * s.progress, s.message), is_cancelled=is_cancelled,
    ).typed_result()
    comparison = None
    if old_model_id and old_model_id != trained.model_id:
        on_progress(0.97, "comparing the models")
        comparison = client.compare_models([old_model_id, trained.model_id])
    on_progress(1.0, "done")
    return RetrainOutcome(dataset, trained, old_model_id, comparison)


def send_corrections_task(client: BackendClient, scene: SceneSource, reviewed: ReviewedTargets, group: str,
                          context: QgsCoordinateTransformContext, on_done, description: str = "") -> JobTask:
    def work(on_progress: ProgressFn, is_cancelled) -> CorrectionsOutcome:
        return send_corrections(client, scene, reviewed, group, context, description, on_progress, is_cancelled)

    return JobTask(f"IceSight: send {len(reviewed.labels)} corrections to {group}", work, on_done, client)


def retrain_task(client: BackendClient, group: str, version: int, epochs: int, old_model_id: str | None,
                 on_done) -> JobTask:
    def work(on_progress: ProgressFn, is_cancelled) -> RetrainOutcome:
        return retrain(client, group, version, epochs, old_model_id, on_progress, is_cancelled)

    return JobTask(f"IceSight: retrain on {group} v{version}", work, on_done, client)
