"""Incidence over a swath from its edges (what a SNAP product without an incidence band gets,
``SwathEdges``) against the baseline, the incidence interpolated linearly across the swath between
its near and far edges, both judged at every node of real geolocation grids.

Data: the annotations in ``data/sentinel1_annotation``: a whole IW GRDH swath (S1A, 19 January 2021,
10 x 21 nodes on ground range) and single sub-swaths of SLC products (EW1: S1A, 3 April 2021; IW1
and IW2: S1B, 1 April 2021; nodes on slant range). The edges are each grid's corner nodes, as a
SNAP product keeps the original product's grid; the truth is the annotation's incidence at each node.
The time is that of evaluating the incidence over a 10,000 x 10,000 px map grid in this process.

    python bench/bench_swath_incidence.py
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from affine import Affine
from rasterio.crs import CRS
from rasterio.windows import Window

from icesight_backend.sar.readers.geocoding import SwathEdges
from icesight_backend.sar.readers.safe import geolocation_grid, read_annotation

DATA = Path(__file__).resolve().parents[1] / "data" / "sentinel1_annotation"
ANNOTATIONS = {
    "IW GRDH, whole swath": next(DATA.glob("S1A_IW_GRDH_1SDV_20210119*/s1a-iw-grd-vh-*.xml.gz")),
    "EW1 SLC sub-swath": next(DATA.glob("s1a-ew1-slc-hv-*.xml.gz")),
    "IW1 SLC sub-swath": next(DATA.glob("s1b-iw1-slc-vh-*.xml.gz")),
    "IW2 SLC sub-swath": next(DATA.glob("s1b-iw2-slc-vh-*.xml.gz")),
}


def linear_across(grid: np.ndarray, swath: SwathEdges) -> np.ndarray:
    """The baseline: incidence linear in the node's pixel between the near and far edges' angles."""
    pixels = grid[:, 1]
    share = (pixels - pixels.min()) / np.ptp(pixels)
    return swath.incidence_near_deg + share * (swath.incidence_far_deg - swath.incidence_near_deg)


def main() -> None:
    print(f"{'grid':24s} {'nodes':>5s} {'incidence':>11s} {'width ratio':>11s} {'edges: max / rms':>17s} "
          f"{'linear: max / rms':>18s} {'ratio of max':>12s}")
    for name, path in ANNOTATIONS.items():
        grid = geolocation_grid(read_annotation(path))
        swath = SwathEdges.of_grid(grid)
        edges = swath.incidence_deg(grid[:, 2], grid[:, 3]) - grid[:, 4]
        linear = linear_across(grid, swath) - grid[:, 4]
        print(f"{name:24s} {len(grid):5d} {grid[:, 4].min():5.1f}-{grid[:, 4].max():4.1f} {swath.width_ratio():11.4f} "
              f"{np.abs(edges).max():8.3f} / {np.sqrt(np.mean(edges ** 2)):.3f} "
              f"{np.abs(linear).max():9.3f} / {np.sqrt(np.mean(linear ** 2)):.3f} "
              f"{np.abs(linear).max() / np.abs(edges).max():12.1f}")
    # The cost of the incidence over a map grid: nodes every 64 px, bilinear between them, by blocks.
    swath = SwathEdges.of_grid(geolocation_grid(read_annotation(ANNOTATIONS["IW GRDH, whole swath"])))
    transform = Affine(25.0, 0, 420_000.0, 0, -25.0, 8_120_000.0)  # UTM 36S over the swath, 25 m pixels
    started = time.perf_counter()
    lut = swath.incidence_over(CRS.from_epsg(32736), transform, 10_000, 10_000)
    nodes_s = time.perf_counter() - started
    started = time.perf_counter()
    for row in range(0, 10_000, 1024):
        lut.block(Window(0, row, 10_000, min(1024, 10_000 - row)))
    print(f"incidence over a 10,000 x 10,000 px grid: nodes {nodes_s:.2f} s, blocks {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
