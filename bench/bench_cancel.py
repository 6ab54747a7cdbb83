"""Cancel that stops the work, and a worker killed mid-job: what each leaves behind.

A real backend (uvicorn on 127.0.0.1, embedded Dask cluster of one worker with one thread, so a
job that does not stop blocks the next). For each long job: submit it, wait until it runs, cancel
it, and at once submit a tiny probe job (a 128 x 128 px simulated scene); the probe's time to
finish, less its own time on an idle worker (the baseline, measured first in the same run), is the
time the cancelled job kept the worker. Aim: under 2 s. Then, for a re-run safe and a training
job: kill -9 the worker process in the middle of the job and report the job's end state and message
and when the probe submitted right after the kill finished (the nanny restarts the worker; Dask
re-runs the task it lost).

Usage: python bench/bench_cancel.py
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
LONG_JOBS = {
    "simulate_scene 8192 x 8192 px": {"kind": "simulate_scene", "params": {"width_px": 8192, "height_px": 8192}},
    "train_model on 20,000 simulated patches": {"kind": "train_model", "params": {"simulated": {"n_patches": 20000}}},
    "train_model, in its epochs": {"kind": "train_model", "params": {"epochs": 200, "simulated": {"n_patches": 600}}},
}
KILLED_JOBS = {
    "simulate_scene 4096 x 4096 px": {"kind": "simulate_scene", "params": {"width_px": 4096, "height_px": 4096}},
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

        def finish(job_id: str) -> float:
            started = time.perf_counter()
            while state(job_id)["state"] not in ("succeeded", "failed", "cancelled"):
                time.sleep(0.02)
            return time.perf_counter() - started

        finish(submit(PROBE))  # warm the worker
        baseline = min(finish(submit(PROBE)) for _ in range(3))
        print(f"probe job on an idle worker: {baseline:.2f} s (baseline)")
        for name, body in LONG_JOBS.items():
            job = submit(body)
            while state(job)["state"] != "running" or state(job)["progress"] < 0.02:
                time.sleep(0.05)
            time.sleep(1.0)  # well into its work
            cancelled_at = time.perf_counter()
            requests.post(f"{url}/jobs/{job}/cancel", headers=headers, timeout=60)
            finish(submit(PROBE))
            after = time.perf_counter() - cancelled_at
            print(f"{name}: worker free {max(after - baseline, 0.0):.2f} s after the cancel "
                  f"(probe done {after:.2f} s after it; job says: {state(job)['message']!r})")

        for name, body in KILLED_JOBS.items():
            job = submit(body)
            while state(job)["state"] != "running":
                time.sleep(0.05)
            time.sleep(2.0)  # well into its work
            workers = _worker_processes(backend.process.pid)
            for worker in workers:
                os.kill(worker.pid, signal.SIGKILL)
            killed_at = time.perf_counter()
            finish(submit(PROBE))
            probe_after = time.perf_counter() - killed_at
            finish(job)
            final = state(job)
            print(f"{name}, kill -9 of {len(workers)} worker process(es): the job ended {final['state']} "
                  f"{time.perf_counter() - killed_at:.1f} s after the kill ({final.get('error') or final['message']!r}); "
                  f"the probe was done {probe_after:.1f} s after it")
        health = requests.get(f"{url}/health", headers=headers, timeout=60).json()
        print(f"afterwards: {health['dask']['n_workers']} worker(s), status {health['status']!r}")


if __name__ == "__main__":
    main()
