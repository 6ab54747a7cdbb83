"""The backend on an existing Dask cluster (`dask scheduler` + `dask worker` processes), and its
durability across a restart."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from icesight_backend.launcher import BackendProcess, free_port
from icesight_contract import API_PREFIX

DASK = [sys.executable, "-m", "dask"]  # the `dask` command of this environment


def _spawn(args: list[str], log: Path) -> subprocess.Popen:
    handle = open(log, "wb")
    return subprocess.Popen(args, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _wait_job(url: str, headers: dict, job_id: str, timeout_s: float = 180, until=None) -> dict:
    until = until or (lambda s: s["state"] in ("succeeded", "failed", "cancelled"))
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = requests.get(f"{url}{API_PREFIX}/jobs/{job_id}", headers=headers, timeout=30).json()
        if until(status):
            return status
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} did not get there: {status}")


@pytest.fixture
def dask_cluster(tmp_path):
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = _spawn([*DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"], tmp_path / "scheduler.log")
    worker = _spawn(
        [*DASK, "worker", address, "--host", "127.0.0.1", "--nthreads", "1", "--nworkers", "1", "--no-dashboard", "--name", "external-worker-1"],
        tmp_path / "worker.log",
    )
    try:
        yield address
    finally:
        _stop(worker)
        _stop(scheduler)


def test_jobs_run_on_an_existing_scheduler_and_its_worker(tmp_path, dask_cluster):
    with BackendProcess(tmp_path / "data", tmp_path / "config", extra_args=["--scheduler-address", dask_cluster]) as backend:
        headers = {"Authorization": f"Bearer {backend.token}"}
        health = requests.get(f"{backend.url}{API_PREFIX}/health", headers=headers, timeout=30).json()
        assert health["dask"]["scheduler"] == dask_cluster
        assert health["dask"]["n_workers"] == 1 and health["dask"]["total_threads"] == 1
        job = requests.post(
            f"{backend.url}{API_PREFIX}/jobs", headers=headers, timeout=30,
            json={"kind": "simulate_scene", "params": {"width_px": 200, "height_px": 150, "n_ships": 2, "n_icebergs": 2}},
        ).json()
        final = _wait_job(backend.url, headers, job["id"])
        assert final["state"] == "succeeded", final
        assert final["result"]["width_px"] == 200
        # The work ran in the external worker process: the backend started no worker of its own,
        # and the one worker the scheduler knows is the `dask worker` started above.
        worker_address = health["dask"]["workers"][0]["address"]
        started = re.search(r"Start worker at:\s+(\S+)", (tmp_path / "worker.log").read_text())
        assert started is not None and started.group(1) == worker_address
        scene = requests.get(f"{backend.url}{API_PREFIX}/jobs/{job['id']}/artifacts/scene.tif", headers=headers, timeout=30)
        assert scene.status_code == 200 and len(scene.content) > 10_000


def test_a_restart_keeps_finished_results_and_runs_interrupted_jobs_again(tmp_path):
    data, config = tmp_path / "data", tmp_path / "config"
    backend = BackendProcess(data, config).start()
    try:
        headers = {"Authorization": f"Bearer {backend.token}"}
        post = lambda body: requests.post(f"{backend.url}{API_PREFIX}/jobs", headers=headers, json=body, timeout=30).json()  # noqa: E731
        done = post({"kind": "simulate_scene", "params": {"width_px": 128, "height_px": 128, "n_ships": 1, "n_icebergs": 1}})
        assert _wait_job(backend.url, headers, done["id"])["state"] == "succeeded"
        truth = requests.get(f"{backend.url}{API_PREFIX}/jobs/{done['id']}/artifacts/truth.gpkg", headers=headers, timeout=30).content
        running = post({"kind": "train_model", "params": {"epochs": 300, "simulated": {"n_patches": 400}}})
        _wait_job(backend.url, headers, running["id"], until=lambda s: s["state"] == "running")
    finally:
        backend.stop(signal.SIGKILL)  # a crash, not a clean shutdown

    token = backend.token
    with BackendProcess(data, config) as again:
        assert again.token == token  # same token file, not a new one
        headers = {"Authorization": f"Bearer {token}"}
        kept = requests.get(f"{again.url}{API_PREFIX}/jobs/{done['id']}", headers=headers, timeout=30).json()
        assert kept["state"] == "succeeded"
        assert requests.get(f"{again.url}{API_PREFIX}/jobs/{done['id']}/artifacts/truth.gpkg", headers=headers, timeout=30).content == truth
        # Training publishes nothing before it succeeds, so the interrupted run simply runs again.
        rerun = requests.get(f"{again.url}{API_PREFIX}/jobs/{running['id']}", headers=headers, timeout=30).json()
        assert rerun["state"] in ("queued", "running") and rerun["error"] is None
        assert rerun["state"] == "running" or "restarted" in rerun["message"]
        cancelled = requests.post(f"{again.url}{API_PREFIX}/jobs/{running['id']}/cancel", headers=headers, timeout=30).json()
        assert cancelled["state"] == "cancelled"


def test_search_trials_ask_for_the_gpu_resource_when_a_worker_offers_one(tmp_path):
    """A scheduler with one worker advertising ``GPU=1`` and one without: every trial of a search
    runs on the GPU worker, one at a time (one GPU), while the job's own task may run anywhere.
    (Without CUDA the trial trains on that worker's CPU; the placement is what is checked.)"""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    common = ["--host", "127.0.0.1", "--nthreads", "1", "--nworkers", "1", "--no-dashboard"]
    processes = [_spawn([*DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"], tmp_path / "s.log")]
    processes.append(_spawn([*DASK, "worker", address, *common, "--name", "gpu-worker", "--resources", "GPU=1"], tmp_path / "g.log"))
    processes.append(_spawn([*DASK, "worker", address, *common, "--name", "cpu-worker"], tmp_path / "c.log"))
    try:
        # The cluster is up (scheduler and both workers) before the service connects to it, as an
        # operator starts them; on a loaded machine the processes take a while.
        from distributed import Client

        with Client(address, timeout=120) as probe:
            probe.wait_for_workers(2, timeout=120)
        with BackendProcess(tmp_path / "data", tmp_path / "config", extra_args=["--scheduler-address", address]) as backend:
            headers = {"Authorization": f"Bearer {backend.token}"}
            deadline = time.monotonic() + 60
            while True:
                # With the token: the workers' addresses are for token holders only.
                health = requests.get(f"{backend.url}{API_PREFIX}/health", headers=headers, timeout=30).json()
                if health["dask"]["n_workers"] == 2 or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            gpu_worker = next(w["address"] for w in health["dask"]["workers"] if w["resources"].get("GPU") == 1)

            def run(kind: str, params: dict) -> dict:
                job = requests.post(f"{backend.url}{API_PREFIX}/jobs", headers=headers, timeout=30,
                                    json={"kind": kind, "params": params}).json()
                final = _wait_job(backend.url, headers, job["id"], timeout_s=300)
                assert final["state"] == "succeeded", final
                return final["result"]

            run("build_feature_group", {"group": "g", "simulated": {"n_patches": 120, "seed": 1}})
            run("create_training_dataset", {"name": "td", "feature_group": {"group": "g"}})
            result = run("search_hyperparameters", {"training_dataset": {"name": "td"}, "n_trials": 3, "epochs": 1,
                                                    "space": {"filters": [[4, 8, 8]]}})
            assert result["parallel"] == 1
            assert {t["worker"] for t in result["trials"]} == {gpu_worker}
    finally:
        for process in reversed(processes):
            _stop(process)
