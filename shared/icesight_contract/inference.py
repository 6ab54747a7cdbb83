"""Inference job kinds: classify patches or a scene's detections, map a whole scene, explain decisions."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from .codec import ContractError
from .common import ClassName, MapPoint, PatchRecord
from .constants import PATCH_SIZE_PX
from .targets import DetectTargetsParams, check_land_settings

#: Most targets one classification job takes; most patches one explanation job takes.
MAX_TARGETS = 20000
MAX_EXPLAINED = 5000


def _check_patch_set(patches: list[PatchRecord]) -> None:
    """Unique ids, and one CRS for all patches that carry a position."""
    seen: set[str] = set()
    crs_seen: str | None = None
    for i, patch in enumerate(patches):
        if patch.id in seen:
            raise ContractError(f"patches[{i}].id", f"duplicate patch id {patch.id!r}")
        seen.add(patch.id)
        if patch.x is not None:
            if not patch.crs:
                raise ContractError(f"patches[{i}].crs", "x/y are given, so the CRS (e.g. 'EPSG:3413') is required")
            if crs_seen is not None and patch.crs != crs_seen:
                raise ContractError(
                    f"patches[{i}].crs", f"{patch.crs!r} differs from {crs_seen!r}; send patches of one CRS per job"
                )
            crs_seen = patch.crs


@dataclass
class ClassifyPatchesParams:
    """Classify patches with a registered model (``model_id``; the newest model when omitted)."""

    patches: list[PatchRecord]
    model_id: str | None = None

    def __post_init__(self) -> None:
        if not self.patches:
            raise ContractError("patches", "is empty; send at least one patch")
        if len(self.patches) > MAX_TARGETS:
            raise ContractError("patches", f"at most {MAX_TARGETS} patches a job, got {len(self.patches)}")
        _check_patch_set(self.patches)

    @property
    def crs(self) -> str | None:
        return next((p.crs for p in self.patches if p.x is not None), None)


@dataclass
class PatchClassification:
    id: str
    label: ClassName
    iceberg_probability: float
    x: float | None = None
    y: float | None = None
    scene_id: str | None = None
    uncertainty: float | None = None  # standard deviation of the probability over the 8 test-time views
    clutter_probability: float | None = None  # P(no target): models trained with clutter patches only


@dataclass
class ClassifyPatchesResult:
    model_id: str
    classifications: list[PatchClassification]
    crs: str | None = None


def _check_scene_source(scene_id: str | None, scene_job_id: str | None) -> None:
    if (scene_id is None) == (scene_job_id is None):
        raise ContractError("scene_id", "give exactly one of 'scene_id' (catalog) or 'scene_job_id'")


@dataclass
class ClassifyDetectionsParams:
    """Classify every target of a scene in one job: the detections of a ``detect_targets`` job, or
    points of an analyst's layer (``points`` in ``crs``, their fields in ``attributes``). The
    output keeps every attribute of each target and adds the class, the iceberg probability and
    its spread over the 8 test-time views; one point and one patch-footprint polygon a target."""

    scene_id: str | None = None
    scene_job_id: str | None = None
    detections_job_id: str | None = None
    points: list[MapPoint] | None = None
    crs: str = "EPSG:4326"
    model_id: str | None = None

    def __post_init__(self) -> None:
        _check_scene_source(self.scene_id, self.scene_job_id)
        if (self.points is None) == (self.detections_job_id is None):
            raise ContractError("points", "give exactly one of 'points' or 'detections_job_id'")
        if self.points is not None:
            if not self.points:
                raise ContractError("points", "is empty; give at least one target")
            if len(self.points) > MAX_TARGETS:
                raise ContractError("points", f"at most {MAX_TARGETS} targets a job, got {len(self.points)}")
            ids = [p.id for p in self.points]
            if len(set(ids)) != len(ids):
                raise ContractError("points", "target ids must be unique")


@dataclass
class ClassifyDetectionsResult:
    model_id: str
    scene_id: str
    n_targets: int
    n_ships: int
    n_icebergs: int
    crs: str
    pixel_size_m: float
    skipped: dict[str, str] = field(default_factory=dict)  # target id -> reason
    n_clutter: int = 0  # detections the model sends back as clutter (no target)


@dataclass
class MapSceneParams:
    """A per-pixel iceberg-probability raster of a whole scene (COG on the scene's grid and CRS,
    nodata outside the swath): the CNN evaluated fully convolutionally over Dask chunks."""

    scene_id: str | None = None
    scene_job_id: str | None = None
    model_id: str | None = None
    chunk_px: int = 2048
    #: Land is left out (nodata in the raster, and no land pixel in any window), as ``detect_targets``
    #: leaves it out (:data:`~.targets.LAND_SETTINGS`).
    land_mask: bool = DetectTargetsParams.land_mask
    land_polygons: dict[str, Any] | None = None
    land_buffer_m: float = DetectTargetsParams.land_buffer_m

    def __post_init__(self) -> None:
        _check_scene_source(self.scene_id, self.scene_job_id)
        if not 256 <= self.chunk_px <= 8192:
            raise ContractError("chunk_px", f"must be between 256 and 8192, got {self.chunk_px}")
        check_land_settings(self)


@dataclass
class MapSceneResult:
    model_id: str
    scene_id: str
    width_px: int
    height_px: int
    pixel_size_m: float
    crs: str
    stride_px: int  # the network is evaluated every stride_px pixels and interpolated in between
    iceberg_fraction: float  # share of valid pixels with probability >= 0.5
    seconds: float
    #: Share of the scene's pixels left out as land (None: no land asked for).
    land_fraction: float | None = None


class AttributionMethod(str, enum.Enum):
    """Captum attribution methods an explanation can use."""

    INTEGRATED_GRADIENTS = "integrated_gradients"
    SALIENCY = "saliency"
    GRADCAM = "gradcam"
    OCCLUSION = "occlusion"
    GRADIENT_SHAP = "gradient_shap"
    DEEPLIFT = "deeplift"


#: Bounds of the attribution settings (inclusive); also checked by the attribution module itself.
ATTRIBUTION_LIMITS: dict[str, tuple[int, int]] = {
    "n_steps": (1, 512),
    "internal_batch_size": (1, 4096),
    "n_samples": (1, 200),
    "occlusion_window_px": (3, PATCH_SIZE_PX),
    "patches_per_task": (1, 1024),
}


def occlusion_stride_problem(window_px: int, stride_px: int) -> str | None:
    """Why an occlusion stride does not fit the window, or None: the windows must tile the patch
    exactly, or its last pixels are never occluded and the flip symmetry of the windows breaks."""
    if not 1 <= stride_px <= window_px:
        return f"must be between 1 and occlusion_window_px ({window_px}), got {stride_px}"
    left = (PATCH_SIZE_PX - window_px) % stride_px
    if left:
        fitting = ", ".join(str(s) for s in range(1, window_px + 1) if (PATCH_SIZE_PX - window_px) % s == 0)
        return (f"{stride_px} px leaves the last {left} px of the {PATCH_SIZE_PX} px patch unoccluded with a "
                f"{window_px} px window; strides that tile it: {fitting}")
    return None


@dataclass
class ExplainPatchesParams:
    """Why the model called each patch ship or iceberg: Captum attributions per band (HH, HV; the
    derived channel folded back onto them) and for the incidence angle, as GeoTIFF heatmaps on the
    patch footprints and a per-target summary.

    Patches come inline (``patches``; ``pixel_size`` in the units of their CRS places each heatmap
    on its footprint) or from a finished ``cut_patches`` job (``patches_job_id``; the pixel size is
    the scene's). ``patches_per_task`` patches make one Dask task.
    """

    patches: list[PatchRecord] | None = None
    patches_job_id: str | None = None
    model_id: str | None = None
    method: AttributionMethod = AttributionMethod.INTEGRATED_GRADIENTS
    n_steps: int = 50
    internal_batch_size: int = 256
    n_samples: int = 20
    occlusion_window_px: int = 15
    occlusion_stride_px: int = 10
    tta: bool = True
    pixel_size: float | None = None
    patches_per_task: int = 32

    def __post_init__(self) -> None:
        if (self.patches is None) == (self.patches_job_id is None):
            raise ContractError("patches", "give exactly one of 'patches' or 'patches_job_id'")
        if self.patches is not None:
            if not self.patches:
                raise ContractError("patches", "is empty; send at least one patch")
            if len(self.patches) > MAX_EXPLAINED:
                raise ContractError("patches", f"at most {MAX_EXPLAINED} patches a job, got {len(self.patches)}")
            _check_patch_set(self.patches)
        for name, (low, high) in ATTRIBUTION_LIMITS.items():
            value = getattr(self, name)
            if not low <= value <= high:
                raise ContractError(name, f"must be between {low} and {high}, got {value}")
        problem = occlusion_stride_problem(self.occlusion_window_px, self.occlusion_stride_px)
        if problem:
            raise ContractError("occlusion_stride_px", problem)
        if self.pixel_size is not None and not self.pixel_size > 0:
            raise ContractError("pixel_size", f"must be a positive size in the units of the patches' CRS, got {self.pixel_size:g}")


@dataclass
class TargetExplanation:
    """What one decision rests on. Shares are of the absolute attribution (HH + HV = 1); the angle's
    attribution is signed (towards iceberg positive); the top region is where the smoothed
    attribution peaks, as an offset from the patch centre (east and north, metres when the pixel
    size is known, else pixels)."""

    id: str
    label: ClassName
    iceberg_probability: float
    share_hh: float | None
    share_hv: float | None
    inc_angle_attribution: float | None
    top_offset_east: float
    top_offset_north: float
    offset_units: str  # "m" or "px"
    convergence_delta: float | None = None
    x: float | None = None
    y: float | None = None


@dataclass
class ExplainPatchesResult:
    model_id: str
    method: AttributionMethod
    n_patches: int
    targets: list[TargetExplanation]
    crs: str | None = None
    georeferenced: bool = False  # heatmaps are GeoTIFFs on the patch footprints (and a mosaic)
    seconds: float = 0.0


#: Most patches one synchronous prediction takes (larger sets are a classify_patches job).
MAX_PREDICTED = 256


@dataclass
class PredictRequest:
    """A synchronous prediction (``POST /predict``): a few patches, answered at once by the model the
    service keeps loaded (the production model when ``model_id`` is omitted)."""

    patches: list[PatchRecord]
    model_id: str | None = None

    def __post_init__(self) -> None:
        if not self.patches:
            raise ContractError("patches", "is empty; send at least one patch")
        if len(self.patches) > MAX_PREDICTED:
            raise ContractError(
                "patches", f"at most {MAX_PREDICTED} patches a request, got {len(self.patches)}; submit a classify_patches job"
            )
        _check_patch_set(self.patches)
