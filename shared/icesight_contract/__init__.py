"""The IceSight plugin-backend contract: job kinds, parameters, states, results and errors.

Standard library only, so that it ships unchanged inside the QGIS plugin and the backend. One
module per family of job kinds (:mod:`.scenes`, :mod:`.targets`, :mod:`.inference`,
:mod:`.features`, :mod:`.experiments`); :mod:`.jobs` holds the registry of kinds. Everything is
re-exported here.
"""
# ruff: noqa: F401

from .codec import (
    ContractError,
    PackedFloats,
    Seed,
    cut_field_name,
    from_dict,
    from_json,
    pack_float32,
    shown,
    to_dict,
    to_json,
    unpack_float32,
)
from .common import (
    AcquisitionMode,
    ApiError,
    ClassName,
    CoPol,
    ErrorCode,
    MapPoint,
    PatchRecord,
    SimulatedPatchSet,
    lonlat_polygons,
)
from .constants import (
    API_PREFIX,
    API_VERSION,
    AUTH_HEADER,
    BAND_NAMES,
    INC_ANGLE_MAX_DEG,
    INC_ANGLE_MIN_DEG,
    INC_ANGLE_MISSING,
    PATCH_PIXELS,
    PATCH_SIZE_PX,
    PLUGIN_TAG,
)
from .experiments import (
    DEFAULT_TRAIN_EPOCHS,
    DEFAULT_TRAIN_PATIENCE,
    MAX_EPOCHS,
    WEAK_SEPARATION_ROC_AUC,
    EpochMetrics,
    ModelMetrics,
    RunAblationParams,
    RunAblationResult,
    SearchHyperparametersParams,
    SearchHyperparametersResult,
    TrainModelParams,
    TrainModelResult,
)
from .features import (
    MAX_K_FOLDS,
    BuildFeatureGroupParams,
    BuildFeatureGroupResult,
    CreateTrainingDatasetParams,
    CreateTrainingDatasetResult,
    SplitCounts,
)
from .inference import (
    AttributionMethod,
    ClassifyDetectionsParams,
    ClassifyDetectionsResult,
    ClassifyPatchesParams,
    ClassifyPatchesResult,
    ExplainPatchesParams,
    ExplainPatchesResult,
    MapSceneParams,
    MapSceneResult,
    PatchClassification,
    PredictRequest,
    TargetExplanation,
)
from .jobs import (
    KIND_SPECS,
    KINDS,
    PARAMS_BY_KIND,
    RESULT_BY_KIND,
    Artifact,
    JobKind,
    JobRequest,
    JobState,
    JobStatus,
    KindSpec,
    UnknownJobKind,
    parse_job_request,
)
from .learning import (
    ARCHITECTURE_FILTERS,
    ARCHITECTURE_KERNEL,
    AblationComponent,
    AblationRow,
    FeatureGroupRef,
    FloatRange,
    HeldOutMetrics,
    HyperParameters,
    ModelArchitecture,
    RuleFailure,
    SearchSpace,
    ThirdChannel,
    TrainingDatasetRef,
    TrialResult,
    ValidationMode,
    ValidationReport,
    ablation_components,
    block_kernels,
    feature_map_side,
)
from .pipelines import (
    CHART_STAGES,
    TRAIN_STAGES,
    ChartSceneParams,
    ChartSceneResult,
    GateCheck,
    StageRun,
    TrainPipelineParams,
    TrainPipelineResult,
)
from .scene_files import (
    CROSS_POL,
    INCIDENCE_DESCRIPTION,
    INCIDENCE_PERCENTILES,
    MAP_SCALE_TOLERANCE,
    NESZ_BAND_SUFFIX,
    POLARISATION,
    SIGMA0_FILL,
    SIGMA0_MEDIAN_DB,
    SIGMA0_MEDIAN_LINEAR,
    SWAPPED_PAIR_DB,
    described_channels,
    incidence_band,
    level_db,
    plausible_incidence,
    sigma0_pair,
    sigma0_units,
    values_are_db,
)
from .scenes import IngestSceneParams, IngestSceneResult, SimulateSceneParams, SimulateSceneResult
from .targets import (
    DETECTOR_SETTINGS,
    LAND_MASK_LAYER,
    LAND_SETTINGS,
    LOOKS_RANGE,
    MAX_LAND_BUFFER_M,
    CutPatchesParams,
    CutPatchesResult,
    DetectTargetsParams,
    DetectTargetsResult,
    check_detector_settings,
)
