"""CFAR detection on a whole EW scene, before and after sea-ice awareness, in water and in ice.

Simulates (once, cached under out/bench/) an EW GRDM-like scene with known ships and icebergs,
open water and sea ice, with IceSight's own simulator (so NOT independent data), then runs each
detector in its own process and prints wall time, peak resident memory, the number of
detections, recall of targets longer than two pixels by class and by clutter (open water / sea
ice, from the truth), and false alarms per 1,000 km^2 of open water and of sea ice. Methods:
``old`` the co-pol K-CFAR as it was (chunked Dask), ``numpy`` the same on the whole scene in one
thread, ``new`` the current default detector.

Usage: python bench/bench_detection_scene.py [--size 10000] [--targets 400] [--methods old,new]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def simulate(size: int, targets: int, out: Path) -> None:
    import numpy as np

    from icesight_backend.sar.io import write_simulated_scene_cog, write_truth_gpkg
    from icesight_backend.sar.scene import SCENE_BLOCK_ROWS, scene_layout
    from icesight_contract import SimulateSceneParams

    started = time.perf_counter()
    layout = scene_layout(SimulateSceneParams(width_px=size, height_px=size, n_ships=targets, n_icebergs=targets, seed=42))
    write_simulated_scene_cog(layout, out / "scene.tif", tags={"mode": "EW", "scene_id": f"BENCH_{size}"})
    write_truth_gpkg(layout, out / "truth.gpkg", f"BENCH_{size}")
    seconds = time.perf_counter() - started
    # Open water for scoring false alarms, block by block as well (bits, not bytes).
    water = np.zeros((size, size), dtype=bool)
    for r0 in range(0, size, SCENE_BLOCK_ROWS):
        r1 = min(r0 + SCENE_BLOCK_ROWS, size)
        edge = np.arange(size)[None, :] >= layout.edge_cols[r0:r1, None]
        water[r0:r1] = ~layout.ice_mask(r0, r1) & edge
    np.save(out / "open_water.npy", np.packbits(water))
    (out / "shape.json").write_text(json.dumps([size, size]))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"simulated a {size} x {size} px EW scene block by block in {seconds:.0f} s, peak RSS {peak_mb:.0f} MB")


#: The detectors compared: the co-pol K-CFAR as it was before sea-ice awareness (whole-scene numpy
#: and chunked Dask), and the current default (cross-pol CFAR too, clutter classes, ice test).
METHODS = {
    "numpy": {"cross_pol_cfar": False, "sea_ice_aware": False},
    "old": {"cross_pol_cfar": False, "sea_ice_aware": False},
    "new": {},
}


def run(method: str, out: Path) -> None:
    import geopandas as gpd
    import numpy as np

    from icesight_backend.sar.detection import (
        CfarParams,
        cfar_block,
        detect,
        drop_azimuth_ambiguities,
        label_detections,
    )
    from icesight_backend.sar.io import RasterBand

    params = CfarParams(pixel_size_m=40.0, looks=10.7, **METHODS[method])
    started = time.perf_counter()
    co, cross = RasterBand(out / "scene.tif", 1), RasterBand(out / "scene.tif", 2)
    if method == "numpy":
        whole = co[:, :]
        mask = cfar_block(whole, params)
        del whole
        detections = drop_azimuth_ambiguities(label_detections(mask, co, cross, params), params)
    else:
        detections = detect(co, cross, params, 2048, noise_db=RasterBand(out / "scene.tif", 4))
    seconds = time.perf_counter() - started
    shape = tuple(json.loads((out / "shape.json").read_text()))
    open_water = np.unpackbits(np.load(out / "open_water.npy"))[: shape[0] * shape[1]].reshape(shape).astype(bool)
    valid = np.isfinite(co[:, :])
    truth = gpd.read_file(out / "truth.gpkg")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"method": method, "seconds": seconds, "peak_rss_mb": peak_mb, "detections": len(detections),
                      **score_by_clutter(detections, truth, open_water, valid & ~open_water)}))


def score_by_clutter(detections, truth, open_water, sea_ice) -> dict:
    """Recall of targets longer than two pixels by class and by where they are (the truth's
    ``in_sea_ice``), and false alarms per 1,000 km^2 of open water and of sea ice (truth masks)."""
    from icesight_backend.sar.detection import score_against_truth

    def recall(selection) -> tuple[float, int]:
        part = truth[selection]
        score = score_against_truth(detections, list(zip(part["row"], part["col"], part["length_m"], strict=True)),
                                    40.0, open_water)
        return score.recall, score.n_truth_detectable

    everything = list(zip(truth["row"], truth["col"], truth["length_m"], strict=True))
    water = score_against_truth(detections, everything, 40.0, open_water)
    ice = score_against_truth(detections, everything, 40.0, sea_ice)
    berg, in_ice = truth["is_iceberg"].astype(bool), truth["in_sea_ice"].astype(bool)
    parts = {"all": truth.index == truth.index, "ship": ~berg, "iceberg": berg, "in_water": ~in_ice,
             "in_ice": in_ice, "iceberg_in_ice": berg & in_ice}
    return {
        "recall": {name: recall(selection) for name, selection in parts.items()},
        "fa_water": [water.false_alarms_open_water, water.false_alarms_per_1000_km2, water.open_water_km2],
        "fa_ice": [ice.false_alarms_open_water, ice.false_alarms_per_1000_km2, ice.open_water_km2],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--targets", type=int, default=400, help="ships and icebergs each")
    parser.add_argument("--stage", choices=["simulate", *METHODS])
    parser.add_argument("--methods", default="old,new", help="comma-separated, from: " + ", ".join(METHODS))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    out = args.out or ROOT / "out" / "bench" / f"ew_{args.size}_{args.targets}"
    if args.stage == "simulate":
        return simulate(args.size, args.targets, out)
    if args.stage:
        return run(args.stage, out)

    out.mkdir(parents=True, exist_ok=True)
    me = [sys.executable, __file__, "--size", str(args.size), "--targets", str(args.targets), "--out", str(out)]
    if not (out / "scene.tif").exists():
        subprocess.run([*me, "--stage", "simulate"], check=True)
    results = {}
    for method in args.methods.split(","):
        import os

        env = {"OMP_NUM_THREADS": "1"} if method == "numpy" else {}
        line = subprocess.run([*me, "--stage", method], check=True, capture_output=True, text=True,
                              env=os.environ | env).stdout.strip().splitlines()[-1]
        results[method] = json.loads(line)
    area_km2 = (args.size * 40 / 1000) ** 2
    print(f"CFAR (K distribution, pfa 10^-6.5) on {args.size} x {args.size} px EW ({area_km2:,.0f} km^2), "
          f"{args.targets} ships + {args.targets} icebergs")
    print("Data: IceSight's own simulator (sar/scene.py, seed 42), the same physics the detector was tuned on: "
          "NOT independent data.")
    print("  old = co-pol K-CFAR only (before); new = + cross-pol CFAR, open water / sea ice classes, ice test")
    for method, r in results.items():
        rec = r["recall"]
        print(f"  {method:6s} {r['seconds']:7.1f} s  peak RSS {r['peak_rss_mb']:6.0f} MB  detections {r['detections']}")
        print("         recall " + "  ".join(f"{k} {v[0]:.3f} ({v[1]})" for k, v in rec.items()))
        print(f"         false alarms: open water {r['fa_water'][0]} ({r['fa_water'][1]:.2f} per 1000 km^2 of "
              f"{r['fa_water'][2]:,.0f} km^2), sea ice {r['fa_ice'][0]} ({r['fa_ice'][1]:.2f} per 1000 km^2 of "
              f"{r['fa_ice'][2]:,.0f} km^2)")

if __name__ == "__main__":
    main()
