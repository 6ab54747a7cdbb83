"""Feature-store job kinds: validated, versioned feature groups and training datasets.

The job task runs on a worker and fans its partitions out as further Dask tasks through
``worker_client``. Versions are written to a staging folder on the service's data disk (the
workers share it, as they share the scene files); the service publishes the version when the job
succeeds, so a failed or cancelled job leaves nothing behind.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from icesight_contract import (
    BuildFeatureGroupParams,
    BuildFeatureGroupResult,
    CreateTrainingDatasetParams,
    CreateTrainingDatasetResult,
    FeatureGroupRef,
    JobKind,
    SimulatedPatchSet,
    ValidationReport,
    from_dict,
    to_dict,
)
from icesight_contract.common import label_from_value

from .base import JobContext, Resources, SubmissionError, cluster_threads


def resolve_feature_source(resources: Resources, params: BuildFeatureGroupParams) -> dict:
    """The file an upload or a cut_patches job left, and the version extended, checked before
    anything is stored."""
    inputs = {}
    if params.extend_version is not None:
        inputs["extend_path"] = str(_extended_version(resources, params))
    if params.upload_id is not None:
        inputs["source_path"] = str(resources.upload_path(params.upload_id))
    if params.patches_job_id is not None:
        inputs["source_path"] = str(resources.job_artifact(params.patches_job_id, JobKind.CUT_PATCHES, "patches.json",
                                                           "params.patches_job_id", "cut the patches"))
    return inputs


def _extended_version(resources: Resources, params: BuildFeatureGroupParams) -> Path:
    from ..learning.feature_store import UnknownFeatureGroup

    try:
        meta = resources.features.get(params.group, params.extend_version)
    except UnknownFeatureGroup as exc:
        raise SubmissionError(f"{exc}; extend an existing version or leave extend_version out", "params.extend_version") from None
    if meta["third_channel"] != params.third_channel.value:
        raise SubmissionError(
            f"feature group {params.group!r} v{params.extend_version} has third channel {meta['third_channel']!r}, this "
            f"build {params.third_channel.value!r}; build with the same third channel to extend it",
            "params.third_channel",
        )
    return resources.features.path(params.group, params.extend_version) / "data.parquet"


def resolve_feature_group(resources: Resources, params: CreateTrainingDatasetParams) -> dict:
    from ..learning.feature_store import DatasetUnusable

    ref = params.feature_group
    meta = resources.features.get(ref.group, ref.version)
    if min(meta["n_ships"], meta["n_icebergs"]) == 0:
        raise DatasetUnusable(
            f"feature group {ref.group!r} v{meta['version']} has {meta['n_ships']} labelled ship(s) and "
            f"{meta['n_icebergs']} iceberg(s); a training dataset needs both classes"
        )
    return {"feature_path": str(resources.features.path(ref.group, meta["version"]) / "data.parquet"), "feature_meta": meta}


def publish_feature_group(resources: Resources, job_id: str, params: BuildFeatureGroupParams, output: dict) -> None:
    published = resources.features.publish(params.group, Path(output["feature_staging"]), job_id=job_id)
    output["result"]["version"] = published["version"]


def publish_training_dataset(resources: Resources, job_id: str, params: CreateTrainingDatasetParams, output: dict) -> None:
    published = resources.datasets.publish(params.name, Path(output["dataset_staging"]), job_id=job_id)
    output["result"]["version"] = published["version"]


# ---------------------------------------------------------------------------------------------
# Feature groups


def simulated_partition(spec: SimulatedPatchSet, n: int, index: int, third: str, part_path: str | None = None) -> dict:
    """One partition of a simulated feature group: patches drawn and their features computed."""
    from icesight_contract import ClassName

    from ..learning.feature_store import compute_partition
    from ..sar.simulation import simulate_part

    sim = simulate_part(spec, n, index)
    classes = list(ClassName)
    warm_up = sim.warm_up
    if warm_up is None:  # an all-nominal or all-randomised set: no patch is a warm-up patch
        warm_up = np.zeros(n, dtype=bool)
    records = [
        {"id": f"sim{spec.seed}_{index:04d}_{i:05d}", "band_1": sim.band_1_db[i].reshape(-1), "band_2": sim.band_2_db[i].reshape(-1),
         "inc_angle": float(sim.inc_angle_deg[i]), "label": classes[int(sim.labels[i])].value,
         "warm_up": bool(warm_up[i])}
        for i in range(n)
    ]
    return compute_partition(records, third, part_path)


def _record_partitions(params: BuildFeatureGroupParams, source_path: str | None):
    """Yield lists of raw records of at most ``partition_size`` from an inline, job or upload source."""
    size = params.partition_size
    if params.patches is not None:
        records = to_dict(params.patches)
        for start in range(0, len(records), size):
            yield records[start : start + size]
        return
    if params.patches_job_id is not None:
        records = json.loads(Path(source_path).read_text())
        if params.labels:
            unknown = sorted(set(params.labels) - {r["id"] for r in records})
            if unknown:
                raise ValueError(
                    f"labels name {len(unknown)} patch id(s) that job {params.patches_job_id} did not cut, e.g. {unknown[0]!r}"
                )
            for record in records:
                if record["id"] in params.labels:
                    record["label"] = label_from_value(params.labels[record["id"]], "labels").value
                    record.pop("is_iceberg", None)
        for start in range(0, len(records), size):
            yield records[start : start + size]
        return
    from ..sar.readers.kaggle import iter_kaggle_documents

    batch: list = []
    for document in iter_kaggle_documents(source_path):
        batch.append(document)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _as_arrays(records: list) -> list:
    """Records with numeric band lists as numpy arrays (they travel to the workers as buffers, not
    as millions of Python floats); anything else is left as it is for the validator to report."""
    for record in records:
        if not isinstance(record, dict):
            continue
        for band in ("band_1", "band_2"):
            values = record.get(band)
            if not isinstance(values, list):
                continue
            try:
                array = np.asarray(values)
            except ValueError:  # ragged nesting
                continue
            if array.ndim == 1 and array.dtype.kind in "fiu":
                record[band] = array
    return records


def build_feature_group(ctx: JobContext, params: BuildFeatureGroupParams, inputs: dict) -> dict[str, Any]:
    source_path, staging_dir = inputs.get("source_path"), inputs["staging_dir"]
    from distributed import worker_client

    from ..learning.feature_store import compute_partition, kept_rows_partitions, write_version

    third = params.third_channel.value
    parts = Path(staging_dir) / "parts"  # each partition task writes its rows here; the merge streams them

    def part(i: int) -> str:
        return str(parts / f"part-{i:05d}.parquet")

    def submissions(client):
        """One task per partition: simulated on the worker, or records read here and scattered."""
        if params.simulated is not None:
            sim = params.simulated
            for i, start in enumerate(range(0, sim.n_patches, params.partition_size)):
                size = min(params.partition_size, sim.n_patches - start)
                yield client.submit(simulated_partition, sim, size, i, third, part(i),
                                    key=f"icesight-features-{ctx.job_id}-{i}", pure=False)
            return
        for i, partition in enumerate(_record_partitions(params, source_path)):
            # Scattered, not embedded in the task: a partition of records is tens of MB.
            shipped = client.scatter(_as_arrays(partition), hash=False)
            yield client.submit(compute_partition, shipped, third, part(i), key=f"icesight-features-{ctx.job_id}-{i}", pure=False)

    ctx.progress(0.02, "validating and computing the features partition by partition")
    futures: list = []
    partitions: list[dict] = []
    with worker_client() as client:
        parallel = max(1, cluster_threads(client)) * 2  # bounds memory: a 200 MB upload is never all in flight
        for future in submissions(client):
            ctx.check()
            futures.append(future)
            while len(futures) - len(partitions) > parallel:
                partitions.append(futures[len(partitions)].result())
                ctx.progress(min(0.9, 0.05 + 0.02 * len(partitions)), f"{len(partitions)} partitions done")
        partitions += [future.result() for future in futures[len(partitions):]]
    if inputs.get("extend_path"):
        ctx.progress(0.9, f"keeping the rows of v{params.extend_version}")
        new_ids, first = {i for p in partitions for i in p["ids"]}, len(partitions)
        partitions += kept_rows_partitions(inputs["extend_path"], new_ids, lambda i: part(first + i))
    ctx.check()
    ctx.progress(0.92, "merging partitions and writing the version (Parquet)")
    source = _describe_source(params)
    metadata = write_version(partitions, Path(staging_dir), params.validation.value, third, source, params.description,
                             pixel_size_m=_pixel_size_m(params))
    shutil.rmtree(parts)
    result = BuildFeatureGroupResult(
        group=params.group, version=0, n_rows=metadata["n_rows"], n_labelled=metadata["n_labelled"],
        n_ships=metadata["n_ships"], n_icebergs=metadata["n_icebergs"], n_clutter=metadata["n_clutter"],
        n_inc_angle_missing=metadata["n_inc_angle_missing"],
        third_channel=params.third_channel, geo=metadata["geo"],
        validation=from_dict(ValidationReport, metadata["validation"]), n_partitions=len(partitions),
    )
    return {"result": to_dict(result), "artifacts": [], "model": None, "feature_staging": staging_dir}


def _pixel_size_m(params: BuildFeatureGroupParams) -> float | None:
    """Pixel spacing of the group's patches when the source says it (simulated sets do); None when unknown."""
    if params.simulated is None:
        return None
    from ..sar.simulation import MODES

    return MODES[params.simulated.mode].pixel_size_m


def _describe_source(params: BuildFeatureGroupParams) -> str:
    if params.simulated is not None:
        s = params.simulated
        source = f"simulated {s.n_patches} {s.mode.value} {s.co_pol.value} patches, seed {s.seed}"
    elif params.patches is not None:
        source = f"{len(params.patches)} inline records"
    elif params.patches_job_id is not None:
        source = f"cut_patches job {params.patches_job_id}" + (f" with {len(params.labels)} analyst labels" if params.labels else "")
    else:
        source = f"upload {params.upload_id} (Kaggle Statoil/C-CORE JSON)"
    return source + (f", added to the rows of v{params.extend_version}" if params.extend_version else "")


def create_training_dataset(ctx: JobContext, params: CreateTrainingDatasetParams, inputs: dict) -> dict[str, Any]:
    feature_path, feature_meta, staging_dir = inputs["feature_path"], inputs["feature_meta"], inputs["staging_dir"]
    import pyarrow.parquet as pq

    from ..learning.feature_store import build_split, stage_training_dataset

    ctx.progress(0.05, f"splitting {feature_meta['group']} v{feature_meta['version']} ({feature_meta['n_rows']} rows)")
    table = pq.read_table(feature_path)
    split = build_split(table, params.validation_fraction, params.test_fraction, params.k_folds, params.seed)
    ctx.check()
    group = FeatureGroupRef(feature_meta["group"], feature_meta["version"])
    metadata = {
        "feature_group": to_dict(group), "third_channel": feature_meta["third_channel"], "k_folds": params.k_folds,
        "validation_fraction": params.validation_fraction, "test_fraction": params.test_fraction, "seed": params.seed,
        "description": params.description,
    }
    stage_training_dataset(Path(staging_dir), split, metadata)
    result = CreateTrainingDatasetResult(
        name=params.name, version=0, feature_group=group, k_folds=params.k_folds,
        counts=split["counts"], n_unlabelled_left_out=split["n_unlabelled_left_out"],
        n_clutter_left_out=split["n_clutter_left_out"],
    )
    return {"result": to_dict(result), "artifacts": [], "model": None, "dataset_staging": staging_dir}
