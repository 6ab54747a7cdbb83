"""Job workflows shared by the dock's background tasks and the Processing algorithms.

Qt-free and thread-safe: they talk to the backend, report progress through callbacks and honour
cancellation; loading layers is left to the caller on the main thread.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from icesight_contract import (
    AcquisitionMode,
    AttributionMethod,
    BuildFeatureGroupParams,
    BuildFeatureGroupResult,
    ChartSceneParams,
    ChartSceneResult,
    ClassifyPatchesParams,
    ClassifyPatchesResult,
    ClassName,
    DetectTargetsParams,
    DetectTargetsResult,
    ExplainPatchesParams,
    ExplainPatchesResult,
    IngestSceneParams,
    IngestSceneResult,
    JobKind,
    JobStatus,
    MapSceneParams,
    MapSceneResult,
    PatchRecord,
    ThirdChannel,
    ValidationMode,
)

from .client import BackendClient

ProgressFn = Callable[[float, str], None]


@dataclass
class ClassificationOutcome:
    job_id: str
    gpkg_path: str
    result: ClassifyPatchesResult
    skipped: list[str] = field(default_factory=list)  # targets no patch was cut for, with the reason


def classify_patches(
    client: BackendClient,
    patches: list[PatchRecord],
    output_dir: str,
    model_id: str | None = None,
    on_progress: ProgressFn | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> ClassificationOutcome:
    """Submit a classify_patches job, follow it to the end and download its GeoPackage."""
    on_progress = on_progress or (lambda fraction, message: None)
    on_progress(0.0, f"sending {len(patches)} patches")
    status = client.submit(JobKind.CLASSIFY_PATCHES, ClassifyPatchesParams(patches=patches, model_id=model_id))
    final = _follow(client, status, on_progress, is_cancelled, 0.05, 0.9)
    on_progress(0.92, "downloading results")
    path = client.download(status.id, "classifications.gpkg",
                           os.path.join(output_dir, f"{status.id}_classifications.gpkg"), is_cancelled=is_cancelled)
    on_progress(1.0, "done")
    return ClassificationOutcome(status.id, str(path), final.typed_result())


def _follow(client: BackendClient, status: JobStatus, on_progress: ProgressFn, is_cancelled, start: float,
            end: float) -> JobStatus:
    """Wait for a job, mapping its progress into ``[start, end]`` of the caller's progress."""
    return client.wait(
        status.id,
        on_progress=lambda s: on_progress(start + (end - start) * s.progress, s.message),
        is_cancelled=is_cancelled,
    )


#: The attribution methods as analysts know them (their names in the literature, shown untranslated), in
#: the order the dock and the algorithm offer them.
ATTRIBUTION_METHOD_NAMES: dict[AttributionMethod, str] = {
    AttributionMethod.INTEGRATED_GRADIENTS: "Integrated Gradients",
    AttributionMethod.SALIENCY: "Saliency",
    AttributionMethod.GRADCAM: "Grad-CAM",
    AttributionMethod.OCCLUSION: "Occlusion",
    AttributionMethod.GRADIENT_SHAP: "GradientSHAP",
    AttributionMethod.DEEPLIFT: "DeepLIFT",
}

#: Heatmaps of at most this many targets load one layer each; more load as the one mosaic raster.
MAX_HEATMAP_LAYERS = 20


MOSAIC = "heatmaps_mosaic.tif"


def artifact_file_id(target_id: str) -> str:
    """A target id as the backend spells it in artifact names (``heatmap_<id>.tif``)."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", target_id)[:120]


@dataclass
class ExplanationOutcome:
    job_id: str
    result: ExplainPatchesResult
    summary_path: str  # explanations.gpkg, layer "explanations"
    mosaic_path: str | None  # heatmaps_mosaic.tif, when asked for and there are two patches or more
    heatmap_paths: dict[str, str] = field(default_factory=dict)  # target id -> heatmap_<id>.tif
    skipped: list[str] = field(default_factory=list)


def explain_patches(
    client: BackendClient,
    patches: list[PatchRecord],
    output_dir: str,
    method: AttributionMethod = AttributionMethod.INTEGRATED_GRADIENTS,
    model_id: str | None = None,
    pixel_size: float | None = None,
    per_target_heatmaps: bool | None = None,
    on_progress: ProgressFn | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> ExplanationOutcome:
    """Submit an explain_patches job, follow it and download the summary and the heatmaps.

    ``pixel_size`` (units of the patches' CRS) places each heatmap on its patch footprint. Per-target
    heatmaps are downloaded when asked, or by default for at most :data:`MAX_HEATMAP_LAYERS`
    patches; the mosaic otherwise (or the one heatmap when there is a single patch)."""
    on_progress = on_progress or (lambda fraction, message: None)
    if per_target_heatmaps is None:
        per_target_heatmaps = len(patches) <= MAX_HEATMAP_LAYERS
    on_progress(0.0, f"sending {len(patches)} patches to explain ({method.value})")
    params = ExplainPatchesParams(patches=patches, model_id=model_id, method=method, pixel_size=pixel_size)
    status = client.submit(JobKind.EXPLAIN_PATCHES, params)
    final = _follow(client, status, on_progress, is_cancelled, 0.05, 0.85)
    folder = os.path.join(output_dir, f"{status.id}_explanations")
    on_progress(0.87, "downloading the explanations")
    names = {a.name: a for a in final.artifacts}
    summary = client.download(status.id, "explanations.gpkg",
                              os.path.join(folder, "explanations.gpkg"), is_cancelled=is_cancelled)
    mosaic, heatmaps = None, {}
    if not per_target_heatmaps and MOSAIC in names:
        mosaic = str(client.download(status.id, MOSAIC, os.path.join(folder, MOSAIC), is_cancelled=is_cancelled))
    else:  # asked for, or a single patch (the backend makes a mosaic of two or more)
        for patch in patches:
            name = f"heatmap_{artifact_file_id(patch.id)}.tif"
            if name in names:
                heatmaps[patch.id] = str(client.download(status.id, name,
                                                         os.path.join(folder, name), is_cancelled=is_cancelled))
    on_progress(1.0, "done")
    return ExplanationOutcome(status.id, final.typed_result(), str(summary), mosaic, heatmaps)


@dataclass
class MapOutcome:
    job_id: str
    result: MapSceneResult
    raster_path: str  # probability.tif: float32 iceberg probability, NaN outside the swath


def map_scene(
    client: BackendClient,
    scene_id: str,
    output_dir: str,
    model_id: str | None = None,
    on_progress: ProgressFn | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> MapOutcome:
    """Submit a map_scene job for a catalog scene, follow it and download the probability raster."""
    on_progress = on_progress or (lambda fraction, message: None)
    on_progress(0.0, f"mapping scene {scene_id}")
    status = client.submit(JobKind.MAP_SCENE, MapSceneParams(scene_id=scene_id, model_id=model_id))
    final = _follow(client, status, on_progress, is_cancelled, 0.02, 0.9)
    on_progress(0.92, "downloading the probability map")
    path = client.download(status.id, "probability.tif",
                           os.path.join(output_dir, f"{status.id}_probability.tif"), is_cancelled=is_cancelled)
    on_progress(1.0, "done")
    return MapOutcome(status.id, final.typed_result(), str(path))


#: Label values an analyst may type in a field, read case-insensitively.
LABEL_VALUES = {"ship": ClassName.SHIP, "0": ClassName.SHIP, "iceberg": ClassName.ICEBERG, "1": ClassName.ICEBERG,
                "berg": ClassName.ICEBERG, "clutter": ClassName.CLUTTER}


def parse_label(value: object) -> ClassName | None:
    """Ship (or 0), iceberg (or 1), clutter, or None (no label: NULL or empty); ValueError for anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a label")
    if isinstance(value, (int, float)) and value in (0, 1):
        return ClassName.ICEBERG if value else ClassName.SHIP
    text = str(value).strip().lower()
    if text in LABEL_VALUES:
        return LABEL_VALUES[text]
    if text in ("null", "none"):
        return None
    raise ValueError(f"{value!r} is not a label; use ship, iceberg or clutter (or 0 / 1)")


def add_to_feature_group(
    client: BackendClient,
    group: str,
    patches: list[PatchRecord],
    validation: ValidationMode = ValidationMode.STRICT,
    third_channel: ThirdChannel = ThirdChannel.BAND_AVG,
    description: str = "",
    on_progress: ProgressFn | None = None,
    is_cancelled: Callable[[], bool] | None = None,
    extend_version: int | None = None,
) -> tuple[str, BuildFeatureGroupResult]:
    """Store labelled patches as a new version of a feature group on the backend (with the rows of
    ``extend_version`` kept, a patch id sent again taking the new label)."""
    on_progress = on_progress or (lambda fraction, message: None)
    on_progress(0.0, f"sending {len(patches)} patches to feature group {group}")
    params = BuildFeatureGroupParams(group=group, patches=patches, validation=validation, third_channel=third_channel,
                                     description=description, extend_version=extend_version)
    status = client.submit(JobKind.BUILD_FEATURE_GROUP, params)
    final = client.wait(status.id, on_progress=lambda s: on_progress(0.05 + 0.9 * s.progress, s.message), is_cancelled=is_cancelled)
    on_progress(1.0, "done")
    return status.id, final.typed_result()


#: The scene files the backend ingests, as a file dialog's filter: GeoTIFF/COG, a zipped Sentinel-1
#: SAFE or SNAP BEAM-DIMAP product, or a BEAM-DIMAP header (sent zipped with its .data folder).
SCENE_FILE_FILTER = ("Sentinel-1 scenes (*.tif *.tiff *.TIF *.TIFF *.zip *.ZIP *.dim *.DIM);;GeoTIFF (*.tif *.tiff);;"
                     "Zipped SAFE or BEAM-DIMAP (*.zip);;SNAP BEAM-DIMAP (*.dim);;All files (*)")


def upload_and_ingest(
    client: BackendClient,
    path: str,
    mode: AcquisitionMode | None = None,
    acquired: str | None = None,
    scene_id: str | None = None,
    on_progress: ProgressFn | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> tuple[str, IngestSceneResult]:
    """Send a local scene file (:data:`SCENE_FILE_FILTER`) to the backend in chunks, then follow its
    ingest_scene job to the end; returns the job id and the new catalog scene."""
    on_progress = on_progress or (lambda fraction, message: None)
    name = os.path.basename(path)
    if name.lower().endswith(".dim"):  # the client zips it with its .data folder first
        on_progress(0.0, f"zipping {name} with its .data folder, then uploading it")
    else:
        on_progress(0.0, f"uploading {name} ({os.path.getsize(path) / 1e6:.1f} MB)")
    uploaded = client.upload(
        path,
        on_progress=lambda sent, total: on_progress(0.6 * sent / max(total, 1), f"uploading {name}: {sent / 1e6:.1f} of {total / 1e6:.1f} MB"),
        is_cancelled=is_cancelled,
    )
    params = IngestSceneParams(upload_id=uploaded["upload_id"], scene_id=scene_id, mode=mode, acquired=acquired)
    status = client.submit(JobKind.INGEST_SCENE, params)
    final = _follow(client, status, on_progress, is_cancelled, 0.6, 1.0)
    on_progress(1.0, "done")
    return status.id, final.typed_result()


@dataclass
class DetectionOutcome:
    job_id: str
    result: DetectTargetsResult
    gpkg_path: str  # detections.gpkg, layer "detections"


def detect_targets(
    client: BackendClient,
    scene_id: str,
    output_dir: str,
    on_progress: ProgressFn | None = None,
    is_cancelled: Callable[[], bool] | None = None,
    land: dict | None = None,
) -> DetectionOutcome:
    """CFAR detection over a catalog scene (the backend's default windows); downloads the detections
    (layer "detections", and "land_mask" where land was left out). ``land``: the job's land settings
    (``LAND_SETTINGS``: ``land_mask``, ``land_polygons``, ``land_buffer_m``; None: the defaults)."""
    on_progress = on_progress or (lambda fraction, message: None)
    on_progress(0.0, f"detecting targets on {scene_id}")
    status = client.submit(JobKind.DETECT_TARGETS, DetectTargetsParams(scene_id=scene_id, **(land or {})))
    final = _follow(client, status, on_progress, is_cancelled, 0.02, 0.9)
    on_progress(0.92, "downloading the detections")
    path = client.download(status.id, "detections.gpkg",
                           os.path.join(output_dir, f"{status.id}_detections.gpkg"), is_cancelled=is_cancelled)
    on_progress(1.0, "done")
    return DetectionOutcome(status.id, final.typed_result(), str(path))


@dataclass
class ChartOutcome:
    job_id: str
    result: ChartSceneResult
    gpkg_path: str  # classifications.gpkg, layer "classifications": every detection, classified
    detections_path: str  # detections.gpkg of the detect stage: its "land_mask" layer is the land left out


def chart_scene(
    client: BackendClient,
    output_dir: str,
    scene_id: str | None = None,
    upload_path: str | None = None,
    mode: AcquisitionMode | None = None,
    acquired: str | None = None,
    model_id: str | None = None,
    explain_n: int = 5,
    on_progress: ProgressFn | None = None,
    is_cancelled: Callable[[], bool] | None = None,
    land: dict | None = None,
) -> ChartOutcome:
    """The backend's whole chain in one job (``chart_scene``): a catalog scene, or a local file
    uploaded first, is detected, every detection classified and the least certain calls explained;
    downloads the classified targets. ``land``: as for :func:`detect_targets`."""
    on_progress = on_progress or (lambda fraction, message: None)
    upload_id = None
    if upload_path is not None:
        name = os.path.basename(upload_path)
        on_progress(0.0, f"uploading {name}")
        upload_id = client.upload(
            upload_path,
            on_progress=lambda sent, total: on_progress(0.3 * sent / max(total, 1), f"uploading {name}: "
                                                        f"{sent / 1e6:.1f} of {total / 1e6:.1f} MB"),
            is_cancelled=is_cancelled,
        )["upload_id"]
    params = ChartSceneParams(scene_id=scene_id if upload_id is None else None, upload_id=upload_id, mode=mode,
                              acquired=acquired, model_id=model_id, explain_n=explain_n, **(land or {}))
    status = client.submit(JobKind.CHART_SCENE, params)
    start = 0.3 if upload_id is not None else 0.0
    final = _follow(client, status, on_progress, is_cancelled, start, 0.95)
    on_progress(0.96, "downloading the classified targets")
    path = client.download(status.id, "classifications.gpkg",
                           os.path.join(output_dir, f"{status.id}_classifications.gpkg"), is_cancelled=is_cancelled)
    detections = client.download(status.id, "detections.gpkg",
                                 os.path.join(output_dir, f"{status.id}_detections.gpkg"), is_cancelled=is_cancelled)
    on_progress(1.0, "done")
    return ChartOutcome(status.id, final.typed_result(), str(path), str(detections))
