"""What *Test connection* reports about the backend: its version, Dask workers, GPU, queue and the
production model. Qt-free: runs in a task's thread."""

from __future__ import annotations

from dataclasses import dataclass

from icesight_contract import JobState

from .client import BackendClient


@dataclass
class ConnectionReport:
    url: str
    version: str
    api_version: str
    n_workers: int
    n_threads: int
    gpu: bool
    jobs_queued: int
    jobs_running: int
    production_model: str | None  # None: jobs that name no model use the newest one
    n_models: int


def check_connection(client: BackendClient) -> ConnectionReport:
    """Health (needs no token), then the job list and the model registry (both need it)."""
    health = client.health()
    jobs = client.jobs(limit=1000)
    models = client.models()
    dask = health.get("dask", {})
    production = next((m["model_id"] for m in models if m.get("production")), None)
    return ConnectionReport(
        url=client.base_url,
        version=str(health.get("version", "?")),
        api_version=str(health.get("api_version", "?")),
        n_workers=int(dask.get("n_workers", 0)),
        n_threads=int(dask.get("total_threads", 0)),
        gpu=bool(health.get("gpu")),
        jobs_queued=sum(1 for j in jobs if j.state is JobState.QUEUED),
        jobs_running=sum(1 for j in jobs if j.state is JobState.RUNNING),
        production_model=production,
        n_models=len(models),
    )
