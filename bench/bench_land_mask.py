"""Detection on coastal scenes with and without the land mask.

Simulates EW scenes (IceSight's own simulator, so NOT independent data) centred on coasts where
icebergs are charted: land is where the backend's built-in mask (NOAA GLOBE, 30 arc-second cells)
has it, rendered with the simulator's land model (bright, textured, with facets; no source: see
docs/simulator.md), and targets lie at least 1.5 km off the coast. The default detector runs on each
scene twice, in this process: with the land mask as ``detect_targets`` applies it by default
(built-in land grown by 1 km left out, ghosts of land's bright points dropped) and without it. Printed per scene and pooled: the share of the scene that is land (mask with its buffer),
recall of the targets longer than two pixels, false alarms on land and at sea (per 1,000 km^2 of
each), and the time of the detection and of building the mask.

What the figures say and do not say: the land's brightness and texture here are ours, not measured,
so "false alarms on land without the mask" shows the mechanism, not what a real coast gives (real
terrain, with layover and settlements, gives more). The coastline is GLOBE's on both sides, so the
mask's own error against a real coast (about a cell, 1 km; glacier fronts of the 1990s) is not
measured here either.

Usage: python bench/bench_land_mask.py [--size 2000] [--targets 60] (about 20 s a scene on two CPU cores)
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

#: Coasts where icebergs meet shipping, with the scene centre (lon, lat).
COASTS = {
    "Disko Bay, West Greenland": (-53.0, 69.3),
    "Uummannaq Fjord, West Greenland": (-52.8, 70.6),
    "Isfjorden, Svalbard": (14.6, 78.2),
    "Nain, Labrador": (-61.0, 56.6),
    "Avalon Peninsula, Newfoundland": (-52.3, 47.3),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=2000, help="scene side, pixels (2000 at 40 m: 6,400 km^2)")
    parser.add_argument("--targets", type=int, default=60, help="ships and icebergs each")
    args = parser.parse_args()

    from bench_detection_ice_variants import scene_truth

    from icesight_backend.sar.detection import CfarParams, detect, score_against_truth
    from icesight_backend.sar.land import LandMask
    from icesight_backend.sar.scene import simulate_scene
    from icesight_contract import DetectTargetsParams, SimulateSceneParams

    print(__doc__.split("\n\n")[0])
    pooled = {name: Counter() for name in ("with the land mask", "without")}
    for seed, (coast, (lon, lat)) in enumerate(COASTS.items()):
        started = time.perf_counter()
        scene = simulate_scene(SimulateSceneParams(width_px=args.size, height_px=args.size, n_ships=args.targets,
                                                   n_icebergs=args.targets, seed=seed, centre_lon=lon, centre_lat=lat))
        simulated_s = time.perf_counter() - started
        started = time.perf_counter()
        land = LandMask.for_scene(scene.transform, scene.crs, scene.shape, DetectTargetsParams.land_buffer_m)
        mask_s = time.perf_counter() - started
        valid = np.isfinite(scene.hh_db)
        on_land = land.window(slice(0, scene.shape[0]), slice(0, scene.shape[1])) & valid
        at_sea = valid & ~on_land
        truth = scene_truth(scene)
        targets = list(zip(truth["row"], truth["col"], truth["length_m"], strict=True))
        print(f"\n  {coast} ({lon:g}, {lat:g}): land {on_land.sum() / valid.sum():.0%} of the scene with the 1 km buffer, "
              f"{len(truth)} targets ({simulated_s:.0f} s to simulate; land mask built in {mask_s:.2f} s)")
        for name, left_out in (("with the land mask", land), ("without", None)):
            started = time.perf_counter()
            detections = detect(scene.hh_db, scene.hv_db, CfarParams(pixel_size_m=scene.pixel_size_m, looks=10.7),
                                noise_db=scene.nesz_db, land=left_out)
            seconds = time.perf_counter() - started
            sea = score_against_truth(detections, targets, scene.pixel_size_m, at_sea)
            shore = score_against_truth(detections, targets, scene.pixel_size_m, on_land)
            print(f"   {name:19s} recall {sea.recall:.3f} ({sea.n_truth_detectable}); false alarms at sea "
                  f"{sea.false_alarms_open_water} ({sea.false_alarms_per_1000_km2:.2f} per 1,000 km^2), on land "
                  f"{shore.false_alarms_open_water} ({shore.false_alarms_per_1000_km2:.1f} per 1,000 km^2); "
                  f"detection {seconds:.1f} s")
            total = pooled[name]
            total["found"] += round(sea.recall * sea.n_truth_detectable)
            total["detectable"] += sea.n_truth_detectable
            total["fa_sea"] += sea.false_alarms_open_water
            total["fa_land"] += shore.false_alarms_open_water
            total["km2_sea"] += sea.open_water_km2
            total["km2_land"] += shore.open_water_km2
            total["seconds"] += seconds + (mask_s if name == "with the land mask" else 0.0)
    print("\n  pooled:")
    for name, total in pooled.items():
        print(f"   {name:19s} recall {total['found'] / max(total['detectable'], 1):.3f} ({total['detectable']}); false "
              f"alarms at sea {total['fa_sea']} ({total['fa_sea'] / max(total['km2_sea'], 1e-9) * 1000:.2f} per 1,000 "
              f"km^2), on land {total['fa_land']} ({total['fa_land'] / max(total['km2_land'], 1e-9) * 1000:.1f} per "
              f"1,000 km^2); {total['seconds']:.1f} s")
    print(f"  time with the mask (building it included) / without: "
          f"{pooled['with the land mask']['seconds'] / pooled['without']['seconds']:.2f} x")


if __name__ == "__main__":
    main()
