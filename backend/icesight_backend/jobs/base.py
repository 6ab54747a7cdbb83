"""What every job handler shares: the handler record, the service's resources a handler may use,
progress and cancellation inside a Dask task, and artifacts.

A handler is declared once (see :mod:`icesight_backend.jobs`) and says:

- ``resolve``: what the service checks and looks up before anything is stored (scene files,
  models, datasets), raising a :class:`SubmissionError` that names the parameter to fix;
- ``run``: what runs on a Dask worker; it gets plain, picklable inputs and returns plain outputs
  (the result document and the artifacts as bytes);
- ``publish``: what the service does with the outputs of a successful run (register a model, add
  a scene to the catalog, publish a feature-group version);
- ``staging``: which versioned store stages the job's files (discarded when the job fails);
- ``gpu``: whether the work asks for a ``GPU`` worker resource when workers offer one;
- ``rerun_safe``: whether a run the service lost in a restart may simply run again (nothing is
  published before a run succeeds, so most kinds may; a search's study lives in the scheduler).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from icesight_contract import ErrorCode, JobKind, shown

PROGRESS_TOPIC = "icesight-progress"

GPKG = "application/geopackage+sqlite3"
GEOTIFF = "image/tiff; application=geotiff; profile=cloud-optimized"
JSON = "application/json"
CSV = "text/csv"
PNG = "image/png"


def cancel_event_name(job_id: str) -> str:
    return f"icesight-cancel-{job_id}"


class JobCancelled(Exception):
    """The service asked this job to stop."""


class SubmissionError(LookupError):
    """A submission refers to something the backend lacks or cannot use: answered 422 with the
    error ``code`` and the parameter ``field`` to fix, before anything is stored."""

    code = ErrorCode.INVALID_PARAMETER

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


class UnknownScene(SubmissionError):
    code = ErrorCode.UNKNOWN_SCENE


class UnknownUpload(SubmissionError):
    code = ErrorCode.UNKNOWN_UPLOAD


class UnknownSourceJob(SubmissionError):
    """A job names another job whose output it needs, and that job has none."""

    code = ErrorCode.UNKNOWN_JOB


class SceneTooLarge(SubmissionError):
    """A scene larger than the service's limits."""


@dataclass(frozen=True)
class SceneLimits:
    """The largest scene the service ingests (a whole IW GRDH scene is about 25,000 x 16,700 px)."""

    max_side_px: int = 60000
    max_pixels: int = 1_500_000_000


class InputMismatch(SubmissionError):
    """The input cannot be used with the chosen model (pixel spacing, bands)."""

    code = ErrorCode.MODEL_INPUT_MISMATCH


@dataclass
class Resources:
    """The service's stores, as handlers see them when resolving and publishing."""

    store: Any  # JobStore
    registry: Any  # ModelRegistry
    catalog: Any  # SceneCatalog
    features: Any  # FeatureStore
    datasets: Any  # TrainingDatasets
    uploads_dir: Path
    scene_limits: SceneLimits = SceneLimits()

    def upload_path(self, upload_id: str) -> Path:
        import re

        from icesight_contract import API_PREFIX

        path = self.uploads_dir / f"{upload_id}.upload"
        if not re.fullmatch(r"[0-9a-f]{32}", upload_id or "") or not path.is_file():
            raise UnknownUpload(f"no upload {shown(upload_id)}: send the file to {API_PREFIX}/uploads first", "params.upload_id")
        return path

    def job_artifact(self, job_id: str, kind: JobKind, name: str, field: str, what: str) -> Path:
        """The artifact ``name`` of a finished job of ``kind``, or an :class:`UnknownSourceJob`."""
        status = self.store.get(job_id)
        path = self.store.artifact_path(job_id, name)
        if status is None or status.kind is not kind or path is None:
            raise UnknownSourceJob(f"no finished {kind.value} job {shown(job_id)}; {what} first and pass its id", field)
        return path

    def scene_path(self, scene_id: str | None, scene_job_id: str | None) -> Path:
        """The scene COG of a catalog scene or of a finished simulate_scene job. Workers read it from
        the service's data directory, so they must share that disk."""
        from ..catalog import UnknownSceneId

        if scene_id is not None:
            try:
                return self.catalog.cog_path(scene_id)
            except UnknownSceneId as exc:
                raise UnknownScene(str(exc), "params.scene_id") from None
        status = self.store.get(scene_job_id)
        if status is None or status.kind is not JobKind.SIMULATE_SCENE:
            raise UnknownScene(f"no simulate_scene job {shown(scene_job_id)}: run one and pass its id", "params.scene_job_id")
        path = self.store.artifact_path(scene_job_id, "scene.tif")
        if path is None:
            raise UnknownScene(
                f"job {scene_job_id} has no scene yet (it is {status.state.value}); wait for it to succeed",
                "params.scene_job_id",
            )
        return path

    def model(self, model_id: str | None) -> tuple[str, bytes, dict]:
        """(model id, weights, record) of a registered model; the production model when None."""
        record = self.registry.resolve(model_id)
        return record["model_id"], self.registry.weights(record["model_id"]), record


ResolveFn = Callable[[Resources, Any], dict]
RunFn = Callable[["JobContext", Any, dict], dict]
PublishFn = Callable[[Resources, str, Any, dict], None]


@dataclass(frozen=True)
class Handler:
    """One job kind's behaviour (see the module docstring)."""

    run: RunFn
    resolve: ResolveFn | None = None
    publish: PublishFn | None = None
    staging: str | None = None  # "catalog", "features" or "datasets"
    gpu: bool = False
    rerun_safe: bool = True


class JobContext:
    """Progress reporting and cooperative cancellation for one job, from inside a Dask task."""

    def __init__(self, job_id: str, check_interval_s: float = 0.5):
        self.job_id = job_id
        self._check_interval_s = check_interval_s
        self._last_check = 0.0
        self._cancelled = False
        try:
            from distributed import get_worker

            self._worker = get_worker()
        except ValueError:  # not inside a worker (direct call, tests of domain code)
            self._worker = None

    def progress(self, fraction: float, message: str) -> None:
        if self._worker is not None:
            self._worker.log_event(
                PROGRESS_TOPIC,
                {"job_id": self.job_id, "progress": max(0.0, min(1.0, fraction)), "message": message},
            )

    def should_stop(self) -> bool:
        if self._worker is None or self._cancelled:
            return self._cancelled
        now = time.monotonic()
        if now - self._last_check >= self._check_interval_s:
            self._last_check = now
            from distributed import Event

            self._cancelled = Event(cancel_event_name(self.job_id)).is_set()
        return self._cancelled

    def check(self) -> None:
        if self.should_stop():
            raise JobCancelled(self.job_id)


def artifact(name: str, media_type: str, role: str, data: bytes) -> dict[str, Any]:
    return {"name": name, "media_type": media_type, "role": role, "data": data}


def gpkg_artifact(frame, layer: str, role: str, extra_layers: dict | None = None) -> dict[str, Any]:
    """A GeoDataFrame as a ``<layer>.gpkg`` artifact (one layer of that name, plus ``extra_layers``)."""
    from ..sar.io import write_gpkg

    with tempfile.TemporaryDirectory() as tmp:
        path = write_gpkg(frame, Path(tmp) / f"{layer}.gpkg", layer)
        for name, other in (extra_layers or {}).items():
            write_gpkg(other, path, name)
        return artifact(f"{layer}.gpkg", GPKG, role, path.read_bytes())


def set_task_threads() -> None:
    """One Dask thread runs a job task; let torch use the worker's cores."""
    import torch

    try:
        from distributed import get_worker

        torch.set_num_threads(max(1, get_worker().state.nthreads))
    except (ValueError, AttributeError):
        pass


def worker_has_gpu() -> bool:
    """Run on each worker by the health check."""
    try:
        import torch

        return bool(torch.cuda.is_available())
    except ImportError:
        return False


# -- fanning work out from a job task over the cluster -------------------------------------------


def task_threads() -> int:
    """Torch threads for one of several concurrent tasks on this worker: its cores shared by its
    task slots (OMP_NUM_THREADS is the worker's core budget on IceSight's clusters)."""
    try:
        from distributed import get_worker

        slots = max(1, get_worker().state.nthreads)
    except (ValueError, AttributeError):
        slots = 1
    budget = int(os.environ.get("OMP_NUM_THREADS") or os.cpu_count() or 1)
    return max(1, budget // slots)


def worker_name() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except ValueError:
        return "local"


def cluster_threads(client) -> int:
    return sum(int(w.get("nthreads", 1)) for w in client.scheduler_info(n_workers=-1)["workers"].values())


def run_bounded(ctx, client, make_future, n_tasks: int, max_parallel: int, on_result) -> None:
    """Keep at most ``max_parallel`` tasks in flight (so a sampler learns from finished trials),
    hand each result to ``on_result`` as it arrives, and cancel the rest when the job is cancelled."""
    from distributed import as_completed

    submitted = 0
    running = as_completed()
    while submitted < min(max_parallel, n_tasks):
        running.add(make_future(submitted))
        submitted += 1
    try:
        for future in running:
            ctx.check()
            on_result(future.result())
            if submitted < n_tasks:
                running.add(make_future(submitted))
                submitted += 1
    except BaseException:
        client.cancel(list(running.futures))
        raise
