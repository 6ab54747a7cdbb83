"""Bringing a finished job's results back onto the map (the Jobs panel's *Add results to map
again*): one row per job kind in :data:`RELOADERS`, each a ``fetch`` run in a task's thread
(downloads; opening a streamed scene) and an ``add`` run on the main thread (layers, styles)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from qgis.core import QgsProject

from icesight_contract import JobKind, JobState, JobStatus

from . import settings as plugin_settings
from .client import BackendClient
from .layers import add_classification_layer, add_explanation_layers, add_probability_layer
from .scene_layers import add_detections_layer, add_scene_layer, open_scene_layer, streamed_source
from .workflow import MOSAIC, ExplanationOutcome, MapOutcome


@dataclass
class Fetched:
    """What a fetch brought: the job, and what its ``add`` needs (paths, an opened layer)."""

    status: JobStatus
    payload: Any


@dataclass(frozen=True)
class Reloader:
    fetch: Callable[[BackendClient, JobStatus, str, str], Any]  # (client, status, output_dir, header_file)
    add: Callable[[Fetched, QgsProject], list]


def _download(client: BackendClient, status: JobStatus, name: str, folder: str) -> str:
    return str(client.download(status.id, name, os.path.join(folder, f"{status.id}_{name}")))


def _fetch_classifications(client, status, output_dir, _header_file):
    return _download(client, status, "classifications.gpkg", output_dir)


def _add_classifications(fetched: Fetched, project: QgsProject) -> list:
    return [add_classification_layer(fetched.payload, fetched.status.id, project)]


def _fetch_probability(client, status, output_dir, _header_file):
    return MapOutcome(status.id, status.typed_result(), _download(client, status, "probability.tif", output_dir))


def _add_probability(fetched: Fetched, project: QgsProject) -> list:
    return [add_probability_layer(fetched.payload, plugin_settings.probability_threshold(), project)]


_HEATMAP = re.compile(r"heatmap_(.+)\.tif$")


def _fetch_explanations(client, status, output_dir, _header_file):
    folder = os.path.join(output_dir, f"{status.id}_explanations")
    names = [a.name for a in status.artifacts]
    summary = str(client.download(status.id, "explanations.gpkg", os.path.join(folder, "explanations.gpkg")))
    heatmaps = {m.group(1): str(client.download(status.id, n, os.path.join(folder, n)))
                for n in names if (m := _HEATMAP.match(n))}
    mosaic = None
    if MOSAIC in names and len(heatmaps) > 20:
        mosaic, heatmaps = str(client.download(status.id, MOSAIC, os.path.join(folder, MOSAIC))), {}
    return ExplanationOutcome(status.id, status.typed_result(), summary, mosaic, heatmaps)


def _add_explanations(fetched: Fetched, project: QgsProject) -> list:
    summary, rasters = add_explanation_layers(fetched.payload, project)
    return [summary, *rasters]


def _fetch_detections(client, status, output_dir, _header_file):
    return _download(client, status, "detections.gpkg", output_dir)


def _add_detections(fetched: Fetched, project: QgsProject) -> list:
    scene_id = (fetched.status.result or {}).get("scene_id", "")
    return [add_detections_layer(fetched.payload, fetched.status.id, scene_id, project)]


def _fetch_scene(client, status, _output_dir, header_file):
    scene_id = (status.result or {})["scene_id"]
    return open_scene_layer(scene_id, streamed_source(client.scene_url(scene_id), header_file))


def _add_scene(fetched: Fetched, project: QgsProject) -> list:
    return [add_scene_layer(fetched.payload, project)]


#: The job kinds whose results can be put on the map again, and how.
RELOADERS: dict[JobKind, Reloader] = {
    JobKind.CLASSIFY_PATCHES: Reloader(_fetch_classifications, _add_classifications),
    JobKind.CLASSIFY_DETECTIONS: Reloader(_fetch_classifications, _add_classifications),
    JobKind.CHART_SCENE: Reloader(_fetch_classifications, _add_classifications),
    JobKind.MAP_SCENE: Reloader(_fetch_probability, _add_probability),
    JobKind.EXPLAIN_PATCHES: Reloader(_fetch_explanations, _add_explanations),
    JobKind.DETECT_TARGETS: Reloader(_fetch_detections, _add_detections),
    JobKind.SIMULATE_SCENE: Reloader(_fetch_scene, _add_scene),
    JobKind.INGEST_SCENE: Reloader(_fetch_scene, _add_scene),
}


def can_reload(status: JobStatus) -> bool:
    return status.state is JobState.SUCCEEDED and status.kind in RELOADERS


def fetch_results(client: BackendClient, job_id: str, output_dir: str, header_file: str) -> Fetched:
    """In a task's thread: the job's current status and its results, downloaded or opened."""
    status = client.job(job_id)
    if not can_reload(status):
        raise ValueError(f"job {job_id} ({status.kind.value}, {status.state.value}) has no results to put on the map")
    return Fetched(status, RELOADERS[status.kind].fetch(client, status, output_dir, header_file))


def add_results(fetched: Fetched, project: QgsProject | None = None) -> list:
    """On the main thread: the fetched results as styled layers."""
    return RELOADERS[fetched.status.kind].add(fetched, project or QgsProject.instance())
