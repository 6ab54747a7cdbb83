"""Ablation study through the API: which inputs and layers the LeNet-like model needs on the
simulated Statoil-sized set (1,604 EW HH/HV patches), each configuration trained with two seeds.

Starts a real backend with 2 single-thread Dask workers, builds the feature group and a training
dataset, runs ``run_ablation`` over every component and prints the table: mean validation log loss
and accuracy, and the change against the full model paired seed by seed, with its spread.

Usage: python bench/bench_ablation.py [--epochs 10] [--repeats 2] [--architecture lenet]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench_search_scaling import _run

from icesight_backend.launcher import BackendProcess


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--architecture", default="lenet")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        extra = ["--n-workers", "2", "--threads-per-worker", "1"]
        with BackendProcess(Path(tmp) / "data", Path(tmp) / "config", extra_args=extra) as backend:
            headers = {"Authorization": f"Bearer {backend.token}"}
            _run(backend.url, headers, "build_feature_group", {"group": "statoil_sized", "simulated": {"n_patches": 1604, "seed": 101}})
            _run(backend.url, headers, "create_training_dataset", {"name": "statoil_sized", "feature_group": {"group": "statoil_sized"}})
            result = _run(backend.url, headers, "run_ablation", {
                "training_dataset": {"name": "statoil_sized"}, "architecture": args.architecture, "epochs": args.epochs,
                "patience": args.epochs, "repeats": args.repeats,
            })
    print(f"ablation of {args.architecture}, {args.epochs} epochs, {args.repeats} seeds per configuration, "
          f"{result['parallel']} trials at a time, {result['seconds']:.0f} s")
    print(f"  {'left out':14s} {'log loss':>9s} {'(sd)':>7s} {'accuracy':>9s} {'d log loss':>11s} {'(sd)':>7s} {'d accuracy':>11s} {'parameters':>11s}")
    for row in result["rows"]:
        print(f"  {row['component']:14s} {row['val_log_loss']:9.3f} {row['val_log_loss_std']:7.3f} {row['val_accuracy']:9.3f} "
              f"{row['delta_log_loss']:+11.3f} {row['delta_log_loss_std']:7.3f} {row['delta_accuracy']:+11.3f} {row['n_parameters']:11d}")


if __name__ == "__main__":
    main()
