"""Attribution throughput: patches per second of each method, batched against one patch at a time.

A LeNet-like CNN is trained briefly on simulated patches, then every method explains simulated
patches with the 8-view test-time augmentation (what the service classifies with):
  batched       explain() on a set of patches at a few internal batch sizes; the best is kept;
  one at a time explain() called per patch with internal_batch_size=1 (one patch evaluation per
                forward pass: integrated gradients then runs its steps one by one), on fewer patches.
Both in the same run, on the same model. Shared machines are noisy: read the ratios, repeat.

Usage: python bench/bench_attribution.py [--train-patches 400] [--epochs 5] [--methods ...]
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass


@dataclass
class Case:
    """What one method is benchmarked on: the internal batch sizes tried and how many patches."""

    method: str
    work: str
    batch_sizes: tuple[int, ...]
    n_batched: int
    n_single: int


CASES = [
    Case("integrated_gradients", "50 steps", (50, 200), 4, 2),
    Case("saliency", "1 gradient", (16, 64), 32, 8),
    Case("gradcam", "1 gradient per view", (16, 64), 32, 8),
    Case("occlusion", "15 px windows every 10 px", (32, 128), 3, 1),
    Case("gradient_shap", "20 samples", (20, 80), 8, 2),
    Case("deeplift", "1 pass per view", (16, 64), 24, 4),
]
SETTINGS = {"n_steps": 50, "n_samples": 20, "occlusion_window_px": 15, "occlusion_stride_px": 10, "tta": True}


def patches_per_second(model, arrays, method: str, internal_batch_size: int, one_at_a_time: bool) -> float:
    from icesight_backend.learning.attribution import explain

    started = time.perf_counter()
    if one_at_a_time:
        for i in range(len(arrays)):
            explain(model, arrays.subset([i]), method, internal_batch_size=internal_batch_size, **SETTINGS)
    else:
        explain(model, arrays, method, internal_batch_size=internal_batch_size, **SETTINGS)
    return len(arrays) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train-patches", type=int, default=400)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--methods", nargs="*", default=[c.method for c in CASES])
    args = parser.parse_args()

    import numpy as np
    import torch

    from icesight_backend.learning.attribution import explain
    from icesight_backend.learning.data import arrays_from_simulation
    from icesight_backend.learning.training import TrainingConfig, pick_device, train_model
    from icesight_backend.sar.simulation import simulate_patches

    started = time.perf_counter()
    trained = train_model(arrays_from_simulation(simulate_patches(args.train_patches, seed=1)),
                          TrainingConfig(epochs=args.epochs, patience=args.epochs + 1))
    model = trained.loaded()
    n_eval = max(c.n_batched for c in CASES)
    evaluation = arrays_from_simulation(simulate_patches(n_eval, seed=2), id_prefix="eval")
    print("data: simulated Sentinel-1 EW-like patches (icesight_backend.sar.simulation.simulate_patches), "
          f"{args.train_patches} for training (seed 1), {n_eval} to explain (seed 2)")
    print(f"model: LeNet-like, {trained.epochs_run} epochs, validation accuracy {trained.metrics.val_accuracy:.3f}, "
          f"trained in {time.perf_counter() - started:.0f} s")
    print(f"device: {pick_device()}, torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"{os.cpu_count()} cores; 8-view TTA on")
    explain(model, evaluation.subset(np.arange(2)), "saliency")  # warm-up: imports, oneDNN kernels

    print(f"\n{'method':22s} {'work per patch':26s} {'batch':>6s} {'batched':>10s} {'one by one':>11s} {'ratio':>7s}")
    print(f"{'':22s} {'':26s} {'':>6s} {'patch/s':>10s} {'patch/s':>11s} {'':>7s}")
    for case in CASES:
        if case.method not in args.methods:
            continue
        batched = {size: patches_per_second(model, evaluation.subset(np.arange(case.n_batched)), case.method, size,
                                            one_at_a_time=False)
                   for size in case.batch_sizes}
        best_size = max(batched, key=batched.get)
        single = patches_per_second(model, evaluation.subset(np.arange(case.n_single)), case.method, 1,
                                    one_at_a_time=True)
        print(f"{case.method:22s} {case.work:26s} {best_size:6d} {batched[best_size]:10.2f} {single:11.2f} "
              f"{batched[best_size] / single:6.1f}x", flush=True)
        others = ", ".join(f"{size}: {rate:.2f}" for size, rate in batched.items() if size != best_size)
        print(f"{'':22s} {'(other batch sizes ' + others + ')'}")
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
