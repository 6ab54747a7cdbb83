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
patches called clutter. Then the same models on stress sets (``stress_sets``): nominal family-A
target patches with one nuisance parameter set to one value, most of them beyond the range training
draws it from, to show which difference in someone else's data a model's decisions do not survive.
Data: IceSight's own simulator only.

The tables in docs/simulator.md headed "product path" come from this procedure (3,208 patches,
seeds 0-3: about 3 minutes a seed on two CPU cores).

Usage: python bench/bench_product_path.py [--seeds 0,1,2,3] [--n-patches 3208] [--epochs 40] [--no-stress]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import numpy as np

from icesight_backend.jobs.experiments import simulated_training_arrays
from icesight_backend.learning.data import arrays_from_simulation
from icesight_backend.learning.outputs import ICEBERG_THRESHOLD, binary_metrics
from icesight_backend.learning.training import TrainingConfig, classify_served, train_model
from icesight_backend.sar.simulation import (
    MODES,
    ClutterParams,
    ImpulseResponse,
    PatchNuisance,
    nominal_impulse_response,
    simulate_patches,
)
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


N_STRESS = 300


def stress_sets(n: int = N_STRESS) -> dict:
    """EW HH/HV target patches (no clutter patches) of the nominal family A with one nuisance fixed:
    name -> set. Training draws each parameter from the range ``sar.simulation.draw_nuisance`` gives
    it (listed in docs/simulator.md); most values here lie beyond it."""
    ew = MODES[AcquisitionMode.EW]

    def response(scale: float) -> ImpulseResponse:
        nominal = nominal_impulse_response(ew)
        return replace(nominal, width_px=nominal.width_px * scale)

    cases = {
        "response 0.5x as wide": PatchNuisance(impulse=response(0.5)),
        "response 2x as wide": PatchNuisance(impulse=response(2.0)),
        "targets 7 dB dimmer": PatchNuisance(brightness_db=-7.0),
        "targets 7 dB brighter": PatchNuisance(brightness_db=7.0),
        "noise floor 10 dB lower": PatchNuisance(clutter=ClutterParams(nesz_offset_db=-10.0)),
        "noise floor 8 dB higher": PatchNuisance(clutter=ClutterParams(nesz_offset_db=8.0)),
        "ENL 0.3x": PatchNuisance(clutter=ClutterParams(looks=ew.looks * 0.3)),
        "ENL 3x": PatchNuisance(clutter=ClutterParams(looks=ew.looks * 3.0)),
        "single-look speckle": PatchNuisance(clutter=ClutterParams(looks=1.0)),
        "wind 25 m/s": PatchNuisance(wind_speed_m_s=25.0),
        "target 20 px off centre": PatchNuisance(max_offset_px=20),
        "every patch in sea ice": PatchNuisance(ice_probability=(1.0, 1.0)),
        "scatterers of 1 look": PatchNuisance(scatterer_looks=1.0),
    }
    return {name: arrays_from_simulation(simulate_patches(n, AcquisitionMode.EW, seed=9100, nuisance=nuisance))
            for name, nuisance in cases.items()}


def score(model, arrays) -> dict:
    served = classify_served(model, arrays)
    targets = arrays.labels != ClassName.CLUTTER.index
    y = arrays.labels[targets]
    metrics = binary_metrics(y, served.iceberg[targets])
    metrics["ships_called_ship"] = float(np.mean(served.iceberg[targets][y == ClassName.SHIP.index] < ICEBERG_THRESHOLD))
    metrics["clutter_called_clutter"] = (float(np.mean(served.clutter[~targets] >= 0.5))
                                         if served.clutter is not None and (~targets).any() else float("nan"))
    return metrics


#: :func:`score`'s figures on the target patches, and all of them.
TARGET_KEYS = ("accuracy", "log_loss", "ece", "ships_called_ship")
KEYS = (*TARGET_KEYS, "clutter_called_clutter")


def mean_scores(rows: list[dict], keys: tuple[str, ...] = KEYS) -> dict:
    """The mean of :func:`score`'s figures over several models (or sets)."""
    return {k: float(np.mean([r[k] for r in rows])) for k in keys}


def line(name: str, m: dict) -> str:
    return (f"   {name:11s} acc {m['accuracy']:.3f}  log loss {m['log_loss']:.3f}  ECE {m['ece']:.3f}  "
            f"ships called ship {m['ships_called_ship']:.0%}  clutter called clutter {m['clutter_called_clutter']:.0%}")


def train_default(seed: int, n_patches: int | None = None, epochs: int = DEFAULT_TRAIN_EPOCHS):
    """One model as ``train_model {"simulated": {"n_patches": n, "seed": seed}}`` trains it (the default
    set and ``TrainingConfig``, training seed = set seed); returns the loaded model."""
    started = time.perf_counter()
    n_patches = n_patches or SimulatedPatchSet().n_patches
    arrays = simulated_training_arrays(SimulatedPatchSet(n_patches=n_patches, seed=seed))
    trained = train_model(arrays, TrainingConfig(seed=seed, epochs=epochs))
    print(f"\n  seed {seed}: {n_patches} patches, {trained.epochs_run} epochs run "
          f"({time.perf_counter() - started:.0f} s)", flush=True)
    return trained.loaded()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", default="0,1,2,3", help="comma-separated set and training seeds")
    parser.add_argument("--n-patches", type=int, help="training patches (default: the product's default set size)")
    parser.add_argument("--epochs", type=int, default=DEFAULT_TRAIN_EPOCHS)
    parser.add_argument("--no-stress", action="store_true", help="leave out the stress sets")
    args = parser.parse_args()
    print(__doc__.split("\n\n")[0])
    tests = test_sets()
    results: dict[str, list[dict]] = {name: [] for name in tests}
    models = []
    for seed in (int(s) for s in args.seeds.split(",")):
        model = train_default(seed, args.n_patches, args.epochs)
        models.append(model)
        for name, test in tests.items():
            results[name].append(score(model, test))
            print(line(name, results[name][-1]), flush=True)
    print("\n  mean over seeds:")
    for name, rows in results.items():
        print(line(name, mean_scores(rows))
              + "  (accuracy per seed " + ", ".join(f"{r['accuracy']:.3f}" for r in rows) + ")")
    if args.no_stress:
        return
    print(f"\n  stress sets: {N_STRESS} nominal family-A target patches each, one nuisance fixed; mean over seeds "
          "(the ranges training draws from: docs/simulator.md)")
    for name, test in stress_sets().items():
        rows = [score(model, test) for model in models]
        mean = mean_scores(rows, TARGET_KEYS)
        print(f"   {name:24s} acc {mean['accuracy']:.3f} (worst seed "
              f"{min(r['accuracy'] for r in rows):.3f})  log loss {mean['log_loss']:.3f}  ECE {mean['ece']:.3f}  "
              f"ships called ship {mean['ships_called_ship']:.0%}", flush=True)


if __name__ == "__main__":
    main()
