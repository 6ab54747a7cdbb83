"""Build the land mask the detector ships with (`backend/icesight_backend/sar/data/land_30s.npz`).

Source: NOAA's GLOBE digital elevation model (Hastings and Dunbar 1999, 30 arc-second cells, public
domain), whose "no data" cells are the ocean, as packaged by `global-land-mask` 1.0.0 (MIT licence):
one boolean per cell, True over the ocean, rows from 90 N southward and columns from 180 W eastward
(the first row's and column's edge at 90 N and 180 W).

The shipped file holds the same cells as land = True, cut into 10 x 10 degree tiles of 1200 x 1200
cells. A tile that is all sea or all land is one number in ``kind`` (0 sea, 1 land); a mixed tile
(``kind`` 2) is stored bit-packed as ``t<row>_<col>``. ``numpy.load`` reads members on demand, so a
scene loads only the tiles it touches (about 180 kB each) instead of the whole 933-megabyte grid.

Usage: pip install global-land-mask==1.0.0 && python tools/build_land_mask.py
(run once; the file is committed and nothing downloads it at run time).
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

import numpy as np

CELLS_PER_DEGREE = 120
TILE_DEGREES = 10
OUT = Path(__file__).resolve().parents[1] / "backend" / "icesight_backend" / "sar" / "data" / "land_30s.npz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    spec = importlib.util.find_spec("global_land_mask")
    if spec is None or spec.origin is None:
        raise SystemExit("global-land-mask is not installed: pip install global-land-mask==1.0.0")
    source = np.load(Path(spec.origin).parent / "globe_combined_mask_compressed.npz")
    lat, lon = source["lat"], source["lon"]
    if not (np.isclose(lat[0], 90.0) and np.isclose(lon[0], -180.0)
            and np.isclose(lat[0] - lat[1], 1 / CELLS_PER_DEGREE) and np.isclose(lon[1] - lon[0], 1 / CELLS_PER_DEGREE)):
        raise SystemExit("unexpected grid in global-land-mask: expected 30 arc-second cells from 90 N and 180 W")
    land = ~source["mask"]
    side = TILE_DEGREES * CELLS_PER_DEGREE
    n_rows, n_cols = land.shape[0] // side, land.shape[1] // side
    kind = np.zeros((n_rows, n_cols), dtype=np.uint8)
    tiles = {}
    for i in range(n_rows):
        for j in range(n_cols):
            tile = land[i * side : (i + 1) * side, j * side : (j + 1) * side]
            if tile.all():
                kind[i, j] = 1
            elif tile.any():
                kind[i, j] = 2
                tiles[f"t{i}_{j}"] = np.packbits(tile, axis=None)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, kind=kind, cells_per_degree=np.int32(CELLS_PER_DEGREE),
                        tile_degrees=np.int32(TILE_DEGREES), **tiles)
    print(f"{args.out}: {len(tiles)} mixed tiles, {int((kind == 1).sum())} all land, {int((kind == 0).sum())} all sea, "
          f"{args.out.stat().st_size / 1e6:.2f} MB; land share of cells {land.mean():.3f}")


if __name__ == "__main__":
    main()
