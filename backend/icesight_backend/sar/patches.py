"""75 x 75 patches cut from a scene COG around map points, in the Statoil record schema plus provenance.

Points may be in any CRS; they are transformed to the scene's grid, and the patch is centred on
the pixel the point falls in. Pixels outside the scene or the swath are filled with the patch's
own median clutter and the record says ``padded``; a point off the scene is reported, not cut.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import rasterio
from pyproj import Transformer
from rasterio.windows import Window

from icesight_contract import INC_ANGLE_MISSING, PATCH_SIZE_PX, PatchRecord


@dataclass
class CutPatches:
    patches: list[PatchRecord] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # point id -> reason


def cut_patches_from_scene(
    scene_path: Path | str,
    points: list[tuple[str, float, float]],
    points_crs: str,
    scene_id: str,
    min_valid_fraction: float = 0.5,
) -> CutPatches:
    """Cut one patch per (id, x, y) point given in ``points_crs`` from a normalised scene COG."""
    half = PATCH_SIZE_PX // 2
    out = CutPatches()
    with rasterio.open(scene_path) as src:
        to_scene = Transformer.from_crs(points_crs, src.crs, always_xy=True)
        inverse = ~src.transform
        for point_id, x, y in points:
            sx, sy = to_scene.transform(x, y)
            col_f, row_f = inverse * (sx, sy)
            if not (np.isfinite(col_f) and np.isfinite(row_f)):
                out.skipped[point_id] = "cannot be transformed to the scene's CRS"
                continue
            col, row = int(np.floor(col_f)), int(np.floor(row_f))
            if not (0 <= row < src.height and 0 <= col < src.width):
                out.skipped[point_id] = "outside the scene"
                continue
            window = Window(col - half, row - half, PATCH_SIZE_PX, PATCH_SIZE_PX)
            # boundless reads fill outside the raster with NaN (the scene's nodata)
            data = src.read([1, 2, 3], window=window, boundless=True, fill_value=np.nan).astype(np.float64)
            co, cross, inc = data
            valid = np.isfinite(co) & np.isfinite(cross)
            if valid.mean() < min_valid_fraction:
                out.skipped[point_id] = f"less than {min_valid_fraction:.0%} of the patch has data (swath edge)"
                continue
            padded = not valid.all()
            bands = [np.where(valid, band, float(np.median(band[valid]))) for band in (co, cross)]
            centre_inc = inc[half, half]
            inc_angle: float | str = float(centre_inc) if np.isfinite(centre_inc) else INC_ANGLE_MISSING
            centre_x, centre_y = src.transform * (col + 0.5, row + 0.5)
            out.patches.append(
                PatchRecord(
                    id=str(point_id),
                    band_1=[round(float(v), 4) for v in np.clip(bands[0], -79.9, 59.9).ravel()],
                    band_2=[round(float(v), 4) for v in np.clip(bands[1], -79.9, 59.9).ravel()],
                    inc_angle=inc_angle,
                    scene_id=scene_id,
                    row=row,
                    col=col,
                    x=float(centre_x),
                    y=float(centre_y),
                    crs=src.crs.to_string(),
                    padded=padded,
                )
            )
    return out
