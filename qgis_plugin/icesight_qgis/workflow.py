"""Job workflows shared by the dock's background tasks and the Processing algorithms.

Qt-free and thread-safe: they talk to the backend, report progress through callbacks and honour
cancellation; loading layers is left to the caller on the main thread.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from icesight_contract import ClassifyPatchesParams, ClassifyPatchesResult, JobKind, PatchRecord

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
