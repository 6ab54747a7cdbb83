"""What runs on the Dask workers for the learning job kinds: feature groups, training datasets,
hyper-parameter search and ablation.

The job task itself runs on a worker and fans its work out as further Dask tasks through
``worker_client`` (feature partitions, search trials, ablation trials), so the work spreads over
the whole cluster while the service process only submits and stores. Every trial calls the same
:func:`~icesight_backend.learning.training.fit` as a single training run.

Feature groups and training datasets are written to a staging folder on the service's data disk
(the workers share it, as they share the scene files); the service publishes the version when the
job succeeds, so a failed or cancelled job leaves nothing behind.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np

from icesight_contract import (
    AblationComponent,
    AblationRow,
    BuildFeatureGroupParams,
    BuildFeatureGroupResult,
    CreateTrainingDatasetParams,
    CreateTrainingDatasetResult,
    FeatureGroupRef,
    HeldOutMetrics,
    HyperParameters,
    ModelArchitecture,
    RunAblationParams,
    RunAblationResult,
    SearchHyperparametersParams,
    SearchHyperparametersResult,
    SearchSpace,
    TrialResult,
    ValidationReport,
    from_dict,
    to_dict,
)

from .compute import gpu_slots
from .worker_jobs import JSON, JobCancelled, JobContext, _artifact

CSV = "text/csv"


def task_threads() -> int:
    """Torch threads for one of several concurrent tasks on this worker: its cores shared by its
    task slots (OMP_NUM_THREADS is the worker's core budget on IceSight's clusters)."""
    try:
        from distributed import get_worker

        slots = max(1, get_worker().state.nthreads)
    except (ValueError, AttributeError):
        slots = 1
    budget = int(os.environ.get("OMP_NUM_THREADS") or os.cpu_count() or 1)
    return max(1, budget // slots)


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except ValueError:
        return "local"


def _cluster_threads(client) -> int:
    return sum(int(w.get("nthreads", 1)) for w in client.scheduler_info(n_workers=-1)["workers"].values())


def _run_bounded(ctx, client, make_future, n_tasks: int, max_parallel: int, on_result) -> None:
    """Keep at most ``max_parallel`` tasks in flight (so a sampler learns from finished trials),
    hand each result to ``on_result`` as it arrives, and cancel the rest when the job is cancelled."""
    from distributed import as_completed

    submitted = 0
    running = as_completed()
    while submitted < min(max_parallel, n_tasks):
        running.add(make_future(submitted))
        submitted += 1
    try:
        for future in running:
            ctx.check()
            on_result(future.result())
            if submitted < n_tasks:
                running.add(make_future(submitted))
                submitted += 1
    except BaseException:
        client.cancel(list(running.futures))
        raise


# ---------------------------------------------------------------------------------------------
# Feature groups


def simulated_partition(n: int, mode: str, iceberg_fraction: float, co_pol: str, seed: int, index: int, third: str,
                        part_path: str | None = None) -> dict:
    """One partition of a simulated feature group: patches drawn and their features computed."""
    from icesight_contract import AcquisitionMode, CoPol

    from .learning.feature_store import compute_partition
    from .sar.simulation import simulate_patches

    patch_seed = int(np.random.SeedSequence([seed, index]).generate_state(1)[0])
    sim = simulate_patches(n, AcquisitionMode(mode), iceberg_fraction, patch_seed, CoPol(co_pol))
    records = [
        {"id": f"sim{seed}_{index:04d}_{i:05d}", "band_1": sim.band_1_db[i].reshape(-1), "band_2": sim.band_2_db[i].reshape(-1),
         "inc_angle": float(sim.inc_angle_deg[i]), "is_iceberg": int(sim.is_iceberg[i])}
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
                    record["is_iceberg"] = params.labels[record["id"]]
        for start in range(0, len(records), size):
            yield records[start : start + size]
        return
    from .sar.readers.kaggle import iter_kaggle_documents

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


def build_feature_group(ctx, params: BuildFeatureGroupParams, source_path: str | None, staging_dir: str) -> dict[str, Any]:
    from distributed import worker_client

    from .learning.feature_store import compute_partition, write_version

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
                yield client.submit(simulated_partition, size, sim.mode.value, sim.iceberg_fraction, sim.co_pol.value,
                                    sim.seed, i, third, part(i), key=f"icesight-features-{ctx.job_id}-{i}", pure=False)
            return
        for i, partition in enumerate(_record_partitions(params, source_path)):
            # Scattered, not embedded in the task: a partition of records is tens of MB.
            shipped = client.scatter(_as_arrays(partition), hash=False)
            yield client.submit(compute_partition, shipped, third, part(i), key=f"icesight-features-{ctx.job_id}-{i}", pure=False)

    ctx.progress(0.02, "validating and computing the features partition by partition")
    futures: list = []
    partitions: list[dict] = []
    with worker_client() as client:
        parallel = max(1, _cluster_threads(client)) * 2  # bounds memory: a 200 MB upload is never all in flight
        for future in submissions(client):
            ctx.check()
            futures.append(future)
            while len(futures) - len(partitions) > parallel:
                partitions.append(futures[len(partitions)].result())
                ctx.progress(min(0.9, 0.05 + 0.02 * len(partitions)), f"{len(partitions)} partitions done")
        partitions += [future.result() for future in futures[len(partitions):]]
    ctx.check()
    ctx.progress(0.92, "merging partitions and writing the version (Parquet)")
    source = _describe_source(params)
    metadata = write_version(partitions, Path(staging_dir), params.validation.value, third, source, params.description)
    shutil.rmtree(parts)
    result = BuildFeatureGroupResult(
        group=params.group, version=0, n_rows=metadata["n_rows"], n_labelled=metadata["n_labelled"],
        n_ships=metadata["n_ships"], n_icebergs=metadata["n_icebergs"], n_inc_angle_missing=metadata["n_inc_angle_missing"],
        third_channel=params.third_channel, geo=metadata["geo"],
        validation=from_dict(ValidationReport, metadata["validation"]), n_partitions=len(partitions),
    )
    return {"result": to_dict(result), "artifacts": [], "model": None, "feature_staging": staging_dir}


def _describe_source(params: BuildFeatureGroupParams) -> str:
    if params.simulated is not None:
        s = params.simulated
        return f"simulated {s.n_patches} {s.mode.value} {s.co_pol.value} patches, seed {s.seed}"
    if params.patches is not None:
        return f"{len(params.patches)} inline records"
    if params.patches_job_id is not None:
        return f"cut_patches job {params.patches_job_id}" + (f" with {len(params.labels)} analyst labels" if params.labels else "")
    return f"upload {params.upload_id} (Kaggle Statoil/C-CORE JSON)"


def create_training_dataset(ctx, params: CreateTrainingDatasetParams, feature_path: str, feature_meta: dict, staging_dir: str) -> dict[str, Any]:
    import pyarrow.parquet as pq

    from .learning.feature_store import build_split, stage_training_dataset

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
    )
    return {"result": to_dict(result), "artifacts": [], "model": None, "dataset_staging": staging_dir}


# ---------------------------------------------------------------------------------------------
# Training data for runs and trials


@dataclasses.dataclass
class TrialData:
    """What every trial of a search or ablation needs: the two parts and the stored normalisation
    (and, for the job that scores the final model, the test part)."""

    train: Any  # PatchArrays
    validation: Any
    normalisation: Any  # Normalisation
    test: Any = None  # PatchArrays, when the dataset has a test part and it was asked for


def load_dataset(dataset: dict, with_test: bool = True) -> TrialData:
    """The parts of a training dataset version, as the service resolved it, from one read of the
    feature group version."""
    import pyarrow.parquet as pq

    from .learning.data import Normalisation, arrays_from_table

    table = pq.read_table(dataset["feature_path"])
    test_ids = dataset.get("test_ids") if with_test else None
    return TrialData(
        arrays_from_table(table, dataset["train_ids"]),
        arrays_from_table(table, dataset["validation_ids"]),
        Normalisation(**dataset["normalisation"]),
        arrays_from_table(table, test_ids) if test_ids else None,
    )


def held_out_metrics(trained, test) -> HeldOutMetrics | None:
    """The trained model on a test part, scored as classification serves it (with test-time
    augmentation); None without a test part."""
    if test is None:
        return None
    from .learning.training import binary_metrics, classify_arrays

    m = binary_metrics(test.labels, classify_arrays(trained.loaded(), test))
    return HeldOutMetrics(m["log_loss"], m["accuracy"], m["roc_auc"], m["ece"], len(test), m["confusion"])


def trained_output(trained, hyper: HyperParameters, record: dict) -> dict[str, Any]:
    """A trained model as a job output: weights, TorchScript and the registry record's extra fields."""
    return {
        "model": trained.to_bytes(),
        "torchscript": trained.torchscript_bytes(),
        "model_record": record | {
            "architecture": trained.architecture.value,
            "metrics": to_dict(trained.metrics),
            "hyperparameters": to_dict(hyper),
            "normalisation": trained.normalisation.to_dict(),
            "input_spec": trained.input_spec(),
            "spec": trained.model_spec().to_dict(),
            "best_epoch": trained.best_epoch,
            "epochs_run": trained.epochs_run,
            "train_seconds": round(trained.train_seconds, 2),
        },
    }


# ---------------------------------------------------------------------------------------------
# Hyper-parameter search


def suggest(trial, space: SearchSpace, architecture: ModelArchitecture) -> HyperParameters:
    """Draw one configuration from the space with Optuna's suggest API."""
    lr, dropout = space.learning_rate, space.dropout
    filters = {"-".join(map(str, f)): f for f in space.filter_choices(architecture)}
    return HyperParameters(
        learning_rate=trial.suggest_float("learning_rate", lr.low, lr.high, log=lr.log),
        batch_size=trial.suggest_categorical("batch_size", list(space.batch_size)),
        dropout=trial.suggest_float("dropout", dropout.low, dropout.high, log=dropout.log),
        kernel_size=trial.suggest_categorical("kernel_size", list(space.kernel_size)),
        pool_size=trial.suggest_categorical("pool_size", list(space.pool_size)),
        filters=list(filters[trial.suggest_categorical("filters", list(filters))]),
    )


def _pruner(params: SearchHyperparametersParams):
    import optuna

    if not params.pruning:
        return optuna.pruners.NopPruner()
    # A trial is stopped when, after its first epochs, its validation loss is worse than the
    # median of earlier trials at the same epoch (Maggy's early stopping, as Optuna does it).
    return optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=min(3, params.epochs - 1), interval_steps=1)


def run_trial(storage, study_name: str, data: TrialData, params_doc: dict, index: int, job_id: str) -> dict:
    """One search trial on a worker: ask Optuna (shared DaskStorage) for a configuration, train it
    with :func:`fit`, report every epoch (the pruner may stop it), tell the outcome."""
    import optuna
    import torch

    from .learning.training import TrainingCancelled, TrainingConfig, fit

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    params = from_dict(SearchHyperparametersParams, params_doc)
    torch.set_num_threads(task_threads())
    sampler = optuna.samplers.TPESampler(seed=params.seed * 100003 + index, n_startup_trials=max(2, params.n_trials // 3))
    study = optuna.load_study(study_name=study_name, storage=storage, sampler=sampler, pruner=_pruner(params))
    trial = study.ask()
    hyper = suggest(trial, params.space, params.architecture)
    config = TrainingConfig.of(params.architecture, hyper, epochs=params.epochs, patience=params.patience, seed=params.seed)
    ctx = JobContext(job_id)
    started = time.perf_counter()
    epochs = [0]

    def on_epoch(epoch: int, metrics: dict) -> None:
        epochs[0] = epoch
        trial.report(metrics["log_loss"], epoch)
        if trial.should_prune():
            raise optuna.TrialPruned()

    outcome = {"number": trial.number, "params": to_dict(hyper), "worker": _worker_name()}
    try:
        trained = fit(data.train, data.validation, config, data.normalisation, should_stop=ctx.should_stop, on_epoch=on_epoch)
    except optuna.TrialPruned:
        study.tell(trial, state=optuna.trial.TrialState.PRUNED)
        return outcome | {"state": "pruned", "epochs_run": epochs[0], "seconds": time.perf_counter() - started,
                          "message": f"stopped after epoch {epochs[0]}: worse than the median trial"}
    except TrainingCancelled:
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
        return outcome | {"state": "cancelled", "epochs_run": epochs[0], "seconds": time.perf_counter() - started}
    except (FloatingPointError, RuntimeError, ValueError) as exc:
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
        return outcome | {"state": "failed", "epochs_run": epochs[0], "seconds": time.perf_counter() - started,
                          "message": f"{type(exc).__name__}: {exc}"}
    study.tell(trial, trained.metrics.val_log_loss)
    return outcome | {"state": "complete", "epochs_run": trained.epochs_run, "seconds": time.perf_counter() - started,
                      "metrics": trained.metrics, "trained": trained}


def search_hyperparameters(ctx, params: SearchHyperparametersParams, params_doc: dict, dataset: dict, model_id: str) -> dict[str, Any]:
    import optuna
    from distributed import worker_client
    from optuna_integration.dask import DaskStorage

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    started = time.perf_counter()
    ctx.progress(0.01, "loading the training dataset")
    data = load_dataset(dataset)
    outcomes: list[dict] = []
    best: dict | None = None
    with worker_client() as client:
        storage = DaskStorage(client=client)
        study_name = f"icesight-search-{ctx.job_id}"
        optuna.create_study(study_name=study_name, storage=storage, direction="minimize")
        # The trials need no test part: it stays here, for scoring the best model.
        shared = client.scatter(dataclasses.replace(data, test=None), broadcast=True, hash=False)
        # The job task secedes from its worker's pool while it waits, so every thread can run a trial.
        resources, slots = gpu_slots(client)
        parallel = min(params.max_parallel or max(1, slots), params.n_trials)
        ctx.progress(0.03, f"{params.n_trials} trials, {parallel} at a time" + (" on GPU workers" if resources else ""))

        def make(i: int):
            return client.submit(run_trial, storage, study_name, shared, params_doc, i, ctx.job_id,
                                 key=f"icesight-trial-{ctx.job_id}-{i}", pure=False, resources=resources)

        def keep(outcome: dict) -> None:
            nonlocal best
            trained = outcome.pop("trained", None)
            outcomes.append(outcome)
            if trained is not None and (best is None or trained.metrics.val_log_loss < best["trained"].metrics.val_log_loss):
                best = {"trained": trained, "number": outcome["number"]}
            done = len(outcomes)
            state = outcome["state"]
            loss = f", val log loss {outcome['metrics'].val_log_loss:.3f}" if state == "complete" else ""
            ctx.progress(0.03 + 0.92 * done / params.n_trials, f"trial {outcome['number']} {state}{loss} ({done}/{params.n_trials})")

        try:
            _run_bounded(ctx, client, make, params.n_trials, parallel, keep)
        finally:
            try:
                optuna.delete_study(study_name=study_name, storage=storage)  # free the scheduler's memory
            except Exception:  # noqa: BLE001 - the results are already collected
                pass
    trials = sorted((_trial_result(o) for o in outcomes), key=lambda t: t.number)
    if best is None:
        reasons = "; ".join(f"trial {t.number}: {t.state} {t.message}".strip() for t in trials[:5])
        raise RuntimeError(f"no trial completed ({reasons}); widen the search space or lower the learning rate")
    trained = best["trained"]
    best_trial = next(t for t in trials if t.number == best["number"])
    result = SearchHyperparametersResult(
        study_name=study_name,
        n_complete=sum(t.state == "complete" for t in trials),
        n_pruned=sum(t.state == "pruned" for t in trials),
        n_failed=sum(t.state == "failed" for t in trials),
        best_trial=best_trial.number,
        best_params=from_dict(HyperParameters, best_trial.params),
        best_val_log_loss=trained.metrics.val_log_loss,
        best_val_accuracy=trained.metrics.val_accuracy,
        trials=trials,
        model_id=model_id if params.register_best else None,
        parallel=parallel,
        seconds=round(time.perf_counter() - started, 2),
        test_metrics=held_out_metrics(trained, data.test),
    )
    artifacts = [
        _artifact("trials.json", JSON, "report", json.dumps(to_dict(trials), indent=2).encode()),
        _artifact("trials.csv", CSV, "report", _trials_csv(trials).encode()),
    ]
    output = {"result": to_dict(result), "artifacts": artifacts, "model": None}
    if params.register_best:
        record = {"training_dataset": dataset["ref"], "feature_group": dataset["feature_group"],
                  "search": {"study_name": study_name, "trial": best_trial.number, "n_trials": params.n_trials}}
        output |= trained_output(trained, result.best_params, record | {"test_metrics": to_dict(result.test_metrics)})
    return output


def _trial_result(outcome: dict) -> TrialResult:
    metrics = outcome.get("metrics")
    return TrialResult(
        number=outcome["number"], state=outcome["state"], params=outcome["params"],
        val_log_loss=None if metrics is None else round(metrics.val_log_loss, 5),
        val_accuracy=None if metrics is None else round(metrics.val_accuracy, 5),
        val_roc_auc=None if metrics is None else round(metrics.val_roc_auc, 5),
        epochs_run=outcome.get("epochs_run", 0), seconds=round(outcome.get("seconds", 0.0), 2),
        worker=outcome.get("worker", ""), message=outcome.get("message", ""),
    )


def _trials_csv(trials: list[TrialResult]) -> str:
    import csv
    import io

    buffer = io.StringIO()
    keys = ["learning_rate", "batch_size", "dropout", "kernel_size", "pool_size", "filters"]
    writer = csv.writer(buffer)
    writer.writerow(["trial", "state", *keys, "val_log_loss", "val_accuracy", "val_roc_auc", "epochs_run", "seconds", "worker"])
    for t in trials:
        values = [("-".join(map(str, t.params.get(k) or [])) if k == "filters" else t.params.get(k)) for k in keys]
        writer.writerow([t.number, t.state, *values, t.val_log_loss, t.val_accuracy, t.val_roc_auc, t.epochs_run, t.seconds, t.worker])
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# Ablation


def ablation_config(architecture: ModelArchitecture, hyper: HyperParameters, component: AblationComponent | None,
                    channels: tuple[str, ...], epochs: int, patience: int, seed: int):
    """(training config, input channels kept) of the model without ``component`` (None: the full model)."""
    from .learning.training import TrainingConfig

    kwargs: dict[str, Any] = {}
    keep = list(channels)
    if component is AblationComponent.BAND_2:
        keep = [c for c in channels if c != "band_2"]
    elif component is AblationComponent.THIRD_CHANNEL:
        keep = [c for c in channels if c in ("band_1", "band_2")]
    elif component is AblationComponent.INC_ANGLE:
        kwargs["use_inc_angle"] = False
    elif component is AblationComponent.DENSE:
        kwargs["dense"] = False
    elif component is not None and component.conv_block is not None:
        from icesight_contract import ARCHITECTURE_FILTERS

        kwargs["conv_blocks"] = [b for b in range(len(ARCHITECTURE_FILTERS[architecture])) if b != component.conv_block]
    config = TrainingConfig.of(architecture, hyper, epochs=epochs, patience=patience, seed=seed, **kwargs)
    return config, keep


def run_ablation_trial(data: TrialData, params_doc: dict, component: str | None, repeat: int, job_id: str) -> dict:
    import torch

    from .learning.models import build_model, count_parameters
    from .learning.training import TrainingCancelled, fit

    params = from_dict(RunAblationParams, params_doc)
    torch.set_num_threads(task_threads())
    left_out = AblationComponent(component) if component else None
    config, keep = ablation_config(params.architecture, params.hyperparameters, left_out, data.train.channels,
                                   params.epochs, params.patience, params.seed + repeat)
    index = [data.train.channels.index(c) for c in keep]
    normalisation = data.normalisation.select(index)
    train, validation = data.train.select_channels(keep), data.validation.select_channels(keep)
    started = time.perf_counter()
    try:
        trained = fit(train, validation, config, normalisation, should_stop=JobContext(job_id).should_stop)
    except TrainingCancelled:
        raise JobCancelled(job_id) from None
    return {
        "component": component or "none", "repeat": repeat, "metrics": trained.metrics, "epochs_run": trained.epochs_run,
        "n_parameters": count_parameters(build_model(trained.model_spec())), "seconds": time.perf_counter() - started,
        "worker": _worker_name(),
    }


def ablation_rows(outcomes: list[dict], order: list[str]) -> list[AblationRow]:
    """One row per component: metrics averaged over the seeds, and the paired change against the
    full model of the same seed (mean and spread over the seeds)."""
    by = {(o["component"], o["repeat"]): o for o in outcomes}
    repeats = sorted({o["repeat"] for o in outcomes})

    def values(component: str, key: str) -> np.ndarray:
        return np.asarray([getattr(by[(component, r)]["metrics"], key) for r in repeats])

    def spread(array: np.ndarray) -> float:
        return float(array.std(ddof=1)) if len(array) > 1 else 0.0

    full_loss, full_accuracy = values("none", "val_log_loss"), values("none", "val_accuracy")
    rows = []
    for component in order:
        loss = values(component, "val_log_loss")
        first = by[(component, repeats[0])]
        rows.append(AblationRow(
            component=component, val_log_loss=round(float(loss.mean()), 5),
            val_accuracy=round(float(values(component, "val_accuracy").mean()), 5),
            val_roc_auc=round(float(values(component, "val_roc_auc").mean()), 5),
            delta_log_loss=round(float((loss - full_loss).mean()), 5),
            delta_accuracy=round(float((values(component, "val_accuracy") - full_accuracy).mean()), 5),
            n_parameters=first["n_parameters"],
            epochs_run=round(float(np.mean([by[(component, r)]["epochs_run"] for r in repeats]))),
            seconds=round(sum(by[(component, r)]["seconds"] for r in repeats), 2), worker=first["worker"],
            repeats=len(repeats), val_log_loss_std=round(spread(loss), 5), delta_log_loss_std=round(spread(loss - full_loss), 5),
        ))
    return rows


def run_ablation(ctx, params: RunAblationParams, params_doc: dict, dataset: dict) -> dict[str, Any]:
    from distributed import worker_client

    started = time.perf_counter()
    ctx.progress(0.01, "loading the training dataset")
    data = load_dataset(dataset, with_test=False)
    components: list[str | None] = [None] + [c.value for c in params.chosen_components()]
    tasks = [(c, r) for c in components for r in range(params.repeats)]
    outcomes: list[dict] = []
    with worker_client() as client:
        shared = client.scatter(data, broadcast=True, hash=False)
        resources, slots = gpu_slots(client)
        parallel = min(len(tasks), max(1, slots))
        ctx.progress(0.03, f"{len(tasks)} ablation trials (full model + {len(components) - 1} left out, "
                           f"{params.repeats} seed(s) each), {parallel} at a time")

        def make(i: int):
            component, repeat = tasks[i]
            return client.submit(run_ablation_trial, shared, params_doc, component, repeat, ctx.job_id,
                                 key=f"icesight-ablation-{ctx.job_id}-{i}", pure=False, resources=resources)

        def keep(outcome: dict) -> None:
            outcomes.append(outcome)
            ctx.progress(0.03 + 0.95 * len(outcomes) / len(tasks),
                         f"without {outcome['component']} (seed {params.seed + outcome['repeat']}): "
                         f"val log loss {outcome['metrics'].val_log_loss:.3f}")

        _run_bounded(ctx, client, make, len(tasks), parallel, keep)
    rows = ablation_rows(outcomes, [c or "none" for c in components])
    result = RunAblationResult(params.architecture, rows, parallel, round(time.perf_counter() - started, 2))
    fields = ["component", "repeats", "val_log_loss", "val_log_loss_std", "val_accuracy", "val_roc_auc", "delta_log_loss",
              "delta_log_loss_std", "delta_accuracy", "n_parameters", "epochs_run", "seconds"]
    table = ",".join(fields) + "\n" + "".join(",".join(str(getattr(r, f)) for f in fields) + "\n" for r in rows)
    artifacts = [_artifact("ablation.csv", CSV, "report", table.encode())]
    return {"result": to_dict(result), "artifacts": artifacts, "model": None}
