"""What runs on a Dask worker for each job kind.

A job task gets plain, picklable inputs (the job id, its kind, its parameters as JSON-ready dicts
and, for classification, the model's serialised weights) and returns plain outputs: the result
document and the artifacts as bytes. Workers need no shared disk with the service, so the same
code runs on the embedded LocalCluster and on a remote ``dask scheduler`` with its workers.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from icesight_contract import (
    AcquisitionMode,
    BuildFeatureGroupParams,
    ClassifyPatchesParams,
    ClassifyPatchesResult,
    ClassName,
    CreateTrainingDatasetParams,
    CutPatchesParams,
    CutPatchesResult,
    DetectTargetsParams,
    DetectTargetsResult,
    IngestSceneParams,
    IngestSceneResult,
    JobKind,
    PatchClassification,
    RunAblationParams,
    SearchHyperparametersParams,
    SimulateSceneParams,
    SimulateSceneResult,
    TrainingDatasetRef,
    TrainModelParams,
    TrainModelResult,
    from_dict,
    to_dict,
)

PROGRESS_TOPIC = "icesight-progress"


def cancel_event_name(job_id: str) -> str:
    return f"icesight-cancel-{job_id}"


class JobCancelled(Exception):
    """The service asked this job to stop."""


class JobContext:
    """Progress reporting and cooperative cancellation for one job, from inside a Dask task."""

    def __init__(self, job_id: str, check_interval_s: float = 0.5):
        self.job_id = job_id
        self._check_interval_s = check_interval_s
        self._last_check = 0.0
        self._cancelled = False
        try:
            from distributed import get_worker

            self._worker = get_worker()
        except ValueError:  # not inside a worker (direct call, tests of domain code)
            self._worker = None

    def progress(self, fraction: float, message: str) -> None:
        if self._worker is not None:
            self._worker.log_event(
                PROGRESS_TOPIC,
                {"job_id": self.job_id, "progress": max(0.0, min(1.0, fraction)), "message": message},
            )

    def should_stop(self) -> bool:
        if self._worker is None or self._cancelled:
            return self._cancelled
        now = time.monotonic()
        if now - self._last_check >= self._check_interval_s:
            self._last_check = now
            from distributed import Event

            self._cancelled = Event(cancel_event_name(self.job_id)).is_set()
        return self._cancelled

    def check(self) -> None:
        if self.should_stop():
            raise JobCancelled(self.job_id)


def _artifact(name: str, media_type: str, role: str, data: bytes) -> dict[str, Any]:
    return {"name": name, "media_type": media_type, "role": role, "data": data}


GPKG = "application/geopackage+sqlite3"


def _gpkg_artifact(frame, layer: str, role: str) -> dict[str, Any]:
    """A GeoDataFrame as a ``<layer>.gpkg`` artifact (one layer of that name)."""
    from .sar.io import write_gpkg

    with tempfile.TemporaryDirectory() as tmp:
        path = write_gpkg(frame, Path(tmp) / f"{layer}.gpkg", layer)
        return _artifact(f"{layer}.gpkg", GPKG, role, path.read_bytes())
GEOTIFF = "image/tiff; application=geotiff; profile=cloud-optimized"
JSON = "application/json"


def _simulate_scene(ctx: JobContext, params: SimulateSceneParams) -> dict[str, Any]:
    from .sar.io import write_simulated_scene_cog, write_truth_gpkg
    from .sar.scene import scene_id_for, scene_layout

    ctx.progress(0.05, "placing targets and drawing the large-scale fields")
    layout = scene_layout(params)
    scene_id = scene_id_for(params)
    ctx.progress(0.1, "simulating clutter, sea ice and targets block by block into a COG")
    with tempfile.TemporaryDirectory() as tmp:
        cog = write_simulated_scene_cog(layout, Path(tmp) / "scene.tif", tags={"scene_id": scene_id, "mode": params.mode.value})
        ctx.check()
        truth = write_truth_gpkg(layout, Path(tmp) / "truth.gpkg", scene_id)
        artifacts = [
            _artifact("scene.tif", GEOTIFF, "scene", cog.read_bytes()),
            _artifact("truth.gpkg", GPKG, "truth", truth.read_bytes()),
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


def _ingest_scene(ctx: JobContext, params: IngestSceneParams, upload_path: str, staging_dir: str) -> dict[str, Any]:
    import zipfile

    from .catalog import make_item
    from .sar.readers.geotiff import inspect_scene, normalise_to_cog
    from .sar.readers.safe import open_safe, safe_to_cog

    staging = Path(staging_dir)
    staging.mkdir(parents=True, exist_ok=True)
    mode = params.mode.value if params.mode else None
    acquired = params.acquired
    if zipfile.is_zipfile(upload_path):
        ctx.progress(0.05, "reading a Sentinel-1 SAFE product: calibration and geolocation annotations")
        product = open_safe(upload_path)
        scene_id = params.scene_id or f"{Path(product.name).stem[:60]}-{ctx.job_id[:8]}"
        mode = mode or (product.mode if product.mode in ("EW", "IW") else None)
        acquired = acquired or (product.start_time + "Z" if product.start_time else None)
        ctx.progress(0.2, "calibrating to sigma0 and geocoding with the geolocation grid")
        cog = safe_to_cog(product, staging / "raw.tif")
        raster = inspect_scene(cog)
        cog = normalise_to_cog(raster, staging / "scene.tif", tags={"scene_id": scene_id, **({"mode": mode} if mode else {})})
        (staging / "raw.tif").unlink()
        source_units = "DN (calibrated with sigmaNought)"
    else:
        ctx.progress(0.05, "checking the scene file")
        raster = inspect_scene(
            upload_path, params.co_band, params.cross_band, params.inc_band, params.inc_angle_deg, params.units
        )
        ctx.check()
        scene_id = params.scene_id or f"scene-{ctx.job_id[:8]}"
        ctx.progress(0.2, f"writing a {raster.width} x {raster.height} px COG (co-pol dB, cross-pol dB, incidence)")
        cog = normalise_to_cog(raster, staging / "scene.tif", tags={"scene_id": scene_id, **({"mode": mode} if mode else {})})
        source_units = raster.units
    sidecar = Path(upload_path).with_suffix(".name")
    source = sidecar.read_text() if sidecar.exists() else f"upload {Path(upload_path).stem}"
    item = make_item(scene_id, raster, mode, acquired, source=source)
    item["properties"]["icesight:source_units"] = source_units
    result = IngestSceneResult(
        scene_id=scene_id, width_px=raster.width, height_px=raster.height, pixel_size_m=raster.pixel_size_m,
        crs=raster.crs_authid, polarisations=list(raster.polarisations), source_units=source_units, bbox=item["bbox"],
    )
    return {"result": to_dict(result), "artifacts": [], "model": None, "scene_item": item, "staged_cog": str(cog)}


def _cut_patches(ctx: JobContext, params: CutPatchesParams, scene_path: str, detections_path: str | None) -> dict[str, Any]:
    import json

    import rasterio

    from .sar.patches import cut_patches_from_scene

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
    artifacts = [_artifact("patches.json", JSON, "patches", records)]
    return {"result": to_dict(result), "artifacts": artifacts, "model": None}


def _detect_targets(ctx: JobContext, params: DetectTargetsParams, scene_path: str) -> dict[str, Any]:
    import geopandas as gpd
    import rasterio
    from shapely.geometry import Point

    from .sar.detection import CfarParams, detect
    from .sar.io import RasterBand
    from .sar.simulation import MODES

    with rasterio.open(scene_path) as src:
        meta = {"transform": src.transform, "crs": src.crs, "tags": src.tags()}
    co, cross = RasterBand(scene_path, 1), RasterBand(scene_path, 2)
    pixel_size_m = abs(meta["transform"].a)
    mode = meta["tags"].get("mode")
    looks = params.looks or (MODES[AcquisitionMode(mode)].looks if mode in ("EW", "IW") else 4.4)
    cfar = CfarParams(
        pixel_size_m=pixel_size_m,
        target_window_m=params.target_window_m,
        guard_window_m=params.guard_window_m,
        background_window_m=params.background_window_m,
        pfa=params.pfa,
        looks=looks,
        min_area_px=params.min_area_px,
    )
    chunks = -(-co.shape[0] // params.chunk_px) * -(-co.shape[1] // params.chunk_px)
    ctx.progress(0.05, f"CFAR over a {co.shape[1]} x {co.shape[0]} px scene in {chunks} chunks")
    detections = detect(co, cross, cfar, params.chunk_px)
    ctx.check()
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
            "peak_co_db": round(d.peak_co_db, 2),
            "mean_co_db": round(d.mean_co_db, 2),
            "mean_cross_db": round(d.mean_cross_db, 2),
            "job_id": ctx.job_id,
            "geometry": Point(*(transform * (d.col + 0.5, d.row + 0.5))),
        }
        for i, d in enumerate(detections)
    ]
    columns = ["detection_id", "scene_id", "row", "col", "area_px", "length_m", "peak_co_db", "mean_co_db",
               "mean_cross_db", "job_id", "geometry"]
    # An empty result is still a valid layer with the same fields (nothing found is an answer).
    frame = gpd.GeoDataFrame(rows, columns=columns, geometry="geometry", crs=meta["crs"])
    artifacts = [_gpkg_artifact(frame, "detections", role="detections")]
    crs = meta["crs"].to_string() if meta["crs"] else ""
    result = DetectTargetsResult(scene_id, len(detections), crs, pixel_size_m, looks, params.pfa)
    return {"result": to_dict(result), "artifacts": artifacts, "model": None}


def _train_model(ctx: JobContext, params: TrainModelParams, model_id: str, dataset: dict | None) -> dict[str, Any]:
    import torch

    from .learning.data import arrays_from_records, arrays_from_simulation
    from .learning.training import TrainingCancelled, TrainingConfig, fit, train_model
    from .learning_jobs import held_out_metrics, load_dataset, trained_output
    from .sar.simulation import simulate_patches

    data = None
    if dataset is not None:
        ctx.progress(0.0, f"loading training dataset {dataset['ref']['name']} v{dataset['ref']['version']}")
        data = load_dataset(dataset)
    elif params.simulated is not None:
        ctx.progress(0.0, f"simulating {params.simulated.n_patches} labelled patches")
        sim = params.simulated
        arrays = arrays_from_simulation(
            simulate_patches(sim.n_patches, sim.mode, sim.iceberg_fraction, sim.seed, sim.co_pol), id_prefix=f"sim{sim.seed}"
        )
    else:
        arrays = arrays_from_records(params.patches)
    ctx.check()
    # One Dask thread runs this task; let torch use the worker's cores.
    try:
        from distributed import get_worker

        torch.set_num_threads(max(1, get_worker().state.nthreads))
    except (ValueError, AttributeError):
        pass
    hyper = params.hyperparameters()
    config = TrainingConfig.of(params.architecture, hyper, epochs=params.epochs, patience=params.patience,
                               validation_fraction=params.validation_fraction, seed=params.seed)
    progress = lambda f, m: ctx.progress(0.05 + 0.9 * f, m)  # noqa: E731
    try:
        if data is not None:
            trained = fit(data.train, data.validation, config, data.normalisation, progress=progress, should_stop=ctx.should_stop)
        else:
            trained = train_model(arrays, config, progress=progress, should_stop=ctx.should_stop)
    except TrainingCancelled:
        raise JobCancelled(ctx.job_id) from None
    result = TrainModelResult(
        model_id=model_id,
        architecture=trained.architecture,
        epochs_run=trained.epochs_run,
        best_epoch=trained.best_epoch,
        metrics=trained.metrics,
        history=trained.history,
        device=trained.device,
        hyperparameters=hyper,
        training_dataset=params.training_dataset if dataset is None else from_dict(TrainingDatasetRef, dataset["ref"]),
        test_metrics=None if data is None else held_out_metrics(trained, data.test),
    )
    report = to_dict(result) | {"normalisation": trained.normalisation.to_dict(), "train_seconds": trained.train_seconds}
    import json

    artifacts = [_artifact("training_report.json", JSON, "report", json.dumps(report, indent=2).encode())]
    record = {"training_dataset": None if dataset is None else dataset["ref"],
              "feature_group": None if dataset is None else dataset["feature_group"],
              "test_metrics": to_dict(result.test_metrics)}
    return {"result": to_dict(result), "artifacts": artifacts} | trained_output(trained, hyper, record)


def _classify_patches(ctx: JobContext, params: ClassifyPatchesParams, model_id: str, model_blob: bytes) -> dict[str, Any]:
    import geopandas as gpd
    from shapely.geometry import Point

    from .learning.data import CHANNELS, arrays_from_records
    from .learning.training import LoadedModel, classify_arrays

    ctx.progress(0.1, f"classifying {len(params.patches)} patches with model {model_id}")
    model = LoadedModel.from_bytes(model_blob)
    # The channels the model was trained on (the third may be band_avg, band_diff or band_mag).
    channels = tuple(model.input_spec.get("channels", CHANNELS))
    probabilities = classify_arrays(model, arrays_from_records(params.patches, channels))
    ctx.check()
    classifications = [
        PatchClassification(
            id=p.id,
            label=ClassName.ICEBERG if prob >= 0.5 else ClassName.SHIP,
            iceberg_probability=round(float(prob), 5),
            x=p.x,
            y=p.y,
            scene_id=p.scene_id,
        )
        for p, prob in zip(params.patches, probabilities, strict=True)
    ]
    result = ClassifyPatchesResult(model_id=model_id, classifications=classifications, crs=params.crs)
    frame = gpd.GeoDataFrame(
        [
            {
                "patch_id": c.id,
                "class": c.label.value,
                "iceberg_probability": c.iceberg_probability,
                "confidence": round(max(c.iceberg_probability, 1 - c.iceberg_probability), 5),
                "model_id": model_id,
                "scene_id": c.scene_id or "",
                "job_id": ctx.job_id,
                "padded": p.padded,
                "geometry": Point(c.x, c.y) if c.x is not None else None,
            }
            for c, p in zip(classifications, params.patches, strict=True)
        ],
        geometry="geometry",
        crs=params.crs,
    )
    artifacts = [_gpkg_artifact(frame, "classifications", role="targets")]
    return {"result": to_dict(result), "artifacts": artifacts, "model": None}


def run_job(
    job_id: str,
    kind: str,
    params: dict,
    model_id: str | None = None,
    model_blob: bytes | None = None,
    scene_path: str | None = None,
    staging_dir: str | None = None,
    detections_path: str | None = None,
    extra: dict | None = None,
) -> dict:
    """Entry point of every job task on a worker. ``extra`` carries what the service resolved for
    the learning kinds (source files, the training dataset's ids and normalisation)."""
    from . import learning_jobs

    extra = extra or {}
    ctx = JobContext(job_id)
    ctx.progress(0.0, "started on worker")
    job_kind = JobKind(kind)
    if job_kind is JobKind.SIMULATE_SCENE:
        output = _simulate_scene(ctx, from_dict(SimulateSceneParams, params))
    elif job_kind is JobKind.INGEST_SCENE:
        output = _ingest_scene(ctx, from_dict(IngestSceneParams, params), scene_path, staging_dir)
    elif job_kind is JobKind.CUT_PATCHES:
        output = _cut_patches(ctx, from_dict(CutPatchesParams, params), scene_path, detections_path)
    elif job_kind is JobKind.DETECT_TARGETS:
        output = _detect_targets(ctx, from_dict(DetectTargetsParams, params), scene_path)
    elif job_kind is JobKind.TRAIN_MODEL:
        output = _train_model(ctx, from_dict(TrainModelParams, params), model_id, extra.get("dataset"))
    elif job_kind is JobKind.CLASSIFY_PATCHES:
        output = _classify_patches(ctx, from_dict(ClassifyPatchesParams, params), model_id, model_blob)
    elif job_kind is JobKind.BUILD_FEATURE_GROUP:
        output = learning_jobs.build_feature_group(ctx, from_dict(BuildFeatureGroupParams, params), extra.get("source_path"), staging_dir)
    elif job_kind is JobKind.CREATE_TRAINING_DATASET:
        output = learning_jobs.create_training_dataset(
            ctx, from_dict(CreateTrainingDatasetParams, params), extra["feature_path"], extra["feature_meta"], staging_dir
        )
    elif job_kind is JobKind.SEARCH_HYPERPARAMETERS:
        output = learning_jobs.search_hyperparameters(
            ctx, from_dict(SearchHyperparametersParams, params), params, extra["dataset"], model_id
        )
    elif job_kind is JobKind.RUN_ABLATION:
        output = learning_jobs.run_ablation(ctx, from_dict(RunAblationParams, params), params, extra["dataset"])
    else:  # pragma: no cover - the contract's enum and this dispatch are kept in step by tests
        raise ValueError(f"no worker implementation for job kind {kind}")
    ctx.progress(1.0, "done")
    return output


def worker_has_gpu() -> bool:
    """Run on each worker by the health check."""
    try:
        import torch

        return bool(torch.cuda.is_available())
    except ImportError:
        return False
