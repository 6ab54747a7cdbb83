"""Training speed inside a Dask worker, against the same training in this process.

Three runs of one training function (LeNet-like CNN, simulated patches, fixed seed):
  1. baseline: in this process, torch on all cores;
  2. a LocalCluster worker with Dask's default nanny environment;
  3. a worker of IceSight's embedded cluster (``icesight_backend.compute.embedded_cluster``).
Prints seconds and ratios to the baseline. Shared machines are noisy: read the ratios, repeat.

Usage: python bench/bench_worker_training.py [--patches 800] [--epochs 4]
"""

from __future__ import annotations

import argparse
import os
import time


def train_once(n_patches: int, epochs: int, threads: int) -> float:
    import torch

    from icesight_backend.learning.data import arrays_from_simulation
    from icesight_backend.learning.training import TrainingConfig, train_model
    from icesight_backend.sar.simulation import simulate_patches

    torch.set_num_threads(threads)
    arrays = arrays_from_simulation(simulate_patches(n_patches, seed=1))
    started = time.perf_counter()
    train_model(arrays, TrainingConfig(epochs=epochs, patience=epochs + 1))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patches", type=int, default=800)
    parser.add_argument("--epochs", type=int, default=4)
    args = parser.parse_args()
    threads = os.cpu_count() or 1

    from distributed import Client, LocalCluster

    from icesight_backend.compute import embedded_cluster

    baseline = train_once(args.patches, args.epochs, threads)
    with LocalCluster(n_workers=1, threads_per_worker=threads, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
        dask_default = client.submit(train_once, args.patches, args.epochs, threads, pure=False).result()
    with embedded_cluster(1, threads) as cluster, Client(cluster) as client:
        icesight = client.submit(train_once, args.patches, args.epochs, threads, pure=False).result()

    print(f"training {args.epochs} epochs on {args.patches} patches, {threads} threads")
    print(f"  in this process (baseline)        {baseline:7.1f} s   1.00x")
    print(f"  Dask worker, default environment  {dask_default:7.1f} s   {dask_default / baseline:.2f}x")
    print(f"  IceSight embedded cluster worker  {icesight:7.1f} s   {icesight / baseline:.2f}x")


if __name__ == "__main__":
    main()
