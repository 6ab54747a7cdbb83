"""Learning figures: CNN against a classical baseline on the same held-out split, training speed,
and how a model trained only on simulated data labels the real OpenSARShip ships.

1. A simulated Statoil-sized set (1,604 EW HH/HV patches): 20 % held out; the reference CNN and
   the LeNet-like model train on the rest (with their own validation split for early stopping);
   logistic regression and gradient boosting train on hand features (peak, mean, HV/HH ratio,
   bright-pixel count) of the same part.
2. Seconds for 20 epochs of the LeNet-like model on 1,604 patches on this CPU, against the
   reference's 60 s on a GTX 1080.
3. LeNets trained on simulated IW VV/VH patches (3 training seeds) classify the 50 OpenSARShip
   GRDH ship chips (VV as co-pol, VH as cross-pol): the share called "ship", per seed and on average.

The CNNs are scored with test-time augmentation (the mean over the 8 flips and quarter turns),
as classification jobs serve them; the reference CNN also without.

Usage: python bench/bench_learning_figures.py [--epochs 20] [--reference-epochs 30] [--seeds 3]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from icesight_backend.learning.data import arrays_from_records, arrays_from_simulation, stratified_split
from icesight_backend.learning.training import (
    LoadedModel,
    TrainingConfig,
    binary_metrics,
    classify_arrays,
    train_model,
)
from icesight_backend.sar.readers.opensarship import read_opensarship
from icesight_backend.sar.simulation import simulate_patches
from icesight_contract import AcquisitionMode, CoPol, ModelArchitecture

DATA = Path(__file__).resolve().parents[1] / "data" / "opensarship"


def hand_features(images: np.ndarray) -> np.ndarray:
    co, cross = images[:, 0], images[:, 1]
    centre = np.s_[:, 27:48, 27:48]
    peak_co, peak_cross = co[centre].max(axis=(1, 2)), cross[centre].max(axis=(1, 2))
    background = np.median(co, axis=(1, 2))
    bright = (co[centre] > background[:, None, None] + 6).sum(axis=(1, 2))
    return np.stack([peak_co, peak_cross, peak_cross - peak_co, co[centre].mean(axis=(1, 2)) - background,
                     cross[centre].mean(axis=(1, 2)), np.log1p(bright)], axis=1)


def _line(name: str, m: dict) -> str:
    return (f"   {name:34s} log loss {m['log_loss']:.3f}  accuracy {m['accuracy']:.3f}  "
            f"ROC AUC {m['roc_auc']:.3f}  ECE {m['ece']:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=20, help="LeNet epochs (the speed figure is for 20)")
    parser.add_argument("--reference-epochs", type=int, default=30, help="reference CNN epochs (early stopping, patience 8)")
    parser.add_argument("--seeds", type=int, default=3, help="training seeds for the OpenSARShip figure")
    args = parser.parse_args()

    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    arrays = arrays_from_simulation(simulate_patches(1604, AcquisitionMode.EW, seed=101))
    learn, held_out = stratified_split(arrays.labels, 0.2, seed=7)
    train_part, test_part = arrays.subset(learn), arrays.subset(held_out)
    print(f"1. held-out set of {len(test_part)} simulated EW patches (models trained on {len(train_part)}; the CNNs keep "
          "20 % of that for early stopping)", flush=True)
    started = time.perf_counter()
    reference = train_model(train_part, TrainingConfig(architecture=ModelArchitecture.REFERENCE_CNN,
                                                       epochs=args.reference_epochs, patience=8))
    reference_seconds = time.perf_counter() - started
    loaded = LoadedModel.from_bytes(reference.to_bytes())
    print(_line("reference CNN, 8-fold TTA", binary_metrics(test_part.labels, classify_arrays(loaded, test_part))))
    print(_line("reference CNN, single pass", binary_metrics(test_part.labels, classify_arrays(loaded, test_part, tta=False))))
    started = time.perf_counter()
    lenet = train_model(train_part, TrainingConfig(architecture=ModelArchitecture.LENET, epochs=args.epochs, patience=args.epochs))
    lenet_seconds = time.perf_counter() - started
    loaded = LoadedModel.from_bytes(lenet.to_bytes())
    print(_line("LeNet-like, 8-fold TTA", binary_metrics(test_part.labels, classify_arrays(loaded, test_part))))
    x_train, x_test = hand_features(train_part.images), hand_features(test_part.images)
    for name, model in (
        ("logistic regression (hand features)", make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))),
        ("gradient boosting (hand features)", HistGradientBoostingClassifier(random_state=0)),
    ):
        model.fit(x_train, train_part.labels)
        print(_line(name, binary_metrics(test_part.labels, model.predict_proba(x_test)[:, 1])))
    print(f"   (reference CNN: {reference.epochs_run} epochs, best {reference.best_epoch}, {reference_seconds:.0f} s on this CPU)")

    per_epoch = lenet_seconds / max(lenet.epochs_run, 1)
    print(f"2. LeNet-like: {lenet.epochs_run} epochs on {len(train_part)} patches in {lenet_seconds:.1f} s "
          f"({per_epoch:.2f} s/epoch; 20 epochs on 1,604 patches about {per_epoch * 20 * 1604 / len(train_part):.0f} s) "
          "against the reference's 60 s on a GTX 1080", flush=True)

    chips = read_opensarship(DATA)
    sim = arrays_from_simulation(simulate_patches(1604, AcquisitionMode.IW, seed=202, co_pol=CoPol.VV))
    real = arrays_from_records([chip.to_patch() for chip in chips])
    shares = []
    for seed in range(args.seeds):
        iw_model = train_model(sim, TrainingConfig(architecture=ModelArchitecture.LENET, epochs=args.epochs, seed=seed))
        probabilities = classify_arrays(LoadedModel.from_bytes(iw_model.to_bytes()), real)
        shares.append(float(np.mean(probabilities < 0.5)))
    print(f"3. OpenSARShip (VV as co-pol, VH as cross-pol; {len(chips)} IW GRDH ship chips): {np.mean(shares):.1%} called ship "
          f"on average by LeNets trained only on simulated IW VV/VH patches ({args.seeds} seeds: "
          f"{', '.join(f'{s:.0%}' for s in shares)})")


if __name__ == "__main__":
    main()
