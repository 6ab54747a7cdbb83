"""Pipeline job kinds: ``chart_scene`` runs ingest -> detect -> classify -> explain -> export as one
job, calling each stage's own handler code, with each stage's progress in the job's progress.

Every stage's outputs are kept under ``<data-dir>/pipeline-cache/<key>/``, where the key is a hash
of the stage's inputs (the scene's content hash, the previous stage's key) and its settings (and
the code version). A run whose stage key exists reuses that output instead of computing it again,
so charting the same scene again with another model re-runs only classification onwards.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from icesight_contract import (
    ChartSceneParams,
    ChartSceneResult,
    ClassifyDetectionsParams,
    DetectTargetsParams,
    ExplainPatchesParams,
    IngestSceneParams,
    StageRun,
    to_dict,
)

from .. import __version__
from .base import JSON, JobContext, Resources, artifact

GEOJSON = "application/geo+json"


class StageContext:
    """A job context for one stage: its progress maps into the pipeline's share for the stage."""

    def __init__(self, ctx: JobContext, start: float, end: float, name: str):
        self._ctx, self._start, self._end, self._name = ctx, start, end, name
        self.job_id = ctx.job_id

    def progress(self, fraction: float, message: str) -> None:
        self._ctx.progress(self._start + (self._end - self._start) * max(0.0, min(1.0, fraction)), f"{self._name}: {message}")

    def should_stop(self) -> bool:
        return self._ctx.should_stop()

    def check(self) -> None:
        self._ctx.check()


def resolve_chart(resources: Resources, params: ChartSceneParams) -> dict:
    from .inference import resolve_model, scene_for_model
    from .scenes import resolve_upload

    inputs = {"cache_dir": str(resources.store.data_dir / "pipeline-cache")}
    if params.scene_id is not None:  # the scene and model checks of any scene-scale job
        return inputs | scene_for_model(resources, params.scene_id, None, params.model_id)
    upload = resolve_upload(resources, IngestSceneParams(upload_id=params.upload_id, mode=params.mode, acquired=params.acquired))
    return inputs | resolve_model(resources, params) | upload


def _key(*parts: Any) -> str:
    return hashlib.sha256(json.dumps([__version__, *parts], sort_keys=True, default=str).encode()).hexdigest()[:32]


def _file_hash(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(8 * 1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


class StageCache:
    """Stage outputs by key: a folder of files plus ``stage.json``; written whole or not at all."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def get(self, key: str) -> dict | None:
        meta = self.root / key / "stage.json"
        return json.loads(meta.read_text()) if meta.is_file() else None

    def files(self, key: str) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in (self.root / key).iterdir() if p.name != "stage.json"}

    def put(self, key: str, meta: dict, artifacts: list[dict]) -> None:
        incoming = Path(tempfile.mkdtemp(dir=self.root, prefix=f".{key}-"))
        for item in artifacts:
            (incoming / item["name"]).write_bytes(item["data"])
        (incoming / "stage.json").write_text(json.dumps(meta))
        try:
            os.rename(incoming, self.root / key)
        except OSError:  # another run wrote the same stage meanwhile: keep theirs
            shutil.rmtree(incoming, ignore_errors=True)


def chart_scene(ctx: JobContext, params: ChartSceneParams, inputs: dict) -> dict[str, Any]:
    import rasterio

    from ..learning.dense import PixelSizeMismatch, check_pixel_size
    from .inference import classify_detections, explain_patches
    from .scenes import ingest_scene
    from .targets import detect_targets

    started = time.perf_counter()
    cache = StageCache(inputs["cache_dir"])
    stages: list[StageRun] = []
    artifacts: list[dict] = []
    output: dict[str, Any] = {}
    model_id = inputs["model_id"]

    def run_stage(name: str, index: int, key: str, compute) -> tuple[dict, list[dict]]:
        """The stage's metadata and artifacts: from the cache, or computed and then cached."""
        ctx.check()
        stage_started = time.perf_counter()
        cached = cache.get(key)
        if cached is not None:
            files = cache.files(key)
            stage_artifacts = [{**a, "data": files[a["name"]]} for a in cached["artifacts"]]
            stages.append(StageRun(name, "reused", round(time.perf_counter() - stage_started, 2), key, cached["summary"]))
            ctx.progress((index + 1) / 5, f"{name}: reused ({cached['summary']})")
            return cached, stage_artifacts
        meta, stage_artifacts = compute(StageContext(ctx, index / 5, (index + 1) / 5, f"stage {index + 1}/5 {name}"))
        cache.put(key, meta | {"artifacts": [{k: v for k, v in a.items() if k != "data"} for a in stage_artifacts]},
                  stage_artifacts)
        stages.append(StageRun(name, "ran", round(time.perf_counter() - stage_started, 2), key, meta["summary"]))
        return meta, stage_artifacts

    # 1. ingest: an upload becomes a normalised scene (published to the catalog when the job succeeds).
    if params.upload_id is not None:
        stage_started = time.perf_counter()
        ingest_params = IngestSceneParams(upload_id=params.upload_id, mode=params.mode, acquired=params.acquired)
        ingested = ingest_scene(StageContext(ctx, 0.0, 0.2, "stage 1/5 ingest"), ingest_params,
                                {k: inputs[k] for k in ("upload_path", "staging_dir", "scene_limits")})
        scene_path, scene_id = ingested["staged_cog"], ingested["result"]["scene_id"]
        output |= {"scene_item": ingested["scene_item"], "staged_cog": scene_path}
        with rasterio.open(scene_path) as src:
            try:
                check_pixel_size(abs(src.transform.a), inputs["model_pixel_size_m"], model_name=model_id)
            except PixelSizeMismatch as exc:
                raise ValueError(str(exc)) from None
        stages.append(StageRun("ingest", "ran", round(time.perf_counter() - stage_started, 2), "",
                               f"{ingested['result']['width_px']} x {ingested['result']['height_px']} px"))
    else:
        scene_path, scene_id = inputs["scene_path"], params.scene_id
        stages.append(StageRun("ingest", "skipped", 0.0, "", "a catalog scene"))
    ctx.progress(0.2, "hashing the scene's content")
    scene_hash = _file_hash(scene_path)

    # 2. detect
    detect_params = DetectTargetsParams(scene_id=scene_id, pfa=params.pfa, sea_ice_aware=params.sea_ice_aware)

    def detect(stage_ctx) -> tuple[dict, list[dict]]:
        out = detect_targets(stage_ctx, detect_params, {"scene_path": scene_path})
        return {"summary": f"{out['result']['n_detections']} detections", "result": out["result"]}, out["artifacts"]

    detect_key = _key("detect", scene_hash, to_dict(detect_params) | {"scene_id": None})
    detected, detect_artifacts = run_stage("detect", 1, detect_key, detect)
    artifacts += detect_artifacts

    # 3. classify every detection
    with tempfile.TemporaryDirectory() as tmp:
        detections_path = Path(tmp) / "detections.gpkg"
        detections_path.write_bytes(next(a["data"] for a in detect_artifacts if a["name"] == "detections.gpkg"))

        def classify(stage_ctx) -> tuple[dict, list[dict]]:
            # The detections come from the previous stage's file (inputs), not from another job.
            out = classify_detections(
                stage_ctx, ClassifyDetectionsParams(scene_id=scene_id, detections_job_id=ctx.job_id, model_id=model_id),
                inputs | {"scene_path": scene_path, "detections_path": str(detections_path), "scene_id": scene_id})
            output["predictions"] = out.get("predictions", [])
            r = out["result"]
            return {"summary": f"{r['n_ships']} ships, {r['n_icebergs']} icebergs", "result": r}, out["artifacts"]

        classify_key = _key("classify", detect_key, model_id)
        classified, classify_artifacts = run_stage("classify", 2, classify_key, classify)
        artifacts += classify_artifacts
        gpkg = Path(tmp) / "classifications.gpkg"
        gpkg.write_bytes(next(a["data"] for a in classify_artifacts if a["name"] == "classifications.gpkg"))

        # 4. explain the least certain calls
        def explain(stage_ctx) -> tuple[dict, list[dict]]:
            import geopandas as gpd

            from ..sar.patches import cut_patches_from_scene

            targets = gpd.read_file(gpkg, layer="classifications")
            if targets.empty or params.explain_n == 0:
                return {"summary": "nothing to explain", "n": 0}, []
            doubtful = targets.assign(doubt=(targets["iceberg_probability"] - 0.5).abs()).nsmallest(params.explain_n, "doubt")
            points = [(str(t), g.x, g.y) for t, g in zip(doubtful["target_id"], doubtful.geometry, strict=True)]
            with rasterio.open(scene_path) as src:
                crs, pixel = src.crs.to_string(), abs(src.transform.a)
            cut = cut_patches_from_scene(scene_path, points, crs, scene_id)
            out = explain_patches(stage_ctx, ExplainPatchesParams(patches=cut.patches, model_id=model_id,
                                                                  method=params.explain_method, pixel_size=pixel), inputs)
            return {"summary": f"{len(cut.patches)} least certain calls explained", "n": len(cut.patches)}, out["artifacts"]

        explain_key = _key("explain", classify_key, params.explain_n, params.explain_method.value)
        explained, explain_artifacts = run_stage("explain", 3, explain_key, explain)
        artifacts += explain_artifacts

        # 5. export for the ice chart: every target in lon/lat as GeoJSON
        def export(stage_ctx) -> tuple[dict, list[dict]]:
            import geopandas as gpd

            targets = gpd.read_file(gpkg, layer="classifications").to_crs("EPSG:4326")
            stage_ctx.progress(0.5, f"{len(targets)} targets to GeoJSON")
            return {"summary": f"{len(targets)} targets"}, [artifact("targets.geojson", GEOJSON, "export", targets.to_json().encode())]

        _, export_artifacts = run_stage("export", 4, _key("export", classify_key), export)
        artifacts += export_artifacts
    names = set()
    unique = []
    for item in artifacts:  # a name once (the explanation's report and the pipeline's do not clash)
        if item["name"] not in names:
            names.add(item["name"])
            unique.append(item)
    result = ChartSceneResult(
        scene_id=scene_id, model_id=model_id, n_detections=detected["result"]["n_detections"],
        n_ships=classified["result"]["n_ships"], n_icebergs=classified["result"]["n_icebergs"],
        n_explained=explained.get("n", 0), stages=stages, seconds=round(time.perf_counter() - started, 2),
    )
    unique.append(artifact("pipeline.json", JSON, "report", json.dumps(to_dict(result), indent=2).encode()))
    return output | {"result": to_dict(result), "artifacts": unique}


def publish_chart(resources: Resources, job_id: str, params: ChartSceneParams, output: dict) -> None:
    """A scene ingested by this run enters the catalog, as an ingest job's would."""
    from .scenes import publish_ingested_scene

    if output.get("scene_item") is not None:
        publish_ingested_scene(resources, job_id, params, output)
