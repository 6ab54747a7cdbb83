"""Global against patch-relative input normalisation, and nominal against domain-randomised training,
measured on three test sets: nominal (family A), the other simulator family (B) and randomised.

"Global" is what models use: each channel in dB, standardised with the training set's mean and
spread. "Relative" first subtracts, per patch and channel, the median of the patch's 8 px border
ring (its own clutter level, the rule the attributions' baseline uses), so the network sees dB above
the local sea or ice. Five LeNets (EW, HH/HV, 20 % clutter patches, same seed and budget) are
trained: {nominal, randomised} x {global, relative}, and the default training set (half the
patches randomised, drawn per patch) with global input. Printed per model and test set, on the test
sets of bench_product_path.py: ship/iceberg accuracy, log loss and ECE on the target patches, the
share of ships called ship, and the share of clutter patches called clutter. Data: IceSight's own
simulator only (600 test patches per set).

Usage: python bench/bench_input_reference.py [--n-train 3208] [--epochs 20] [--seed 1]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from icesight_backend.learning.attribution import clutter_level_db
from icesight_backend.learning.data import PatchArrays, arrays_from_simulation
from icesight_backend.learning.training import TrainingConfig, train_model
from icesight_backend.sar.simulation import simulate_patches
from icesight_contract import AcquisitionMode, SimulatedPatchSet
from icesight_contract.common import DEFAULT_RANDOMISED_FRACTION

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_product_path import line, score, test_sets  # noqa: E402  (the same test sets and scores)

CLUTTER_FRACTION = 0.2


def relative(arrays: PatchArrays) -> PatchArrays:
    """The patches in dB above their own border-ring median, per channel."""
    shifted = arrays.images - clutter_level_db(arrays.images)[:, :, None, None]
    return PatchArrays(arrays.ids, shifted.astype(np.float32), arrays.inc_angle_deg, arrays.labels, arrays.channels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n-train", type=int, default=SimulatedPatchSet().n_patches)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(__doc__.split("\n\n")[0])
    ew = AcquisitionMode.EW
    tests = test_sets()
    runs = ((0.0, ("global", "relative")), (1.0, ("global", "relative")), (DEFAULT_RANDOMISED_FRACTION, ("global",)))
    for share, references in runs:
        train = arrays_from_simulation(simulate_patches(args.n_train, ew, seed=args.seed, randomise=share,
                                                        clutter_fraction=CLUTTER_FRACTION))
        for reference in references:
            started = time.perf_counter()
            shift = relative if reference == "relative" else (lambda a: a)
            model = train_model(shift(train), TrainingConfig(epochs=args.epochs, seed=args.seed)).loaded()
            print(f"\n  {share:.0%} randomised training, {reference} input "
                  f"({args.n_train} patches, {args.epochs} epochs, {time.perf_counter() - started:.0f} s)")
            for name, arrays in tests.items():
                print(line(name, score(model, shift(arrays))))


if __name__ == "__main__":
    main()
