"""Data-parallel training (DistributedDataParallel over Dask workers) against one worker.

One training function, one simulated training set, one seed, on IceSight's embedded cluster (TLS).
Baseline: ``fit`` with ``data_parallel=1`` as a Dask task on one worker with one thread. Then the
same on one worker with every core, and ``data_parallel`` 2 (and 4 when the machine has 4 cores)
on workers with one thread each: the same global batch split over the ranks. Prints seconds per
epoch (training, and validation on rank 0; the launch and rendezvous count in the wall time only),
the speed-up against the baseline and the best validation log loss.

Read two comparisons. Against the baseline, N workers say what scaling out to N workers of the
same size buys. Against one worker with every core, the same cores split into processes: on a
2-core machine no gain is to be expected there, since torch already spreads one process's
convolutions over both cores and every data-parallel step adds a gradient all-reduce.

Usage: python bench/bench_distributed_training.py [--patches 800] [--epochs 4] [--batch-size 64]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patches", type=int, default=800)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()

    from distributed import Client

    from icesight_backend.compute import embedded_cluster
    from icesight_backend.learning.data import arrays_from_simulation, stratified_split
    from icesight_backend.learning.training import TrainingConfig, fit
    from icesight_backend.sar.simulation import simulate_patches
    from icesight_contract import AcquisitionMode

    arrays = arrays_from_simulation(simulate_patches(args.patches, AcquisitionMode.IW, seed=5))
    train_index, val_index = stratified_split(arrays.labels, 0.2, seed=0)
    train, validation = arrays.subset(train_index), arrays.subset(val_index)
    n_workers = max(2, min(4, os.cpu_count() or 1))
    rank_counts = [n for n in (2, 4) if n <= n_workers]

    def config(ranks: int) -> TrainingConfig:
        return TrainingConfig(epochs=args.epochs, patience=args.epochs + 1, batch_size=args.batch_size, seed=1,
                              data_parallel=ranks)

    def timed(run) -> tuple[float, float, float]:
        started = time.perf_counter()
        trained = run()
        wall = time.perf_counter() - started
        return trained.train_seconds / trained.epochs_run, wall, min(h.val_log_loss for h in trained.history)

    def on_one_worker(threads: int) -> tuple[float, float, float]:
        with embedded_cluster(1, threads) as cluster, Client(cluster) as client:
            shared = client.scatter([train, validation])
            client.submit(fit, client.scatter(train.subset(np.arange(64))), shared[1], config(1), pure=False).result()  # warm up
            return timed(lambda: client.submit(fit, *shared, config(1), pure=False).result())

    cores = os.cpu_count() or 1
    rows = [("1 worker x 1 thread (baseline)", *on_one_worker(1))]
    if cores > 1:
        rows.append((f"1 worker x {cores} threads", *on_one_worker(cores)))
    with embedded_cluster(n_workers, 1) as cluster, Client(cluster) as client:
        fit(train.subset(np.arange(64)), validation, config(rank_counts[-1]), client=client)  # warm up every worker
        for ranks in rank_counts:
            rows.append((f"{ranks} workers x 1 thread", *timed(lambda ranks=ranks: fit(train, validation, config(ranks), client=client))))

    base = rows[0][1]
    print(f"data-parallel training: {args.epochs} epochs on {len(train)} patches (validation {len(validation)}), "
          f"global batch {args.batch_size}, {cores} cores")
    print(f"  {'':<32} s/epoch   speed-up   wall s   best val log loss")
    for label, per_epoch, wall, loss in rows:
        print(f"  {label:<32} {per_epoch:6.2f}     {base / per_epoch:5.2f}x   {wall:6.1f}   {loss:.3f}")

if __name__ == "__main__":
    main()
