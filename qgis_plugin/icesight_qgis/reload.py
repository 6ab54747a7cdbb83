"""Bringing a finished job's results back onto the map (the Jobs panel's *Add results to map
again*): one row per job kind in :data:`RELOADERS`, each a ``fetch`` run in a task's thread
(downloads; opening a streamed scene) and an ``add`` run on the main thread (layers, styles).

A result already in the results folder is not downloaded again: the copy there may hold the
analyst's review (``reviewed_class``) and the target fields joined to it, which the backend's copy
has not. A result already on the map is not added a second time: its layers are returned."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from qgis.core import QgsMapLayer, QgsProject

from icesight_contract import JobKind, JobState, JobStatus

from . import settings as plugin_settings
from .client import BackendClient
from .layers import add_classification_layer, add_explanation_layers, add_probability_layer
from .scene_layers import add_detections_layer, add_scene_layer, open_scene_layer, streamed_source
from .workflow import MAX_HEATMAP_LAYERS, MOSAIC, ExplanationOutcome, MapOutcome


@dataclass
class Fetched:
    """What a fetch brought: the job, and what its ``add`` needs (paths, an opened layer)."""

    status: JobStatus
    payload: Any


@dataclass(frozen=True)
class Reloader:
    #: (client, status, output_dir, header_file, is_cancelled) -> what ``add`` needs
    fetch: Callable[[BackendClient, JobStatus, str, str, Callable[[], bool] | None], Any]
    add: Callable[[Fetched, QgsProject], list]


def _local_copy(client: BackendClient, job_id: str, name: str, path: str, is_cancelled) -> str:
    """The artifact ``name`` of a job at ``path``: the copy already there, else downloaded."""
    if os.path.isfile(path):
        return path
    return str(client.download(job_id, name, path, is_cancelled=is_cancelled))


def _download(client: BackendClient, status: JobStatus, name: str, folder: str, is_cancelled) -> str:
    return _local_copy(client, status.id, name, os.path.join(folder, f"{status.id}_{name}"), is_cancelled)


def layers_on(project: QgsProject, path: str) -> list[QgsMapLayer]:
    """The project's layers read from the file ``path`` (a GeoPackage's layers included)."""
    wanted = os.path.normcase(os.path.realpath(path))
    return [layer for layer in project.mapLayers().values()
            if os.path.normcase(os.path.realpath(layer.source().split("|")[0])) == wanted]


def _on_map_or(project: QgsProject, path: str, add: Callable[[], QgsMapLayer]) -> list:
    """The layers already on the map from ``path``, or the one ``add()`` puts there."""
    return layers_on(project, path) or [add()]


def _fetch_classifications(client, status, output_dir, _header_file, is_cancelled):
    return _download(client, status, "classifications.gpkg", output_dir, is_cancelled)


def _add_classifications(fetched: Fetched, project: QgsProject) -> list:
    return _on_map_or(project, fetched.payload,
                      lambda: add_classification_layer(fetched.payload, fetched.status.id, project))


def _fetch_probability(client, status, output_dir, _header_file, is_cancelled):
    return MapOutcome(status.id, status.typed_result(),
                      _download(client, status, "probability.tif", output_dir, is_cancelled))


def _add_probability(fetched: Fetched, project: QgsProject) -> list:
    return _on_map_or(project, fetched.payload.raster_path,
                      lambda: add_probability_layer(fetched.payload, plugin_settings.probability_threshold(), project))


_HEATMAP = re.compile(r"heatmap_(.+)\.tif$")


def _fetch_explanations(client, status, output_dir, _header_file, is_cancelled):
    folder = os.path.join(output_dir, f"{status.id}_explanations")
    names = [a.name for a in status.artifacts]

    def local(name: str) -> str:
        return _local_copy(client, status.id, name, os.path.join(folder, name), is_cancelled)

    summary = local("explanations.gpkg")
    heatmap_names = {m.group(1): n for n in names if (m := _HEATMAP.match(n))}
    if MOSAIC in names and len(heatmap_names) > MAX_HEATMAP_LAYERS:
        return ExplanationOutcome(status.id, status.typed_result(), summary, local(MOSAIC), {})
    heatmaps = {target: local(name) for target, name in heatmap_names.items()}
    return ExplanationOutcome(status.id, status.typed_result(), summary, None, heatmaps)


def _add_explanations(fetched: Fetched, project: QgsProject) -> list:
    outcome = fetched.payload
    already = layers_on(project, outcome.summary_path)
    if already:
        paths = [outcome.mosaic_path] if outcome.mosaic_path else list(outcome.heatmap_paths.values())
        return already + [layer for path in paths for layer in layers_on(project, path)]
    summary, rasters = add_explanation_layers(outcome, project)
    return [summary, *rasters]


def _fetch_detections(client, status, output_dir, _header_file, is_cancelled):
    return _download(client, status, "detections.gpkg", output_dir, is_cancelled)


def _add_detections(fetched: Fetched, project: QgsProject) -> list:
    scene_id = (fetched.status.result or {}).get("scene_id", "")
    return _on_map_or(project, fetched.payload,
                      lambda: add_detections_layer(fetched.payload, fetched.status.id, scene_id, project))


def _fetch_scene(client, status, _output_dir, header_file, _is_cancelled):
    scene_id = (status.result or {})["scene_id"]
    return open_scene_layer(scene_id, streamed_source(client.scene_url(scene_id), header_file))


def _add_scene(fetched: Fetched, project: QgsProject) -> list:
    source = fetched.payload.source()
    already = [layer for layer in project.mapLayers().values() if layer.source() == source]
    return already or [add_scene_layer(fetched.payload, project)]


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


def fetch_results(client: BackendClient, job_id: str, output_dir: str, header_file: str,
                  is_cancelled: Callable[[], bool] | None = None) -> Fetched:
    """In a task's thread: the job's current status and its results, downloaded (unless a copy is in
    ``output_dir`` already) or opened."""
    status = client.job(job_id)
    if not can_reload(status):
        raise ValueError(f"job {job_id} ({status.kind.value}, {status.state.value}) has no results to put on the map")
    return Fetched(status, RELOADERS[status.kind].fetch(client, status, output_dir, header_file, is_cancelled))


def add_results(fetched: Fetched, project: QgsProject | None = None) -> list:
    """On the main thread: the fetched results as styled layers."""
    return RELOADERS[fetched.status.kind].add(fetched, project or QgsProject.instance())
