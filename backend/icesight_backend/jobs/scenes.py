"""Scene job kinds: simulate a Sentinel-1-like scene, ingest an uploaded one into the catalog."""

from __future__ import annotations

import functools
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from icesight_contract import (
    ClassName,
    IngestSceneParams,
    IngestSceneResult,
    SimulateSceneParams,
    SimulateSceneResult,
    to_dict,
)

from .base import GEOTIFF, GPKG, JobContext, Resources, SceneLimits, SceneTooLarge, SubmissionError, artifact


def simulate_scene(ctx: JobContext, params: SimulateSceneParams, inputs: dict) -> dict[str, Any]:
    from ..sar.io import write_simulated_scene_cog, write_truth_gpkg
    from ..sar.scene import scene_id_for, scene_layout

    ctx.progress(0.05, "placing targets and drawing the large-scale fields")
    layout = scene_layout(params)
    scene_id = scene_id_for(params)
    ctx.progress(0.1, "simulating clutter, sea ice and targets block by block into a COG")
    with tempfile.TemporaryDirectory() as tmp:
        def on_block(row: int, height: int) -> None:
            ctx.check()  # a cancelled job stops within one block
            ctx.progress(0.1 + 0.8 * row / height, f"simulated {row} of {height} rows")

        cog = write_simulated_scene_cog(layout, Path(tmp) / "scene.tif", tags={"scene_id": scene_id, "mode": params.mode.value},
                                        on_block=on_block)
        ctx.check()
        truth = write_truth_gpkg(layout, Path(tmp) / "truth.gpkg", scene_id)
        artifacts = [
            artifact("scene.tif", GEOTIFF, "scene", cog.read_bytes()),
            artifact("truth.gpkg", GPKG, "truth", truth.read_bytes()),
        ]
    valid_from = int(layout.edge_cols.min())
    near, far = float(layout.inc_row[valid_from]), float(layout.inc_row[-1])
    kinds = [p.target.kind for p in layout.targets]
    result = SimulateSceneResult(
        scene_id=scene_id,
        mode=params.mode,
        width_px=params.width_px,
        height_px=params.height_px,
        pixel_size_m=layout.geometry.pixel_size_m,
        crs=f"EPSG:{params.crs_epsg}",
        n_ships=kinds.count(ClassName.SHIP),
        n_icebergs=kinds.count(ClassName.ICEBERG),
        inc_angle_near_deg=round(near, 3),
        inc_angle_far_deg=round(far, 3),
    )
    return {"result": to_dict(result), "artifacts": artifacts, "model": None}


def _geometry_tags(path) -> dict[str, str]:
    """The acquisition-geometry tags a scene file carries and the catalog keeps (the SAFE reader's,
    or an earlier IceSight export's): which way azimuth runs on its grid and how far its azimuth
    ambiguities lie, when they hold what they should (:func:`~icesight_backend.sar.ambiguity.geometry_tags`)."""
    import rasterio

    from ..sar.ambiguity import geometry_tags

    with rasterio.open(path) as src:
        return geometry_tags(src.tags())


def ingest_scene(ctx: JobContext, params: IngestSceneParams, inputs: dict) -> dict[str, Any]:
    from ..sar.readers import checkpoints

    with checkpoints(ctx.check):  # a cancel stops the readers within a block of rows
        return _ingest(ctx, params, inputs)


def _ingest(ctx: JobContext, params: IngestSceneParams, inputs: dict) -> dict[str, Any]:
    import zipfile

    from ..catalog import make_item
    from ..sar.readers import LOOKS_TAG, product_name
    from ..sar.readers.dimap import dimap_to_geotiff, is_dimap_zip, open_dimap
    from ..sar.readers.geotiff import geocode_gcp_scene, inspect_scene, normalise_to_cog, reproject_scene
    from ..sar.readers.safe import open_safe, safe_to_cog
    from ..sar.readers.snap import tiff_snap_metadata

    staging = Path(inputs["staging_dir"])
    staging.mkdir(parents=True, exist_ok=True)
    fits = functools.partial(check_scene_size, limits=inputs["scene_limits"])  # (width, height): refuses a grid too large
    mode = params.mode.value if params.mode else None
    acquired = params.acquired
    stored = Path(inputs["upload_path"])
    sidecar = stored.with_suffix(".name")
    sent_name = sidecar.read_text() if sidecar.exists() else None
    source = sent_name or f"upload {stored.stem}"
    try:
        upload = _as_sent(stored, staging, sent_name)  # every reader's message names the file the analyst sent
    except FileNotFoundError:  # consumed since submission: another ingest of the same upload published first
        raise FileNotFoundError(f"upload {params.upload_id} is no longer on the service: another ingest_scene job "
                                "of it finished first and took it into the catalog; upload the file again to "
                                "ingest it once more") from None
    zipped = zipfile.is_zipfile(upload)
    if zipped and not is_dimap_zip(upload):
        ctx.progress(0.05, "reading a Sentinel-1 SAFE product: calibration and geolocation annotations")
        product = open_safe(upload)
        scene_id = params.scene_id or f"{_id_part(Path(product.name).stem)}-{ctx.job_id[:8]}"
        mode = mode or product.mode or None
        looks = product.looks if mode == product.mode else None  # a mode the job gives says otherwise
        acquired = acquired or (product.start_time + "Z" if product.start_time else None)
        ctx.progress(0.2, "calibrating to sigma0 and geocoding with the geolocation grid")
        # The reader writes the scene in the product's layout, tags included: it is the catalog's COG.
        cog = safe_to_cog(product, staging / "scene.tif", check_size=fits,
                          tags={"scene_id": scene_id, **({"mode": mode} if mode else {}),
                                **({LOOKS_TAG: f"{looks:g}"} if looks else {})})
        raster = inspect_scene(cog)
        source_units = "DN (calibrated with sigmaNought)"
    else:
        # A file derived from a Sentinel-1 product usually keeps its name: its mode, channels and time.
        named = product_name(source)
        # What SNAP kept of the product it was made from: its name, and the swath giving the incidence.
        dimap = open_dimap(upload) if zipped else None
        snap = dimap.metadata if dimap else tiff_snap_metadata(upload)
        named = named or (product_name(snap.product) if snap else None)
        mode = mode or (named.mode if named else None)
        acquired = acquired or (named.acquired if named else None)
        # The service's own copies keep the sent name too, each in a folder of what was done to it.
        copies = {step: staging / step / f"{Path(upload).stem}.tif" for step in ("stacked", "geocoded", "reprojected")}
        for copy in copies.values():
            copy.parent.mkdir(exist_ok=True)
        scene_input = upload
        if zipped:
            ctx.progress(0.02, "reading a SNAP BEAM-DIMAP product: its sigma0 pair and incidence angle")
            scene_input = dimap_to_geotiff(dimap, copies["stacked"])
        ctx.progress(0.05, "checking the scene file")
        scene_file = geocode_gcp_scene(scene_input, copies["geocoded"], fits)
        if scene_file is not None:
            ctx.progress(0.15, "geocoded the scene with its ground control points (thin-plate spline)")
        elif (scene_file := reproject_scene(scene_input, copies["reprojected"], fits)) is not None:
            ctx.progress(0.15, "reprojected the scene onto a grid whose metres are the ground's (polar "
                               "stereographic or UTM)")
        scene_file = scene_file or scene_input
        raster = inspect_scene(
            scene_file, params.co_band, params.cross_band, params.inc_band, params.inc_angle_deg, params.units,
            polarisations=named.polarisations if named else None, swath=snap.swath if snap else None,
        )
        fits(raster.width, raster.height)
        ctx.check()
        scene_id = params.scene_id or f"scene-{ctx.job_id[:8]}"
        ctx.progress(0.2, f"writing a {raster.width} x {raster.height} px COG (co-pol dB, cross-pol dB, incidence)")
        looks = named.looks if named and named.mode == mode else None  # the product's, where its name says it
        cog = normalise_to_cog(raster, staging / "scene.tif",
                               tags={"scene_id": scene_id, **({"mode": mode} if mode else {}),
                                     **({LOOKS_TAG: f"{looks:g}"} if looks else {}), **_geometry_tags(scene_file)})
        for copy in copies.values():
            shutil.rmtree(copy.parent, ignore_errors=True)
        source_units = raster.units
    item = make_item(scene_id, raster, mode, acquired, source=source, looks=looks)
    item["properties"]["icesight:source_units"] = source_units
    result = IngestSceneResult(
        scene_id=scene_id, width_px=raster.width, height_px=raster.height, pixel_size_m=raster.pixel_size_m,
        crs=raster.crs_authid, polarisations=list(raster.polarisations), source_units=source_units, bbox=item["bbox"],
    )
    return {"result": to_dict(result), "artifacts": [], "model": None, "scene_item": item, "staged_cog": str(cog)}


def _as_sent(stored: Path, staging: Path, sent_name: str | None) -> Path:
    """The stored upload as this job's own hard link in its staging folder, under the name the analyst
    sent it with (so that what a reader says of it names that file). Being the job's own, it stays
    readable when another ingest of the same upload publishes meanwhile and removes the upload; it goes
    with the staging folder. Where no hard link can be made (another file system), a symbolic link
    under the sent name, or the stored upload itself. Raises FileNotFoundError when the upload is gone."""
    link = staging / "sent" / (sent_name or stored.name)
    link.parent.mkdir(exist_ok=True)
    try:
        os.link(stored, link)
        return link
    except FileNotFoundError:
        if not stored.exists():
            raise
    except OSError:
        pass
    if not stored.is_file():
        raise FileNotFoundError(stored)
    if not sent_name:
        return stored
    try:
        link.symlink_to(stored.resolve())
    except OSError:
        return stored
    return link


def _id_part(text: str, limit: int = 60) -> str:
    """``text`` as the start of a catalog scene id: letters, digits, '.', '_' and '-' only."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).lstrip("._-")[:limit] or "scene"


def publish_simulated_scene(resources: Resources, job_id: str, params: SimulateSceneParams, output: dict) -> None:
    """List a simulated scene in the catalog too (a hard link to the job's artifact, no copy)."""
    from ..catalog import make_item
    from ..sar.readers.geotiff import inspect_scene

    catalog = resources.catalog
    staging = catalog.staging_dir(job_id)
    staging.mkdir(parents=True, exist_ok=True)
    linked = staging / "scene.tif"
    try:
        os.link(resources.store.artifact_dir(job_id) / "scene.tif", linked)
    except OSError:
        shutil.copyfile(resources.store.artifact_dir(job_id) / "scene.tif", linked)
    result = output["result"]
    item = make_item(result["scene_id"], inspect_scene(linked), result["mode"], None, source=f"simulate_scene job {job_id}")
    catalog.add(item, linked)
    shutil.rmtree(staging, ignore_errors=True)


def check_scene_size(width_px: int, height_px: int, limits: SceneLimits) -> None:
    """Refuse a scene larger than the service takes, from its header, before any work."""
    if max(width_px, height_px) > limits.max_side_px or width_px * height_px > limits.max_pixels:
        raise SceneTooLarge(
            f"the scene declares {width_px} x {height_px} px; this service takes at most {limits.max_side_px} px a "
            f"side and {limits.max_pixels / 1e6:.0f} Mpx (a full Sentinel-1 IW GRDH scene is about 25,000 x 16,700); "
            "crop or resample it, or start the backend with larger --max-scene-side-px / --max-scene-mpx",
            "params.upload_id",
        )


def resolve_simulation(resources: Resources, params: SimulateSceneParams) -> dict:
    """Refuse, at submission, a scene whose CRS is unknown, not projected or cannot project its centre."""
    from ..sar.scene import scene_centre

    try:
        scene_centre(params)
    except ValueError as exc:
        raise SubmissionError(str(exc), "params.crs_epsg") from None
    return {}


def resolve_upload(resources: Resources, params: IngestSceneParams) -> dict:
    import zipfile

    import rasterio

    if params.scene_id is not None:
        try:
            resources.catalog.check_id(params.scene_id)
        except ValueError as exc:
            raise SubmissionError(str(exc), "params.scene_id") from None
        if resources.catalog.has(params.scene_id):
            raise SubmissionError(resources.catalog.taken_message(params.scene_id), "params.scene_id")
    path = resources.upload_path(params.upload_id)
    if zipfile.is_zipfile(path):
        from ..sar.readers import SarFormatError
        from ..sar.readers.dimap import dimap_size, is_dimap_zip
        from ..sar.readers.safe import open_safe

        try:  # the headers only
            width, height = dimap_size(path) if is_dimap_zip(path) else open_safe(path).size
        except (SarFormatError, rasterio.errors.RasterioIOError, zipfile.BadZipFile):
            pass  # the job's reader says what is wrong with it
        else:
            check_scene_size(width, height, resources.scene_limits)
    else:
        try:
            with rasterio.open(path) as src:  # the header only
                check_scene_size(src.width, src.height, resources.scene_limits)
        except rasterio.errors.RasterioIOError:
            pass  # not a raster: the job's reader says what is wrong with it
    return {"upload_path": str(path), "scene_limits": resources.scene_limits}


def publish_ingested_scene(resources: Resources, job_id: str, params: IngestSceneParams, output: dict) -> None:
    """Add the staged COG to the catalog; the upload is then consumed (a failed ingest keeps it for a retry).
    A scene the catalog holds already is not replaced: a scene id taken by another ingest since this
    one was submitted fails this one."""
    resources.catalog.add(output["scene_item"], Path(output["staged_cog"]), replace=False)
    shutil.rmtree(resources.catalog.staging_dir(job_id), ignore_errors=True)
    # Not resources.upload_path, which refuses an upload that is gone: two ingests of one upload that
    # ran side by side both publish their scene, and the second finds the upload taken already.
    upload = resources.uploads_dir / f"{params.upload_id}.upload"
    upload.with_suffix(".name").unlink(missing_ok=True)
    upload.unlink(missing_ok=True)
