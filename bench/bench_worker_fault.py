"""A Dask worker killed with SIGKILL in the middle of a job: what becomes of the job and how soon the
backend works again.

A real backend (uvicorn on 127.0.0.1, embedded Dask cluster of one worker with one thread). For
each job kind: submit it, wait until it runs, kill -9 the worker process (the nanny's child), then
record the job's final state and message, and the seconds until a tiny probe job (a 128 x 128 px
simulated scene) submitted right after the kill has finished; the probe's time on an idle worker,
measured first in the same run, is the baseline.

Usage: python bench/bench_worker_fault.py
"""

from __future__ import annotations

import os
import signal
import tempfile
import time
from pathlib import Path

import psutil
import requests

from icesight_backend.launcher import BackendProcess
from icesight_contract import API_PREFIX

PROBE = {"kind": "simulate_scene", "params": {"width_px": 128, "height_px": 128, "n_ships": 1, "n_icebergs": 1}}
JOBS = {
    "simulate_scene 4096 x 4096 px (re-run safe)": {"kind": "simulate_scene", "params": {"width_px": 4096, "height_px": 4096}},
    "train_model on 3,000 simulated patches": {"kind": "train_model", "params": {"epochs": 30, "simulated": {"n_patches": 3000}}},
}


def _worker_processes(service_pid: int) -> list[psutil.Process]:
    """The Dask worker processes of the service's embedded cluster: the nannies live in the service
    and start each worker with multiprocessing's spawn (the resource tracker is not a worker)."""
    found = []
    for child in psutil.Process(service_pid).children(recursive=True):
        try:
            command = " ".join(child.cmdline())
        except psutil.NoSuchProcess:
            continue
        if "spawn_main" in command and "resource_tracker" not in command:
            found.append(child)
    return found


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, BackendProcess(
            Path(tmp) / "data", Path(tmp) / "config", extra_args=["--threads-per-worker", "1"]) as backend:
        url, headers = f"{backend.url}{API_PREFIX}", {"Authorization": f"Bearer {backend.token}"}

        def submit(body: dict) -> str:
            return requests.post(f"{url}/jobs", json=body, headers=headers, timeout=60).json()["id"]

        def state(job_id: str) -> dict:
            return requests.get(f"{url}/jobs/{job_id}", headers=headers, timeout=60).json()

        def finish(job_id: str, limit_s: float = 600.0) -> tuple[float, dict]:
            started = time.perf_counter()
            while time.perf_counter() - started < limit_s:
                status = state(job_id)
                if status["state"] in ("succeeded", "failed", "cancelled"):
                    return time.perf_counter() - started, status
                time.sleep(0.05)
            return float("inf"), state(job_id)

        baseline = min(finish(submit(PROBE))[0] for _ in range(3))
        print(f"probe job on an idle worker: {baseline:.2f} s (baseline)")
        for name, body in JOBS.items():
            job_id = submit(body)
            while state(job_id)["state"] != "running":
                time.sleep(0.05)
            time.sleep(2.0)  # well inside the work
            workers = _worker_processes(backend.process.pid)
            if not workers:
                print(f"{name}: no worker process found under the service; skipped")
                continue
            for worker in workers:
                os.kill(worker.pid, signal.SIGKILL)
            killed_at = time.perf_counter()
            probe = submit(PROBE)
            probe_s, probe_status = finish(probe)
            job_s, final = finish(job_id)
            print(f"{name}: killed {len(workers)} worker process(es); the job ended {final['state']} "
                  f"{time.perf_counter() - killed_at:.1f} s after the kill ({final.get('error') or final.get('message')!r}); "
                  f"the probe {probe_status['state']} {probe_s:.1f} s after it ({probe_s - baseline:.1f} s over the baseline)")
        health = requests.get(f"{url}/health", headers=headers, timeout=60).json()
        print(f"afterwards: /health says {health['dask']['n_workers']} worker(s), status {health['status']!r}")


if __name__ == "__main__":
    main()
