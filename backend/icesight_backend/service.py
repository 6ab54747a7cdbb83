"""The job layer: turns validated job requests into Dask tasks and their outcomes into stored results.

The Dask ``Client`` is passed in (embedded LocalCluster or an existing scheduler); this module
never creates a cluster behind the caller's back.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
import threading
import traceback
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from distributed import Client, Event, Future

from icesight_contract import (
    API_PREFIX,
    ApiError,
    BuildFeatureGroupParams,
    ClassifyPatchesParams,
    CreateTrainingDatasetParams,
    CutPatchesParams,
    DetectTargetsParams,
    ErrorCode,
    IngestSceneParams,
    JobKind,
    JobStatus,
    RunAblationParams,
    SearchHyperparametersParams,
    TrainingDatasetRef,
    TrainModelParams,
    to_dict,
)

from .catalog import SceneCatalog, UnknownSceneId
from .compute import gpu_slots
from .learning.feature_store import DatasetUnusable, FeatureStore, TrainingDatasets
from .registry import ModelRegistry
from .store import JobStore
from .worker_jobs import PROGRESS_TOPIC, JobCancelled, cancel_event_name, run_job, worker_has_gpu

log = logging.getLogger("icesight.service")

#: Job kinds whose work benefits from a GPU; they ask for a ``GPU`` resource when workers offer one.
GPU_KINDS = {JobKind.TRAIN_MODEL, JobKind.CLASSIFY_PATCHES}


class UnknownScene(LookupError):
    """A job refers to a scene the backend does not have."""


class UnknownUpload(LookupError):
    """A job refers to an upload the backend does not have."""


class UnknownDetections(LookupError):
    """A job refers to detections the backend does not have."""


class InvalidSceneId(ValueError):
    pass


class UnknownSourceJob(LookupError):
    """A job names another job whose output it needs, and that job has none."""


@dataclass
class WorkerInfo:
    address: str
    nthreads: int
    memory_limit_bytes: int
    resources: dict[str, float]
    gpu: bool


class JobManager:
    """Submits jobs to Dask, follows their progress, cancels them and stores their outcome."""

    def __init__(self, client: Client, store: JobStore, registry: ModelRegistry, catalog: SceneCatalog):
        self.client = client
        self.store = store
        self.registry = registry
        self.catalog = catalog
        self.features = FeatureStore(store.data_dir / "features")
        self.datasets = TrainingDatasets(store.data_dir / "training_datasets")
        for versioned in (self.features, self.datasets):
            # Jobs of an earlier run never publish (they are marked interrupted): drop what they staged.
            shutil.rmtree(versioned.staging_dir().parent, ignore_errors=True)
        self.uploads_dir = store.data_dir / "uploads"
        self.uploads_dir.mkdir(parents=True, exist_ok=True)
        self._futures: dict[str, Future] = {}
        self._lock = threading.Lock()
        self._gpu_by_worker: dict[str, bool] = {}
        client.subscribe_topic(PROGRESS_TOPIC, self._on_progress)

    # -- health ---------------------------------------------------------------------------------

    def workers(self) -> list[WorkerInfo]:
        info = self.client.scheduler_info(n_workers=-1)["workers"]
        unknown = [a for a in info if a not in self._gpu_by_worker]
        if unknown:
            try:
                self._gpu_by_worker.update(self.client.run(worker_has_gpu, workers=unknown))
            except Exception:  # a worker leaving mid-call must not break the health check
                log.exception("could not ask workers for their GPU")
        return [
            WorkerInfo(
                address=address,
                nthreads=int(w.get("nthreads", 0)),
                memory_limit_bytes=int(w.get("memory_limit", 0) or 0),
                resources=dict(w.get("resources", {})),
                gpu=bool(self._gpu_by_worker.get(address, False)),
            )
            for address, w in info.items()
        ]

    def _resources_for(self, kind: JobKind) -> dict[str, float] | None:
        return gpu_slots(self.client)[0] if kind in GPU_KINDS else None

    # -- submission -----------------------------------------------------------------------------

    def submit(self, kind: JobKind, params: Any) -> JobStatus:
        """Store the job, then hand it to Dask. ``params`` is the kind's validated dataclass."""
        model_id: str | None = None
        model_blob: bytes | None = None
        scene_path: str | None = None
        staging_dir: str | None = None
        detections_path: str | None = None
        if isinstance(params, (DetectTargetsParams, CutPatchesParams)):  # resolved before anything is stored
            scene_path = str(self._resolve_scene(params.scene_id, params.scene_job_id))
        if isinstance(params, CutPatchesParams) and params.detections_job_id is not None:
            detections = self.store.get(params.detections_job_id)
            path = self.store.artifact_path(params.detections_job_id, "detections.gpkg")
            if detections is None or detections.kind is not JobKind.DETECT_TARGETS or path is None:
                raise UnknownDetections(
                    f"no finished detect_targets job {params.detections_job_id!r}; run detection first and pass its id"
                )
            detections_path = str(path)
        if isinstance(params, IngestSceneParams):
            scene_path = str(self.upload_path(params.upload_id))
            if params.scene_id is not None:
                try:
                    self.catalog.check_id(params.scene_id)
                except ValueError as exc:
                    raise InvalidSceneId(str(exc)) from None
        if isinstance(params, ClassifyPatchesParams):
            record = self.registry.resolve(params.model_id)  # UnknownModel before anything is stored
            model_id = record["model_id"]
            model_blob = self.registry.weights(model_id)
        extra = self._resolve_learning_inputs(params)
        params_doc = to_dict(params)
        status = self.store.create(kind, params_doc)
        if isinstance(params, (TrainModelParams, SearchHyperparametersParams)):
            model_id = f"{params.architecture.value}-{status.id}"
        if isinstance(params, IngestSceneParams):
            staging_dir = str(self.catalog.staging_dir(status.id))
        if isinstance(params, BuildFeatureGroupParams):
            staging_dir = str(self.features.staging_dir(status.id))
        if isinstance(params, CreateTrainingDatasetParams):
            staging_dir = str(self.datasets.staging_dir(status.id))
        future = self.client.submit(
            run_job,
            status.id,
            kind.value,
            params_doc,
            model_id,
            model_blob,
            scene_path,
            staging_dir,
            detections_path,
            extra,
            key=f"icesight-{kind.value}-{status.id}",
            pure=False,
            resources=self._resources_for(kind),
        )
        with self._lock:
            self._futures[status.id] = future
        future.add_done_callback(lambda f, job_id=status.id: self._on_done(job_id, f))
        return status

    def _resolve_learning_inputs(self, params: Any) -> dict | None:
        """What the worker needs of the feature store for a learning job, checked before anything is
        stored: unknown groups, datasets, uploads or source jobs are refused at submission."""
        if isinstance(params, BuildFeatureGroupParams):
            if params.upload_id is not None:
                return {"source_path": str(self.upload_path(params.upload_id))}
            if params.patches_job_id is not None:
                source = self.store.get(params.patches_job_id)
                path = self.store.artifact_path(params.patches_job_id, "patches.json")
                if source is None or source.kind is not JobKind.CUT_PATCHES or path is None:
                    raise UnknownSourceJob(
                        f"no finished cut_patches job {params.patches_job_id!r}; cut the patches first and pass its id"
                    )
                return {"source_path": str(path)}
            return None
        if isinstance(params, CreateTrainingDatasetParams):
            ref = params.feature_group
            meta = self.features.get(ref.group, ref.version)
            if min(meta["n_ships"], meta["n_icebergs"]) == 0:
                raise DatasetUnusable(
                    f"feature group {ref.group!r} v{meta['version']} has {meta['n_ships']} labelled ship(s) and "
                    f"{meta['n_icebergs']} iceberg(s); a training dataset needs both classes"
                )
            return {"feature_path": str(self.features.path(ref.group, meta["version"]) / "data.parquet"), "feature_meta": meta}
        ref = getattr(params, "training_dataset", None)
        if isinstance(params, (TrainModelParams, SearchHyperparametersParams, RunAblationParams)) and ref is not None:
            return {"dataset": self.resolve_dataset(ref)}
        return None

    def resolve_dataset(self, ref: TrainingDatasetRef) -> dict:
        meta = self.datasets.get(ref.name, ref.version)
        split = self.datasets.split(meta, ref.fold)
        group = meta["feature_group"]
        return {
            "feature_path": str(self.features.path(group["group"], group["version"]) / "data.parquet"),
            "train_ids": split["train"],
            "validation_ids": split["validation"],
            "test_ids": split["test"],
            "normalisation": split["normalisation"],
            "ref": {"name": ref.name, "version": meta["version"], "fold": split["fold"]},
            "feature_group": group,
        }

    def upload_path(self, upload_id: str) -> Path:
        path = self.uploads_dir / f"{upload_id}.upload"
        if not re.fullmatch(r"[0-9a-f]{32}", upload_id or "") or not path.is_file():
            raise UnknownUpload(f"no upload {upload_id!r}: send the file to {API_PREFIX}/uploads first")
        return path

    def new_upload_path(self) -> tuple[str, Path]:
        upload_id = uuid.uuid4().hex
        return upload_id, self.uploads_dir / f"{upload_id}.upload"

    def _resolve_scene(self, scene_id: str | None, scene_job_id: str | None) -> Path:
        if scene_id is not None:
            try:
                return self.catalog.cog_path(scene_id)
            except UnknownSceneId as exc:
                raise UnknownScene(str(exc)) from None
        return self._scene_path(scene_job_id)

    def _scene_path(self, scene_job_id: str) -> Path:
        """The scene a finished simulate_scene job wrote. Workers read it from the service's data
        directory, so they must share that disk (the embedded cluster and same-host workers do)."""
        status = self.store.get(scene_job_id)
        if status is None or status.kind is not JobKind.SIMULATE_SCENE:
            raise UnknownScene(f"no simulate_scene job {scene_job_id!r}: run one and pass its id")
        path = self.store.artifact_path(scene_job_id, "scene.tif")
        if path is None:
            raise UnknownScene(f"job {scene_job_id} has no scene yet (it is {status.state.value}); wait for it to succeed")
        return path

    def cancel(self, job_id: str) -> bool:
        """Ask a queued or running job to stop; returns False when it had already finished."""
        if not self.store.mark_cancelled(job_id):
            return False
        Event(cancel_event_name(job_id), client=self.client).set()
        with self._lock:
            future = self._futures.pop(job_id, None)
        if future is not None:
            future.cancel()
        return True

    def _catalog_simulated_scene(self, job_id: str, result: dict) -> None:
        """List a simulated scene in the catalog too (a hard link to the job's artifact, no copy)."""
        from .catalog import make_item
        from .sar.readers.geotiff import inspect_scene

        artifact = self.store.artifact_dir(job_id) / "scene.tif"
        staging = self.catalog.staging_dir(job_id)
        staging.mkdir(parents=True, exist_ok=True)
        linked = staging / "scene.tif"
        try:
            os.link(artifact, linked)
        except OSError:
            shutil.copyfile(artifact, linked)
        raster = inspect_scene(linked)
        item = make_item(result["scene_id"], raster, result["mode"], None, source=f"simulate_scene job {job_id}")
        self.catalog.add(item, linked)
        shutil.rmtree(staging, ignore_errors=True)

    # -- callbacks from Dask --------------------------------------------------------------------

    def _on_progress(self, event: tuple) -> None:
        _, message = event
        try:
            self.store.mark_progress(message["job_id"], float(message["progress"]), str(message["message"]))
        except Exception:
            log.exception("could not record progress %r", message)

    def _on_done(self, job_id: str, future: Future) -> None:
        with self._lock:
            self._futures.pop(job_id, None)
        try:
            if future.cancelled():
                self._discard_staging(job_id)
                self.store.mark_cancelled(job_id)
                return
            exc = future.exception()
            if exc is not None:
                self._discard_staging(job_id)  # nothing half-ingested or half-written
                if isinstance(exc, JobCancelled):
                    self.store.mark_cancelled(job_id)
                else:
                    detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
                    self.store.mark_failed(job_id, ApiError(ErrorCode.JOB_FAILED, f"job failed on the worker: {detail}"))
                return
            output = future.result()
            status = self.store.get(job_id)
            if status is None or status.state.is_final:
                self._discard_staging(job_id)
                return  # cancelled meanwhile: keep nothing
            result = output["result"]
            if output.get("model") is not None:
                self.registry.register(
                    result["model_id"],
                    output["model"],
                    {
                        "training_job_id": job_id,
                        "training_job_kind": status.kind.value,
                        "training_params": _without_records(self.store.params(job_id) or {}),
                        "device": result.get("device", "cpu"),
                    }
                    | output.get("model_record", {}),
                    torchscript=output.get("torchscript"),
                )
            if output.get("feature_staging") is not None:
                published = self.features.publish(result["group"], Path(output["feature_staging"]), job_id=job_id)
                result["version"] = published["version"]
            if output.get("dataset_staging") is not None:
                published = self.datasets.publish(result["name"], Path(output["dataset_staging"]), job_id=job_id)
                result["version"] = published["version"]
            if output.get("scene_item") is not None:
                self.catalog.add(output["scene_item"], Path(output["staged_cog"]))
                shutil.rmtree(self.catalog.staging_dir(job_id), ignore_errors=True)
                # The upload is now in the catalog; a failed ingest keeps it for a retry.
                upload = self.upload_path((self.store.params(job_id) or {})["upload_id"])
                upload.with_suffix(".name").unlink(missing_ok=True)
                upload.unlink(missing_ok=True)
            artifacts = self.store.write_artifacts(job_id, output["artifacts"])
            if status.kind is JobKind.SIMULATE_SCENE:
                self._catalog_simulated_scene(job_id, output["result"])
            self.store.mark_succeeded(job_id, result, artifacts)
        except Exception as exc:  # never lose a job silently
            log.exception("storing the outcome of job %s failed", job_id)
            self.store.mark_failed(job_id, ApiError(ErrorCode.INTERNAL, f"storing the result failed: {exc}"))


    def _discard_staging(self, job_id: str) -> None:
        for directory in (self.catalog.staging_dir(job_id), self.features.staging_dir(job_id), self.datasets.staging_dir(job_id)):
            shutil.rmtree(directory, ignore_errors=True)


def _without_records(params: dict) -> dict:
    """Training parameters for the model record, without the (large) inline patches."""
    slim = dict(params)
    if slim.get("patches") is not None:
        slim["patches"] = f"{len(slim['patches'])} inline records"
    return slim


def load_or_create_token(config_dir: Path) -> str:
    """The service token: read from ``<config_dir>/token``, created (mode 0600) on first start."""
    config_dir = Path(config_dir)
    config_dir.mkdir(parents=True, exist_ok=True)
    path = config_dir / "token"
    if path.exists():
        token = path.read_text().strip()
        if token:
            return token
    token = secrets.token_urlsafe(32)
    import os

    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(token + "\n")
    os.chmod(path, 0o600)
    return token
