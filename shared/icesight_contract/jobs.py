"""Job kinds, their parameters and results, job states and errors: the plugin-backend contract.

Every type here round-trips through JSON with :func:`icesight_contract.codec.to_dict` and
:func:`icesight_contract.codec.from_dict`. Parameter classes validate themselves on construction
and raise :class:`ContractError` naming the field, so a bad job is refused at the boundary.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from typing import Any

from .codec import ContractError, from_dict, to_dict
from .constants import (
    INC_ANGLE_MAX_DEG,
    INC_ANGLE_MIN_DEG,
    INC_ANGLE_MISSING,
    PATCH_PIXELS,
    PATCH_SIZE_PX,
    SIGMA0_DB_MAX,
    SIGMA0_DB_MIN,
)
from .learning import (
    AblationComponent,
    AblationRow,
    FeatureGroupRef,
    HeldOutMetrics,
    HyperParameters,
    ModelArchitecture,
    SearchSpace,
    ThirdChannel,
    TrainingDatasetRef,
    TrialResult,
    ValidationMode,
    ValidationReport,
    ablation_components,
    check_name,
)


class JobKind(str, enum.Enum):
    SIMULATE_SCENE = "simulate_scene"
    INGEST_SCENE = "ingest_scene"
    DETECT_TARGETS = "detect_targets"
    CUT_PATCHES = "cut_patches"
    TRAIN_MODEL = "train_model"
    CLASSIFY_PATCHES = "classify_patches"
    BUILD_FEATURE_GROUP = "build_feature_group"
    CREATE_TRAINING_DATASET = "create_training_dataset"
    SEARCH_HYPERPARAMETERS = "search_hyperparameters"
    RUN_ABLATION = "run_ablation"


class JobState(str, enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)


class ErrorCode(str, enum.Enum):
    INVALID_JSON = "invalid_json"
    INVALID_PARAMETER = "invalid_parameter"
    UNKNOWN_JOB_KIND = "unknown_job_kind"
    UNKNOWN_JOB = "unknown_job"
    UNKNOWN_ARTIFACT = "unknown_artifact"
    UNKNOWN_MODEL = "unknown_model"
    UNKNOWN_SCENE = "unknown_scene"
    UNKNOWN_UPLOAD = "unknown_upload"
    UNKNOWN_FEATURE_GROUP = "unknown_feature_group"
    UNKNOWN_TRAINING_DATASET = "unknown_training_dataset"
    DATASET_UNUSABLE = "dataset_unusable"
    MODEL_INPUT_MISMATCH = "model_input_mismatch"
    BODY_TOO_LARGE = "body_too_large"
    UNAUTHORIZED = "unauthorized"
    JOB_NOT_CANCELLABLE = "job_not_cancellable"
    JOB_FAILED = "job_failed"
    INTERRUPTED = "interrupted"
    INTERNAL = "internal"


class ClassName(str, enum.Enum):
    SHIP = "ship"
    ICEBERG = "iceberg"


class AcquisitionMode(str, enum.Enum):
    """Sentinel-1 ground-range products the simulator imitates."""

    EW = "EW"  # EW GRDM: 40 m pixels, incidence about 19-47 degrees
    IW = "IW"  # IW GRDH: 10 m pixels, incidence about 29-46 degrees


class CoPol(str, enum.Enum):
    """The co-polarised channel of a dual-pol product; the cross-pol one follows (HV or VH)."""

    HH = "HH"  # HH+HV: the polar ice services' choice, and the Kaggle Statoil/C-CORE data
    VV = "VV"  # VV+VH: the default over open ocean


@dataclass(frozen=True)
class ApiError:
    code: ErrorCode
    message: str
    field: str | None = None


# ---------------------------------------------------------------------------------------------
# Patches


def _check_band(name: str, values: list[float]) -> None:
    if len(values) != PATCH_PIXELS:
        raise ContractError(
            name,
            f"expected {PATCH_PIXELS} values ({PATCH_SIZE_PX} x {PATCH_SIZE_PX} pixels, row-major), "
            f"got {len(values)}",
        )
    for i, v in enumerate(values):
        if not math.isfinite(v):
            raise ContractError(f"{name}[{i}]", f"must be a finite sigma0 in dB, got {v!r}")
        if not SIGMA0_DB_MIN <= v <= SIGMA0_DB_MAX:
            raise ContractError(
                f"{name}[{i}]",
                f"{v:g} is outside [{SIGMA0_DB_MIN:g}, {SIGMA0_DB_MAX:g}] dB; bands must hold "
                "calibrated sigma0 in dB (convert linear power with 10*log10)",
            )


@dataclass
class PatchRecord:
    """One 75 x 75 patch in the Kaggle Statoil/C-CORE record schema, plus optional provenance.

    ``band_1`` is HH (co-pol) and ``band_2`` HV (cross-pol), sigma0 in dB, row-major.
    ``inc_angle`` is in degrees or the string ``"na"``. ``is_iceberg`` is the label (1 iceberg,
    0 ship) when known. ``x``/``y`` are the patch centre in ``crs`` map coordinates.
    """

    id: str
    band_1: list[float]
    band_2: list[float]
    inc_angle: float | str
    is_iceberg: int | None = None
    scene_id: str | None = None
    row: int | None = None
    col: int | None = None
    x: float | None = None
    y: float | None = None
    crs: str | None = None
    padded: bool = False

    def __post_init__(self) -> None:
        if not self.id:
            raise ContractError("id", "must be a non-empty string")
        _check_band("band_1", self.band_1)
        _check_band("band_2", self.band_2)
        if isinstance(self.inc_angle, str):
            if self.inc_angle != INC_ANGLE_MISSING:
                raise ContractError(
                    "inc_angle", f"expected degrees or {INC_ANGLE_MISSING!r}, got {self.inc_angle!r}"
                )
        elif not INC_ANGLE_MIN_DEG <= self.inc_angle <= INC_ANGLE_MAX_DEG:
            raise ContractError(
                "inc_angle",
                f"{self.inc_angle:g} degrees is outside [{INC_ANGLE_MIN_DEG:g}, {INC_ANGLE_MAX_DEG:g}]",
            )
        if self.is_iceberg is not None and self.is_iceberg not in (0, 1):
            raise ContractError("is_iceberg", f"must be 0 (ship) or 1 (iceberg), got {self.is_iceberg!r}")
        if (self.x is None) != (self.y is None):
            raise ContractError("x" if self.x is None else "y", "x and y must be given together")

    @property
    def inc_angle_deg(self) -> float | None:
        return None if isinstance(self.inc_angle, str) else float(self.inc_angle)


# ---------------------------------------------------------------------------------------------
# Parameters per job kind


@dataclass
class SimulateSceneParams:
    """A simulated Sentinel-1-like scene with known targets (the test bed, see the simulator)."""

    mode: AcquisitionMode = AcquisitionMode.EW
    width_px: int = 1024
    height_px: int = 1024
    n_ships: int = 12
    n_icebergs: int = 12
    wind_speed_m_s: float = 7.0
    crs_epsg: int = 3413
    co_pol: CoPol = CoPol.HH
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("width_px", "height_px"):
            value = getattr(self, name)
            if not 128 <= value <= 12000:
                raise ContractError(name, f"must be between 128 and 12000 pixels, got {value}")
        for name in ("n_ships", "n_icebergs"):
            value = getattr(self, name)
            if not 0 <= value <= 5000:
                raise ContractError(name, f"must be between 0 and 5000, got {value}")
        if not 0.0 <= self.wind_speed_m_s <= 30.0:
            raise ContractError("wind_speed_m_s", f"must be between 0 and 30 m/s, got {self.wind_speed_m_s:g}")


@dataclass
class SimulatedPatchSet:
    """A labelled patch set drawn from the scene simulator's target and clutter models."""

    n_patches: int = 1604
    mode: AcquisitionMode = AcquisitionMode.EW
    iceberg_fraction: float = 0.47
    co_pol: CoPol = CoPol.HH
    seed: int = 0

    def __post_init__(self) -> None:
        if not 20 <= self.n_patches <= 50000:
            raise ContractError("n_patches", f"must be between 20 and 50000, got {self.n_patches}")
        if not 0.05 <= self.iceberg_fraction <= 0.95:
            raise ContractError(
                "iceberg_fraction", f"must be between 0.05 and 0.95, got {self.iceberg_fraction:g}"
            )


def _check_training_records(patches: list[PatchRecord], field_name: str, need_labels: bool) -> None:
    seen: set[str] = set()
    for i, patch in enumerate(patches):
        if need_labels and patch.is_iceberg is None:
            raise ContractError(
                f"{field_name}[{i}].is_iceberg", "label missing: training records need is_iceberg (1 iceberg, 0 ship)"
            )
        if patch.id in seen:
            raise ContractError(f"{field_name}[{i}].id", f"duplicate patch id {patch.id!r}")
        seen.add(patch.id)


@dataclass
class TrainModelParams:
    """Train a ship/iceberg CNN on labelled patches: inline records, a simulated set, or a training
    dataset version (the feature store's split, with its normalisation statistics)."""

    architecture: ModelArchitecture = ModelArchitecture.LENET
    epochs: int = 20
    batch_size: int = 32
    learning_rate: float = 1e-3
    validation_fraction: float = 0.2
    seed: int = 0
    patches: list[PatchRecord] | None = None
    simulated: SimulatedPatchSet | None = None
    training_dataset: TrainingDatasetRef | None = None
    dropout: float = 0.2
    kernel_size: int | None = None
    pool_size: int = 2
    filters: list[int] | None = None
    patience: int = 6

    def __post_init__(self) -> None:
        sources = [s for s in (self.patches, self.simulated, self.training_dataset) if s is not None]
        if len(sources) != 1:
            raise ContractError(
                "patches", "give exactly one of 'patches' (labelled records), 'simulated' or 'training_dataset'"
            )
        if not 1 <= self.epochs <= 500:
            raise ContractError("epochs", f"must be between 1 and 500, got {self.epochs}")
        if not 1 <= self.patience <= 500:
            raise ContractError("patience", f"must be between 1 and 500 epochs, got {self.patience}")
        if not 0.05 <= self.validation_fraction <= 0.5:
            raise ContractError(
                "validation_fraction", f"must be between 0.05 and 0.5, got {self.validation_fraction:g}"
            )
        self.hyperparameters().check_for(self.architecture)
        if self.patches is not None:
            if len(self.patches) < 10:
                raise ContractError("patches", f"need at least 10 labelled patches to train, got {len(self.patches)}")
            _check_training_records(self.patches, "patches", need_labels=True)
            labels = {p.is_iceberg for p in self.patches}
            if len(labels) < 2:
                only = "ships" if labels == {0} else "icebergs"
                raise ContractError("patches", f"all patches are {only}; training needs both classes")

    def hyperparameters(self) -> HyperParameters:
        return HyperParameters(
            learning_rate=self.learning_rate, batch_size=self.batch_size, dropout=self.dropout,
            kernel_size=self.kernel_size, pool_size=self.pool_size, filters=self.filters,
        )


@dataclass
class BuildFeatureGroupParams:
    """Compute, validate and store a new version of a feature group from one patch source:
    inline (analyst-labelled) records, a simulated set, the patches of a ``cut_patches`` job
    (``labels`` adds analyst labels by patch id), or an uploaded Kaggle Statoil/C-CORE JSON file.

    The work is partitioned over the Dask workers (``partition_size`` patches a task).
    """

    group: str
    patches: list[PatchRecord] | None = None
    simulated: SimulatedPatchSet | None = None
    patches_job_id: str | None = None
    upload_id: str | None = None
    labels: dict[str, int] | None = None
    third_channel: ThirdChannel = ThirdChannel.BAND_AVG
    validation: ValidationMode = ValidationMode.STRICT
    description: str = ""
    partition_size: int = 256

    def __post_init__(self) -> None:
        check_name(self.group, "group", "feature group")
        sources = [s for s in (self.patches, self.simulated, self.patches_job_id, self.upload_id) if s is not None]
        if len(sources) != 1:
            raise ContractError(
                "patches", "give exactly one source: 'patches', 'simulated', 'patches_job_id' or 'upload_id'"
            )
        if self.patches is not None:
            if not self.patches:
                raise ContractError("patches", "is empty; send at least one patch")
            _check_training_records(self.patches, "patches", need_labels=False)
        if self.labels is not None:
            if self.patches_job_id is None:
                raise ContractError("labels", "labels by id go with 'patches_job_id'; inline patches carry is_iceberg")
            for key, value in self.labels.items():
                if value not in (0, 1):
                    raise ContractError(f"labels.{key}", f"must be 0 (ship) or 1 (iceberg), got {value!r}")
        if not 16 <= self.partition_size <= 10000:
            raise ContractError("partition_size", f"must be between 16 and 10000 patches, got {self.partition_size}")
        if len(self.description) > 2000:
            raise ContractError("description", "at most 2000 characters")


@dataclass
class CreateTrainingDatasetParams:
    """A versioned, stratified and seeded split of a feature group version.

    ``test_fraction`` is held out first. The rest becomes train/validation
    (``validation_fraction``) or, with ``k_folds``, k folds (each fold's complement is its training
    part). Normalisation statistics are computed on each training part only. Unlabelled rows are
    left out and counted.
    """

    name: str
    feature_group: FeatureGroupRef
    validation_fraction: float = 0.2
    test_fraction: float = 0.0
    k_folds: int | None = None
    seed: int = 0
    description: str = ""

    def __post_init__(self) -> None:
        check_name(self.name, "name", "training dataset")
        if not 0.05 <= self.validation_fraction <= 0.5:
            raise ContractError("validation_fraction", f"must be between 0.05 and 0.5, got {self.validation_fraction:g}")
        if not 0.0 <= self.test_fraction <= 0.5:
            raise ContractError("test_fraction", f"must be between 0 and 0.5, got {self.test_fraction:g}")
        if self.k_folds is not None and not 2 <= self.k_folds <= 20:
            raise ContractError("k_folds", f"must be between 2 and 20, got {self.k_folds}")


@dataclass
class SearchHyperparametersParams:
    """Parallel hyper-parameter search (Optuna on the Dask workers) with early stopping of bad
    trials by the median rule; the best trial's model is registered when ``register_best``."""

    training_dataset: TrainingDatasetRef
    architecture: ModelArchitecture = ModelArchitecture.LENET
    n_trials: int = 8
    epochs: int = 15
    patience: int = 5
    space: SearchSpace = field(default_factory=SearchSpace)
    pruning: bool = True
    max_parallel: int | None = None  # None: as many trials at once as the workers have threads
    register_best: bool = True
    seed: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.n_trials <= 500:
            raise ContractError("n_trials", f"must be between 1 and 500, got {self.n_trials}")
        if not 1 <= self.epochs <= 500:
            raise ContractError("epochs", f"must be between 1 and 500, got {self.epochs}")
        if not 1 <= self.patience <= 500:
            raise ContractError("patience", f"must be between 1 and 500 epochs, got {self.patience}")
        if self.max_parallel is not None and not 1 <= self.max_parallel <= 1024:
            raise ContractError("max_parallel", f"must be between 1 and 1024, got {self.max_parallel}")
        try:
            self.space.check_for(self.architecture)
        except ContractError as exc:
            raise exc.under("space") from None


@dataclass
class RunAblationParams:
    """Leave-one-component-out study: the full model and one trial per left-out component (times
    ``repeats`` seeds), each a Dask task, with the metric change against the full model.
    ``components`` None: all of them."""

    training_dataset: TrainingDatasetRef
    architecture: ModelArchitecture = ModelArchitecture.LENET
    hyperparameters: HyperParameters = field(default_factory=HyperParameters)
    components: list[AblationComponent] | None = None
    epochs: int = 15
    patience: int = 5
    seed: int = 0
    repeats: int = 1  # seeds per configuration (seed, seed + 1, ...): the spread says what is noise

    def __post_init__(self) -> None:
        if not 1 <= self.repeats <= 10:
            raise ContractError("repeats", f"must be between 1 and 10, got {self.repeats}")
        if not 1 <= self.epochs <= 500:
            raise ContractError("epochs", f"must be between 1 and 500, got {self.epochs}")
        if not 1 <= self.patience <= 500:
            raise ContractError("patience", f"must be between 1 and 500 epochs, got {self.patience}")
        self.hyperparameters.check_for(self.architecture, "hyperparameters.")
        allowed = ablation_components(self.architecture)
        if self.components is not None:
            if not self.components:
                raise ContractError("components", "is empty; leave it out to ablate every component")
            for i, component in enumerate(self.components):
                if component not in allowed:
                    raise ContractError(
                        f"components[{i}]",
                        f"{component.value} does not exist in {self.architecture.value}; "
                        f"choose from {', '.join(c.value for c in allowed)}",
                    )
            if len(set(self.components)) != len(self.components):
                raise ContractError("components", "components repeat")

    def chosen_components(self) -> list[AblationComponent]:
        return list(self.components) if self.components is not None else ablation_components(self.architecture)


@dataclass
class ClassifyPatchesParams:
    """Classify patches with a registered model (``model_id``; the newest model when omitted)."""

    patches: list[PatchRecord]
    model_id: str | None = None

    def __post_init__(self) -> None:
        if not self.patches:
            raise ContractError("patches", "is empty; send at least one patch")
        if len(self.patches) > 20000:
            raise ContractError("patches", f"at most 20000 patches a job, got {len(self.patches)}")
        seen: set[str] = set()
        crs_seen: str | None = None
        for i, patch in enumerate(self.patches):
            if patch.id in seen:
                raise ContractError(f"patches[{i}].id", f"duplicate patch id {patch.id!r}")
            seen.add(patch.id)
            if patch.x is not None:
                if not patch.crs:
                    raise ContractError(f"patches[{i}].crs", "x/y are given, so the CRS (e.g. 'EPSG:3413') is required")
                if crs_seen is not None and patch.crs != crs_seen:
                    raise ContractError(
                        f"patches[{i}].crs",
                        f"{patch.crs!r} differs from {crs_seen!r}; send patches of one CRS per job",
                    )
                crs_seen = patch.crs

    @property
    def crs(self) -> str | None:
        return next((p.crs for p in self.patches if p.x is not None), None)


SOURCE_UNITS = ("auto", "dB", "linear")


@dataclass
class IngestSceneParams:
    """Check an uploaded GeoTIFF/COG scene and add it to the catalog in the product's layout.

    ``upload_id`` comes from ``POST /uploads``. Bands are 1-based. Without ``inc_band`` the
    incidence band is found by its description or as a third band of plausible angles; else give
    ``inc_angle_deg``. ``acquired`` is ISO 8601 UTC (``2026-03-01T08:15:00Z``).
    """

    upload_id: str
    scene_id: str | None = None
    mode: AcquisitionMode | None = None
    acquired: str | None = None
    units: str = "auto"
    co_band: int = 1
    cross_band: int = 2
    inc_band: int | None = None
    inc_angle_deg: float | None = None

    def __post_init__(self) -> None:
        if self.units not in SOURCE_UNITS:
            raise ContractError("units", f"must be one of {', '.join(SOURCE_UNITS)}, got {self.units!r}")
        if self.co_band == self.cross_band:
            raise ContractError("cross_band", "must differ from co_band")
        if self.acquired is not None:
            from datetime import datetime

            try:
                datetime.fromisoformat(self.acquired.replace("Z", "+00:00"))
            except ValueError:
                raise ContractError("acquired", f"{self.acquired!r} is not an ISO 8601 time such as 2026-03-01T08:15:00Z") from None


@dataclass
class DetectTargetsParams:
    """CFAR detection over a whole scene (windows in metres, as in ESA SNAP's ship detector).

    The scene is a catalog scene (``scene_id``) or the scene of a finished ``simulate_scene`` job
    (``scene_job_id``): give exactly one.
    """

    scene_job_id: str | None = None
    scene_id: str | None = None
    target_window_m: float = 50.0
    guard_window_m: float = 500.0
    background_window_m: float = 800.0
    pfa: float = 10**-6.5
    min_area_px: int = 2
    looks: float | None = None  # equivalent number of looks; None: from the scene's mode
    chunk_px: int = 2048

    def __post_init__(self) -> None:
        if (self.scene_job_id is None) == (self.scene_id is None):
            raise ContractError("scene_id", "give exactly one of 'scene_id' (catalog) or 'scene_job_id'")
        if not 0.0 < self.pfa < 0.01:
            raise ContractError("pfa", f"must be in (0, 0.01), got {self.pfa:g}")
        if not 0.0 < self.target_window_m < self.guard_window_m < self.background_window_m:
            raise ContractError(
                "guard_window_m",
                "windows must grow: target_window_m < guard_window_m < background_window_m "
                f"(got {self.target_window_m:g}, {self.guard_window_m:g}, {self.background_window_m:g})",
            )
        if self.min_area_px < 1:
            raise ContractError("min_area_px", f"must be at least 1, got {self.min_area_px}")
        if self.looks is not None and not 1.0 <= self.looks <= 100.0:
            raise ContractError("looks", f"must be between 1 and 100, got {self.looks:g}")
        if not 256 <= self.chunk_px <= 8192:
            raise ContractError("chunk_px", f"must be between 256 and 8192, got {self.chunk_px}")


@dataclass
class MapPoint:
    """A point an analyst supplies, in the job's ``crs`` (map coordinates, or lon/lat in EPSG:4326)."""

    id: str
    x: float
    y: float


@dataclass
class CutPatchesParams:
    """75 x 75 patches from a scene around points, or around every detection of a detect_targets job.

    The scene is a catalog scene (``scene_id``) or a ``simulate_scene`` job's (``scene_job_id``).
    """

    scene_id: str | None = None
    scene_job_id: str | None = None
    points: list[MapPoint] | None = None
    crs: str = "EPSG:4326"
    detections_job_id: str | None = None

    def __post_init__(self) -> None:
        if (self.scene_id is None) == (self.scene_job_id is None):
            raise ContractError("scene_id", "give exactly one of 'scene_id' (catalog) or 'scene_job_id'")
        if (self.points is None) == (self.detections_job_id is None):
            raise ContractError("points", "give exactly one of 'points' or 'detections_job_id'")
        if self.points is not None:
            if not self.points:
                raise ContractError("points", "is empty; give at least one point")
            if len(self.points) > 20000:
                raise ContractError("points", f"at most 20000 points a job, got {len(self.points)}")
            ids = [p.id for p in self.points]
            if len(set(ids)) != len(ids):
                raise ContractError("points", "point ids must be unique")


PARAMS_BY_KIND: dict[JobKind, type] = {
    JobKind.SIMULATE_SCENE: SimulateSceneParams,
    JobKind.INGEST_SCENE: IngestSceneParams,
    JobKind.DETECT_TARGETS: DetectTargetsParams,
    JobKind.CUT_PATCHES: CutPatchesParams,
    JobKind.TRAIN_MODEL: TrainModelParams,
    JobKind.CLASSIFY_PATCHES: ClassifyPatchesParams,
    JobKind.BUILD_FEATURE_GROUP: BuildFeatureGroupParams,
    JobKind.CREATE_TRAINING_DATASET: CreateTrainingDatasetParams,
    JobKind.SEARCH_HYPERPARAMETERS: SearchHyperparametersParams,
    JobKind.RUN_ABLATION: RunAblationParams,
}


# ---------------------------------------------------------------------------------------------
# Results per job kind


@dataclass
class SimulateSceneResult:
    scene_id: str
    mode: AcquisitionMode
    width_px: int
    height_px: int
    pixel_size_m: float
    crs: str
    n_ships: int
    n_icebergs: int
    inc_angle_near_deg: float
    inc_angle_far_deg: float


@dataclass
class IngestSceneResult:
    scene_id: str
    width_px: int
    height_px: int
    pixel_size_m: float
    crs: str
    polarisations: list[str]
    source_units: str
    bbox: list[float]


@dataclass
class DetectTargetsResult:
    scene_id: str
    n_detections: int
    crs: str
    pixel_size_m: float
    looks: float
    pfa: float


@dataclass
class CutPatchesResult:
    scene_id: str
    n_patches: int
    n_padded: int
    skipped: dict[str, str] = field(default_factory=dict)  # point id -> reason


@dataclass
class EpochMetrics:
    epoch: int
    train_log_loss: float
    val_log_loss: float
    val_accuracy: float
    val_roc_auc: float = 0.0
    val_ece: float = 0.0


@dataclass
class ModelMetrics:
    val_log_loss: float
    val_accuracy: float
    val_roc_auc: float
    n_train: int
    n_validation: int
    confusion: list[list[int]] = field(default_factory=list)  # rows truth ship/iceberg, cols predicted
    val_ece: float = 0.0  # expected calibration error, 10 equal-width bins


@dataclass
class TrainModelResult:
    model_id: str
    architecture: ModelArchitecture
    epochs_run: int
    best_epoch: int
    metrics: ModelMetrics
    history: list[EpochMetrics] = field(default_factory=list)
    device: str = "cpu"
    hyperparameters: HyperParameters | None = None
    training_dataset: TrainingDatasetRef | None = None
    test_metrics: HeldOutMetrics | None = None  # when the training dataset has a test part


@dataclass
class BuildFeatureGroupResult:
    group: str
    version: int
    n_rows: int
    n_labelled: int
    n_ships: int
    n_icebergs: int
    n_inc_angle_missing: int
    third_channel: ThirdChannel
    geo: bool  # rows carry positions: the version is GeoParquet
    validation: ValidationReport
    n_partitions: int = 1


@dataclass
class SplitCounts:
    ships: int
    icebergs: int


@dataclass
class CreateTrainingDatasetResult:
    name: str
    version: int
    feature_group: FeatureGroupRef
    k_folds: int | None
    counts: dict[str, SplitCounts]  # train, validation, test, or fold_0 ... fold_k-1, test
    n_unlabelled_left_out: int


@dataclass
class SearchHyperparametersResult:
    study_name: str
    n_complete: int
    n_pruned: int
    n_failed: int
    best_trial: int
    best_params: HyperParameters
    best_val_log_loss: float
    best_val_accuracy: float
    trials: list[TrialResult]
    model_id: str | None = None
    parallel: int = 1
    seconds: float = 0.0
    test_metrics: HeldOutMetrics | None = None  # the best trial's model on the dataset's test part


@dataclass
class RunAblationResult:
    architecture: ModelArchitecture
    rows: list[AblationRow]
    parallel: int = 1
    seconds: float = 0.0


@dataclass
class PatchClassification:
    id: str
    label: ClassName
    iceberg_probability: float
    x: float | None = None
    y: float | None = None
    scene_id: str | None = None


@dataclass
class ClassifyPatchesResult:
    model_id: str
    classifications: list[PatchClassification]
    crs: str | None = None


RESULT_BY_KIND: dict[JobKind, type] = {
    JobKind.SIMULATE_SCENE: SimulateSceneResult,
    JobKind.INGEST_SCENE: IngestSceneResult,
    JobKind.DETECT_TARGETS: DetectTargetsResult,
    JobKind.CUT_PATCHES: CutPatchesResult,
    JobKind.TRAIN_MODEL: TrainModelResult,
    JobKind.CLASSIFY_PATCHES: ClassifyPatchesResult,
    JobKind.BUILD_FEATURE_GROUP: BuildFeatureGroupResult,
    JobKind.CREATE_TRAINING_DATASET: CreateTrainingDatasetResult,
    JobKind.SEARCH_HYPERPARAMETERS: SearchHyperparametersResult,
    JobKind.RUN_ABLATION: RunAblationResult,
}


# ---------------------------------------------------------------------------------------------
# Jobs


@dataclass
class JobRequest:
    kind: JobKind
    params: dict[str, Any] = field(default_factory=dict)

    def typed_params(self) -> Any:
        """The parameters decoded into the kind's dataclass; errors are under ``params``."""
        return from_dict(PARAMS_BY_KIND[self.kind], self.params, "params")

    @classmethod
    def of(cls, kind: JobKind, params: Any) -> JobRequest:
        return cls(kind=kind, params=to_dict(params))


def parse_job_request(data: Any) -> tuple[JobKind, Any]:
    """Validate a submitted job document and return its kind and typed parameters."""
    if not isinstance(data, dict):
        raise ContractError("", "job body must be a JSON object with 'kind' and 'params'")
    kind = data.get("kind")
    if kind not in {k.value for k in JobKind}:
        raise UnknownJobKind(kind)
    request = from_dict(JobRequest, data)
    return request.kind, request.typed_params()


class UnknownJobKind(ContractError):
    def __init__(self, kind: Any):
        known = ", ".join(k.value for k in JobKind)
        super().__init__("kind", f"unknown job kind {kind!r}; known kinds: {known}")


@dataclass
class Artifact:
    """A file a job produced, downloadable from ``/jobs/{id}/artifacts/{name}``."""

    name: str
    media_type: str
    size_bytes: int
    role: str


@dataclass
class JobStatus:
    id: str
    kind: JobKind
    state: JobState
    progress: float = 0.0
    message: str = ""
    created_at: str = ""
    started_at: str | None = None
    finished_at: str | None = None
    error: ApiError | None = None
    result: dict[str, Any] | None = None
    artifacts: list[Artifact] = field(default_factory=list)

    def typed_result(self) -> Any:
        if self.result is None:
            return None
        return from_dict(RESULT_BY_KIND[self.kind], self.result, "result")
