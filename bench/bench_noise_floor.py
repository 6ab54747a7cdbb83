"""A noise floor that changes across range: does the clutter classifier still tell water from ice?

Sentinel-1 cross-pol open water lies at or near the thermal noise floor, and the floor is not flat:
each sub-swath's antenna pattern raises it towards the sub-swath's edges, and the sub-swaths step
against each other (``noise_floor_profile_db``). The clutter classifier calls a cell ice when its
HV stands ``cross_excess_threshold_db`` above the scene's cross-pol floor. This bench makes the same
EW scene (layout, targets, clutter) with floors rising 0, 3 and 6 dB from sub-swath centre to edge
and classifies it twice: against one floor for the whole scene, and against the floor the scene
carries in its noise band (as a SAFE product's noise annotation gives it, band 4). It prints the
share of open water called ice and of ice called ice (against the simulator's truth mask, swath
only), and the default detector's recall and false alarms for each.

Data: IceSight's own simulator (sar/scene.py), NOT independent data. The rise of a real product's
floor is in its noise annotation; bench_simulator_realism.py --noise-only measures it on the IW
annotations of data/sentinel1_annotation. EW's, which these EW scenes stand for, has not been measured.

Usage: python bench/bench_noise_floor.py [--size 3000] [--targets 60] [--seeds 42,1] [--rises 0,3,6]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))


def run(rise_db: float, size: int, targets: int, seed: int) -> dict:
    """Classification and detection scores on one scene, without and with its noise band."""
    from bench_detection_ice_variants import scene_truth
    from bench_detection_scene import score_by_clutter

    from icesight_backend.sar.clutter import clutter_map
    from icesight_backend.sar.detection import CfarParams, detect
    from icesight_backend.sar.scene import simulate_scene
    from icesight_contract import SimulateSceneParams

    params = SimulateSceneParams(width_px=size, height_px=size, n_ships=targets, n_icebergs=targets, seed=seed,
                                 noise_rise_db=rise_db)
    scene = simulate_scene(params)
    valid = np.isfinite(scene.hh_db)
    ice = scene.ice_mask & valid
    water = valid & ~ice
    truth = scene_truth(scene)
    cfar = CfarParams(pixel_size_m=scene.pixel_size_m, looks=10.7)
    whole = (slice(0, size), slice(0, size))
    scores = {}
    for floor, noise in (("one floor", None), ("noise band", scene.nesz_db)):
        clutter = clutter_map(scene.hh_db, scene.hv_db, cfar.clutter_params(), noise_db=noise)
        classes = clutter.pixels(*whole)
        started = time.perf_counter()
        detections = detect(scene.hh_db, scene.hv_db, cfar, clutter=clutter, noise_db=noise)  # classes made once
        scores[floor] = {"water_as_ice": float(classes[water].mean()), "ice_as_ice": float(classes[ice].mean()),
                         "detect_s": time.perf_counter() - started,
                         **score_by_clutter(detections, truth, water, ice)}
    return scores


def main() -> None:
    from bench_detection_ice_variants import _pooled, add_scene_arguments

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_scene_arguments(parser, seeds="42,1")
    parser.add_argument("--rises", default="0,3,6", help="comma-separated noise-floor rises, dB")
    args = parser.parse_args()

    seeds = [int(s) for s in args.seeds.split(",")]
    print(f"Default detector on {args.size} x {args.size} px EW scenes, {args.targets} ships + {args.targets} icebergs, "
          f"seeds {', '.join(map(str, seeds))} (pooled).")
    print("Data: IceSight's own simulator, NOT independent data.")
    print(f"{'rise dB':>7s} {'floor':10s} {'water->ice':>10s} {'ice->ice':>8s} {'recall':>6s} {'in ice':>6s} "
          f"{'FA water':>13s} {'FA ice':>13s}")
    for rise in (float(r) for r in args.rises.split(",")):
        per_seed = [run(rise, args.size, args.targets, seed) for seed in seeds]
        for floor in per_seed[0]:
            parts = [scores[floor] for scores in per_seed]
            pooled = _pooled(parts)
            rec, water, ice = pooled["recall"], pooled["fa"]["fa_water"], pooled["fa"]["fa_ice"]
            water_as_ice = np.mean([p["water_as_ice"] for p in parts])
            ice_as_ice = np.mean([p["ice_as_ice"] for p in parts])
            print(f"{rise:7.1f} {floor:10s} {water_as_ice:10.1%} {ice_as_ice:8.1%} {rec['all'][0]:6.3f} "
                  f"{rec['in_ice'][0]:6.3f} {water[0]:4d} ({water[1]:5.2f}) {ice[0]:4d} ({ice[1]:5.2f})", flush=True)
    print("water->ice: share of open water (truth) classed sea ice; ice->ice: share of sea ice classed sea ice. "
          "FA: false alarms, count (per 1,000 km^2 of that clutter).")


if __name__ == "__main__":
    main()
