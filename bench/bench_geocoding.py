"""Geocoding accuracy and cost: GDAL's thin-plate spline through the geolocation grid (what the SAFE
reader uses) against its default, a polynomial fitted to the grid's nodes (the baseline).

Data: the geolocation grid of the real Sentinel-1A IW GRDH product in ``data/sentinel1_annotation``
(19 January 2021, 19 S 35 E, 25,931 x 16,854 samples of 10 m, 10 x 21 nodes). A measurement over
that footprint is built with its samples taken ``--decimation`` at a time (4: 40 m pixels, an EW
product's spacing) and a bright spot at every interior node (152); it is warped both ways in this
process, and each spot's distance from its node's map position is measured.

    python bench/bench_geocoding.py [--decimation 4]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "backend"))

from test_geocoding_real_grid import node_errors_m, radar_scene  # noqa: E402

from icesight_backend.sar.readers.geocoding import GEOCODING_METHOD, geocode  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--decimation", type=int, default=4, help="product samples per pixel (10 m each)")
    args = parser.parse_args()
    pixel_m = 10.0 * args.decimation
    with tempfile.TemporaryDirectory() as tmp:
        radar, nodes, crs = radar_scene(Path(tmp), args.decimation)
        profile = {"driver": "GTiff", "count": 1, "dtype": "float32", "nodata": float("nan"), "tiled": True,
                   "blockxsize": 512, "blockysize": 512}
        print(f"geocoding a real IW GRDH grid at {pixel_m:.0f} m pixels ({len(nodes)} nodes)")
        seconds = {}
        for method in ("GCP_POLYNOMIAL", GEOCODING_METHOD):
            started = time.perf_counter()
            geocode(radar, crs, Path(tmp) / f"{method}.tif", profile, pixel_m, method=method)
            seconds[method] = time.perf_counter() - started
            errors = node_errors_m(Path(tmp) / f"{method}.tif", nodes, crs)
            print(f"  {method:15s} node error median {np.median(errors):5.0f} m, 90 % {np.percentile(errors, 90):5.0f} m, "
                  f"max {errors.max():5.0f} m; {seconds[method]:5.1f} s "
                  f"({seconds[method] / seconds['GCP_POLYNOMIAL']:.2f} x the polynomial)")


if __name__ == "__main__":
    main()
