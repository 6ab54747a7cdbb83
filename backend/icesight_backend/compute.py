"""The embedded Dask cluster, configured for job tasks that own their worker's cores."""

from __future__ import annotations

import os
from pathlib import Path

import dask
from distributed import LocalCluster


def worker_environment(threads_per_worker: int) -> dict[str, str]:
    """Environment for the embedded cluster's worker processes.

    Dask's nanny defaults pin BLAS/OpenMP to one thread and set ``MALLOC_TRIM_THRESHOLD_``. Any
    explicit glibc malloc threshold also switches off glibc's dynamic mmap threshold, so torch's
    large tensors are mmapped and unmapped at every step: training measured about 2x slower
    (see ``bench/bench_worker_training.py``). A job task here owns its worker's cores.
    """
    threads = str(threads_per_worker)
    return {"OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads, "OPENBLAS_NUM_THREADS": threads,
            # The worker's statistical profiler samples every task's stack every 10 ms under the GIL;
            # with one long training task per core it takes CPU from that task and tells little.
            "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False"}


def embedded_cluster(n_workers: int, threads_per_worker: int, scratch_dir: Path | None = None, **kwargs) -> LocalCluster:
    """The service's own Dask cluster on 127.0.0.1.

    Its scheduler and workers talk TLS with a certificate made for this instance only
    (``Security.temporary``, held in memory): a Dask client without it cannot connect, so nobody
    but the service can run code on the workers. No dashboard, and no routes on Dask's own HTTP servers. Workers spill and keep their files
    under ``scratch_dir`` (the data directory), not in the system's temporary folder.
    """
    from distributed.security import Security

    environment = worker_environment(threads_per_worker)
    # Workers are spawned from this process and inherit its environment; Dask also lets the
    # process environment override its config, and an earlier nanny in this process may have
    # exported its defaults. Make the process environment say what the workers should get.
    os.environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    os.environ.update(environment)
    # Dask's scheduler and workers always run an HTTP server (dashboard, /info pages with logs and
    # call stacks, Prometheus metrics, /json/identity.json with every address), without TLS or any
    # credentials. The service serves its own health and metrics, so those servers get no routes.
    closed = {"distributed.scheduler.http.routes": [], "distributed.worker.http.routes": []}
    with dask.config.set({"distributed.nanny.pre-spawn-environ": environment, "distributed.worker.profile.enabled": False,
                          **closed}):
        if scratch_dir is not None:
            Path(scratch_dir).mkdir(parents=True, exist_ok=True)
            kwargs.setdefault("local_directory", str(scratch_dir))
        return LocalCluster(
            n_workers=n_workers,
            threads_per_worker=threads_per_worker,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",  # a free port, not 8787: nothing is served there
            worker_dashboard_address=None,
            scheduler_kwargs={"dashboard": False},
            protocol="tls://",
            security=Security.temporary(),
            **kwargs,
        )


def gpu_slots(client) -> tuple[dict[str, float] | None, int]:
    """Where GPU work should go, from one look at the cluster (see :func:`gpu_slots_of`)."""
    return gpu_slots_of(list(client.scheduler_info(n_workers=-1)["workers"].values()))


def gpu_slots_of(workers: list[dict]) -> tuple[dict[str, float] | None, int]:
    """``({"GPU": 1}, number of GPUs)`` when some worker (a scheduler-info record with ``resources``
    and ``nthreads``) offers a ``GPU`` resource, else ``(None, total worker threads)``."""
    gpus = int(sum(w.get("resources", {}).get("GPU", 0) for w in workers))
    if gpus >= 1:
        return {"GPU": 1}, gpus
    return None, sum(int(w.get("nthreads", 1)) for w in workers)
