"""Leave-one-family-out: does a classifier trained on one simulator hold on another, and on real ships?

The simulator has two families of modelling choices (``icesight_backend.sar.simulation.FAMILIES``):
A = Hamming-weighted sinc impulse response, K-distributed (Gamma texture) sea, ship brightness
17.1 dB per decade of length (measured on the real chips), scatterers anywhere on deck, harmonic iceberg outlines with one facet;
B = Gaussian response with exponential sidelobe tails, log-normal sea texture, ship brightness
14 dB per decade, scatterers clustered at bow/midship/stern, polygonal icebergs with facet spots.

1. Cross-family (EW, HH/HV, as the classifier is served): a LeNet trained on family X is scored on
   held-out nominal patches of family X (in-family) and of the other family (cross-family), once
   trained on nominal patches ("before": no randomisation) and once on domain-randomised patches
   ("after"). Test sets are the same for before and after. Accuracy, log loss, ECE, and the share
   of ships called ship.
2. Real ships: LeNets trained on simulated IW VV/VH patches (nominal family A before; randomised,
   both families, after; nominal with the default share of clutter patches; the default training
   set, half randomised with clutter patches) classify the
   OpenSARShip GRDH chips (VV as co-pol, VH as cross-pol; validation only, never trained on):
   share called ship (and, for the clutter model, called clutter) over ``--seeds`` training seeds.

Models are scored with test-time augmentation, as classification jobs serve them. The defaults
keep the run near 10 minutes on 2 CPU cores; ``--n-train``/``--epochs`` trade time for figures.

Usage: python bench/bench_domain_shift.py [--n-train 500] [--n-test 300] [--epochs 6] [--patience N] [--seeds 3] [--real-only]
       [--default-only]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from icesight_backend.learning.data import arrays_from_records, arrays_from_simulation
from icesight_backend.learning.outputs import CLUTTER, SHIP
from icesight_backend.learning.training import TrainingConfig, classify_served, train_model
from icesight_backend.sar.readers.opensarship import read_opensarship
from icesight_backend.sar.simulation import FAMILIES, simulate_patches
from icesight_contract import (
    DEFAULT_TRAIN_EPOCHS,
    DEFAULT_TRAIN_PATIENCE,
    AcquisitionMode,
    CoPol,
    ModelArchitecture,
    SimulatedPatchSet,
)
from icesight_contract.common import DEFAULT_CLUTTER_FRACTION, DEFAULT_RANDOMISED_FRACTION

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_product_path import TARGET_KEYS, mean_scores, score  # noqa: E402  (ship/iceberg scores as every classifier bench prints them)

DATA = Path(__file__).resolve().parents[1] / "data" / "opensarship"


def _simulated(n: int, mode: AcquisitionMode, seed: int, randomise: bool | float, family: str | None,
               co_pol: CoPol = CoPol.HH, clutter_fraction: float = 0.0):
    source = (f"simulate_patches({n}, {mode.value}, co_pol={co_pol.value}, seed={seed}, randomise={randomise}, "
              f"family={family!r}, clutter_fraction={clutter_fraction})")
    return arrays_from_simulation(simulate_patches(n, mode, seed=seed, co_pol=co_pol, randomise=randomise,
                                                   family=family, clutter_fraction=clutter_fraction),
                                  id_prefix=f"s{seed}"), source


def _row(label: str, m: dict) -> str:
    return (f"   {label:44s} acc {m['accuracy']:.3f}  log loss {m['log_loss']:.3f}  ECE {m['ece']:.3f}  "
            f"ships called ship {m['ships_called_ship']:.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n-train", type=int, default=500, help="simulated training patches per model")
    parser.add_argument("--n-test", type=int, default=300, help="simulated test patches per family")
    parser.add_argument("--epochs", type=int, default=6, help="LeNet epochs")
    parser.add_argument("--patience", type=int, default=None,
                        help="early-stopping patience (default: as many as the epochs, i.e. off)")
    parser.add_argument("--seeds", type=int, default=3, help="training seeds for the real-ship figure")
    parser.add_argument("--data", type=Path, default=DATA, help="OpenSARShip chips (validation only)")
    parser.add_argument("--real-only", action="store_true", help="only part 2, the real ships")
    parser.add_argument("--default-only", action="store_true",
                        help=f"part 2 for the default training set only (with --n-train {SimulatedPatchSet().n_patches} "
                             f"--epochs {DEFAULT_TRAIN_EPOCHS} --patience {DEFAULT_TRAIN_PATIENCE}: the product's default "
                             "budget)")
    args = parser.parse_args()
    started = time.perf_counter()
    config = lambda seed: TrainingConfig(architecture=ModelArchitecture.LENET, epochs=args.epochs,  # noqa: E731
                                         patience=args.patience or args.epochs, seed=seed)

    if not args.real_only:
        leave_one_family_out(args, config)
    real_ships(args, config)
    print(f"({time.perf_counter() - started:.0f} s in all)")


def leave_one_family_out(args, config) -> None:
    print("1. Leave one simulator family out (EW 40 m, HH/HV)", flush=True)
    tests = {}
    for index, family in enumerate(FAMILIES):
        tests[family], source = _simulated(args.n_test, AcquisitionMode.EW, 9000 + index, False, family)
        print(f"   test set {family}: {source}")
    summary = {}
    for randomise in (False, True):
        stage = "after (randomised)" if randomise else "before (nominal)"
        for index, family in enumerate(FAMILIES):
            train, source = _simulated(args.n_train, AcquisitionMode.EW, 100 + index, randomise, family)
            model = train_model(train, config(0)).loaded()
            print(f"   {stage}, trained on {source}", flush=True)
            for test_family in FAMILIES:
                where = "in-family" if test_family == family else "cross-family"
                scores = score(model, tests[test_family])
                summary.setdefault((randomise, where), []).append(scores)
                print(_row(f"{where}: train {family} -> test {test_family}", scores), flush=True)
    print("   mean over the two directions:")
    for (randomise, where), rows in summary.items():
        print(_row(f"{'after' if randomise else 'before'}, {where}", mean_scores(rows, TARGET_KEYS)))


def real_ships(args, config) -> None:
    chips = read_opensarship(args.data)
    real = arrays_from_records([chip.to_patch() for chip in chips])
    print(f"2. Real ships: {len(chips)} OpenSARShip IW GRDH chips from {args.data} (VV as co-pol, VH as cross-pol; "
          "validation only, never trained on)", flush=True)
    stages = (("before", False, 0.0), ("after (randomised)", True, 0.0),
              (f"nominal with {DEFAULT_CLUTTER_FRACTION:.0%} clutter patches", False, DEFAULT_CLUTTER_FRACTION),
              (f"the default: {DEFAULT_RANDOMISED_FRACTION:.0%} randomised, {DEFAULT_CLUTTER_FRACTION:.0%} clutter patches",
               DEFAULT_RANDOMISED_FRACTION, DEFAULT_CLUTTER_FRACTION))
    for stage, randomise, clutter in stages[-1:] if args.default_only else stages:
        train, source = _simulated(args.n_train, AcquisitionMode.IW, 202, randomise, None if randomise else "A",
                                   CoPol.VV, clutter)
        shares, clutter_shares = [], []
        for seed in range(args.seeds):
            called = classify_served(train_model(train, config(seed)).loaded(), real).classes()
            shares.append(float(np.mean(called == SHIP)))
            clutter_shares.append(float(np.mean(called == CLUTTER)))
        print(f"   {stage}: trained on {source}, training seeds 0-{args.seeds - 1}: "
              f"{np.mean(shares):.1%} called ship (spread {np.std(shares, ddof=1) if len(shares) > 1 else 0.0:.1%} sd, "
              f"min {min(shares):.0%}, max {max(shares):.0%}; per seed {', '.join(f'{s:.0%}' for s in shares)}); "
              f"called clutter {np.mean(clutter_shares):.1%}", flush=True)


if __name__ == "__main__":
    main()
