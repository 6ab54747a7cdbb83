"""The IceSight plugin-backend contract: job kinds, parameters, states, results and errors.

Standard library only, so that it ships unchanged inside the QGIS plugin and the backend.
"""

from .codec import ContractError, from_dict, from_json, to_dict, to_json
from .constants import (
    API_PREFIX,
    API_VERSION,
    AUTH_HEADER,
    BAND_NAMES,
    INC_ANGLE_MISSING,
    PATCH_PIXELS,
    PATCH_SIZE_PX,
    PLUGIN_TAG,
)
from .jobs import (
    PARAMS_BY_KIND,
    RESULT_BY_KIND,
    AcquisitionMode,
    ApiError,
    Artifact,
    ClassifyPatchesParams,
    ClassifyPatchesResult,
    ClassName,
    EpochMetrics,
    ErrorCode,
    JobKind,
    JobRequest,
    JobState,
    JobStatus,
    ModelArchitecture,
    ModelMetrics,
    PatchClassification,
    PatchRecord,
    SimulatedPatchSet,
    SimulateSceneParams,
    SimulateSceneResult,
    TrainModelParams,
    TrainModelResult,
    UnknownJobKind,
    parse_job_request,
)

__all__ = [name for name in dir() if not name.startswith("_")]
