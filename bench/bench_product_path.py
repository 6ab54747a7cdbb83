"""The classifier's figures through the product's default training path, over several seeds.

Each seed trains one model as ``train_model {"simulated": {"n_patches": N, "seed": s}}`` does with
every other setting at its default: the set drawn part by part as the job draws it
(``jobs.experiments.simulated_training_arrays``; half randomised, 20 % clutter patches), the default
``TrainingConfig`` (LeNet, 40 epochs, patience 12, temperature scaling) with the training seed equal
to the set's seed. Every model is scored, with test-time augmentation as classification jobs serve
it, on three held-out EW HH/HV sets of 600 patches (20 % clutter): nominal family A, nominal family
B (the other simulator family: our stand-in for data made by someone else) and randomised.
Printed per seed and as the mean over seeds: ship/iceberg accuracy, log loss and expected
calibration error on the target patches, the share of ships called ship, and the share of clutter
patches called clutter. Data: IceSight's own simulator only.

The tables in docs/simulator.md headed "product path" come from this procedure (3,208 patches,
seeds 0-3: about 3 minutes a seed on two CPU cores).

Usage: python bench/bench_product_path.py [--seeds 0,1,2,3] [--n-patches 3208] [--epochs 40]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from icesight_backend.jobs.experiments import simulated_training_arrays
from icesight_backend.learning.data import arrays_from_simulation
from icesight_backend.learning.outputs import ICEBERG_THRESHOLD, binary_metrics
from icesight_backend.learning.training import TrainingConfig, classify_served, train_model
from icesight_backend.sar.simulation import simulate_patches
from icesight_contract import DEFAULT_TRAIN_EPOCHS, AcquisitionMode, ClassName, SimulatedPatchSet

N_TEST = 600
TEST_CLUTTER_FRACTION = 0.2


def test_sets() -> dict:
    ew = AcquisitionMode.EW
    return {
        "nominal A": arrays_from_simulation(simulate_patches(N_TEST, ew, seed=9001,
                                                             clutter_fraction=TEST_CLUTTER_FRACTION)),
        "family B": arrays_from_simulation(simulate_patches(N_TEST, ew, seed=9002, family="B",
                                                            clutter_fraction=TEST_CLUTTER_FRACTION)),
        "randomised": arrays_from_simulation(simulate_patches(N_TEST, ew, seed=9003, randomise=True,
                                                              clutter_fraction=TEST_CLUTTER_FRACTION)),
    }


def score(model, arrays) -> dict:
    served = classify_served(model, arrays)
    targets = arrays.labels != ClassName.CLUTTER.index
    y = arrays.labels[targets]
    metrics = binary_metrics(y, served.iceberg[targets])
    metrics["ships_called_ship"] = float(np.mean(served.iceberg[targets][y == ClassName.SHIP.index] < ICEBERG_THRESHOLD))
    metrics["clutter_called_clutter"] = (float(np.mean(served.clutter[~targets] >= 0.5))
                                         if served.clutter is not None and (~targets).any() else float("nan"))
    return metrics


KEYS = ("accuracy", "log_loss", "ece", "ships_called_ship", "clutter_called_clutter")


def line(name: str, m: dict) -> str:
    return (f"   {name:11s} acc {m['accuracy']:.3f}  log loss {m['log_loss']:.3f}  ECE {m['ece']:.3f}  "
            f"ships called ship {m['ships_called_ship']:.0%}  clutter called clutter {m['clutter_called_clutter']:.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", default="0,1,2,3", help="comma-separated set and training seeds")
    parser.add_argument("--n-patches", type=int, default=SimulatedPatchSet().n_patches)
    parser.add_argument("--epochs", type=int, default=DEFAULT_TRAIN_EPOCHS)
    args = parser.parse_args()
    print(__doc__.split("\n\n")[0])
    tests = test_sets()
    results: dict[str, list[dict]] = {name: [] for name in tests}
    for seed in (int(s) for s in args.seeds.split(",")):
        started = time.perf_counter()
        arrays = simulated_training_arrays(SimulatedPatchSet(n_patches=args.n_patches, seed=seed))
        trained = train_model(arrays, TrainingConfig(seed=seed, epochs=args.epochs))
        model = trained.loaded()
        print(f"\n  seed {seed}: {args.n_patches} patches, {trained.epochs_run} epochs run "
              f"({time.perf_counter() - started:.0f} s)", flush=True)
        for name, test in tests.items():
            results[name].append(score(model, test))
            print(line(name, results[name][-1]), flush=True)
    print("\n  mean over seeds:")
    for name, rows in results.items():
        print(line(name, {k: float(np.mean([r[k] for r in rows])) for k in KEYS})
              + "  (accuracy per seed " + ", ".join(f"{r['accuracy']:.3f}" for r in rows) + ")")


if __name__ == "__main__":
    main()
