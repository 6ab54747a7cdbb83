"""Detection in sea ice and sea that are not the simulator's nominal ones: recall and false alarms.

The detector's sea-ice handling (clutter classes, the K test of a target against its 2 km ice
background) was developed on scenes whose ice has one brightness and one texture: HH -11 dB and
HV -22 dB at 30 degrees, Gamma(2.5) texture correlated over 160 m. Ice in other scenes, made by
another simulator or by nature, is brighter (deformed, multi-year), darker (new ice, nilas),
spikier or smoother, and textured at other scales. This bench makes the same EW scene (same
layout, targets and seed) with each of those ices, and with two other seas, runs the default
detector on each and prints recall by class and by clutter, and false alarms per 1,000 km^2 of
open water and of sea ice, against the truth. The ranges are the simulator's domain-randomisation
ranges for patches (docs/simulator.md); data: IceSight's own simulator, NOT independent data.

Usage: python bench/bench_detection_ice_variants.py [--size 3000] [--targets 60] [--variants nominal,bright]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

#: Name -> (what it stands for, ClutterParams overrides). Offsets are dB on the nominal sigma0.
VARIANTS = {
    "nominal": ("the nominal ice and sea the detector was developed on", {}),
    "bright": ("deformed / multi-year ice: HH and HV +4 dB", {"ice_co_offset_db": 4.0, "ice_cross_offset_db": 4.0}),
    "dark": ("new / level ice: HH and HV -4 dB", {"ice_co_offset_db": -4.0, "ice_cross_offset_db": -4.0}),
    "spiky": ("rubble: ice texture order 1.2", {"ice_nu": 1.2}),
    "smooth": ("uniform ice: texture order 10", {"ice_nu": 10.0}),
    "coarse": ("floes: ice texture correlated over 400 m", {"ice_corr_m": 400.0}),
    "fine": ("brash: ice texture correlated over 60 m", {"ice_corr_m": 60.0}),
    "worst_ice": ("bright, spiky and coarse ice at once", {"ice_co_offset_db": 4.0, "ice_cross_offset_db": 4.0,
                                                            "ice_nu": 1.2, "ice_corr_m": 400.0}),
    "spiky_sea": ("calm, spiky sea: K texture order 1.5", {"texture_nu": 1.5}),
    "lognormal_sea": ("log-normal sea texture (the other family)", {"texture_law": "lognormal"}),
}


#: The detectors compared on every scene: sea-ice targets judged on their 2 km background alone
#: (as before the local test) and the default, which also admits depolarising targets that stand
#: out from the ring just around them (``CfarParams.local_ice_test``).
DETECTORS = {"before": {"local_ice_test": False}, "now": {}}


def scene_truth(scene):
    """The targets of an in-memory simulated scene as the frame ``score_by_clutter`` scores against."""
    import geopandas as gpd

    return gpd.GeoDataFrame({
        "row": [t.row for t in scene.targets], "col": [t.col for t in scene.targets],
        "length_m": [t.target.length_m for t in scene.targets],
        "is_iceberg": [t.target.kind.value == "iceberg" for t in scene.targets],
        "in_sea_ice": [t.in_ice for t in scene.targets],
    })


def run(name: str, size: int, targets: int, seed: int) -> dict:
    """Each detector's score on one scene with the variant's clutter."""
    import numpy as np
    from bench_detection_scene import score_by_clutter

    from icesight_backend.sar.detection import CfarParams, detect
    from icesight_backend.sar.scene import simulate_scene
    from icesight_backend.sar.simulation import ClutterParams
    from icesight_contract import SimulateSceneParams

    params = SimulateSceneParams(width_px=size, height_px=size, n_ships=targets, n_icebergs=targets, seed=seed)
    scene = simulate_scene(params, clutter=ClutterParams(**VARIANTS[name][1]))
    valid = np.isfinite(scene.hh_db)
    ice = scene.ice_mask & valid
    truth = scene_truth(scene)
    scores = {}
    for detector, overrides in DETECTORS.items():
        started = time.perf_counter()
        detections = detect(scene.hh_db, scene.hv_db, CfarParams(pixel_size_m=scene.pixel_size_m, looks=10.7, **overrides),
                            noise_db=scene.nesz_db)
        scores[detector] = {"detect_s": time.perf_counter() - started, "detections": len(detections),
                            **score_by_clutter(detections, truth, valid & ~ice, ice)}
    return scores


def _pooled(results: list[dict]) -> dict:
    """Recall pooled over scenes (found / detectable) and false alarms summed over their areas."""
    out = {"recall": {}, "fa": {}}
    for key in results[0]["recall"]:
        found = sum(r["recall"][key][0] * r["recall"][key][1] for r in results if r["recall"][key][1])
        total = sum(r["recall"][key][1] for r in results)
        out["recall"][key] = (found / total if total else float("nan"), total)
    for key in ("fa_water", "fa_ice"):
        count, area = sum(r[key][0] for r in results), sum(r[key][2] for r in results)
        out["fa"][key] = (count, 1000.0 * count / area if area else float("nan"), area)
    return out


def add_scene_arguments(parser: argparse.ArgumentParser, seeds: str) -> None:
    """``--size``, ``--targets`` and ``--seeds`` of the benches that simulate EW scenes with sea ice."""
    parser.add_argument("--size", type=int, default=3000, help="scene side, pixels (3000 at 40 m: 14,400 km^2)")
    parser.add_argument("--targets", type=int, default=60, help="ships and icebergs each")
    parser.add_argument("--seeds", default=seeds, help="comma-separated scene seeds; figures are pooled over them")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_scene_arguments(parser, seeds="42,1,2")
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated, from: " + ", ".join(VARIANTS))
    args = parser.parse_args()
    names = args.variants.split(",")
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        parser.error(f"unknown variant(s) {', '.join(unknown)}; choose from {', '.join(VARIANTS)}")
    seeds = [int(s) for s in args.seeds.split(",")]
    print(f"Default detector on {args.size} x {args.size} px EW scenes ({(args.size * 0.04) ** 2:,.0f} km^2 each), "
          f"{args.targets} ships + {args.targets} icebergs, seeds {', '.join(map(str, seeds))} (pooled); per seed one "
          "layout, the clutter varied.")
    print("Data: IceSight's own simulator (sar/scene.py), NOT independent data. 'before': targets in ice judged on "
          "their 2 km background alone (local_ice_test off).")
    print(f"{'variant':14s} {'detector':8s} {'recall':>6s} {'ship':>6s} {'berg':>6s} {'in ice (n)':>11s} "
          f"{'FA water':>13s} {'FA ice':>13s} {'FA scene':>6s}  what")
    for name in names:
        per_seed = [run(name, args.size, args.targets, seed) for seed in seeds]
        for detector in DETECTORS:
            pooled = _pooled([scores[detector] for scores in per_seed])
            rec, water, ice = pooled["recall"], pooled["fa"]["fa_water"], pooled["fa"]["fa_ice"]
            scene = 1000.0 * (water[0] + ice[0]) / (water[2] + ice[2])
            print(f"{name:14s} {detector:8s} {rec['all'][0]:6.3f} {rec['ship'][0]:6.3f} {rec['iceberg'][0]:6.3f} "
                  f"{rec['in_ice'][0]:6.3f} ({rec['in_ice'][1]:2d}) {water[0]:4d} ({water[1]:5.2f}) "
                  f"{ice[0]:4d} ({ice[1]:5.2f}) {scene:6.2f}  {VARIANTS[name][0] if detector == 'now' else ''}", flush=True)
    print("FA: false alarms, count (per 1,000 km^2 of that clutter); FA scene: per 1,000 km^2 of the whole scenes. "
          "Recall of targets longer than 2 px, pooled.")


if __name__ == "__main__":
    main()
