"""Target job kinds: CFAR detection over a whole scene, and 75 x 75 patches cut around points."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from icesight_contract import (
    DETECTOR_SETTINGS,
    LAND_MASK_LAYER,
    AcquisitionMode,
    CutPatchesParams,
    CutPatchesResult,
    DetectTargetsParams,
    DetectTargetsResult,
    JobKind,
    shown,
    to_dict,
)

from .base import JSON, JobContext, Resources, SubmissionError, artifact, gpkg_artifact, task_threads


def resolve_scene(resources: Resources, params: Any) -> dict:
    """The scene file of a job that names a catalog scene or a simulate_scene job."""
    return {"scene_path": str(resources.scene_path(params.scene_id, params.scene_job_id))}


def check_crs(crs: str, field: str) -> None:
    """Refuse, at submission, a CRS that PROJ does not know (the job would fail on its worker)."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        CRS.from_user_input(crs)
    except (CRSError, TypeError, ValueError):
        raise SubmissionError(f"{shown(str(crs))} is not a coordinate reference system PROJ knows; give one such as "
                              "'EPSG:4326' (longitude, latitude) or 'EPSG:3413' (the layer's own CRS)", field) from None


def resolve_detections(resources: Resources, params: Any) -> dict | None:
    """The detections GeoPackage of the ``detections_job_id`` a job names, if it names one."""
    if params.detections_job_id is None:
        return None
    return str(resources.job_artifact(params.detections_job_id, JobKind.DETECT_TARGETS, "detections.gpkg",
                                      "params.detections_job_id", "run detection"))


def check_points_crs(params: Any) -> None:
    """The CRS of the points a job gives (rather than a detection job's layer) must be one PROJ knows."""
    if params.points is not None:
        check_crs(params.crs, "params.crs")


def resolve_cut(resources: Resources, params: CutPatchesParams) -> dict:
    check_points_crs(params)
    return resolve_scene(resources, params) | {"detections_path": resolve_detections(resources, params)}


#: Fields of the detections layer taken from each :class:`~icesight_backend.sar.detection.Detection`:
#: its levels, dB (rounded), and its background and the margins of its tests, dB (null where the
#: detector had no background to judge against).
_LEVEL_FIELDS = ("peak_co_db", "mean_co_db", "mean_cross_db", "peak_cross_db")
_MARGIN_FIELDS = ("background_co_db", "background_cross_db", "k_margin_db", "local_cross_margin_db",
                  "local_co_margin_db", "local_cross_cfar_margin_db", "depolarisation_excess_db")


def scene_azimuth_bearing(tags: dict) -> float:
    """Which way azimuth runs in a scene's grid (its SAFE reader's tag; 0, along the rows, when it
    has none: simulated scenes and GeoTIFFs of unknown geometry)."""
    from ..sar.ambiguity import tagged_azimuth_bearing

    bearing = tagged_azimuth_bearing(tags)
    return 0.0 if bearing is None else bearing


def detect_targets(ctx: JobContext, params: DetectTargetsParams, inputs: dict) -> dict[str, Any]:
    import geopandas as gpd
    import rasterio
    from shapely.geometry import Point

    from ..sar.ambiguity import scene_ambiguity_field
    from ..sar.detection import CfarParams, detect
    from ..sar.io import RasterBand
    from ..sar.land import LandMask
    from ..sar.readers import PRODUCT_LOOKS, noise_band, scene_looks
    from ..sar.simulation import MODES

    scene_path = inputs["scene_path"]
    with rasterio.open(scene_path) as src:
        meta = {"transform": src.transform, "crs": src.crs, "tags": src.tags(), "noise_band": noise_band(src.descriptions)}
    co, cross = RasterBand(scene_path, 1), RasterBand(scene_path, 2)
    noise = RasterBand(scene_path, meta["noise_band"]) if meta["noise_band"] else None
    pixel_size_m = abs(meta["transform"].a)
    mode = meta["tags"].get("mode")
    # The looks given, else the scene's product's (an EW GRDH scene has 2.7, not EW GRDM's 10.7), else its
    # mode's simulated product's, else IW GRDH's.
    looks = (params.looks or scene_looks(meta["tags"])
             or (MODES[AcquisitionMode(mode)].looks if mode in ("EW", "IW") else PRODUCT_LOOKS[("IW", "H")]))
    cfar = CfarParams(pixel_size_m=pixel_size_m, looks=looks, azimuth_bearing_deg=scene_azimuth_bearing(meta["tags"]),
                      **{name: getattr(params, name) for name in DETECTOR_SETTINGS})
    land = LandMask.for_settings(params, meta["transform"], meta["crs"], co.shape)
    chunks = -(-co.shape[0] // params.chunk_px) * -(-co.shape[1] // params.chunk_px)
    land_share = None if land is None else land.fraction()
    ctx.progress(0.05, f"CFAR over a {co.shape[1]} x {co.shape[0]} px scene in {chunks} chunks"
                 + ("" if land is None else f", {land_share:.1%} of it land"))
    ambiguity = scene_ambiguity_field(meta["tags"], meta["transform"], meta["crs"])
    # The chunks run on this task's share of the worker's cores (and hold that many chunks in memory).
    detections = detect(co, cross, cfar, params.chunk_px, noise_db=noise, land=land, ambiguity=ambiguity,
                        threads=task_threads())
    ctx.check()

    def _rounded(value: float) -> float | None:
        return round(value, 2) if value == value else None  # NaN (no background) as a null field

    scene_id = meta["tags"].get("scene_id", Path(scene_path).stem)
    transform = meta["transform"]
    rows = [
        {
            "detection_id": f"{scene_id}_D{i:05d}",
            "scene_id": scene_id,
            "row": round(d.row, 2),
            "col": round(d.col, 2),
            "area_px": d.area_px,
            "length_m": d.length_m,
            **{name: round(getattr(d, name), 2) for name in _LEVEL_FIELDS},
            "in_sea_ice": d.in_sea_ice,
            **{name: _rounded(getattr(d, name)) for name in _MARGIN_FIELDS},
            "cfar_channels": d.channels,
            "extended_cfar": d.extended,
            "job_id": ctx.job_id,
            "geometry": Point(*(transform * (d.col + 0.5, d.row + 0.5))),
        }
        for i, d in enumerate(detections)
    ]
    columns = ["detection_id", "scene_id", "row", "col", "area_px", "length_m", *_LEVEL_FIELDS, "in_sea_ice",
               *_MARGIN_FIELDS, "cfar_channels", "extended_cfar", "job_id", "geometry"]
    # An empty result is still a valid layer with the same fields (nothing found is an answer).
    frame = gpd.GeoDataFrame(rows, columns=columns, geometry="geometry", crs=meta["crs"])
    # The land left out (buffer included) goes with the detections, so the analyst sees where nothing was looked for.
    land_layer = {}
    if land is not None:
        outlines = land.outlines(transform)
        land_layer[LAND_MASK_LAYER] = gpd.GeoDataFrame(
            {"source": ["; ".join(land.sources)] * len(outlines), "buffer_m": [params.land_buffer_m] * len(outlines)},
            geometry=gpd.GeoSeries(outlines, crs=meta["crs"]), crs=meta["crs"])
    artifacts = [gpkg_artifact(frame, "detections", role="detections", extra_layers=land_layer)]
    crs = meta["crs"].to_string() if meta["crs"] else ""
    result = DetectTargetsResult(scene_id, len(detections), crs, pixel_size_m, looks, params.pfa,
                                 noise_floor_band=noise is not None and cfar.judges_cross_pol,
                                 land_fraction=None if land_share is None else round(land_share, 5))
    return {"result": to_dict(result), "artifacts": artifacts, "model": None}


def cut_patches(ctx: JobContext, params: CutPatchesParams, inputs: dict) -> dict[str, Any]:
    import json

    scene_path, detections_path = inputs["scene_path"], inputs.get("detections_path")

    import rasterio

    from ..sar.patches import cut_patches_from_scene

    with rasterio.open(scene_path) as src:
        scene_id = src.tags().get("scene_id", Path(scene_path).parent.name)
    if detections_path is not None:
        import geopandas as gpd

        detections = gpd.read_file(detections_path, layer="detections", engine="pyogrio")
        points = [(str(d), g.x, g.y) for d, g in zip(detections["detection_id"], detections.geometry, strict=True)]
        crs = detections.crs.to_string()
    else:
        points = [(p.id, p.x, p.y) for p in params.points]
        crs = params.crs
    ctx.progress(0.1, f"cutting {len(points)} patches from {scene_id}")
    cut = cut_patches_from_scene(scene_path, points, crs, scene_id)
    records = json.dumps(to_dict(cut.patches), allow_nan=False).encode()
    result = CutPatchesResult(scene_id, len(cut.patches), sum(p.padded for p in cut.patches), cut.skipped)
    artifacts = [artifact("patches.json", JSON, "patches", records)]
    return {"result": to_dict(result), "artifacts": artifacts, "model": None}
