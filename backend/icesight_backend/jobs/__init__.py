"""The job layer: one handler a job kind, one module a family of kinds.

:data:`HANDLERS` binds each kind of the contract's registry to what the service resolves before
submission, what runs on a worker, what the service publishes afterwards, which store stages its
files and whether it wants a GPU (see :class:`~icesight_backend.jobs.base.Handler`). The service
(:mod:`icesight_backend.service`) is generic over this table.

A new kind: its parameter and result types in the contract's family module and a row in
``icesight_contract.jobs.KINDS``; its worker function (and resolver or publisher, if any) in the
family module here; a row in :data:`HANDLERS`.
"""

from __future__ import annotations

from icesight_contract import ErrorCode, JobKind, from_dict

from ..catalog import UnknownSceneId
from ..learning.feature_store import DatasetUnusable, UnknownFeatureGroup, UnknownTrainingDataset
from ..learning.training import ModelInputMismatch
from ..registry import UnknownModel
from . import experiments, features, inference, pipelines, scenes, targets
from .base import (
    PROGRESS_TOPIC,
    Handler,
    JobCancelled,
    JobContext,
    Resources,
    SubmissionError,
    cancel_event_name,
    task_threads,
)

HANDLERS: dict[JobKind, Handler] = {
    JobKind.SIMULATE_SCENE: Handler(scenes.simulate_scene, scenes.resolve_simulation, scenes.publish_simulated_scene),
    JobKind.INGEST_SCENE: Handler(scenes.ingest_scene, scenes.resolve_upload, scenes.publish_ingested_scene, staging="catalog"),
    JobKind.DETECT_TARGETS: Handler(targets.detect_targets, targets.resolve_scene),
    JobKind.CUT_PATCHES: Handler(targets.cut_patches, targets.resolve_cut),
    JobKind.TRAIN_MODEL: Handler(experiments.train_model, experiments.resolve_dataset, experiments.publish_model, gpu=True),
    JobKind.CLASSIFY_PATCHES: Handler(inference.classify_patches, inference.resolve_model, gpu=True),
    JobKind.CLASSIFY_DETECTIONS: Handler(inference.classify_detections, inference.resolve_scene_targets, gpu=True),
    JobKind.MAP_SCENE: Handler(inference.map_scene, inference.resolve_scene_model, gpu=True),
    JobKind.EXPLAIN_PATCHES: Handler(inference.explain_patches, inference.resolve_explained),
    JobKind.BUILD_FEATURE_GROUP: Handler(features.build_feature_group, features.resolve_feature_source,
                                         features.publish_feature_group, staging="features"),
    JobKind.CREATE_TRAINING_DATASET: Handler(features.create_training_dataset, features.resolve_feature_group,
                                             features.publish_training_dataset, staging="datasets"),
    JobKind.SEARCH_HYPERPARAMETERS: Handler(experiments.search_hyperparameters, experiments.resolve_dataset,
                                            experiments.publish_model, rerun_safe=False),
    JobKind.RUN_ABLATION: Handler(experiments.run_ablation, experiments.resolve_dataset, rerun_safe=False),
    JobKind.CHART_SCENE: Handler(pipelines.chart_scene, pipelines.resolve_chart, pipelines.publish_chart,
                                 staging="catalog", gpu=True),
    # Stages its feature group and training dataset versions itself (both stores); its search's
    # study lives in the scheduler, like search_hyperparameters'.
    JobKind.TRAIN_PIPELINE: Handler(pipelines.train_pipeline, pipelines.resolve_train, pipelines.publish_train,
                                    rerun_safe=False),
}

#: Domain lookups that fail while a submission is resolved: the error code and the parameter to fix
#: (the job layer's own :class:`SubmissionError` carries both itself).
SUBMISSION_ERRORS: dict[type[Exception], tuple[ErrorCode, str]] = {
    UnknownModel: (ErrorCode.UNKNOWN_MODEL, "params.model_id"),
    UnknownFeatureGroup: (ErrorCode.UNKNOWN_FEATURE_GROUP, "params.feature_group"),
    UnknownTrainingDataset: (ErrorCode.UNKNOWN_TRAINING_DATASET, "params.training_dataset"),
    DatasetUnusable: (ErrorCode.DATASET_UNUSABLE, "params.feature_group"),
}

#: Registered things an API route looks up, and the code of its 404 when they are not there.
LOOKUP_ERRORS: dict[type[Exception], ErrorCode] = {
    UnknownModel: ErrorCode.UNKNOWN_MODEL,
    UnknownSceneId: ErrorCode.UNKNOWN_SCENE,
    UnknownFeatureGroup: ErrorCode.UNKNOWN_FEATURE_GROUP,
    UnknownTrainingDataset: ErrorCode.UNKNOWN_TRAINING_DATASET,
}

#: Input a model refuses (channels, patch size, bands): answered 422 model_input_mismatch.
MODEL_INPUT_ERRORS = (ModelInputMismatch,)


def run_job(job_id: str, kind: str, params: dict, inputs: dict) -> dict:
    """Entry point of every job task on a worker: decode the parameters and run the kind's handler
    with what the service resolved for it."""
    import rasterio

    from icesight_contract import PARAMS_BY_KIND

    job_kind = JobKind(kind)
    ctx = JobContext(job_id)
    ctx.progress(0.0, "started on worker")
    try:
        # GDAL compresses and warps on the task's share of the worker's cores. The setting is the
        # task thread's own: threads the task starts (the detector's Dask chunks) keep GDAL's default.
        with rasterio.Env(GDAL_NUM_THREADS=str(task_threads())):
            output = HANDLERS[job_kind].run(ctx, from_dict(PARAMS_BY_KIND[job_kind], params), inputs)
    except Exception as exc:
        # The error travels to the service pickled, with the exceptions it was raised from. A
        # library's (rasterio's, for one) may not unpickle there, and Dask then delivers only the
        # text of a plain Exception. The message already says what went wrong; the worker's log
        # has the traceback.
        exc.__cause__ = exc.__context__ = None
        raise
    ctx.progress(1.0, "done")
    return output


__all__ = [
    "HANDLERS",
    "LOOKUP_ERRORS",
    "MODEL_INPUT_ERRORS",
    "PROGRESS_TOPIC",
    "SUBMISSION_ERRORS",
    "Handler",
    "JobCancelled",
    "Resources",
    "SubmissionError",
    "cancel_event_name",
    "run_job",
]
