"""Learning figures: CNN against a classical baseline on the same held-out split, training speed,
and how a model trained only on simulated data labels the real OpenSARShip ships.

1. A simulated Statoil-sized set (1,604 EW HH/HV patches): 20 % held out; the CNN trains on the
   rest (with its own validation split for early stopping); logistic regression and gradient
   boosting train on hand features (peak, mean, HV/HH ratio, bright-pixel count) of the same part.
2. Seconds for 20 epochs of the LeNet-like model on 1,604 patches on this CPU, against the
   reference's 60 s on a GTX 1080.
3. A LeNet trained on simulated IW VV/VH patches classifies the 50 OpenSARShip GRDH ship chips
   (VV as co-pol, VH as cross-pol): the share called "ship".

Usage: python bench/bench_learning_figures.py [--architecture lenet|reference_cnn] [--epochs 20]
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

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "opensarship"


def hand_features(images: np.ndarray) -> np.ndarray:
    co, cross = images[:, 0], images[:, 1]
    centre = np.s_[:, 27:48, 27:48]
    peak_co, peak_cross = co[centre].max(axis=(1, 2)), cross[centre].max(axis=(1, 2))
    background = np.median(co, axis=(1, 2))
    bright = (co[centre] > background[:, None, None] + 6).sum(axis=(1, 2))
    return np.stack([peak_co, peak_cross, peak_cross - peak_co, co[centre].mean(axis=(1, 2)) - background,
                     cross[centre].mean(axis=(1, 2)), np.log1p(bright)], axis=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--architecture", default="lenet", choices=[a.value for a in ModelArchitecture])
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args()
    architecture = ModelArchitecture(args.architecture)

    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    arrays = arrays_from_simulation(simulate_patches(1604, AcquisitionMode.EW, seed=101))
    learn, held_out = stratified_split(arrays.labels, 0.2, seed=7)
    train_part, test_part = arrays.subset(learn), arrays.subset(held_out)
    started = time.perf_counter()
    trained = train_model(train_part, TrainingConfig(architecture=architecture, epochs=args.epochs, patience=args.epochs))
    seconds = time.perf_counter() - started
    cnn = binary_metrics(test_part.labels, classify_arrays(LoadedModel.from_bytes(trained.to_bytes()), test_part))
    x_train, x_test = hand_features(train_part.images), hand_features(test_part.images)
    print(f"1. held-out set of {len(test_part)} simulated EW patches (CNN trained on {len(train_part)})")
    print(f"   {architecture.value:26s} log loss {cnn['log_loss']:.3f}  accuracy {cnn['accuracy']:.3f}  "
          f"ROC AUC {cnn['roc_auc']:.3f}  ECE {cnn['ece']:.3f}")
    for name, model in (
        ("logistic regression", make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))),
        ("gradient boosting", HistGradientBoostingClassifier(random_state=0)),
    ):
        model.fit(x_train, train_part.labels)
        base = binary_metrics(test_part.labels, model.predict_proba(x_test)[:, 1])
        print(f"   {name:26s} log loss {base['log_loss']:.3f}  accuracy {base['accuracy']:.3f}  "
              f"ROC AUC {base['roc_auc']:.3f}  ECE {base['ece']:.3f}")

    per_epoch = seconds / max(trained.epochs_run, 1)
    print(f"2. {architecture.value}: {trained.epochs_run} epochs on {len(train_part)} patches in {seconds:.1f} s "
          f"({per_epoch:.2f} s/epoch; 20 epochs on 1,604 patches about {per_epoch * 20 * 1604 / len(train_part):.0f} s) "
          "against the reference's 60 s on a GTX 1080")

    chips = read_opensarship(DATA)
    sim = arrays_from_simulation(simulate_patches(1604, AcquisitionMode.IW, seed=202, co_pol=CoPol.VV))
    iw_model = train_model(sim, TrainingConfig(architecture=architecture, epochs=args.epochs))
    real = arrays_from_records([chip.to_patch() for chip in chips])
    probabilities = classify_arrays(LoadedModel.from_bytes(iw_model.to_bytes()), real)
    share = float(np.mean(probabilities < 0.5))
    print(f"3. OpenSARShip (VV as co-pol, VH as cross-pol; {len(chips)} IW GRDH ship chips): {share:.1%} called ship "
          f"by a model trained only on simulated IW VV/VH patches (median iceberg probability {np.median(probabilities):.2f})")


if __name__ == "__main__":
    main()
