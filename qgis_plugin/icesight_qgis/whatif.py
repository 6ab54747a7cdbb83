"""What-if probes of one target, in the spirit of the What-If Tool: the same patch with one input
changed (HV or HH without the target, the incidence angle elsewhere in the swath), each classified
through ``POST /predict``, so the analyst sees what the call hangs on.

``probe`` is Qt-free; ``probe_task`` cuts the patch and probes in a task's thread.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from qgis.core import QgsCoordinateTransformContext

from icesight_contract import PATCH_SIZE_PX, PatchRecord

from .client import BackendClient
from .patches import PatchError, SceneSource, Targets, cut_patches
from .tasks import JobTask
from .workflow import ProgressFn

#: Width of the border ring whose median is a patch's own clutter level: the backend's reference
#: input for attributions (``icesight_backend.learning.attribution.CLUTTER_RING_PX``), so that a
#: probe and an attribution mean the same by "no target".
CLUTTER_RING_PX = 8
#: Incidence angles (degrees) the probe moves the target to: near range to far range of EW/IW.
PROBE_ANGLES_DEG = (20.0, 30.0, 40.0, 45.0)
AS_CUT = "as cut"


@dataclass(frozen=True)
class ProbeRow:
    variant: str
    iceberg_probability: float
    change: float  # against the patch as cut


def clutter_level_db(band_db: list[float], ring_px: int = CLUTTER_RING_PX) -> float:
    """The median sigma0 (dB) of the patch's outer border ring: the sea (or ice) around the target."""
    values = np.asarray(band_db, dtype=np.float64).reshape(PATCH_SIZE_PX, PATCH_SIZE_PX)
    ring = np.ones(values.shape, dtype=bool)
    ring[ring_px:-ring_px, ring_px:-ring_px] = False
    return float(np.median(values[ring]))


def variants(patch: PatchRecord) -> list[tuple[str, PatchRecord]]:
    """The patch as cut, then each probe: HV and HH filled with their clutter level (the target's
    signal in that band set to zero), and the incidence angle at each of :data:`PROBE_ANGLES_DEG`."""
    def variant(suffix: str, **changes) -> PatchRecord:
        return dataclasses.replace(patch, id=f"{patch.id}|{suffix}", **changes)

    hv_level = round(clutter_level_db(patch.band_2), 4)
    hh_level = round(clutter_level_db(patch.band_1), 4)
    probes = [
        (AS_CUT, variant("as_cut")),
        ("HV at clutter level (no HV target)", variant("hv_clutter", band_2=[hv_level] * len(patch.band_2))),
        ("HH at clutter level (no HH target)", variant("hh_clutter", band_1=[hh_level] * len(patch.band_1))),
    ]
    probes += [(f"incidence {angle:g}\u00b0", variant(f"inc_{angle:g}", inc_angle=angle)) for angle in PROBE_ANGLES_DEG]
    return probes


def probe(client: BackendClient, patch: PatchRecord, model_id: str | None = None) -> tuple[str, list[ProbeRow]]:
    """The iceberg probability of every variant (one request); returns the model id that answered."""
    named = variants(patch)
    answer = client.predict([p for _name, p in named], model_id)
    probability = {c.id: c.iceberg_probability for c in answer.classifications}
    base = probability[named[0][1].id]
    rows = [ProbeRow(name, probability[p.id], probability[p.id] - base) for name, p in named]
    return answer.model_id, rows


@dataclass
class ProbeOutcome:
    target_id: str
    model_id: str
    rows: list[ProbeRow]


def probe_task(client: BackendClient, scene: SceneSource, targets: Targets, context: QgsCoordinateTransformContext,
               on_done: Callable[[ProbeOutcome | None, str | None], None], model_id: str | None = None) -> JobTask:
    """Cut the patch of the one target in ``targets`` and probe it."""
    def work(on_progress: ProgressFn, is_cancelled) -> ProbeOutcome:
        on_progress(0.0, f"cutting the patch of {targets.points[0][0]}")
        cut = cut_patches(scene.open(), targets.points[:1], targets.crs, scene_id=scene.scene_id,
                          transform_context=context)
        if not cut.patches:
            raise PatchError(f"no patch could be cut: {'; '.join(cut.skipped)}")
        on_progress(0.3, "asking the model what if")
        answered_by, rows = probe(client, cut.patches[0], model_id)
        on_progress(1.0, "done")
        return ProbeOutcome(cut.patches[0].id, answered_by, rows)

    return JobTask(f"IceSight: what-if probes of {targets.points[0][0]}", work, on_done, client)
