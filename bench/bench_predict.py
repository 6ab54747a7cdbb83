"""The synchronous predict endpoint: latency at 1 and at 20 concurrent clients, against the same
patches classified as a classify_patches job (the asynchronous path) in the same run.

Starts a real backend (uvicorn on 127.0.0.1, embedded Dask cluster), trains a LeNet on simulated
EW patches through the API, marks it production, then sends one-patch requests: first from one
client, then from 20 threads at once (each with its own keep-alive session), with the bands as JSON
arrays of numbers and packed (base64 float32, as the plugin sends them) in the same run. Latency is
measured by the client, end to end over loopback, encoding the body included. Data: simulated EW
patches (IceSight's simulator).

Usage: python bench/bench_predict.py [--requests 400] [--clients 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from conftest import make_patch  # noqa: E402

from icesight_backend.launcher import BackendProcess  # noqa: E402
from icesight_contract import API_PREFIX, PatchRecord, PredictRequest, from_dict, to_dict  # noqa: E402


def wait(url: str, headers: dict, job_id: str) -> dict:
    while True:
        status = requests.get(f"{url}{API_PREFIX}/jobs/{job_id}", headers=headers, timeout=60).json()
        if status["state"] in ("succeeded", "failed", "cancelled"):
            if status["state"] != "succeeded":
                sys.exit(f"job {job_id} {status['state']}: {status['error']}")
            return status
        time.sleep(0.02)


def percentiles(samples: list[float]) -> str:
    ms = np.asarray(samples) * 1000
    return (f"p50 {np.percentile(ms, 50):6.1f} ms   p95 {np.percentile(ms, 95):6.1f} ms   "
            f"p99 {np.percentile(ms, 99):6.1f} ms   (n={len(ms)})")


def client_loop(url: str, headers: dict, patches: list[PatchRecord], n: int, out: list[float], errors: list[str],
                pack: bool = True) -> None:
    session = requests.Session()
    for i in range(n):
        started = time.perf_counter()
        body = to_dict(PredictRequest(patches=[patches[i % len(patches)]]), pack=pack)
        response = session.post(f"{url}{API_PREFIX}/predict", headers=headers, json=body, timeout=60)
        out.append(time.perf_counter() - started)
        if response.status_code != 200:
            errors.append(f"{response.status_code} {response.text[:200]}")
    session.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400, help="requests per load level")
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    patches = [make_patch(f"b{i}", rng) for i in range(32)]
    records = [from_dict(PatchRecord, p) for p in patches]
    with tempfile.TemporaryDirectory() as tmp, BackendProcess(Path(tmp) / "data", Path(tmp) / "config") as backend:
        url, headers = backend.url, {"Authorization": f"Bearer {backend.token}"}
        job = requests.post(f"{url}{API_PREFIX}/jobs", headers=headers, timeout=60, json={
            "kind": "train_model", "params": {"epochs": 3, "simulated": {"n_patches": 400, "seed": 1}}}).json()
        model_id = wait(url, headers, job["id"])["result"]["model_id"]
        requests.post(f"{url}{API_PREFIX}/models/{model_id}/production", headers=headers, timeout=60)
        requests.post(f"{url}{API_PREFIX}/predict", headers=headers, json={"patches": patches[:1]}, timeout=60)  # loads it

        # Baseline: the same one-patch classification as a job (submit, poll every 20 ms, done).
        as_job = []
        for i in range(20):
            started = time.perf_counter()
            job = requests.post(f"{url}{API_PREFIX}/jobs", headers=headers, timeout=60,
                                json={"kind": "classify_patches", "params": {"patches": [patches[i]]}}).json()
            wait(url, headers, job["id"])
            as_job.append(time.perf_counter() - started)

        errors: list[str] = []
        figures = {}
        for pack in (False, True):
            single: list[float] = []
            client_loop(url, headers, records, args.requests, single, errors, pack)
            loaded: list[float] = []
            threads = [threading.Thread(target=client_loop,
                                        args=(url, headers, records, args.requests // args.clients, loaded, errors, pack))
                       for _ in range(args.clients)]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            figures[pack] = (single, loaded, len(loaded) / (time.perf_counter() - started))
    print(f"Predict endpoint, one 75 x 75 patch a request (8 test-time views), LeNet, production model; loopback, "
          f"{len(errors)} error(s)")
    print(f"  classify_patches job (baseline): {percentiles(as_job)}")
    for pack, (single, loaded, rate) in figures.items():
        form = "packed bands" if pack else "bands as JSON arrays"
        print(f"  predict, 1 client, {form + ':':22s}           {percentiles(single)}")
        print(f"  predict, {args.clients} clients, {form + ':':22s}         {percentiles(loaded)}   {rate:.0f} requests/s")
    single = figures[True][0]
    print(f"  p50 speed-up of predict (1 client, packed) over the job: {statistics.median(as_job) / statistics.median(single):.0f}x")
    print(f"  p95 at {args.clients} clients, arrays / packed: "
          f"{np.percentile(figures[False][1], 95) / np.percentile(figures[True][1], 95):.2f}x")
    if errors:
        print("  first error:", errors[0])


if __name__ == "__main__":
    main()
