"""Models trained on IceSight's simulator, scored on data from an independent simulator.

``bench/independent_simulator.py`` is a Sentinel-1 EW GRDM HH/HV simulator that imports nothing
from IceSight and, wherever the published physics (K-distributed sea, sea ice, ships, icebergs)
leaves freedom, chooses otherwise than ``icesight_backend.sar.simulation`` (its choices and their
sources are in its docstring). It stands in for data made by someone else. This bench measures what an analyst
would see on such data, following the product's default path:

1. Models: ``train_model {"simulated": {"seed": s}}`` with every other setting at its default (as
   ``bench_product_path.py`` trains them), one per seed.
2. Patches: 600 patches centred on ships and icebergs (half each, about a quarter in sea ice),
   turned into the API's patch records and classified as classification jobs serve them:
   ship/iceberg accuracy, log loss, ECE, the share of ships called ship (per seed and the mean).
3. Scenes: whole 3000 x 3000 px scenes (120 targets, 20-40 % sea ice). The default detector
   (``detect_targets``' CFAR with its sea-ice discrimination) gives recall by class and by where the
   target lies, and false alarms per 1,000 km^2 of open water, of sea ice and of the whole scene.
   Then a patch is cut at each detection and classified: class accuracy on the detections that match
   a target, and what the false alarms are called. Also the patches centred on the scenes' targets.

Data: the independent simulator only (patches of seed 9004 and scenes 42 and 1 by default; the
detector's ring test for HV-only clusters in open water was designed on scenes 42 and 1, so give
other ``--scenes`` for held-out detection figures).

Usage: python bench/bench_independent_data.py [--seeds 0,1,2,3] [--models 'path/m_*.bin'] [--scenes 42,1]
[--detection-only] (about 3 minutes a training seed on two CPU cores; ``--models`` scores saved model
files instead; ``--detection-only`` gives the scenes' detection figures alone, about 30 s a scene).
"""

from __future__ import annotations

import argparse
import glob
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from icesight_backend.learning.data import PatchArrays, arrays_from_records
from icesight_backend.learning.outputs import CLUTTER
from icesight_backend.learning.training import LoadedModel, classify_served
from icesight_backend.sar.ambiguity import SPEED_OF_LIGHT_M_S, AmbiguityField, azimuth_ambiguity_m
from icesight_backend.sar.detection import CfarParams, detect, nearest_match, truth_reach_px
from icesight_backend.sar.simulation import MODES
from icesight_contract import PATCH_SIZE_PX, AcquisitionMode, ClassName, PatchRecord

sys.path.insert(0, str(Path(__file__).resolve().parent))
import independent_simulator as independent  # noqa: E402
from bench_detection_scene import score_by_clutter  # noqa: E402
from bench_product_path import TARGET_KEYS, mean_scores, score, train_default  # noqa: E402

N_PATCHES = 600
NAMES = [c.value for c in ClassName]


def patch_arrays(patches: dict, prefix: str) -> PatchArrays:
    """Patches (``hh_db``, ``hv_db``, ``inc_deg`` and ``label``, a class index in
    :class:`ClassName` order) as the API receives them: patch records, dB, rounded."""
    classes = list(ClassName)
    records = [
        PatchRecord(id=f"{prefix}{i}", band_1=[round(float(v), 4) for v in patches["hh_db"][i].ravel()],
                    band_2=[round(float(v), 4) for v in patches["hv_db"][i].ravel()],
                    inc_angle=round(float(patches["inc_deg"][i]), 4), label=classes[int(patches["label"][i])])
        for i in range(len(patches["label"]))
    ]
    return arrays_from_records(records)


def _row(name: str, rows: list[dict]) -> str:
    m = mean_scores(rows, TARGET_KEYS)
    per_seed = ", ".join(f"{r['accuracy']:.3f}" for r in rows)
    return (f"   {name:30s} acc {m['accuracy']:.3f} (per seed {per_seed})  "
            f"log loss {m['log_loss']:.3f}  ECE {m['ece']:.3f}  ships called ship {m['ships_called_ship']:.0%}")


def breakdown(patches: dict, arrays: PatchArrays, models: list[LoadedModel]) -> str:
    """Where the models go wrong on ``patches`` (``arrays``: the same as :func:`patch_arrays` made
    them): the share called correctly (mean of the models' probabilities) by class and background,
    and for small ships and large icebergs."""
    p_iceberg = np.mean([classify_served(m, arrays).iceberg for m in models], axis=0)
    label, in_ice, length = patches["label"], patches["in_ice"], patches["length_m"]
    right = (p_iceberg >= 0.5) == (label == 1)
    parts = {"ships in open water": (label == 0) & ~in_ice, "ships in sea ice": (label == 0) & in_ice,
             "icebergs in open water": (label == 1) & ~in_ice, "icebergs in sea ice": (label == 1) & in_ice,
             "ships under 60 m": (label == 0) & (length < 60), "icebergs over 250 m": (label == 1) & (length > 250)}
    return ", ".join(f"{name} {right[where].mean():.0%} ({where.sum()})" for name, where in parts.items() if where.any())


def _truth(scene) -> pd.DataFrame:
    return pd.DataFrame({
        "row": [t.row for t in scene.targets], "col": [t.col for t in scene.targets],
        "length_m": [t.length_m for t in scene.targets],
        "is_iceberg": [t.kind == "iceberg" for t in scene.targets], "in_sea_ice": [t.in_ice for t in scene.targets],
    })


def detections_as_patches(scene, detections, truth: pd.DataFrame) -> tuple[PatchArrays, int]:
    """A patch at each detection whose patch lies inside the scene, labelled with its truth class:
    the target it finds (``nearest_match``: within the reach ``score_against_truth`` counts by, the
    nearest relative to it), or clutter for a false alarm. Also how many detections were too near the edge to cut."""
    half = PATCH_SIZE_PX // 2
    rows, cols = truth["row"].to_numpy(float), truth["col"].to_numpy(float)
    reach_px = truth_reach_px(truth["length_m"], scene.pixel_size_m)
    h, w = scene.hh_db.shape
    cut = {"hh_db": [], "hv_db": [], "inc_deg": [], "label": []}
    edge = 0
    for d in detections:
        r, c = int(round(d.row)), int(round(d.col))
        if not (half <= r < h - half and half <= c < w - half):
            edge += 1
            continue
        found = nearest_match(d.row, d.col, rows, cols, reach_px)
        label = (ClassName.CLUTTER if found is None
                 else ClassName.ICEBERG if truth["is_iceberg"].iloc[found] else ClassName.SHIP)
        window = np.s_[r - half : r + half + 1, c - half : c + half + 1]
        cut["hh_db"].append(scene.hh_db[window])
        cut["hv_db"].append(scene.hv_db[window])
        cut["inc_deg"].append(scene.inc_deg[c])
        cut["label"].append(label.index)
    return patch_arrays(cut, "d"), edge


#: The detectors the scene figures compare with ``--detection-only``: the default, and the default
#: without the extended-target CFAR (objects too large for the guard window).
DETECTORS = {"default": {}, "pixel CFARs only": {"extended_target_cfar": False}}


def ambiguity_field(scene) -> AmbiguityField:
    """The scene's first azimuth ambiguity distance over its columns, from what its product's
    annotation would say (slant range per column, PRF, wavelength, platform speed: that simulator's
    geometry), as the SAFE reader reads it from a real product's (:mod:`sar.ambiguity`)."""
    height, width = scene.hh_db.shape
    cols = np.unique(np.append(np.arange(0, width, 100), width - 1)).astype(float)
    distance = azimuth_ambiguity_m(independent._slant_range_m(scene.inc_deg[cols.astype(int)]), independent.PRF_HZ,
                                   SPEED_OF_LIGHT_M_S / independent.WAVELENGTH_M, independent.SAT_SPEED_MS)
    rows = np.concatenate([np.zeros_like(cols), np.full_like(cols, height - 1)])
    return AmbiguityField(rows, np.concatenate([cols, cols]), np.tile(distance, 2), np.tile(distance, 2))


def _detect(scene, **overrides):
    looks = MODES[AcquisitionMode.EW].looks
    # As detect_targets runs on a product: with its noise floor (the simulator gives it per column)
    # and where its annotation puts the azimuth ambiguities.
    noise_db = np.broadcast_to(scene.nesz_db[None, :], scene.hh_db.shape)
    return detect(scene.hh_db, scene.hv_db, CfarParams(pixel_size_m=scene.pixel_size_m, looks=looks, **overrides),
                  noise_db=noise_db, ambiguity=ambiguity_field(scene))


def _detection_lines(figures: dict, area_km2: float) -> str:
    n_false = figures["fa_water"][0] + figures["fa_ice"][0]
    recall = ", ".join(f"{name} {value:.3f} ({n})" for name, (value, n) in figures["recall"].items())
    return (f"   recall (targets longer than 2 px; how many): {recall}\n"
            f"   false alarms: open water {figures['fa_water'][0]} ({figures['fa_water'][1]:.2f} per 1,000 km^2), "
            f"sea ice {figures['fa_ice'][0]} ({figures['fa_ice'][1]:.2f} per 1,000 km^2), whole scene "
            f"{n_false / area_km2 * 1000:.2f} per 1,000 km^2")


def detection_only(seeds: list[int]) -> None:
    """Recall and false alarms of each of :data:`DETECTORS` per scene, and pooled over the scenes."""
    pooled = {name: Counter() for name in DETECTORS}
    for seed in seeds:
        started = time.perf_counter()
        scene = independent.simulate_scene(seed)
        truth = _truth(scene)
        area_km2 = scene.hh_db.size * (scene.pixel_size_m / 1000.0) ** 2
        print(f"\n  scene {seed}: sea ice {scene.ice_mask.mean():.0%}, {len(truth)} targets "
              f"({time.perf_counter() - started:.0f} s to simulate)")
        for name, overrides in DETECTORS.items():
            started = time.perf_counter()
            detections = _detect(scene, **overrides)
            pooled[name]["seconds"] += time.perf_counter() - started
            figures = score_by_clutter(detections, truth, ~scene.ice_mask, scene.ice_mask)
            print(f"  {name}:\n{_detection_lines(figures, area_km2)}")
            for part in ("all", "in_water", "in_ice"):
                value, n = figures["recall"][part]
                pooled[name][f"{part}_found"] += round(value * n)
                pooled[name][f"{part}_n"] += n
            for clutter in ("water", "ice"):
                count, _, area_km2_of_clutter = figures[f"fa_{clutter}"]
                pooled[name][f"fa_{clutter}"] += count
                pooled[name][f"km2_{clutter}"] += area_km2_of_clutter
    print(f"\n  pooled over scenes {', '.join(map(str, seeds))}:")
    for name, total in pooled.items():
        recall = ", ".join(f"{part} {total[f'{part}_found'] / max(total[f'{part}_n'], 1):.3f} ({total[f'{part}_n']})"
                           for part in ("all", "in_water", "in_ice"))
        area = total["km2_water"] + total["km2_ice"]
        print(f"  {name:17s} recall {recall}; false alarms open water {total['fa_water']}, sea ice {total['fa_ice']}, "
              f"{(total['fa_water'] + total['fa_ice']) / area * 1000:.2f} per 1,000 km^2 of the scenes "
              f"(sea ice {total['fa_ice'] / max(total['km2_ice'], 1e-9) * 1000:.2f})")
    baseline = pooled["pixel CFARs only"]["seconds"]
    print("  detection time (this process, the scenes in memory): "
          + ", ".join(f"{name} {total['seconds']:.1f} s ({total['seconds'] / baseline:.2f} x)" for name, total in pooled.items()))


def scene_figures(seeds: list[int], models: list[LoadedModel]) -> None:
    for seed in seeds:
        started = time.perf_counter()
        scene = independent.simulate_scene(seed)
        truth = _truth(scene)
        detections = _detect(scene)
        figures = score_by_clutter(detections, truth, ~scene.ice_mask, scene.ice_mask)
        area_km2 = scene.hh_db.size * (scene.pixel_size_m / 1000.0) ** 2
        print(f"\n  scene {seed}: {scene.hh_db.shape[0]} x {scene.hh_db.shape[1]} px, sea ice {scene.ice_mask.mean():.0%}, "
              f"{len(truth)} targets, {len(detections)} detections ({time.perf_counter() - started:.0f} s)")
        print(_detection_lines(figures, area_km2))
        centred = patch_arrays(independent.cut_patches(scene), f"t{seed}_")
        print(_row(f"patches centred on the {len(centred)} targets whose patch fits in the scene",
                   [score(m, centred) for m in models]))
        arrays, edge = detections_as_patches(scene, detections, truth)
        labels = arrays.labels
        targets = labels != CLUTTER
        accuracy, false_calls = [], Counter()
        for model in models:
            called = classify_served(model, arrays).classes()
            accuracy.append(float(np.mean(called[targets] == labels[targets])))
            false_calls.update(NAMES[c] for c in called[~targets])
        calls = ", ".join(f"{n} {false_calls[n] / max(len(models), 1):.1f}" for n in NAMES)
        print(f"   detections cut and classified ({edge} too near the edge): class accuracy on the {targets.sum()} "
              f"that match a target {np.mean(accuracy):.3f} (per seed {', '.join(f'{a:.3f}' for a in accuracy)}); "
              f"the {(~targets).sum()} false alarms called (mean over seeds): {calls}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", default="0,1,2,3", help="comma-separated set and training seeds")
    parser.add_argument("--models", help="glob of saved model files to score instead of training")
    parser.add_argument("--patch-seed", type=int, default=9004, help="seed of the target patches")
    parser.add_argument("--scenes", default="42,1", help="comma-separated scene seeds")
    parser.add_argument("--detection-only", action="store_true",
                        help="only the scenes' detection figures, of the default detector and without the "
                             "extended-target CFAR, and pooled (no models)")
    args = parser.parse_args()
    print(__doc__.split("\n\n")[0])
    if args.detection_only:
        detection_only([int(s) for s in args.scenes.split(",")])
        return
    if args.models:
        paths = sorted(glob.glob(args.models))
        if not paths:
            raise SystemExit(f"no model file matches {args.models!r}")
        models = [LoadedModel.from_bytes(Path(p).read_bytes()) for p in paths]
        print(f"  {len(models)} saved models: {', '.join(paths)}")
    else:
        models = [train_default(int(s)) for s in args.seeds.split(",")]
    started = time.perf_counter()
    drawn = independent.simulate_patches(N_PATCHES, args.patch_seed)
    patches = patch_arrays(drawn, "p")
    print(f"\n  {N_PATCHES} target patches, seed {args.patch_seed} ({time.perf_counter() - started:.0f} s)")
    print(_row("patches", [score(m, patches) for m in models]))
    print(f"   called right (mean of the models' probabilities): {breakdown(drawn, patches, models)}")
    scene_figures([int(s) for s in args.scenes.split(",")], models)


if __name__ == "__main__":
    main()
