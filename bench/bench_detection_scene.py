"""CFAR detection on a whole EW scene: chunked Dask against a single-threaded numpy baseline.

Simulates (once, cached under out/bench/) an EW GRDM-like scene with known ships and icebergs,
then runs each detector in its own process and prints wall time, peak resident memory, the
number of detections, recall of targets longer than two pixels and false alarms per 1,000 km^2
of open water.

Usage: python bench/bench_detection_scene.py [--size 10000] [--targets 400]
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


def run(method: str, out: Path) -> None:
    import geopandas as gpd
    import numpy as np

    from icesight_backend.sar.detection import (
        CfarParams,
        cfar_block,
        cfar_mask,
        drop_azimuth_ambiguities,
        label_detections,
        score_against_truth,
    )
    from icesight_backend.sar.io import RasterBand

    params = CfarParams(pixel_size_m=40.0, looks=10.7)
    started = time.perf_counter()
    co, cross = RasterBand(out / "scene.tif", 1), RasterBand(out / "scene.tif", 2)
    if method == "numpy":
        whole = co[:, :]
        mask = cfar_block(whole, params)
        del whole
    else:
        mask = cfar_mask(co, params, 2048).compute(scheduler="threads").astype(bool)
    detections = drop_azimuth_ambiguities(label_detections(mask, co, cross, params), params)
    seconds = time.perf_counter() - started
    shape = tuple(json.loads((out / "shape.json").read_text()))
    open_water = np.unpackbits(np.load(out / "open_water.npy"))[: shape[0] * shape[1]].reshape(shape).astype(bool)
    truth = gpd.read_file(out / "truth.gpkg")
    score = score_against_truth(detections, list(zip(truth["row"], truth["col"], truth["length_m"], strict=True)), 40.0, open_water)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"method": method, "seconds": seconds, "peak_rss_mb": peak_mb, "detections": len(detections),
                      "recall": score.recall, "fa_per_1000_km2": score.false_alarms_per_1000_km2,
                      "n_detectable": score.n_truth_detectable}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--targets", type=int, default=400, help="ships and icebergs each")
    parser.add_argument("--stage", choices=["simulate", "numpy", "dask"])
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
    for method, env in (("numpy", {"OMP_NUM_THREADS": "1"}), ("dask", {})):
        import os

        line = subprocess.run([*me, "--stage", method], check=True, capture_output=True, text=True,
                              env=os.environ | env).stdout.strip().splitlines()[-1]
        results[method] = json.loads(line)
    base = results["numpy"]
    area_km2 = (args.size * 40 / 1000) ** 2
    print(f"CFAR (K distribution, pfa 10^-6.5) on {args.size} x {args.size} px EW ({area_km2:,.0f} km^2)")
    for method, r in results.items():
        print(f"  {method:6s} {r['seconds']:7.1f} s ({r['seconds'] / base['seconds']:.2f}x)  peak RSS {r['peak_rss_mb']:7.0f} MB "
              f"({r['peak_rss_mb'] / base['peak_rss_mb']:.2f}x)  detections {r['detections']}  "
              f"recall {r['recall']:.3f} of {r['n_detectable']}  false alarms {r['fa_per_1000_km2']:.2f} per 1000 km^2 open water")


if __name__ == "__main__":
    main()
