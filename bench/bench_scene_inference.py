"""Scene-scale inference through the API: detect + cut + classify every target of a whole EW scene,
and the dense probability map of the same scene, with time and peak memory.

The scene is simulated once (IceSight's simulator, EW GRDM-like, 40 m pixels, with ships, icebergs
and sea ice; cached under out/bench/ and shared with bench_detection_scene.py), uploaded to a real
backend (uvicorn on 127.0.0.1, embedded Dask cluster) and ingested into its catalog (not timed).
Timed: ``detect_targets`` then ``classify_detections`` (cut + classify, 8 test-time views a target)
with a LeNet trained on simulated EW patches; then ``map_scene``. Peak memory is the largest summed
resident memory of the service and its Dask processes, sampled every 0.2 s. Baseline in the same
run: the path a client had before, ``cut_patches`` on the detections, the patches downloaded and
sent back inline to ``classify_patches``.

Usage: python bench/bench_scene_inference.py [--size 10000] [--targets 400]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import requests

from icesight_backend.launcher import BackendProcess
from icesight_contract import API_PREFIX

ROOT = Path(__file__).resolve().parent.parent


class PeakMemory:
    """Largest summed RSS of a process and its children, sampled in a thread."""

    def __init__(self, pid: int, interval_s: float = 0.2):
        self.process = psutil.Process(pid)
        self.interval_s = interval_s
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            total = 0
            for proc in [self.process, *self.process.children(recursive=True)]:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    pass
            self.peak_bytes = max(self.peak_bytes, total)
            time.sleep(self.interval_s)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def run_job(url: str, headers: dict, kind: str, params: dict) -> tuple[dict, float]:
    started = time.perf_counter()
    job = requests.post(f"{url}{API_PREFIX}/jobs", headers=headers, json={"kind": kind, "params": params}, timeout=600)
    if job.status_code != 202:
        sys.exit(f"{kind}: {job.status_code} {job.text}")
    while True:
        status = requests.get(f"{url}{API_PREFIX}/jobs/{job.json()['id']}", headers=headers, timeout=60).json()
        if status["state"] in ("succeeded", "failed", "cancelled"):
            if status["state"] != "succeeded":
                sys.exit(f"{kind} job {status['state']}: {status['error']}")
            return status, time.perf_counter() - started
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--targets", type=int, default=400, help="ships and icebergs each")
    args = parser.parse_args()
    cache = ROOT / "out" / "bench" / f"ew_{args.size}_{args.targets}"
    if not (cache / "scene.tif").exists():
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(Path(__file__).parent / "bench_detection_scene.py"), "--size", str(args.size),
                        "--targets", str(args.targets), "--out", str(cache), "--stage", "simulate"], check=True)
    with tempfile.TemporaryDirectory() as tmp, BackendProcess(
            Path(tmp) / "data", Path(tmp) / "config", extra_args=["--max-body-mb", "2048"]) as backend:
        url, headers = backend.url, {"Authorization": f"Bearer {backend.token}"}
        train, _ = run_job(url, headers, "train_model", {"epochs": 8, "simulated": {"n_patches": 1604, "seed": 3}})
        model_id = train["result"]["model_id"]
        with open(cache / "scene.tif", "rb") as handle:
            upload = requests.post(f"{url}{API_PREFIX}/uploads", headers=headers, data=handle, timeout=3600).json()
        ingest, ingest_s = run_job(url, headers, "ingest_scene", {"upload_id": upload["upload_id"], "scene_id": "bench_ew",
                                                                  "mode": "EW"})
        print(f"scene {args.size} x {args.size} px (EW, 40 m) uploaded and ingested in {ingest_s:.0f} s (not timed below)")
        with PeakMemory(backend.process.pid) as memory:
            started = time.perf_counter()
            detect, detect_s = run_job(url, headers, "detect_targets", {"scene_id": "bench_ew"})
            classify, classify_s = run_job(url, headers, "classify_detections", {
                "scene_id": "bench_ew", "detections_job_id": detect["id"], "model_id": model_id})
            total_s = time.perf_counter() - started
        chain_peak = memory.peak_bytes
        started = time.perf_counter()
        cut, _ = run_job(url, headers, "cut_patches", {"scene_id": "bench_ew", "detections_job_id": detect["id"]})
        patches = requests.get(f"{url}{API_PREFIX}/jobs/{cut['id']}/artifacts/patches.json", headers=headers, timeout=600).json()
        run_job(url, headers, "classify_patches", {"patches": patches, "model_id": model_id})
        baseline_s = detect_s + time.perf_counter() - started
        with PeakMemory(backend.process.pid) as memory:
            mapped, map_s = run_job(url, headers, "map_scene", {"scene_id": "bench_ew", "model_id": model_id})
        result = classify["result"]
        print(f"detect + cut + classify, end to end through the API: {total_s:.1f} s "
              f"(detect_targets {detect_s:.1f} s: {detect['result']['n_detections']} detections; classify_detections "
              f"{classify_s:.1f} s: {result['n_targets']} targets, {result['n_ships']} ships, {result['n_icebergs']} icebergs, "
              f"{len(result['skipped'])} skipped); peak RSS of service + Dask {chain_peak / 2**30:.2f} GiB "
              "(aim: under 60 s and 8 GiB)")
        print(f"baseline, detect + cut_patches + patches sent back to classify_patches: {baseline_s:.1f} s; "
              f"classify_detections is {baseline_s / total_s:.2f}x that speed")
        print(f"map_scene: {map_s:.1f} s for {mapped['result']['width_px']} x {mapped['result']['height_px']} px "
              f"(network every {mapped['result']['stride_px']} px); peak RSS of service + Dask {memory.peak_bytes / 2**30:.2f} GiB")


if __name__ == "__main__":
    main()
