"""Inference job kinds: classify patches or every target of a scene, map a whole scene to an
iceberg-probability raster, and explain decisions with Captum attributions."""

from __future__ import annotations

import json
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from icesight_contract import (
    PATCH_SIZE_PX,
    ClassifyDetectionsParams,
    ClassifyDetectionsResult,
    ClassifyPatchesParams,
    ClassifyPatchesResult,
    ClassName,
    ExplainPatchesParams,
    ExplainPatchesResult,
    JobKind,
    MapSceneParams,
    MapSceneResult,
    PatchClassification,
    PatchRecord,
    TargetExplanation,
    from_dict,
    to_dict,
)

from .base import (
    GEOTIFF,
    JSON,
    InputMismatch,
    JobCancelled,
    JobContext,
    Resources,
    artifact,
    gpkg_artifact,
    set_task_threads,
)

#: Fields the classification adds to a target's own attributes.
CLASSIFICATION_FIELDS = ("class", "iceberg_probability", "clutter_probability", "uncertainty", "confidence", "model_id",
                         "scene_id", "job_id", "padded")


# -- resolving: the model, the scene and whether they fit ------------------------------------------


def resolve_model(resources: Resources, params: Any) -> dict:
    return model_inputs(resources, params.model_id)


def model_inputs(resources: Resources, model_id: str | None) -> dict:
    """A registered model for a worker: its id, weights and training pixel spacing (production when None)."""
    record_id, blob, record = resources.model(model_id)
    return {"model_id": record_id, "model_blob": blob, "model_pixel_size_m": record.get("input_spec", {}).get("pixel_size_m")}


def resolve_scene_model(resources: Resources, params: Any) -> dict:
    """The scene and the model of a scene-scale job (``scene_id``/``scene_job_id``, ``model_id``)."""
    return scene_for_model(resources, params.scene_id, getattr(params, "scene_job_id", None), params.model_id)


def scene_for_model(resources: Resources, scene_id: str | None, scene_job_id: str | None, model_id: str | None) -> dict:
    """The scene file and the model, refused when the scene's pixel spacing is not the spacing the
    model was trained on (a 40 m model never silently classifies 10 m pixels)."""
    import rasterio

    from ..learning.dense import PixelSizeMismatch, check_pixel_size

    inputs = model_inputs(resources, model_id)
    scene_path = resources.scene_path(scene_id, scene_job_id)
    with rasterio.open(scene_path) as src:  # the header only
        scene_pixel_size_m = abs(src.transform.a)
    try:
        check_pixel_size(scene_pixel_size_m, inputs["model_pixel_size_m"])
    except PixelSizeMismatch as exc:
        raise InputMismatch(f"model {inputs['model_id']}: {exc}", "params.model_id") from None
    return inputs | {"scene_path": str(scene_path), "scene_id": scene_id}


def resolve_scene_targets(resources: Resources, params: ClassifyDetectionsParams) -> dict:
    from .targets import check_points_crs, resolve_detections

    check_points_crs(params)
    return resolve_scene_model(resources, params) | {"detections_path": resolve_detections(resources, params)}


def resolve_explained(resources: Resources, params: ExplainPatchesParams) -> dict:
    inputs = resolve_model(resources, params)
    if params.patches_job_id is None:
        return inputs
    path = resources.job_artifact(params.patches_job_id, JobKind.CUT_PATCHES, "patches.json", "params.patches_job_id",
                                  "cut the patches")
    cut_params = resources.store.params(params.patches_job_id) or {}
    scene_path = resources.scene_path(cut_params.get("scene_id"), cut_params.get("scene_job_id"))
    return inputs | {"patches_path": str(path), "scene_path": str(scene_path)}


def _model(inputs: dict):
    from ..learning.training import LoadedModel

    return LoadedModel.from_bytes(inputs["model_blob"])


def patch_arrays(model, patches: list[PatchRecord]):
    from ..learning.data import CHANNELS, arrays_from_records

    # The channels the model was trained on (the third may be band_avg, band_diff or band_mag).
    return arrays_from_records(patches, tuple(model.input_spec.get("channels", CHANNELS)))


@dataclass(frozen=True)
class Decision:
    """What the model says of one patch: P(iceberg | target), P(clutter) (None for a two-class model)
    and the spread of P(iceberg | target) over the 8 test-time views."""

    iceberg_probability: float
    uncertainty: float
    clutter_probability: float | None = None

    @property
    def label(self) -> ClassName:
        from ..learning.outputs import served_classes

        clutter = None if self.clutter_probability is None else np.array([self.clutter_probability])
        return list(ClassName)[int(served_classes(np.array([self.iceberg_probability]), clutter)[0])]

    @property
    def confidence(self) -> float:
        """The probability of the class served."""
        if self.label is ClassName.CLUTTER:
            return float(self.clutter_probability)
        given_target = max(self.iceberg_probability, 1 - self.iceberg_probability)
        return given_target * (1.0 if self.clutter_probability is None else 1 - self.clutter_probability)

    def fields(self) -> dict:
        return {"class": self.label.value, "iceberg_probability": round(self.iceberg_probability, 5),
                "clutter_probability": None if self.clutter_probability is None else round(self.clutter_probability, 5),
                "uncertainty": round(self.uncertainty, 5), "confidence": round(self.confidence, 5)}


def decisions_of(views) -> list[Decision]:
    """One decision per patch from its served probabilities over the 8 views (:class:`.training.Served`)."""
    mean = views.mean_over_views()
    spread = views.iceberg.std(axis=1)
    clutter = [None] * len(spread) if mean.clutter is None else [float(c) for c in mean.clutter]
    return [Decision(float(p), float(s), c) for p, s, c in zip(mean.iceberg, spread, clutter, strict=True)]


def _decide(model, patches: list[PatchRecord]) -> tuple[list[Decision], dict]:
    """The decision on each patch, and the patches' input summaries (for monitoring)."""
    from ..learning.profile import patch_features
    from ..learning.training import classify_views

    arrays = patch_arrays(model, patches)
    return decisions_of(classify_views(model, arrays)), patch_features(arrays)


def prediction_rows(model_id: str, patches: list[PatchRecord], decisions: list[Decision], features: dict) -> list[dict]:
    """What monitoring keeps of each prediction: the model, the patch, its input summary, the output."""
    return [
        {"model_id": model_id, "patch_id": patch.id, "iceberg_probability": d.iceberg_probability,
         "clutter_probability": d.clutter_probability, "label": d.label.value,
         **{name: float(values[i]) for name, values in features.items()}}
        for i, (patch, d) in enumerate(zip(patches, decisions, strict=True))
    ]


def classification_of(patch: PatchRecord, decision: Decision) -> PatchClassification:
    fields = decision.fields()
    return PatchClassification(
        id=patch.id, label=decision.label, iceberg_probability=fields["iceberg_probability"], x=patch.x, y=patch.y,
        scene_id=patch.scene_id, uncertainty=fields["uncertainty"], clutter_probability=fields["clutter_probability"],
    )


def _decision_fields(decision: Decision, model_id: str, scene_id: str, job_id: str, padded: bool) -> dict:
    return decision.fields() | {"model_id": model_id, "scene_id": scene_id, "job_id": job_id, "padded": bool(padded)}


# -- classify_patches -----------------------------------------------------------------------------


def classify_patches(ctx: JobContext, params: ClassifyPatchesParams, inputs: dict) -> dict[str, Any]:
    import geopandas as gpd
    from shapely.geometry import Point

    model_id = inputs["model_id"]
    ctx.progress(0.1, f"classifying {len(params.patches)} patches with model {model_id}")
    set_task_threads()
    model = _model(inputs)
    decisions, features = _decide(model, params.patches)
    ctx.check()
    classifications = [classification_of(p, d) for p, d in zip(params.patches, decisions, strict=True)]
    result = ClassifyPatchesResult(model_id=model_id, classifications=classifications, crs=params.crs)
    frame = gpd.GeoDataFrame(
        [
            {"patch_id": p.id, **_decision_fields(d, model_id, p.scene_id or "", ctx.job_id, p.padded),
             "geometry": Point(p.x, p.y) if p.x is not None else None}
            for p, d in zip(params.patches, decisions, strict=True)
        ],
        geometry="geometry",
        crs=params.crs,
    )
    artifacts = [gpkg_artifact(frame, "classifications", role="targets")]
    return {"result": to_dict(result), "artifacts": artifacts,
            "predictions": prediction_rows(model_id, params.patches, decisions, features)}


# -- classify_detections --------------------------------------------------------------------------


def _targets(params: ClassifyDetectionsParams, inputs: dict, scene_crs):
    """The targets as a GeoDataFrame in the scene's CRS with a ``target_id`` and all their own fields."""
    import geopandas as gpd
    from shapely.geometry import Point

    if inputs.get("detections_path") is not None:
        frame = gpd.read_file(inputs["detections_path"], layer="detections", engine="pyogrio")
        frame.insert(0, "target_id", frame["detection_id"].astype(str))
    else:
        rows = [{"target_id": p.id, **(p.attributes or {}), "geometry": Point(p.x, p.y)} for p in params.points]
        frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=params.crs)
    return frame.to_crs(scene_crs)


def _footprint(transform, row: int, col: int):
    """The 75 x 75 px patch around pixel (row, col), as a polygon in the scene's CRS."""
    from shapely.geometry import box

    half = PATCH_SIZE_PX // 2
    x0, y0 = transform * (col - half, row - half)
    x1, y1 = transform * (col - half + PATCH_SIZE_PX, row - half + PATCH_SIZE_PX)
    return box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def classify_detections(ctx: JobContext, params: ClassifyDetectionsParams, inputs: dict) -> dict[str, Any]:
    import geopandas as gpd
    import rasterio

    from ..sar.patches import cut_patches_from_scene

    scene_path, model_id = inputs["scene_path"], inputs["model_id"]
    with rasterio.open(scene_path) as src:
        scene_crs, transform = src.crs, src.transform
        scene_id = inputs.get("scene_id") or src.tags().get("scene_id", Path(scene_path).parent.name)
    targets = _targets(params, inputs, scene_crs)
    ctx.progress(0.05, f"cutting {len(targets)} patches from {scene_id}")
    points = [(t, g.x, g.y) for t, g in zip(targets["target_id"], targets.geometry, strict=True)]
    cut = cut_patches_from_scene(scene_path, points, scene_crs.to_string(), scene_id)
    ctx.check()
    set_task_threads()
    model = _model(inputs)
    ctx.progress(0.4, f"classifying {len(cut.patches)} targets with model {model_id} (8 views each)")
    decided, features = _decide(model, cut.patches) if cut.patches else ([], {})
    ctx.check()
    by_id = {p.id: (p, d) for p, d in zip(cut.patches, decided, strict=True)}
    kept = targets[targets["target_id"].isin(list(by_id))].copy()
    # The target's own fields stay as they are; a field named like one the classification adds keeps
    # its value under "<name>_input".
    kept = kept.rename(columns={c: f"{c}_input" for c in CLASSIFICATION_FIELDS if c in kept.columns})
    decisions = [_decision_fields(by_id[t][1], model_id, scene_id, ctx.job_id, by_id[t][0].padded)
                 for t in kept["target_id"]]
    for name in CLASSIFICATION_FIELDS:
        kept[name] = [d[name] for d in decisions]
    points_layer = gpd.GeoDataFrame(kept, geometry="geometry", crs=scene_crs)
    footprints = points_layer.copy()
    footprints["geometry"] = [_footprint(transform, by_id[t][0].row, by_id[t][0].col) for t in kept["target_id"]]
    labels = [d["class"] for d in decisions]
    result = ClassifyDetectionsResult(
        model_id=model_id, scene_id=scene_id, n_targets=len(kept), n_ships=labels.count(ClassName.SHIP.value),
        n_icebergs=labels.count(ClassName.ICEBERG.value), n_clutter=labels.count(ClassName.CLUTTER.value),
        crs=scene_crs.to_string(), pixel_size_m=abs(transform.a), skipped=cut.skipped,
    )
    artifacts = [gpkg_artifact(points_layer, "classifications", role="targets", extra_layers={"footprints": footprints})]
    return {"result": to_dict(result), "artifacts": artifacts,
            "predictions": prediction_rows(model_id, cut.patches, decided, features)}


# -- map_scene ------------------------------------------------------------------------------------


def map_scene(ctx: JobContext, params: MapSceneParams, inputs: dict) -> dict[str, Any]:
    import rasterio

    from ..learning.dense import DenseMapCancelled, probability_map
    from ..learning.outputs import ICEBERG_THRESHOLD
    from ..sar.land import LandMask

    scene_path, model_id = inputs["scene_path"], inputs["model_id"]
    with rasterio.open(scene_path) as src:
        scene_id = inputs.get("scene_id") or src.tags().get("scene_id", Path(scene_path).parent.name)
        land = LandMask.for_settings(params, src.transform, src.crs, src.shape)
    set_task_threads()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "probability.tif"
        try:
            dense = probability_map(
                scene_path, _model(inputs), out, chunk_px=params.chunk_px,
                tags={"model_id": model_id, "scene_id": scene_id, "job_id": ctx.job_id},
                progress=lambda f, m: ctx.progress(0.02 + 0.95 * f, m), should_stop=ctx.should_stop, land=land,
            )
        except DenseMapCancelled:
            raise JobCancelled(ctx.job_id) from None
        iceberg_fraction = _share_at_least(out, ICEBERG_THRESHOLD)
        with rasterio.open(out) as written:
            crs, width, height, pixel = written.crs.to_string(), written.width, written.height, abs(written.transform.a)
        data = out.read_bytes()
    result = MapSceneResult(
        model_id=model_id, scene_id=scene_id, width_px=width, height_px=height, pixel_size_m=pixel, crs=crs,
        stride_px=dense.stride_px, iceberg_fraction=round(iceberg_fraction, 5),
        seconds=round(time.perf_counter() - started, 2), land_fraction=None if land is None else round(land.fraction(), 5),
    )
    return {"result": to_dict(result), "artifacts": [artifact("probability.tif", GEOTIFF, "probability", data)]}


def _share_at_least(path: Path, threshold: float) -> float:
    """Share of the raster's valid pixels at or above ``threshold``, read block by block."""
    import rasterio

    above = valid = 0
    with rasterio.open(path) as src:
        for _, window in src.block_windows(1):
            values = src.read(1, window=window)
            finite = np.isfinite(values)
            valid += int(finite.sum())
            above += int((values[finite] >= threshold).sum())
    return above / valid if valid else 0.0


# -- explain_patches ------------------------------------------------------------------------------

#: Heatmap bands: the total attribution, and its parts on the co- and cross-polarised bands.
HEATMAP_BANDS = ("total", "HH", "HV")


def explain_batch(index: int, model_blob: bytes, records: list[dict], params_doc: dict) -> dict:
    """One Dask task: attributions of batch ``index`` of the patches (arrays, plus each patch's summary)."""
    from ..learning.attribution import explain
    from ..learning.training import LoadedModel

    params = from_dict(ExplainPatchesParams, params_doc)
    set_task_threads()
    model = LoadedModel.from_bytes(model_blob)
    patches = [from_dict(PatchRecord, r) for r in records]
    attributions = explain(
        model, patch_arrays(model, patches), params.method.value, n_steps=params.n_steps,
        internal_batch_size=params.internal_batch_size, tta=params.tta, occlusion_window_px=params.occlusion_window_px,
        occlusion_stride_px=params.occlusion_stride_px, n_samples=params.n_samples, seed=0,
    )
    maps = np.stack([attributions.total, attributions.hh, attributions.hv], axis=1).astype(np.float32)
    summaries = [
        {"share_hh": s.hh_share, "share_hv": s.hv_share, "inc_angle_attribution": s.inc_angle,
         "top_offset_col_px": s.top_offset_col_px, "top_offset_row_px": s.top_offset_row_px}
        for s in attributions.summaries()
    ]
    return {"index": index, "maps": maps, "summaries": summaries,
            "probability": np.asarray(attributions.probability, dtype=np.float64),
            "delta": None if attributions.convergence_delta is None else np.asarray(attributions.convergence_delta)}


def _safe_name(patch_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", patch_id)[:120]


def _metres(crs: str | None) -> bool:
    """Whether a CRS's units are metres (offsets can then be given in metres)."""
    if not crs:
        return False
    from pyproj import CRS

    units = {axis.unit_name for axis in CRS.from_user_input(crs).axis_info}
    return units <= {"metre", "meter"} and bool(units)


def _heatmap_tif(maps: np.ndarray, transform, crs: str | None, tags: dict) -> bytes:
    import rasterio

    profile = {"driver": "GTiff", "width": maps.shape[-1], "height": maps.shape[-2], "count": len(HEATMAP_BANDS),
               "dtype": "float32", "nodata": float("nan"), "compress": "DEFLATE", "predictor": 3}
    if transform is not None:
        profile |= {"transform": transform, "crs": crs}
    with rasterio.MemoryFile() as memory:
        with memory.open(**profile) as dst:
            dst.write(maps.astype(np.float32))
            for index, name in enumerate(HEATMAP_BANDS, start=1):
                dst.set_band_description(index, name)
            dst.update_tags(**{k: str(v) for k, v in tags.items()})
        return memory.read()


def _mosaic_tif(footprints: list[tuple[Any, np.ndarray]], pixel_size: float, crs: str) -> bytes:
    """All heatmaps on one grid (the patches' scene grid), NaN between them; written patch by patch."""
    import rasterio
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    lefts = [t.c for t, _ in footprints]
    tops = [t.f for t, _ in footprints]
    left, top = min(lefts), max(tops)
    width = int(round((max(lefts) - left) / pixel_size)) + PATCH_SIZE_PX
    height = int(round((top - min(tops)) / pixel_size)) + PATCH_SIZE_PX
    profile = {"driver": "GTiff", "width": width, "height": height, "count": len(HEATMAP_BANDS), "dtype": "float32",
               "nodata": float("nan"), "transform": from_origin(left, top, pixel_size, pixel_size), "crs": crs,
               "tiled": True, "blockxsize": 256, "blockysize": 256, "compress": "DEFLATE", "predictor": 3,
               "BIGTIFF": "IF_SAFER"}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mosaic.tif"
        with rasterio.open(path, "w", **profile) as dst:
            for transform, maps in footprints:
                col = int(round((transform.c - left) / pixel_size))
                row = int(round((top - transform.f) / pixel_size))
                dst.write(maps.astype(np.float32), window=Window(col, row, PATCH_SIZE_PX, PATCH_SIZE_PX))
            for index, name in enumerate(HEATMAP_BANDS, start=1):
                dst.set_band_description(index, name)
            dst.build_overviews([2, 4, 8, 16], rasterio.enums.Resampling.average)
        return path.read_bytes()


def explain_patches(ctx: JobContext, params: ExplainPatchesParams, inputs: dict) -> dict[str, Any]:
    import geopandas as gpd
    import rasterio
    from distributed import worker_client
    from rasterio.transform import from_origin
    from shapely.geometry import Point

    from ..compute import gpu_slots
    from .base import run_bounded

    started = time.perf_counter()
    if params.patches is not None:
        patches, pixel_size = params.patches, params.pixel_size
    else:
        patches = [from_dict(PatchRecord, r) for r in json.loads(Path(inputs["patches_path"]).read_text())]
        with rasterio.open(inputs["scene_path"]) as src:
            pixel_size = abs(src.transform.a)
    if not patches:
        raise ValueError("the cut_patches job cut no patch (every point was off the scene); nothing to explain")
    crs = next((p.crs for p in patches if p.x is not None), None)
    georeferenced = pixel_size is not None and crs is not None and all(p.x is not None for p in patches)
    model_id = inputs["model_id"]
    size = params.patches_per_task
    batches = [patches[i : i + size] for i in range(0, len(patches), size)]
    outcomes: dict[int, dict] = {}
    params_doc = to_dict(params) | {"patches": None, "patches_job_id": "-"}  # the tasks need the options only
    with worker_client() as client:
        blob = client.scatter(inputs["model_blob"], broadcast=True, hash=False)
        resources, slots = gpu_slots(client)
        ctx.progress(0.02, f"explaining {len(patches)} patches with {params.method.value} in {len(batches)} task(s)"
                           + (" on GPU workers" if resources else ""))

        def make(i: int):
            return client.submit(explain_batch, i, blob, [to_dict(p) for p in batches[i]], params_doc,
                                 key=f"icesight-explain-{ctx.job_id}-{i}", pure=False, resources=resources)

        def keep(outcome: dict) -> None:
            outcomes[outcome["index"]] = outcome
            ctx.progress(0.05 + 0.85 * len(outcomes) / len(batches), f"{len(outcomes)}/{len(batches)} batches explained")

        run_bounded(ctx, client, make, len(batches), max(1, slots), keep)
    maps = np.concatenate([outcomes[i]["maps"] for i in range(len(batches))])
    summaries = [s for i in range(len(batches)) for s in outcomes[i]["summaries"]]
    probabilities = np.concatenate([outcomes[i]["probability"] for i in range(len(batches))])
    deltas = [outcomes[i]["delta"] for i in range(len(batches))]
    delta = None if any(d is None for d in deltas) else np.concatenate(deltas)
    ctx.check()
    in_metres = georeferenced and _metres(crs)
    scale = pixel_size if in_metres else 1.0
    half = PATCH_SIZE_PX / 2
    targets, artifacts, footprints = [], [], []
    for i, (patch, summary) in enumerate(zip(patches, summaries, strict=True)):
        probability = float(probabilities[i])
        targets.append(TargetExplanation(
            id=patch.id, label=Decision(probability, 0.0).label, iceberg_probability=round(probability, 5),
            share_hh=_rounded(summary["share_hh"]), share_hv=_rounded(summary["share_hv"]),
            inc_angle_attribution=_rounded(summary["inc_angle_attribution"]),
            top_offset_east=round(float(summary["top_offset_col_px"]) * scale, 2),
            top_offset_north=round(-float(summary["top_offset_row_px"]) * scale, 2),
            offset_units="m" if in_metres else "px",
            convergence_delta=None if delta is None else _rounded(delta[i]), x=patch.x, y=patch.y,
        ))
        transform = from_origin(patch.x - half * pixel_size, patch.y + half * pixel_size, pixel_size, pixel_size) \
            if georeferenced else None
        tags = {"method": params.method.value, "model_id": model_id, "patch_id": patch.id,
                "iceberg_probability": round(probability, 5), "job_id": ctx.job_id,
                "units": "iceberg probability; positive towards iceberg, negative towards ship"}
        artifacts.append(artifact(f"heatmap_{_safe_name(patch.id)}.tif", GEOTIFF, "heatmap",
                                  _heatmap_tif(maps[i], transform, crs, tags)))
        if transform is not None:
            footprints.append((transform, maps[i]))
    if georeferenced and len(footprints) > 1:
        ctx.progress(0.93, "writing the heatmap mosaic")
        artifacts.append(artifact("heatmaps_mosaic.tif", GEOTIFF, "heatmap_mosaic", _mosaic_tif(footprints, pixel_size, crs)))
    result = ExplainPatchesResult(model_id=model_id, method=params.method, n_patches=len(patches), targets=targets,
                                  crs=crs, georeferenced=georeferenced, seconds=round(time.perf_counter() - started, 2))
    rows = [to_dict(t) | {"label": t.label.value, "method": params.method.value, "model_id": model_id, "job_id": ctx.job_id,
                          "geometry": Point(t.x, t.y) if t.x is not None else None} for t in targets]
    for row in rows:
        row.pop("x"), row.pop("y")
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)
    artifacts.append(gpkg_artifact(frame, "explanations", role="explanations"))
    artifacts.append(artifact("explanations.json", JSON, "report", json.dumps(to_dict(result), indent=2).encode()))
    return {"result": to_dict(result), "artifacts": artifacts}


def _rounded(value) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), 6)
