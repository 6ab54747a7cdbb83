"""Writing scenes and target tables in the product's formats: COG GeoTIFF and GeoPackage."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
from shapely.geometry import Point

from .readers import copy_to_cog, scene_units, staging_profile
from .scene import SceneLayout, SimulatedScene


def write_gpkg(frame: gpd.GeoDataFrame, path: Path, layer: str) -> Path:
    """Write a GeoPackage that the GDAL of QGIS 3.22 LTR reads without warnings (GPKG 1.2)."""
    frame.to_file(path, layer=layer, driver="GPKG", engine="pyogrio", dataset_options={"VERSION": "1.2"})
    return Path(path)


def write_cog(
    path: Path,
    shape: tuple[int, int],
    crs,
    transform,
    band_names: tuple[str, ...],
    blocks,
    tags: dict[str, str] | None = None,
) -> Path:
    """Write float32 bands given as row blocks ``(row_offset, band, band, ...)`` to a COG.

    Only one block is in memory at a time; the COG (overviews, DEFLATE) is made from a tiled
    staging GeoTIFF.
    """
    path = Path(path)
    height, width = shape
    profile = staging_profile(len(band_names), height=height, width=width, crs=crs, transform=transform)
    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        staging = Path(tmp) / "scene.tif"
        with rasterio.open(staging, "w", **profile) as dst:
            for r0, *bands in blocks:
                window = rasterio.windows.Window(0, r0, width, bands[0].shape[0])
                for index, band in enumerate(bands, start=1):
                    dst.write(band.astype(np.float32), index, window=window)
            for index, name in enumerate(band_names, start=1):
                dst.set_band_description(index, name)
            dst.update_tags(**(tags or {}))
        copy_to_cog(staging, path)
    return path


def _scene_tags(pixel_size_m: float, tags: dict[str, str] | None) -> dict[str, str]:
    return {"units": scene_units(with_noise=True), "pixel_size_m": str(pixel_size_m), **(tags or {})}


def write_scene_cog(scene: SimulatedScene, path: Path, tags: dict[str, str] | None = None) -> Path:
    """An in-memory scene as a COG in the product's layout: co-pol dB, cross-pol dB, incidence
    angle, noise floor dB."""
    blocks = [(0, scene.hh_db, scene.hv_db, scene.inc_angle_deg, scene.nesz_db)]
    return write_cog(path, scene.shape, scene.crs, scene.transform, scene.band_names, blocks,
                     _scene_tags(scene.pixel_size_m, tags))


def write_simulated_scene_cog(layout: SceneLayout, path: Path, tags: dict[str, str] | None = None,
                              on_block: Callable[[int, int], None] | None = None) -> Path:
    """Simulate and write a scene block by block: a full 10,000 x 10,000 px EW scene never sits in memory.

    ``on_block(row_offset, height_px)`` is called before each block is simulated; it may raise to
    stop (a cancelled job stops within one block)."""
    shape = (layout.params.height_px, layout.params.width_px)

    def blocks():
        for block in layout.blocks():
            if on_block is not None:
                on_block(block[0], shape[0])
            yield block

    return write_cog(path, shape, layout.crs, layout.transform, layout.band_names, blocks(),
                     _scene_tags(layout.geometry.pixel_size_m, tags))


def write_truth_gpkg(scene: SimulatedScene | SceneLayout, path: Path, scene_id: str) -> Path:
    """The simulation's truth: one point per target with class, size, orientation and radiometry."""
    records = [
        {
            "target_id": f"{scene_id}_T{i:04d}",
            "class": p.target.kind.value,
            "is_iceberg": int(p.target.kind.value == "iceberg"),
            "length_m": round(p.target.length_m, 1),
            "width_m": round(p.target.width_m, 1),
            "heading_deg": round(p.target.heading_deg, 1),
            "peak_hh_db": round(p.target.peak_hh_db, 2),
            "cross_ratio_db": round(p.target.cross_ratio_db, 2),
            "in_sea_ice": p.in_ice,
            "row": p.row,
            "col": p.col,
            "scene_id": scene_id,
            "geometry": Point(p.x, p.y),
        }
        for i, p in enumerate(scene.targets)
    ]
    frame = gpd.GeoDataFrame(records, geometry="geometry", crs=scene.crs)
    return write_gpkg(frame, path, "truth")


class RasterBand:
    """One band of a raster file as a lazy array for ``dask.array.from_array`` and windowed reads.

    Reads take only the requested window, so the scene is never held whole in memory. Each thread
    keeps its own open dataset (GDAL handles are not shared across threads), so thousands of small
    reads (one per detection when measuring targets) do not reopen the file each time.
    """

    def __init__(self, path: Path | str, band: int):
        self.path = str(path)
        self.band = band
        with rasterio.open(self.path) as src:
            self.shape = (src.height, src.width)
            self.dtype = np.dtype(src.dtypes[band - 1])
            self.nodata = src.nodatavals[band - 1]
        self.ndim = 2
        self._local = threading.local()

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_local")
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._local = threading.local()

    def _dataset(self):
        dataset = getattr(self._local, "dataset", None)
        if dataset is None or dataset.closed:
            dataset = self._local.dataset = rasterio.open(self.path)
        return dataset

    def __getitem__(self, key) -> np.ndarray:
        rows, cols = key if isinstance(key, tuple) else (key, slice(None))
        r0, r1, _ = rows.indices(self.shape[0])
        c0, c1, _ = cols.indices(self.shape[1])
        window = rasterio.windows.Window(c0, r0, max(c1 - c0, 0), max(r1 - r0, 0))
        data = self._dataset().read(self.band, window=window).astype(np.float32)
        if self.nodata is not None and np.isfinite(self.nodata):
            data[data == self.nodata] = np.nan
        return data
