"""The job service: turns validated job requests into Dask tasks and their outcomes into stored results.

It is generic over the job kinds: what a kind resolves, runs, publishes and stages comes from its
handler in :data:`icesight_backend.jobs.HANDLERS`. The Dask ``Client`` is passed in (embedded
LocalCluster or an existing scheduler); this module never creates a cluster behind the caller's back.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
import shutil
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from distributed import Client, Event, Future

from icesight_contract import ApiError, ErrorCode, JobKind, JobStatus, to_dict

from .catalog import SceneCatalog
from .compute import gpu_slots_of
from .jobs import HANDLERS, PROGRESS_TOPIC, JobCancelled, Resources, cancel_event_name, run_job
from .jobs.base import SceneLimits, worker_has_gpu
from .jobs.pipelines import CachePruneReport, StageCache, cache_root
from .learning.feature_store import FeatureStore, TrainingDatasets
from .monitoring import Monitor
from .registry import ModelRegistry
from .store import JobStore, PruneReport

log = logging.getLogger("icesight.service")

#: An absolute file path inside a message (after a space, quote or parenthesis).
_ABSOLUTE_PATH = re.compile(r"""(^|[\s'"(=])(/[^\s'"():,]+)""")


@dataclass
class WorkerInfo:
    address: str
    nthreads: int
    memory_limit_bytes: int
    resources: dict[str, float]
    gpu: bool


class JobManager:
    """Submits jobs to Dask, follows their progress, cancels them and stores their outcome."""

    def __init__(self, client: Client, store: JobStore, registry: ModelRegistry, catalog: SceneCatalog,
                 scene_limits: SceneLimits | None = None):
        self.client = client
        self.store = store
        self.registry = registry
        self.catalog = catalog
        self.features = FeatureStore(store.data_dir / "features")
        self.datasets = TrainingDatasets(store.data_dir / "training_datasets")
        #: The stores that stage a job's files before the service publishes them.
        self._staging = {"catalog": self.catalog, "features": self.features, "datasets": self.datasets}
        for versioned in (self.features, self.datasets):
            # Jobs of an earlier run never publish (they are marked interrupted): drop what they staged.
            shutil.rmtree(versioned.staging_dir().parent, ignore_errors=True)
        self.uploads_dir = store.data_dir / "uploads"
        self.uploads_dir.mkdir(parents=True, exist_ok=True)
        self.monitor = Monitor(store.data_dir)
        self.resources = Resources(store, registry, catalog, self.features, self.datasets, self.uploads_dir,
                                   scene_limits or SceneLimits())
        self._futures: dict[str, Future] = {}
        self._lock = threading.Lock()
        self._gpu_by_worker: dict[str, bool] = {}
        self._stopping = threading.Event()
        self._workers_seen: tuple[float, list[WorkerInfo]] | None = None
        #: Whether this process (the synchronous predict path) sees a GPU.
        self.service_gpu = worker_has_gpu()
        client.subscribe_topic(PROGRESS_TOPIC, self._on_progress)

    # -- health ---------------------------------------------------------------------------------

    def recent_workers(self, max_age_s: float = 1.0) -> list[WorkerInfo] | None:
        """The workers as last seen, if that was less than ``max_age_s`` ago; None otherwise."""
        cached = self._workers_seen
        return cached[1] if cached is not None and time.monotonic() - cached[0] < max_age_s else None

    def workers(self, max_age_s: float = 1.0) -> list[WorkerInfo]:
        """The cluster's workers, asked of the scheduler at most once every ``max_age_s`` (health
        checks and monitoring under load must not queue on the scheduler)."""
        recent = self.recent_workers(max_age_s)
        if recent is not None:
            return recent
        now = time.monotonic()
        workers = self._ask_workers()
        self._workers_seen = (now, workers)
        return workers

    def _gpu_resources(self) -> dict[str, float] | None:
        """The resource GPU work asks for, from the cached view of the workers."""
        return gpu_slots_of([{"resources": w.resources, "nthreads": w.nthreads} for w in self.workers()])[0]

    def _ask_workers(self) -> list[WorkerInfo]:
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

    # -- submission -----------------------------------------------------------------------------

    def submit(self, kind: JobKind, params: Any, idempotency_key: str | None = None) -> tuple[JobStatus, bool]:
        """Resolve what the job refers to (refused before anything is stored), store the job, then
        hand it to Dask. ``params`` is the kind's validated dataclass. With an idempotency key seen
        before for the same request, the job made then is returned (and False: nothing new)."""
        handler = HANDLERS[kind]
        # Patch bands packed (base64 float32, what the models use): the stored document, its hash and
        # what Dask walks and pickles for the worker cost ~25x less service time than 90,000 numbers.
        params_doc = to_dict(params, pack=True)
        body_sha256 = hashlib.sha256(json.dumps([kind.value, params_doc], sort_keys=True).encode()).hexdigest()
        # A retry with the key of a job made already answers with that job, before the references are
        # resolved again: what it referred to may have been used up by it (an ingested upload) since.
        replayed = self.store.replayed(idempotency_key, body_sha256)
        if replayed is not None:
            return replayed, False
        inputs = dict(handler.resolve(self.resources, params) or {}) if handler.resolve else {}
        status, created = self.store.create(kind, params_doc, idempotency_key, body_sha256)
        if created:
            self._dispatch(status.id, kind, params_doc, inputs)
        return status, created

    def _dispatch(self, job_id: str, kind: JobKind, params_doc: dict, inputs: dict) -> None:
        handler = HANDLERS[kind]
        if handler.staging is not None:
            inputs["staging_dir"] = str(self._staging[handler.staging].staging_dir(job_id))
        future = self.client.submit(
            run_job, job_id, kind.value, params_doc, inputs,
            key=f"icesight-{kind.value}-{job_id}", pure=False,
            resources=self._gpu_resources() if handler.gpu else None,
        )
        with self._lock:
            self._futures[job_id] = future
        future.add_done_callback(lambda f, job_id=job_id: self._on_done(job_id, f))

    def recover(self) -> dict[str, int]:
        """Jobs a previous process left unfinished: queued ones run now; running ones run again when
        their kind may (nothing was published before they succeed), else they are failed saying why."""
        from icesight_contract import PARAMS_BY_KIND, from_dict

        counts = {"requeued": 0, "failed": 0}
        for status in self.store.unfinished():
            handler = HANDLERS[status.kind]
            was_running = status.state.value == "running"
            if was_running and not handler.rerun_safe:
                self.store.mark_interrupted(
                    status.id,
                    f"the backend stopped while this {status.kind.value} job was running ({status.message}); its "
                    "trials' shared state lived in the stopped Dask scheduler and is lost: submit it again",
                )
                counts["failed"] += 1
                continue
            try:
                params_doc = self.store.params(status.id) or {}
                params = from_dict(PARAMS_BY_KIND[status.kind], params_doc)
                inputs = dict(handler.resolve(self.resources, params) or {}) if handler.resolve else {}
            except Exception as exc:  # what it needs is gone: say so instead of failing later
                self.store.mark_interrupted(status.id, f"could not run after the backend restarted: {exc}")
                counts["failed"] += 1
                continue
            if was_running:
                self.store.requeue(status.id, "running again: the backend restarted while it ran")
            self._dispatch(status.id, status.kind, params_doc, inputs)
            counts["requeued"] += 1
        return counts

    def keep_retention(self, older_than_days: float | None, max_total_bytes: int | None,
                       interval_s: float = 3600.0) -> None:
        """Apply the retention policy now and then every ``interval_s`` in a background thread."""
        if older_than_days is None and max_total_bytes is None:
            return

        def apply() -> None:
            while True:
                try:
                    report, cache = apply_retention(self.store, older_than_days, max_total_bytes)
                    if report.jobs_removed or cache.entries_removed:
                        log.info("retention removed %d finished job(s), %.1f MB, and %d pipeline stage(s), %.1f MB",
                                 report.jobs_removed, report.bytes_freed / 1e6, cache.entries_removed, cache.bytes_freed / 1e6)
                except Exception:  # the next round tries again
                    log.exception("applying the retention policy failed")
                if self._stopping.wait(interval_s):
                    return

        threading.Thread(target=apply, name="icesight-retention", daemon=True).start()

    def jobs_by_state(self) -> dict[str, int]:
        return self.store.count_by_state()

    def drift_profiles(self) -> dict[str, dict]:
        """Each registered model's training input profile (for drift), when its record has one."""
        return {m["model_id"]: m.get("reference_profile") for m in self.registry.list() if m.get("reference_profile")}

    def upload_path(self, upload_id: str) -> Path:
        return self.resources.upload_path(upload_id)

    def new_upload_path(self) -> tuple[str, Path]:
        upload_id = uuid.uuid4().hex
        return upload_id, self.uploads_dir / f"{upload_id}.upload"

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
                    self.store.mark_failed(job_id, ApiError(ErrorCode.JOB_FAILED, f"job failed on the worker: {self.describe(exc)}"))
                return
            output = future.result()
            status = self.store.get(job_id)
            if status is None or status.state.is_final:
                self._discard_staging(job_id)
                return  # cancelled meanwhile: keep nothing
            artifacts = self.store.write_artifacts(job_id, output["artifacts"])
            handler = HANDLERS[status.kind]
            if handler.publish is not None:
                from icesight_contract import PARAMS_BY_KIND, from_dict

                params = from_dict(PARAMS_BY_KIND[status.kind], self.store.params(job_id) or {})
                handler.publish(self.resources, job_id, params, output)
            if output.get("predictions"):
                self.monitor.record_predictions(f"job {job_id}", output["predictions"])
            self.store.mark_succeeded(job_id, output["result"], artifacts)
        except Exception as exc:  # never lose a job silently
            log.exception("storing the outcome of job %s failed", job_id)
            self._discard_staging(job_id)
            self.store.mark_failed(job_id, ApiError(ErrorCode.INTERNAL, f"storing the result failed: {self.describe(exc)}"))

    def describe(self, exc: BaseException) -> str:
        """An error for the job's record: its kind and message, one style for all, with no server
        path in it (the data directory reads ``<data>``, other absolute paths keep their file name)."""
        message = str(exc).replace(str(self.store.data_dir.resolve()), "<data>").replace(str(self.store.data_dir), "<data>")
        message = _ABSOLUTE_PATH.sub(lambda m: m.group(1) + m.group(2).rsplit("/", 1)[-1], message)
        return f"{type(exc).__name__}: {message}" if message else type(exc).__name__

    def _discard_staging(self, job_id: str) -> None:
        for staging in self._staging.values():
            shutil.rmtree(staging.staging_dir(job_id), ignore_errors=True)


def apply_retention(store: JobStore, older_than_days: float | None, max_total_bytes: int | None,
                    dry_run: bool = False) -> tuple[PruneReport, CachePruneReport]:
    """The retention policy: finished jobs and their artifacts (:meth:`JobStore.prune`), then the
    pipelines' stage cache under the same limits on its own (entries unused for longer than the
    age, then the least recently used until it takes at most the size)."""
    jobs = store.prune(older_than_days, max_total_bytes, dry_run=dry_run)
    cache = StageCache(cache_root(store.data_dir)).prune(older_than_days, max_total_bytes, dry_run=dry_run)
    return jobs, cache


def load_or_create_token(config_dir: Path) -> str:
    """The service token: read from ``<config_dir>/token``, created (mode 0600) on first start."""
    import os

    config_dir = Path(config_dir)
    config_dir.mkdir(parents=True, exist_ok=True)
    path = config_dir / "token"
    if path.exists():
        token = path.read_text().strip()
        if token:
            return token
    token = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(token + "\n")
    os.chmod(path, 0o600)
    return token
