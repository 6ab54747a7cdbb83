"""Load: 20 clients at once for a fixed time against a real backend (uvicorn on 127.0.0.1, embedded
Dask cluster), each looping over GET /health, POST /jobs (an 8-patch classify_patches job) and
GET /jobs/{id}; the idle /health latency, measured first in the same run, is the baseline. The
load runs twice in the same run: patch bands as JSON arrays of numbers, then packed (base64
float32, as the plugin sends them). Prints requests, errors, throughput and p50/p95/p99 per route. Data: simulated-looking patches
(tests/conftest.make_patch), a LeNet trained on simulated EW patches.

Usage: python bench/bench_load.py [--clients 20] [--seconds 30]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from conftest import make_patch  # noqa: E402

from icesight_backend.launcher import BackendProcess  # noqa: E402
from icesight_contract import (  # noqa: E402
    API_PREFIX,
    ClassifyPatchesParams,
    JobKind,
    JobRequest,
    PatchRecord,
    from_dict,
    to_dict,
)


def summary(samples: list[float]) -> str:
    ms = np.asarray(samples) * 1000
    return f"p50 {np.percentile(ms, 50):7.1f} ms  p95 {np.percentile(ms, 95):7.1f} ms  p99 {np.percentile(ms, 99):7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    patches = [make_patch(f"l{i}", rng) for i in range(8)]
    with tempfile.TemporaryDirectory() as tmp, BackendProcess(Path(tmp) / "data", Path(tmp) / "config") as backend:
        url, headers = f"{backend.url}{API_PREFIX}", {"Authorization": f"Bearer {backend.token}"}
        job = requests.post(f"{url}/jobs", headers=headers, timeout=60,
                            json={"kind": "train_model", "params": {"epochs": 2, "simulated": {"n_patches": 200}}}).json()
        while requests.get(f"{url}/jobs/{job['id']}", headers=headers, timeout=60).json()["state"] != "succeeded":
            time.sleep(0.5)
        idle = []
        for _ in range(50):
            started = time.perf_counter()
            requests.get(f"{url}/health", timeout=60)
            idle.append(time.perf_counter() - started)
        def run_load(document: dict):
            latency: dict[str, list[float]] = defaultdict(list)
            statuses: dict[int, int] = defaultdict(int)
            errors: list[str] = []
            jobs_done: list[float] = []
            lock = threading.Lock()
            stop_at = time.monotonic() + args.seconds

            def client() -> None:
                with requests.Session() as session:
                    session.headers.update(headers)
                    while time.monotonic() < stop_at:
                        for route, call in (
                            ("GET /health", lambda: session.get(f"{url}/health", timeout=60)),
                            ("POST /jobs", lambda: session.post(f"{url}/jobs", json=document, timeout=60)),
                        ):
                            started = time.perf_counter()
                            try:
                                response = call()
                            except requests.RequestException as exc:
                                with lock:
                                    errors.append(f"{route}: {exc}")
                                continue
                            with lock:
                                latency[route].append(time.perf_counter() - started)
                                statuses[response.status_code] += 1
                                if response.status_code >= 500:
                                    errors.append(f"{route}: {response.status_code} {response.text[:200]}")
                            if route == "POST /jobs" and response.status_code == 202:
                                job_id, submitted = response.json()["id"], time.perf_counter()
                                while time.monotonic() < stop_at + 60:
                                    started = time.perf_counter()
                                    state = session.get(f"{url}/jobs/{job_id}", timeout=60).json()["state"]
                                    with lock:
                                        latency["GET /jobs/{id}"].append(time.perf_counter() - started)
                                    if state in ("succeeded", "failed", "cancelled"):
                                        with lock:
                                            jobs_done.append(time.perf_counter() - submitted)
                                        break
                                    time.sleep(0.1)

            threads = [threading.Thread(target=client) for _ in range(args.clients)]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - started
            return latency, statuses, errors, jobs_done, wall

        request = JobRequest.of(JobKind.CLASSIFY_PATCHES, ClassifyPatchesParams(patches=[from_dict(PatchRecord, p) for p in patches]))
        runs = {form: run_load(to_dict(request, pack=form == "packed")) for form in ("arrays", "packed")}
    print(f"GET /health idle (baseline): {summary(idle)}")
    for form, (latency, statuses, errors, jobs_done, wall) in runs.items():
        total = sum(len(v) for v in latency.values())
        print(f"Patch bands {form}: {args.clients} clients for {args.seconds:g} s: {total} requests ({total / wall:.0f}/s), "
              f"statuses {dict(sorted(statuses.items()))}, {len(errors)} error(s)")
        for route, samples in sorted(latency.items()):
            print(f"  {route:16s} under load: {summary(samples)}   (n={len(samples)})")
        print(f"  8-patch classify_patches job, submit to done: {summary(jobs_done)}   (n={len(jobs_done)})")
        if errors:
            print("  first error:", errors[0])
    arrays, packed = (np.percentile(runs[f][0]["POST /jobs"], 95) for f in ("arrays", "packed"))
    print(f"POST /jobs p95, arrays / packed: {arrays / packed:.2f}x")


if __name__ == "__main__":
    main()
