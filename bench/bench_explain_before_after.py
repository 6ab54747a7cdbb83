"""What the model looks at on a ship and an iceberg, before and after domain randomisation (Captum).

Data: IceSight's own simulator only. Two LeNets are trained with the same seed, epochs and patch
count on EW HH/HV patches: "before" on nominal patches (every nuisance parameter at its nominal
value), "after" on domain-randomised ones (brightness, impulse response, looks, noise floor, wind,
sea ice and target position drawn per patch; ``draw_nuisance``). Both explain the same held-out
ships and icebergs (nominal patches, 8-view test-time augmentation, integrated gradients from the
patch's own clutter level). Printed per model: the served probability, the HH/HV shares and how
much of |attribution| lies on the target (within 6 px of its centre) rather than on the clutter
around it. A PNG grid (HH dB, attribution to HH, attribution to HV; one row per model and patch)
is written to ``out/bench/explain_before_after.png``.

Usage: python bench/bench_explain_before_after.py [--n-train 1000] [--epochs 10] [--per-class 3]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from icesight_backend.learning.attribution import explain
from icesight_backend.learning.data import arrays_from_simulation
from icesight_backend.learning.training import TrainingConfig, train_model
from icesight_backend.sar.simulation import simulate_patches
from icesight_contract import AcquisitionMode

OUT = Path(__file__).resolve().parents[1] / "out" / "bench" / "explain_before_after.png"
TARGET_RADIUS_PX = 6


def _on_target_share(maps: np.ndarray, centres: np.ndarray) -> np.ndarray:
    rows, cols = np.mgrid[0 : maps.shape[1], 0 : maps.shape[2]]
    share = []
    for total, (row, col) in zip(np.abs(maps), centres, strict=True):
        near = np.hypot(rows - row, cols - col) <= TARGET_RADIUS_PX
        share.append(total[near].sum() / max(total.sum(), 1e-12))
    return np.asarray(share)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n-train", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--per-class", type=int, default=3, help="ships and icebergs explained")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    print(__doc__.split("\n\n")[0])
    models = {}
    for name, randomise in (("before (nominal)", False), ("after (randomised)", True)):
        started = time.perf_counter()
        sim = simulate_patches(args.n_train, AcquisitionMode.EW, seed=args.seed, randomise=randomise)
        models[name] = train_model(arrays_from_simulation(sim), TrainingConfig(epochs=args.epochs, seed=args.seed)).loaded()
        print(f"   {name}: trained on {args.n_train} patches in {time.perf_counter() - started:.0f} s")

    test_sim = simulate_patches(200, AcquisitionMode.EW, seed=4000 + args.seed)
    test = arrays_from_simulation(test_sim)
    chosen = np.concatenate([np.flatnonzero(test.labels == c)[: args.per_class] for c in (0, 1)])
    patches, centres = test.subset(chosen), test_sim.centre_px[chosen]
    results = {}
    for name, model in models.items():
        attributions = explain(model, patches, "integrated_gradients", n_steps=32, internal_batch_size=64)
        on_target = _on_target_share(attributions.total, centres)
        results[name] = (attributions, on_target)
        print(f"\n   {name}")
        for i, summary in enumerate(attributions.summaries()):
            truth = "iceberg" if patches.labels[i] else "ship"
            print(f"     {truth:7s} P(iceberg) {attributions.probability[i]:.2f}  HH {summary.hh_share:.2f}  "
                  f"HV {summary.hv_share:.2f}  on the target {on_target[i]:.0%}")
        print(f"     mean share of |attribution| within {TARGET_RADIUS_PX} px of the target: {on_target.mean():.0%}")
    _figure(patches, results, args.out)
    print(f"\n   pictures: {args.out}")


def _figure(patches, results: dict, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(patches)
    fig, axes = plt.subplots(n, 1 + 2 * len(results), figsize=(2.1 * (1 + 2 * len(results)), 2.1 * n), squeeze=False)
    for i in range(n):
        truth = "iceberg" if patches.labels[i] else "ship"
        hh = patches.images[i, 0]
        axes[i, 0].imshow(hh, cmap="gray", vmin=np.percentile(hh, 2), vmax=np.percentile(hh, 99.5))
        axes[i, 0].set_title(f"{truth}: HH dB", fontsize=8)
        for j, (name, (attributions, on_target)) in enumerate(results.items()):
            limit = np.percentile(np.abs(np.stack([attributions.hh[i], attributions.hv[i]])), 99.5) or 1.0
            for k, (band, values) in enumerate((("HH", attributions.hh[i]), ("HV", attributions.hv[i]))):
                ax = axes[i, 1 + 2 * j + k]
                ax.imshow(values, cmap="RdBu_r", vmin=-limit, vmax=limit)
                ax.set_title(f"{name.split()[0]} {band}, p={attributions.probability[i]:.2f}"
                             + (f", {on_target[i]:.0%} on target" if k == 0 else ""), fontsize=8)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("Integrated gradients (red: towards iceberg, blue: towards ship)", fontsize=10)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)


if __name__ == "__main__":
    main()
