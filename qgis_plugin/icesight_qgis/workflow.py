"""Job workflows shared by the dock's background tasks and the Processing algorithms.

Qt-free and thread-safe: they talk to the backend, report progress through callbacks and honour
cancellation; loading layers is left to the caller on the main thread.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from icesight_contract import (
    BuildFeatureGroupParams,
    BuildFeatureGroupResult,
    ClassifyPatchesParams,
    ClassifyPatchesResult,
    JobKind,
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
    final = client.wait(
        status.id,
        on_progress=lambda s: on_progress(0.05 + 0.85 * s.progress, s.message),
        is_cancelled=is_cancelled,
    )
    on_progress(0.92, "downloading results")
    path = client.download(status.id, "classifications.gpkg", os.path.join(output_dir, f"{status.id}_classifications.gpkg"))
    on_progress(1.0, "done")
    return ClassificationOutcome(status.id, str(path), final.typed_result())


#: Label values an analyst may type in a field, read case-insensitively.
LABEL_VALUES = {"ship": 0, "0": 0, "iceberg": 1, "1": 1, "berg": 1}


def parse_label(value: object) -> int | None:
    """0 (ship), 1 (iceberg) or None (no label: NULL or empty); ValueError for anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a label")
    if isinstance(value, (int, float)) and value in (0, 1):
        return int(value)
    text = str(value).strip().lower()
    if text in LABEL_VALUES:
        return LABEL_VALUES[text]
    if text in ("null", "none"):
        return None
    raise ValueError(f"{value!r} is not a label; use ship or iceberg (or 0 / 1)")


def add_to_feature_group(
    client: BackendClient,
    group: str,
    patches: list[PatchRecord],
    validation: ValidationMode = ValidationMode.STRICT,
    third_channel: ThirdChannel = ThirdChannel.BAND_AVG,
    description: str = "",
    on_progress: ProgressFn | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> tuple[str, BuildFeatureGroupResult]:
    """Store labelled patches as a new version of a feature group on the backend."""
    on_progress = on_progress or (lambda fraction, message: None)
    on_progress(0.0, f"sending {len(patches)} patches to feature group {group}")
    params = BuildFeatureGroupParams(group=group, patches=patches, validation=validation, third_channel=third_channel,
                                     description=description)
    status = client.submit(JobKind.BUILD_FEATURE_GROUP, params)
    final = client.wait(status.id, on_progress=lambda s: on_progress(0.05 + 0.9 * s.progress, s.message), is_cancelled=is_cancelled)
    on_progress(1.0, "done")
    return status.id, final.typed_result()
