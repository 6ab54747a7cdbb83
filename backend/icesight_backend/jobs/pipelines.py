"""Pipeline job kinds, each one job that calls the stages' own handler code, with each stage's
progress in the job's progress:

- ``chart_scene``: ingest -> detect -> classify -> explain -> export;
- ``train_pipeline``: features -> dataset -> search -> evaluate -> register, the last gated on
  metrics of the held-out test part.

Every stage's outputs are kept under ``<data-dir>/pipeline-cache/<key>/``, where the key is a hash
of the stage's inputs (a content hash, the previous stage's key) and its settings (and the code
version). A run whose stage key exists reuses that output instead of computing it again, so
charting the same scene again with another model re-runs only classification onwards, and a
training pipeline run again with another gate only decides again. Stages whose output is published
(a feature group or training dataset version, a registered model) have their cache entry written by
the service when it publishes, naming what it published; they are reused while that still exists.
The retention policy prunes the cache (see :func:`prune_cache`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from icesight_contract import (
    CHART_STAGES,
    TRAIN_STAGES,
    ChartSceneParams,
    ChartSceneResult,
    ClassifyDetectionsParams,
    ExplainPatchesParams,
    FeatureGroupRef,
    GateCheck,
    HeldOutMetrics,
    HyperParameters,
    IngestSceneParams,
    StageRun,
    TrainingDatasetRef,
    TrainPipelineParams,
    TrainPipelineResult,
    from_dict,
    to_dict,
)

from .. import __version__
from .base import JSON, JobContext, Resources, SubmissionError, artifact

GEOJSON = "application/geo+json"
#: Folder of the stage cache under the data directory.
CACHE_FOLDER = "pipeline-cache"
#: A cache folder left without its ``stage.json`` (a write that stopped) is removed after this long.
INCOMPLETE_GRACE_S = 3600.0
#: Share of a train_pipeline's progress each stage takes (the search is most of the work).
TRAIN_SHARES = dict(zip(TRAIN_STAGES, (0.15, 0.05, 0.7, 0.07, 0.03), strict=True))


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


def cache_root(data_dir: str | Path) -> Path:
    """The stage cache of the service whose data directory this is."""
    return Path(data_dir) / CACHE_FOLDER


def _key(*parts: Any) -> str:
    return hashlib.sha256(json.dumps([__version__, *parts], sort_keys=True, default=str).encode()).hexdigest()[:32]


def _file_hash(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(8 * 1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _tree_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


class StageCache:
    """Stage outputs by key: a folder of files plus ``stage.json``; written whole or not at all.
    The modification time of ``stage.json`` is the entry's last use (reading an entry renews it),
    which is what :meth:`prune` goes by."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def get(self, key: str) -> dict | None:
        meta = self.root / key / "stage.json"
        try:
            document = json.loads(meta.read_text())
            os.utime(meta)  # used now: the retention keeps the entries in use
        except (FileNotFoundError, NotADirectoryError):
            return None
        return document

    def load(self, key: str) -> tuple[dict, list[dict]] | None:
        """An entry's metadata and its artifacts (with their bytes), or None (also when the entry was
        pruned while being read)."""
        meta = self.get(key)
        if meta is None:
            return None
        try:
            files = {p.name: p.read_bytes() for p in (self.root / key).iterdir() if p.name != "stage.json"}
            return meta, [{**a, "data": files[a["name"]]} for a in meta.get("artifacts", [])]
        except (FileNotFoundError, KeyError):
            return None

    def put(self, key: str, meta: dict, artifacts: list[dict]) -> None:
        incoming = Path(tempfile.mkdtemp(dir=self.root, prefix=f".{key}-"))
        for item in artifacts:
            (incoming / item["name"]).write_bytes(item["data"])
        described = [{k: v for k, v in a.items() if k != "data"} for a in artifacts]
        (incoming / "stage.json").write_text(json.dumps(meta | {"artifacts": described}))
        try:
            os.rename(incoming, self.root / key)
        except OSError:  # another run wrote the same stage meanwhile: keep theirs
            shutil.rmtree(incoming, ignore_errors=True)

    def prune(self, older_than_days: float | None = None, max_total_bytes: int | None = None,
              dry_run: bool = False) -> CachePruneReport:
        """Remove entries unused for more than ``older_than_days``, then the least recently used until
        the cache takes at most ``max_total_bytes``; folders of writes that never completed go after
        :data:`INCOMPLETE_GRACE_S`. A run that loses an entry while reading it computes the stage again."""
        now = time.time()
        entries, removed, freed = [], 0, 0
        for folder in self.root.iterdir():
            if not folder.is_dir():
                continue
            meta = folder / "stage.json"
            if folder.name.startswith(".") or not meta.is_file():
                if now - folder.stat().st_mtime > INCOMPLETE_GRACE_S:
                    freed += _tree_bytes(folder)
                    removed += 1
                    if not dry_run:
                        shutil.rmtree(folder, ignore_errors=True)
                continue
            entries.append((meta.stat().st_mtime, _tree_bytes(folder), folder))
        entries.sort()  # least recently used first
        total = sum(size for _, size, _ in entries)
        cutoff = None if older_than_days is None else now - older_than_days * 86400.0
        for used, size, folder in entries:
            too_old = cutoff is not None and used < cutoff
            too_big = max_total_bytes is not None and total > max_total_bytes
            if not (too_old or too_big):
                continue
            total -= size
            freed += size
            removed += 1
            if not dry_run:
                shutil.rmtree(folder, ignore_errors=True)
        return CachePruneReport(removed, freed, total)


@dataclass
class CachePruneReport:
    entries_removed: int
    bytes_freed: int
    bytes_kept: int


class StageRunner:
    """Runs a pipeline's stages in order, each with its share of the job's progress and a
    :class:`StageRun` record: from the cache when its key is there, else computed and cached."""

    def __init__(self, ctx: JobContext, cache: StageCache, shares: dict[str, float]):
        self.ctx, self.cache = ctx, cache
        self.stages: list[StageRun] = []
        total, start = sum(shares.values()), 0.0
        self._bounds: dict[str, tuple[float, float]] = {}
        for name, share in shares.items():
            self._bounds[name] = (start / total, (start + share) / total)
            start += share
        self._names = list(shares)

    def context(self, name: str) -> StageContext:
        start, end = self._bounds[name]
        return StageContext(self.ctx, start, end, f"stage {self._names.index(name) + 1}/{len(self._names)} {name}")

    def record(self, name: str, state: str, started: float, key: str = "", summary: str = "") -> None:
        """A stage's outcome: ``ran``, ``reused`` or ``skipped``, with its seconds since ``started``."""
        self.stages.append(StageRun(name, state, round(time.perf_counter() - started, 2), key, summary))
        self.ctx.progress(self._bounds[name][1], f"{name}: {state}" + (f" ({summary})" if summary else ""))

    def run(self, name: str, key: str, compute) -> tuple[dict, list[dict]]:
        """The stage's metadata and artifacts: from the cache, or ``compute(stage_context)`` and then cached."""
        self.ctx.check()
        started = time.perf_counter()
        cached = self.cache.load(key)
        if cached is not None:
            self.record(name, "reused", started, key, cached[0]["summary"])
            return cached
        meta, stage_artifacts = compute(self.context(name))
        self.cache.put(key, meta, stage_artifacts)
        self.record(name, "ran", started, key, meta["summary"])
        return meta, stage_artifacts


# ---------------------------------------------------------------------------------------------
# chart_scene


def resolve_chart(resources: Resources, params: ChartSceneParams) -> dict:
    from .inference import resolve_model, scene_for_model
    from .scenes import resolve_upload

    inputs = {"cache_dir": str(cache_root(resources.store.data_dir))}
    if params.scene_id is not None:  # the scene and model checks of any scene-scale job
        return inputs | scene_for_model(resources, params.scene_id, None, params.model_id)
    upload = resolve_upload(resources, IngestSceneParams(upload_id=params.upload_id, mode=params.mode, acquired=params.acquired))
    return inputs | resolve_model(resources, params) | upload


def chart_scene(ctx: JobContext, params: ChartSceneParams, inputs: dict) -> dict[str, Any]:
    import rasterio

    from ..learning.dense import PixelSizeMismatch, check_pixel_size
    from .inference import classify_detections, explain_patches
    from .scenes import ingest_scene
    from .targets import detect_targets

    started = time.perf_counter()
    runner = StageRunner(ctx, StageCache(inputs["cache_dir"]), dict.fromkeys(CHART_STAGES, 1.0))
    artifacts: list[dict] = []
    output: dict[str, Any] = {}
    model_id = inputs["model_id"]

    # 1. ingest: an upload becomes a normalised scene (published to the catalog when the job succeeds).
    if params.upload_id is not None:
        stage_started = time.perf_counter()
        ingest_params = IngestSceneParams(upload_id=params.upload_id, mode=params.mode, acquired=params.acquired)
        ingested = ingest_scene(runner.context("ingest"), ingest_params,
                                {k: inputs[k] for k in ("upload_path", "staging_dir", "scene_limits")})
        scene_path, scene_id = ingested["staged_cog"], ingested["result"]["scene_id"]
        output |= {"scene_item": ingested["scene_item"], "staged_cog": scene_path}
        with rasterio.open(scene_path) as src:
            try:
                check_pixel_size(abs(src.transform.a), inputs["model_pixel_size_m"], model_name=model_id)
            except PixelSizeMismatch as exc:
                raise ValueError(str(exc)) from None
        runner.record("ingest", "ran", stage_started, "",
                      f"{ingested['result']['width_px']} x {ingested['result']['height_px']} px")
    else:
        scene_path, scene_id = inputs["scene_path"], params.scene_id
        runner.record("ingest", "skipped", time.perf_counter(), "", "a catalog scene")
    ctx.progress(0.2, "hashing the scene's content")
    scene_hash = _file_hash(scene_path)

    # 2. detect
    detect_params = params.detection_request(scene_id)

    def detect(stage_ctx) -> tuple[dict, list[dict]]:
        out = detect_targets(stage_ctx, detect_params, {"scene_path": scene_path})
        return {"summary": f"{out['result']['n_detections']} detections", "result": out["result"]}, out["artifacts"]

    detect_key = _key("detect", scene_hash, to_dict(detect_params) | {"scene_id": None})
    detected, detect_artifacts = runner.run("detect", detect_key, detect)
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
            return ({"summary": f"{r['n_ships']} ships, {r['n_icebergs']} icebergs, {r['n_clutter']} clutter", "result": r},
                    out["artifacts"])

        classify_key = _key("classify", detect_key, model_id)
        classified, classify_artifacts = runner.run("classify", classify_key, classify)
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
        explained, explain_artifacts = runner.run("explain", explain_key, explain)
        artifacts += explain_artifacts

        # 5. export for the ice chart: every target in lon/lat as GeoJSON
        def export(stage_ctx) -> tuple[dict, list[dict]]:
            import geopandas as gpd

            targets = gpd.read_file(gpkg, layer="classifications").to_crs("EPSG:4326")
            stage_ctx.progress(0.5, f"{len(targets)} targets to GeoJSON")
            return {"summary": f"{len(targets)} targets"}, [artifact("targets.geojson", GEOJSON, "export", targets.to_json().encode())]

        _, export_artifacts = runner.run("export", _key("export", classify_key), export)
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
        n_clutter=classified["result"].get("n_clutter", 0), n_explained=explained.get("n", 0), stages=runner.stages,
        seconds=round(time.perf_counter() - started, 2),
    )
    unique.append(artifact("pipeline.json", JSON, "report", json.dumps(to_dict(result), indent=2).encode()))
    return output | {"result": to_dict(result), "artifacts": unique}


def publish_chart(resources: Resources, job_id: str, params: ChartSceneParams, output: dict) -> None:
    """A scene ingested by this run enters the catalog, as an ingest job's would."""
    from .scenes import publish_ingested_scene

    if output.get("scene_item") is not None:
        publish_ingested_scene(resources, job_id, params, output)


# ---------------------------------------------------------------------------------------------
# train_pipeline


def resolve_train(resources: Resources, params: TrainPipelineParams) -> dict:
    """The feature source (an upload or a cut_patches job) or the existing feature group version,
    checked before anything is stored; the stores' folders for the worker."""
    from .features import resolve_feature_group, resolve_feature_source

    inputs = {"cache_dir": str(cache_root(resources.store.data_dir)), "features_root": str(resources.features.root),
              "datasets_root": str(resources.datasets.root)}
    if params.features is None:  # an existing version: it must make a training dataset
        return inputs | resolve_feature_group(resources, params.dataset_params(params.feature_group))
    try:
        return inputs | resolve_feature_source(resources, params.features)
    except SubmissionError as exc:  # the source's fields sit under params.features here
        exc.field = exc.field.replace("params.", "params.features.", 1)
        raise


def _staged_split(staging: Path, meta: dict) -> dict:
    """The parts of the pipeline's own training dataset before the service publishes it, read by
    the store's own :meth:`~icesight_backend.learning.feature_store.TrainingDatasets.split`."""
    from ..learning.feature_store import TrainingDatasets

    class Staged(TrainingDatasets):
        def path(self, name: str, version: int) -> Path:
            return staging

    return Staged(staging.parent).split(meta, None)


class _Weights:
    """A model's weights as the scoring code takes a trained model."""

    def __init__(self, blob: bytes):
        self.blob = blob

    def loaded(self):
        from ..learning.training import LoadedModel

        return LoadedModel.from_bytes(self.blob)


def _published(cache: StageCache, key: str, store) -> dict | None:
    """The cache entry of a stage whose output the service published as a version of ``store``,
    while that version is still there."""
    entry = cache.get(key)
    if entry is None:
        return None
    try:
        store.get(entry["name"], entry["version"])
    except LookupError:
        return None
    return entry


def gate_checks(params: TrainPipelineParams, metrics: HeldOutMetrics) -> tuple[list[GateCheck], str]:
    """Each asked gate against the test metrics, and one sentence saying what missed and by how much."""
    checks, misses = [], []
    for metric, (bound, threshold) in params.gates().items():
        value = float(getattr(metrics, metric))
        margin = value - threshold if bound == "min" else threshold - value
        check = GateCheck(metric, bound, threshold, round(value, 5), margin >= 0, round(margin, 5))
        checks.append(check)
        if not check.passed:  # the sentence quotes the check's own (rounded) figures, so the two agree
            side = "below the minimum" if bound == "min" else "above the maximum"
            misses.append(f"test {metric.replace('_', ' ')} {check.value:.4f} is {-check.margin:.4f} {side} {threshold:g}")
    if misses:
        return checks, "; ".join(misses) + f" (on {metrics.n} held-out patches): the model is not registered"
    return checks, "every gate holds on the " + f"{metrics.n} held-out patches"


def train_pipeline(ctx: JobContext, params: TrainPipelineParams, inputs: dict) -> dict[str, Any]:
    from ..learning.feature_store import FeatureStore, TrainingDatasets
    from .experiments import dataset_input, held_out_metrics, load_dataset, search_hyperparameters
    from .features import build_feature_group, create_training_dataset

    started = time.perf_counter()
    cache = StageCache(inputs["cache_dir"])
    runner = StageRunner(ctx, cache, TRAIN_SHARES)
    features, datasets = FeatureStore(inputs["features_root"]), TrainingDatasets(inputs["datasets_root"])
    group = params.group
    output: dict[str, Any] = {"stage_keys": {}, "artifacts": []}

    # 1. features: a new feature group version (published when the job succeeds), or an existing one.
    stage_started = time.perf_counter()
    if params.features is None:
        feature_path, feature_meta = inputs["feature_path"], inputs["feature_meta"]
        runner.record("features", "skipped", stage_started, "", f"feature group {group} v{feature_meta['version']}")
    else:
        source = inputs.get("source_path")
        features_key = _key("features", to_dict(params.features) | {"upload_id": None, "patches_job_id": None},
                            _file_hash(source) if source else None)
        entry = _published(cache, features_key, features)
        if entry is not None:
            feature_meta = features.get(group, entry["version"])
            feature_path = str(features.path(group, entry["version"]) / "data.parquet")
            runner.record("features", "reused", stage_started, features_key, entry["summary"])
        else:
            staging = features.staging_dir(ctx.job_id)
            built = build_feature_group(runner.context("features"), params.features,
                                        {"source_path": source, "staging_dir": str(staging)})
            feature_path = str(staging / "data.parquet")
            feature_meta = json.loads((staging / "metadata.json").read_text()) | {"group": group, "version": None}
            r = built["result"]
            summary = f"{r['n_rows']} rows, {r['n_labelled']} labelled"
            output |= {"feature_staging": str(staging), "features_summary": summary}
            output["stage_keys"]["features"] = features_key
            runner.record("features", "ran", stage_started, features_key, summary)
    features_hash = _file_hash(feature_path)
    group_ref = FeatureGroupRef(group, feature_meta["version"])

    # 2. dataset: a stratified train/validation split with a held-out test part.
    stage_started = time.perf_counter()
    dataset_params = params.dataset_params(group_ref)
    dataset_key = _key("dataset", features_hash, to_dict(dataset_params) | {"feature_group": None})
    entry = _published(cache, dataset_key, datasets)
    if entry is not None:
        dataset_meta = datasets.get(params.dataset_name, entry["version"])
        split = datasets.split(dataset_meta, None)
        group_ref = FeatureGroupRef(**dataset_meta["feature_group"])  # the same rows, maybe an earlier version
        feature_path = str(features.path(group, group_ref.version) / "data.parquet")
        rebuilt = output.pop("feature_staging", None)
        if rebuilt:  # rows rebuilt identical to that version's: publish no copy
            shutil.rmtree(rebuilt, ignore_errors=True)
            output["features_version"] = group_ref.version
        runner.record("dataset", "reused", stage_started, dataset_key, entry["summary"])
    else:
        staging = datasets.staging_dir(ctx.job_id)
        made = create_training_dataset(runner.context("dataset"), dataset_params,
                                       {"feature_path": feature_path, "feature_meta": feature_meta, "staging_dir": str(staging)})
        dataset_meta = json.loads((staging / "metadata.json").read_text()) | {"name": params.dataset_name, "version": None}
        split = _staged_split(staging, dataset_meta)
        counts = made["result"]["counts"]
        summary = ", ".join(f"{part} {sum(c.values())}" for part, c in counts.items())
        output |= {"dataset_staging": str(staging), "dataset_summary": summary}
        output["stage_keys"]["dataset"] = dataset_key
        runner.record("dataset", "ran", stage_started, dataset_key, summary)
    dataset = dataset_input(dataset_meta, split, feature_path, feature_meta.get("pixel_size_m"))
    dataset_ref = TrainingDatasetRef(params.dataset_name, dataset_meta["version"])
    search_params = params.search_params(dataset_ref)

    # 3. search: the trials see the train and validation parts only; the test part waits for evaluate.
    def search(stage_ctx) -> tuple[dict, list[dict]]:
        out = search_hyperparameters(stage_ctx, search_params, {"dataset": dataset | {"test_ids": []}})
        r = out["result"]
        files = [artifact("model.pt", "application/octet-stream", "model", out["model"]),
                 artifact("model.torchscript.pt", "application/octet-stream", "model", out["torchscript"])]
        summary = (f"{r['n_complete']} of {params.n_trials} trials complete, best validation log loss "
                   f"{r['best_val_log_loss']:.4f}")
        meta = {"summary": summary, "result": r, "model_record": out["model_record"], "job_id": ctx.job_id}
        return meta, out["artifacts"] + files

    search_key = _key("search", dataset_key, to_dict(search_params) | {"training_dataset": None})
    searched, search_artifacts = runner.run("search", search_key, search)
    model_id = searched["result"]["model_id"]
    files = {a["name"]: a["data"] for a in search_artifacts}
    output["artifacts"] += [a for a in search_artifacts if a["role"] != "model"]

    # 4. evaluate the best model on the held-out test part, as classification serves it.
    def evaluate(stage_ctx) -> tuple[dict, list[dict]]:
        stage_ctx.progress(0.1, f"scoring {model_id} on {len(dataset['test_ids'])} held-out patches")
        data = load_dataset(dataset)
        metrics = held_out_metrics(_Weights(files["model.pt"]), data.test)
        summary = f"test accuracy {metrics.accuracy:.4f}, log loss {metrics.log_loss:.4f} on {metrics.n} patches"
        return {"summary": summary, "test_metrics": to_dict(metrics)}, []

    evaluated, _ = runner.run("evaluate", _key("evaluate", search_key), evaluate)
    test_metrics = from_dict(HeldOutMetrics, evaluated["test_metrics"])

    # 5. register, gated: the service registers the model when the job succeeds.
    stage_started = time.perf_counter()
    checks, message = gate_checks(params, test_metrics)
    passed = all(c.passed for c in checks)
    register_key = _key("register", search_key)
    if not passed:
        runner.record("register", "skipped", stage_started, register_key, message)
    elif cache.get(register_key) is not None:
        runner.record("register", "reused", stage_started, register_key, f"{model_id} is registered already")
    else:
        record = searched["model_record"] | {
            "training_job_id": searched["job_id"], "registered_by_job_id": ctx.job_id,
            "training_dataset": to_dict(dataset_ref) | {"fold": None}, "feature_group": to_dict(group_ref),
            "test_metrics": to_dict(test_metrics), "gate": to_dict(checks),
        }
        output |= {"model": files["model.pt"], "torchscript": files["model.torchscript.pt"], "model_record": record}
        output["stage_keys"]["register"] = register_key
        runner.record("register", "ran", stage_started, register_key, f"{model_id} registered")
    best = searched["result"]
    result = TrainPipelineResult(
        feature_group=group_ref, training_dataset=dataset_ref, model_id=model_id, registered=passed, gate_passed=passed,
        gate=checks, gate_message=message, test_metrics=test_metrics,
        best_params=from_dict(HyperParameters, best["best_params"]), best_val_log_loss=best["best_val_log_loss"],
        production=passed and params.set_production, stages=runner.stages, seconds=round(time.perf_counter() - started, 2),
    )
    report = artifact("pipeline.json", JSON, "report", json.dumps(to_dict(result), indent=2).encode())
    return output | {"result": to_dict(result), "artifacts": output["artifacts"] + [report]}


def publish_train(resources: Resources, job_id: str, params: TrainPipelineParams, output: dict) -> None:
    """Publish what this run made, in order (the feature group version, the training dataset
    version that splits it, the model when it passed its gate), with the versions filled in where
    the run could not know them, and note each in the stage cache for later runs."""
    from .experiments import publish_model

    cache, keys, result = StageCache(cache_root(resources.store.data_dir)), output["stage_keys"], output["result"]
    record = output.get("model_record")
    features_version = output.get("features_version")  # rows rebuilt identical to a published version
    if output.get("feature_staging"):
        features_version = resources.features.publish(params.group, Path(output["feature_staging"]), job_id=job_id)["version"]
        result["feature_group"]["version"] = features_version
        if output.get("dataset_staging"):  # the split was made of this version
            meta_path = Path(output["dataset_staging"]) / "metadata.json"
            meta_path.write_text(json.dumps(json.loads(meta_path.read_text()) | {"feature_group": result["feature_group"]}, indent=2))
    if features_version is not None:
        cache.put(keys["features"], {"summary": output["features_summary"], "name": params.group,
                                     "version": features_version}, [])
    if output.get("dataset_staging"):
        version = resources.datasets.publish(params.dataset_name, Path(output["dataset_staging"]), job_id=job_id)["version"]
        cache.put(keys["dataset"], {"summary": output["dataset_summary"], "name": params.dataset_name, "version": version}, [])
        result["training_dataset"]["version"] = version
    if record is not None:
        record |= {"feature_group": result["feature_group"],
                   "training_dataset": result["training_dataset"] | {"fold": None}}
        search_params = params.search_params(from_dict(TrainingDatasetRef, result["training_dataset"]))
        publish_model(resources, job_id, search_params, {"result": result, "model": output["model"],
                                                         "torchscript": output["torchscript"], "model_record": record})
        cache.put(keys["register"], {"summary": f"{result['model_id']} registered by job {job_id}"}, [])
    if result["registered"] and params.set_production:
        resources.registry.set_production(result["model_id"])
