"""The clutter class: do detector false alarms come back as clutter, and what does it cost the targets?

Data: IceSight's own simulator only (NOT independent data). Two LeNets are trained with the same
seed, epochs and number of target patches on EW HH/HV patches: "before" on ships and icebergs only,
"after" with a share of target-free clutter patches (sea-ice texture, ridges, sea spikes, azimuth
ambiguities; ``simulate_clutter_patch``). Both are scored:

1. on held-out simulated patches: the ship/iceberg figures on target patches (accuracy, log loss,
   ECE), the share of targets sent back as clutter (the cost), and what clutter patches are called;
2. on a whole simulated EW scene with sea ice: the default detector runs, a patch is cut at each
   detection and classified. Detections within reach of a true target are scored for class; the
   others are false alarms, split by the detector's clutter class (open water / sea ice), and
   counted by what the model calls them.

Usage: python bench/bench_clutter_class.py [--n-train 1000] [--epochs 10] [--size 3000] [--targets 60]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

from icesight_backend.learning.data import arrays_from_records, arrays_from_simulation
from icesight_backend.learning.outputs import CLUTTER, ICEBERG, SHIP, class_metrics
from icesight_backend.learning.training import TrainingConfig, classify_served, train_model
from icesight_backend.sar.simulation import simulate_patches
from icesight_contract import AcquisitionMode, ClassName

NAMES = [c.value for c in ClassName]


def _train(n_targets: int, clutter_fraction: float, epochs: int, seed: int):
    n = int(round(n_targets / (1 - clutter_fraction)))
    arrays = arrays_from_simulation(simulate_patches(n, AcquisitionMode.EW, seed=seed, clutter_fraction=clutter_fraction))
    started = time.perf_counter()
    trained = train_model(arrays, TrainingConfig(epochs=epochs, seed=seed, patience=epochs))
    print(f"   trained on {n} patches ({clutter_fraction:.0%} clutter) in {time.perf_counter() - started:.0f} s")
    return trained.loaded()


def _patch_scores(model, test) -> str:
    served = classify_served(model, test)
    m = class_metrics(test.labels, served.iceberg, served.clutter)
    called = served.classes()
    targets, clutter = test.labels != CLUTTER, test.labels == CLUTTER
    clutter_calls = Counter(NAMES[c] for c in called[clutter])
    return (f"targets: acc {m['accuracy']:.3f}  log loss {m['log_loss']:.3f}  ECE {m['ece']:.3f}  "
            f"called clutter {np.mean(called[targets] == CLUTTER):.1%} | clutter patches called "
            + ", ".join(f"{name} {clutter_calls[name] / clutter.sum():.0%}" for name in NAMES))


def _scene(size: int, targets: int, out: Path, seed: int):
    """Simulate a scene with sea ice, detect, cut a patch at each detection; truth class per detection."""
    import geopandas as gpd
    import rasterio

    from icesight_backend.sar.detection import CfarParams, detect, nearest_match, truth_reach_px
    from icesight_backend.sar.io import RasterBand, write_simulated_scene_cog, write_truth_gpkg
    from icesight_backend.sar.patches import cut_patches_from_scene
    from icesight_backend.sar.scene import scene_layout
    from icesight_contract import SimulateSceneParams

    layout = scene_layout(SimulateSceneParams(width_px=size, height_px=size, n_ships=targets, n_icebergs=targets, seed=seed))
    scene = write_simulated_scene_cog(layout, out / "scene.tif", tags={"mode": "EW", "scene_id": "BENCH_CLUTTER"})
    write_truth_gpkg(layout, out / "truth.gpkg", "BENCH_CLUTTER")
    truth = gpd.read_file(out / "truth.gpkg")
    detections = detect(RasterBand(scene, 1), RasterBand(scene, 2), CfarParams(pixel_size_m=40.0, looks=10.7), 2048,
                        noise_db=RasterBand(scene, 4))
    with rasterio.open(scene) as src:
        transform, crs = src.transform, src.crs.to_string()
    points, kinds, in_ice = [], [], []
    rows, cols = truth["row"].to_numpy(float), truth["col"].to_numpy(float)
    reach_px = truth_reach_px(truth["length_m"].to_numpy(float), 40.0)
    for i, d in enumerate(detections):
        found = nearest_match(d.row, d.col, rows, cols, reach_px)
        kinds.append(CLUTTER if found is None else ICEBERG if truth["is_iceberg"].iloc[found] else SHIP)
        in_ice.append(d.in_sea_ice)
        x, y = transform * (d.col + 0.5, d.row + 0.5)
        points.append((f"d{i}", x, y))
    cut = cut_patches_from_scene(scene, points, crs, "BENCH_CLUTTER")
    kept = {p.id for p in cut.patches}
    index = [i for i in range(len(points)) if points[i][0] in kept]
    return cut.patches, np.array([kinds[i] for i in index]), np.array([in_ice[i] for i in index]), len(truth)


def _scene_scores(model, patches, truth_class, in_ice) -> str:
    called = classify_served(model, arrays_from_records(patches)).classes()
    targets = truth_class != CLUTTER
    parts = [f"matched targets {targets.sum()}: class accuracy {np.mean(called[targets] == truth_class[targets]):.3f}, "
             f"called clutter {np.mean(called[targets] == CLUTTER):.1%}"]
    for name, where in (("open water", ~in_ice), ("sea ice", in_ice)):
        false = (~targets) & where
        if false.any():
            calls = Counter(NAMES[c] for c in called[false])
            parts.append(f"false alarms in {name} {false.sum()}: " + ", ".join(f"{n} {calls[n]}" for n in NAMES))
    return "\n      ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n-train", type=int, default=1000, help="target patches per training set")
    parser.add_argument("--clutter", type=float, default=0.2, help="clutter share of the 'after' training set")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--size", type=int, default=3000, help="scene side, px (EW 40 m)")
    parser.add_argument("--targets", type=int, default=60, help="ships and icebergs each in the scene")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(__doc__.split("\n\n")[0])
    models = {"before (ship/iceberg)": _train(args.n_train, 0.0, args.epochs, args.seed),
              f"after ({args.clutter:.0%} clutter)": _train(args.n_train, args.clutter, args.epochs, args.seed)}
    test = arrays_from_simulation(simulate_patches(600, AcquisitionMode.EW, seed=1000 + args.seed, clutter_fraction=0.3))
    print("\n1. held-out simulated EW patches (30 % clutter)")
    for name, model in models.items():
        print(f"   {name:24s} {_patch_scores(model, test)}")
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        patches, truth_class, in_ice, n_truth = _scene(args.size, args.targets, Path(tmp), args.seed + 7)
        print(f"\n2. simulated EW scene {args.size} x {args.size} px with sea ice, {n_truth} targets: "
              f"{len(patches)} detections cut ({time.perf_counter() - started:.0f} s)")
        for name, model in models.items():
            print(f"   {name:24s} {_scene_scores(model, patches, truth_class, in_ice)}")


if __name__ == "__main__":
    main()
