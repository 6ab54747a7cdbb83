"""The registry of job kinds, job states and the job documents of the API.

Each job kind is one row of :data:`KINDS`: its name, its parameter and result types and the
family module that defines them (``scenes``, ``targets``, ``inference``, ``features``,
``experiments``, ``pipelines``). :class:`JobKind` is made from that table, so a new kind is its two types in its
family's module plus one row here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from .codec import ContractError, from_dict, shown, to_dict
from .common import ApiError
from .experiments import (
    RunAblationParams,
    RunAblationResult,
    SearchHyperparametersParams,
    SearchHyperparametersResult,
    TrainModelParams,
    TrainModelResult,
)
from .features import (
    BuildFeatureGroupParams,
    BuildFeatureGroupResult,
    CreateTrainingDatasetParams,
    CreateTrainingDatasetResult,
)
from .inference import (
    ClassifyDetectionsParams,
    ClassifyDetectionsResult,
    ClassifyPatchesParams,
    ClassifyPatchesResult,
    ExplainPatchesParams,
    ExplainPatchesResult,
    MapSceneParams,
    MapSceneResult,
)
from .pipelines import ChartSceneParams, ChartSceneResult, TrainPipelineParams, TrainPipelineResult
from .scenes import IngestSceneParams, IngestSceneResult, SimulateSceneParams, SimulateSceneResult
from .targets import CutPatchesParams, CutPatchesResult, DetectTargetsParams, DetectTargetsResult


@dataclass(frozen=True)
class KindSpec:
    """One job kind: its name in the API, its parameters and result, and its family."""

    name: str
    params: type
    result: type
    family: str


KINDS: tuple[KindSpec, ...] = (
    KindSpec("simulate_scene", SimulateSceneParams, SimulateSceneResult, "scenes"),
    KindSpec("ingest_scene", IngestSceneParams, IngestSceneResult, "scenes"),
    KindSpec("detect_targets", DetectTargetsParams, DetectTargetsResult, "targets"),
    KindSpec("cut_patches", CutPatchesParams, CutPatchesResult, "targets"),
    KindSpec("train_model", TrainModelParams, TrainModelResult, "experiments"),
    KindSpec("classify_patches", ClassifyPatchesParams, ClassifyPatchesResult, "inference"),
    KindSpec("classify_detections", ClassifyDetectionsParams, ClassifyDetectionsResult, "inference"),
    KindSpec("map_scene", MapSceneParams, MapSceneResult, "inference"),
    KindSpec("explain_patches", ExplainPatchesParams, ExplainPatchesResult, "inference"),
    KindSpec("build_feature_group", BuildFeatureGroupParams, BuildFeatureGroupResult, "features"),
    KindSpec("create_training_dataset", CreateTrainingDatasetParams, CreateTrainingDatasetResult, "features"),
    KindSpec("search_hyperparameters", SearchHyperparametersParams, SearchHyperparametersResult, "experiments"),
    KindSpec("run_ablation", RunAblationParams, RunAblationResult, "experiments"),
    KindSpec("chart_scene", ChartSceneParams, ChartSceneResult, "pipelines"),
    KindSpec("train_pipeline", TrainPipelineParams, TrainPipelineResult, "pipelines"),
)

#: The job kinds, as an enum of their API names (``JobKind.TRAIN_MODEL.value == "train_model"``).
JobKind = enum.Enum("JobKind", [(spec.name.upper(), spec.name) for spec in KINDS], type=str, module=__name__)
JobKind.__doc__ = "A job kind; one member per row of KINDS."

KIND_SPECS: dict[JobKind, KindSpec] = {JobKind(spec.name): spec for spec in KINDS}
PARAMS_BY_KIND: dict[JobKind, type] = {kind: spec.params for kind, spec in KIND_SPECS.items()}
RESULT_BY_KIND: dict[JobKind, type] = {kind: spec.result for kind, spec in KIND_SPECS.items()}


class JobState(str, enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)


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
    if not isinstance(kind, str) or kind not in {k.value for k in JobKind}:
        raise UnknownJobKind(kind)
    request = from_dict(JobRequest, data)
    return request.kind, request.typed_params()


class UnknownJobKind(ContractError):
    def __init__(self, kind: Any):
        known = ", ".join(k.value for k in JobKind)
        super().__init__("kind", f"unknown job kind {shown(kind)}; known kinds: {known}")


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
