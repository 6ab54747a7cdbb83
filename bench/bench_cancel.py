"""Cancel that stops the work: the time from ``POST /jobs/{id}/cancel`` to a free worker.

A real backend (uvicorn on 127.0.0.1, embedded Dask cluster of one worker with one thread, so a
job that does not stop blocks the next). For each long job: submit it, wait until it runs, cancel
it, and at once submit a tiny probe job (a 128 x 128 px simulated scene); the probe's time to
finish, less its own time on an idle worker (the baseline, measured first in the same run), is the
time the cancelled job kept the worker. Aim: under 2 s.

Usage: python bench/bench_cancel.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import requests

from icesight_backend.launcher import BackendProcess
from icesight_contract import API_PREFIX

PROBE = {"kind": "simulate_scene", "params": {"width_px": 128, "height_px": 128, "n_ships": 1, "n_icebergs": 1}}
LONG_JOBS = {
    "simulate_scene 8192 x 8192 px": {"kind": "simulate_scene", "params": {"width_px": 8192, "height_px": 8192}},
    "train_model on 20,000 simulated patches": {"kind": "train_model", "params": {"simulated": {"n_patches": 20000}}},
    "train_model, in its epochs": {"kind": "train_model", "params": {"epochs": 200, "simulated": {"n_patches": 600}}},
}


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


if __name__ == "__main__":
    main()
