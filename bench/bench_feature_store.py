"""Feature-group build: partitioned Dask work through the API against the same insert in one process.

A Kaggle Statoil/C-CORE-format ``train.json`` of simulated patches (1,604 records by default,
about 8 % with ``inc_angle: "na"``, as in the real file) is built into a feature group:
  1. baseline: ``json.load`` and ``FeatureStore.insert`` in a fresh process (peak RSS of that process);
  2. the backend with 1 and with 2 single-thread Dask workers: upload, then a ``build_feature_group``
     job (the file is streamed record by record, partitions are validated and computed as separate
     tasks, the merge streams them into one Parquet). Peak RSS growth summed over the backend's
     process tree is sampled while the job runs.
Prints seconds, ratios to the baseline and memory. Shared machines are noisy: read the ratios.

Usage: python bench/bench_feature_store.py [--records 1604] [--partition-size 256]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import requests

from icesight_backend.launcher import BackendProcess
from icesight_contract import API_PREFIX


def write_kaggle_file(path: Path, n: int) -> None:
    from icesight_backend.sar.simulation import simulate_patches

    sim = simulate_patches(n, seed=77)
    rng = np.random.default_rng(1)
    with open(path, "w") as handle:
        handle.write("[")
        for i in range(n):
            record = {
                "id": f"k{i:05d}",
                "band_1": [round(float(v), 4) for v in sim.band_1_db[i].ravel()],
                "band_2": [round(float(v), 4) for v in sim.band_2_db[i].ravel()],
                "inc_angle": "na" if rng.random() < 0.08 else round(float(sim.inc_angle_deg[i]), 4),
                "is_iceberg": int(sim.is_iceberg[i]),
            }
            handle.write(("," if i else "") + json.dumps(record))
        handle.write("]")


def baseline(path: str, root: str, partition_size: int) -> tuple[float, float]:
    import resource

    from icesight_backend.learning.feature_store import FeatureStore

    started = time.perf_counter()
    with open(path) as handle:
        records = json.load(handle)
    FeatureStore(Path(root)).insert("bench", records, partition_size=partition_size)
    return time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _tree_rss_mb(pid: int) -> float:
    import psutil

    try:
        parent = psutil.Process(pid)
        return sum(p.memory_info().rss for p in [parent, *parent.children(recursive=True)]) / 1024**2
    except psutil.Error:
        return 0.0


def through_backend(path: Path, workers: int, partition_size: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        extra = ["--n-workers", str(workers), "--threads-per-worker", "1", "--max-upload-mb", "4096"]
        with BackendProcess(Path(tmp) / "data", Path(tmp) / "config", extra_args=extra) as backend:
            headers = {"Authorization": f"Bearer {backend.token}"}
            url = f"{backend.url}{API_PREFIX}"
            with open(path, "rb") as handle:
                upload = requests.post(f"{url}/uploads?filename=train.json", data=handle, headers=headers, timeout=600).json()
            idle = _tree_rss_mb(backend.process.pid)
            peak = [idle]
            done = threading.Event()

            def sample() -> None:
                while not done.is_set():
                    peak[0] = max(peak[0], _tree_rss_mb(backend.process.pid))
                    time.sleep(0.2)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            started = time.perf_counter()
            job = requests.post(f"{url}/jobs", headers=headers, timeout=60, json={"kind": "build_feature_group", "params": {
                "group": "bench", "upload_id": upload["upload_id"], "partition_size": partition_size}}).json()
            while True:
                status = requests.get(f"{url}/jobs/{job['id']}", headers=headers, timeout=60).json()
                if status["state"] in ("succeeded", "failed", "cancelled"):
                    break
                time.sleep(0.2)
            seconds = time.perf_counter() - started
            done.set()
            sampler.join()
            if status["state"] != "succeeded":
                raise SystemExit(f"build_feature_group {status['state']}: {status['error']}")
            return seconds, peak[0] - idle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1604)
    parser.add_argument("--partition-size", type=int, default=256)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "train.json"
        write_kaggle_file(path, args.records)
        size_mb = path.stat().st_size / 1024**2
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            base_seconds, base_rss = pool.apply(baseline, (str(path), str(Path(tmp) / "store"), args.partition_size))
        runs = {workers: through_backend(path, workers, args.partition_size) for workers in (1, 2)}
    print(f"feature group from a {args.records}-record Kaggle-format train.json ({size_mb:.0f} MB), "
          f"partitions of {args.partition_size}")
    print(f"  one process (json.load + insert)   {base_seconds:6.1f} s   1.00x   peak RSS {base_rss:6.0f} MB")
    for workers, (seconds, growth) in runs.items():
        print(f"  backend, {workers} Dask worker(s)         {seconds:6.1f} s   {seconds / base_seconds:.2f}x   "
              f"RSS growth of service + cluster {growth:6.0f} MB")


if __name__ == "__main__":
    main()
