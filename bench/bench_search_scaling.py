"""Hyper-parameter search scaling: the same 8-trial search on 1 worker and on 2 workers.

Each run starts a real backend (uvicorn on 127.0.0.1 with its embedded Dask cluster of N
single-thread workers), builds the simulated Statoil-sized feature group (1,604 patches) and a
training dataset through the API, then runs one ``search_hyperparameters`` job. So that every
trial costs the same whatever the sampler draws, the space varies only the learning rate and the
dropout (not the network's size), pruning is off and every trial runs all its epochs. The figure
is the search job's own time on 1 worker divided by its time on 2 workers (ideal 2.0 on a
2-core machine; the aim is at least 1.7). Beside it, the machine's own ceiling: the same training
in two plain processes at once against one after the other (shared caches and memory bandwidth,
and on a 2-core machine the service and scheduler share the cores with the trials).

Usage: python bench/bench_search_scaling.py [--trials 8] [--epochs 3] [--patches 1604] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import requests

from icesight_backend.launcher import BackendProcess
from icesight_contract import API_PREFIX


def _run(url: str, headers: dict, kind: str, params: dict, timeout_s: float = 3600) -> dict:
    job = requests.post(f"{url}{API_PREFIX}/jobs", headers=headers, json={"kind": kind, "params": params}, timeout=60)
    job.raise_for_status()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = requests.get(f"{url}{API_PREFIX}/jobs/{job.json()['id']}", headers=headers, timeout=60).json()
        if status["state"] in ("succeeded", "failed", "cancelled"):
            if status["state"] != "succeeded":
                sys.exit(f"{kind} job {status['state']}: {status['error']}")
            return status["result"]
        time.sleep(0.5)
    sys.exit(f"{kind} job did not finish in {timeout_s} s")


def search_seconds(workers: int, args) -> tuple[float, dict]:
    with tempfile.TemporaryDirectory() as tmp:
        extra = ["--n-workers", str(workers), "--threads-per-worker", "1"]
        with BackendProcess(Path(tmp) / "data", Path(tmp) / "config", extra_args=extra) as backend:
            headers = {"Authorization": f"Bearer {backend.token}"}
            _run(backend.url, headers, "build_feature_group", {"group": "statoil_sized", "simulated": {"n_patches": args.patches, "seed": 101}})
            _run(backend.url, headers, "create_training_dataset", {"name": "statoil_sized", "feature_group": {"group": "statoil_sized"}})
            space = {"kernel_size": [5], "pool_size": [2], "batch_size": [32], "filters": [[16, 32, 48]]}
            result = _run(backend.url, headers, "search_hyperparameters", {
                "training_dataset": {"name": "statoil_sized"}, "n_trials": args.trials, "epochs": args.epochs,
                "patience": args.epochs, "pruning": False, "space": space, "seed": 1,
            })
            return result["seconds"], result


def plain_fit(n_patches: int, epochs: int) -> float:
    """One trial's training in a plain process (1 torch thread): the machine's own ceiling."""
    import torch

    from icesight_backend.learning.data import arrays_from_simulation, stratified_split
    from icesight_backend.learning.training import TrainingConfig, fit
    from icesight_backend.sar.simulation import simulate_patches

    torch.set_num_threads(1)
    arrays = arrays_from_simulation(simulate_patches(n_patches, seed=101))
    train, validation = stratified_split(arrays.labels, 0.2, 1)
    started = time.perf_counter()
    fit(arrays.subset(train), arrays.subset(validation), TrainingConfig(epochs=epochs, patience=epochs))
    return time.perf_counter() - started


def machine_ceiling(args) -> float:
    """Speed-up of two trainings at once in two plain processes over the same two one after the other."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        alone = pool.apply(plain_fit, (args.patches, args.epochs))
    with context.Pool(2) as pool:
        together = pool.starmap(plain_fit, [(args.patches, args.epochs)] * 2)
    return 2 * alone / max(together)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--patches", type=int, default=1604)
    args = parser.parse_args()
    ceiling = machine_ceiling(args)
    one, result_one = search_seconds(1, args)
    two, result_two = search_seconds(2, args)
    print(f"{args.trials}-trial search, {args.epochs} epochs a trial, LeNet on {args.patches} simulated patches")
    print(f"  1 worker  (1 thread):  {one:7.1f} s   {result_one['parallel']} trial(s) at a time   1.00x")
    print(f"  2 workers (1 thread):  {two:7.1f} s   {result_two['parallel']} trial(s) at a time   {one / two:.2f}x faster")
    print(f"  machine ceiling (two plain processes training at once vs one after the other): {ceiling:.2f}x; "
          f"the search reaches {one / two / ceiling:.0%} of it")
    print(f"  best validation log loss: {result_one['best_val_log_loss']:.3f} (1 worker), {result_two['best_val_log_loss']:.3f} (2 workers)")
    for workers, result in ((1, result_one), (2, result_two)):
        per_trial = [t["seconds"] for t in result["trials"]]
        print(f"  training seconds per trial on {workers} worker(s): min {min(per_trial):.1f}, max {max(per_trial):.1f}, "
              f"sum {sum(per_trial):.1f}")


if __name__ == "__main__":
    main()
