"""Pipeline job kinds: one submission that runs several stages, each reused when its inputs have
not changed."""

from __future__ import annotations

from dataclasses import dataclass, field

from .codec import ContractError
from .common import AcquisitionMode
from .inference import AttributionMethod

#: The stages of ``chart_scene``, in order.
CHART_STAGES = ("ingest", "detect", "classify", "explain", "export")


@dataclass
class ChartSceneParams:
    """Chart a scene in one job: ingest (an upload; skipped for a catalog scene) -> CFAR detection
    -> classification of every detection -> explanations of the ``explain_n`` least certain calls
    -> export (GeoJSON in lon/lat and GeoPackage). Every stage's output is kept under a key made
    from the content hash of its inputs and its settings; a later run with the same inputs reuses it
    instead of computing it again."""

    scene_id: str | None = None
    upload_id: str | None = None
    mode: AcquisitionMode | None = None
    acquired: str | None = None
    model_id: str | None = None
    pfa: float = 10**-6.5
    sea_ice_aware: bool = True
    explain_n: int = 5
    explain_method: AttributionMethod = AttributionMethod.INTEGRATED_GRADIENTS

    def __post_init__(self) -> None:
        if (self.scene_id is None) == (self.upload_id is None):
            raise ContractError("scene_id", "give exactly one of 'scene_id' (a catalog scene) or 'upload_id' (a new upload)")
        if not 0.0 < self.pfa < 0.01:
            raise ContractError("pfa", f"must be in (0, 0.01), got {self.pfa:g}")
        if not 0 <= self.explain_n <= 200:
            raise ContractError("explain_n", f"must be between 0 and 200, got {self.explain_n}")


@dataclass
class StageRun:
    name: str
    state: str  # "ran", "reused" or "skipped"
    seconds: float
    key: str = ""  # content key of the stage's inputs and settings
    summary: str = ""


@dataclass
class ChartSceneResult:
    scene_id: str
    model_id: str
    n_detections: int
    n_ships: int
    n_icebergs: int
    n_explained: int
    stages: list[StageRun] = field(default_factory=list)
    seconds: float = 0.0
