"""Experiment job kinds: training runs, hyper-parameter searches and ablation studies.

A search or an ablation fans its trials out as Dask tasks through ``worker_client``, so the work
spreads over the whole cluster while the service only submits and stores. A single run, every
search trial and every ablation trial call the same
:func:`~icesight_backend.learning.training.fit`.
"""

from __future__ import annotations

import dataclasses
import json
import time
from typing import Any

import numpy as np

from icesight_contract import (
    AblationComponent,
    AblationRow,
    HeldOutMetrics,
    HyperParameters,
    ModelArchitecture,
    RunAblationParams,
    RunAblationResult,
    SearchHyperparametersParams,
    SearchHyperparametersResult,
    SearchSpace,
    TrainingDatasetRef,
    TrainModelParams,
    TrainModelResult,
    TrialResult,
    from_dict,
    to_dict,
)

from ..compute import gpu_slots
from .base import (
    CSV,
    JSON,
    PNG,
    JobCancelled,
    JobContext,
    Resources,
    artifact,
    run_bounded,
    set_task_threads,
    task_threads,
    worker_name,
)


def resolve_dataset(resources: Resources, params: Any) -> dict:
    """A training dataset version's parts, ids and normalisation, as the workers need them; jobs
    without one (inline or simulated training) need nothing resolved."""
    ref: TrainingDatasetRef | None = getattr(params, "training_dataset", None)
    if ref is None:
        return {}
    meta = resources.datasets.get(ref.name, ref.version)
    group = meta["feature_group"]
    return {"dataset": dataset_input(meta, resources.datasets.split(meta, ref.fold),
                                     resources.features.path(group["group"], group["version"]) / "data.parquet",
                                     resources.features.get(group["group"], group["version"]).get("pixel_size_m"))}


def dataset_input(meta: dict, split: dict, feature_path, pixel_size_m: float | None) -> dict:
    """What the workers need of one training dataset version (its metadata and its ``split`` as
    :meth:`TrainingDatasets.split` gives it) and of the feature group version it splits."""
    return {
        "feature_path": str(feature_path),
        "train_ids": split["train"],
        "validation_ids": split["validation"],
        "test_ids": split["test"],
        "normalisation": split["normalisation"],
        "ref": {"name": meta["name"], "version": meta["version"], "fold": split["fold"]},
        "feature_group": meta["feature_group"],
        "pixel_size_m": pixel_size_m,
    }


def publish_model(resources: Resources, job_id: str, params: Any, output: dict) -> None:
    """Register the model a training run or a search produced (a search may register none)."""
    if output.get("model") is None:
        return
    status = resources.store.get(job_id)
    resources.registry.register(
        output["result"]["model_id"],
        output["model"],
        {
            "training_job_id": job_id,
            "training_job_kind": status.kind.value,
            "training_params": _without_records(to_dict(params)),
            "device": output["result"].get("device", "cpu"),
        }
        | output.get("model_record", {}),
        torchscript=output.get("torchscript"),
    )


def _without_records(params: dict) -> dict:
    """Training parameters for the model record, without the (large) inline patches."""
    slim = dict(params)
    if slim.get("patches") is not None:
        slim["patches"] = f"{len(slim['patches'])} inline records"
    return slim


#: Simulated training patches are drawn in parts of this size, so a cancelled job stops between parts.
SIMULATION_PART = 128


def simulated_training_arrays(sim, before_part=None):
    """A simulated labelled set as a training job draws it: part by part, each part seeded from the
    set's seed and its index. ``before_part(start)`` runs before each part (a job checks for
    cancellation and reports progress there)."""
    from ..learning.data import PatchArrays, arrays_from_simulation
    from ..sar.simulation import simulate_part

    parts = []
    for index, start in enumerate(range(0, sim.n_patches, SIMULATION_PART)):
        if before_part is not None:
            before_part(start)
        size = min(SIMULATION_PART, sim.n_patches - start)
        parts.append(arrays_from_simulation(simulate_part(sim, size, index), id_prefix=f"sim{sim.seed}_{index:03d}"))
    return PatchArrays.concatenate(parts)


def _simulated_arrays(ctx: JobContext, sim):
    """:func:`simulated_training_arrays` with a cancellation check and progress between parts."""

    def before_part(start: int) -> None:
        ctx.check()
        ctx.progress(0.05 * start / sim.n_patches, f"simulated {start} of {sim.n_patches} labelled patches")

    return simulated_training_arrays(sim, before_part)


def train_model(ctx: JobContext, params: TrainModelParams, inputs: dict) -> dict[str, Any]:
    dataset = inputs.get("dataset")
    model_id = f"{params.architecture.value}-{ctx.job_id}"
    from ..learning.data import arrays_from_records
    from ..learning.training import TrainingCancelled, TrainingConfig, fit, train_model

    data = None
    if dataset is not None:
        ctx.progress(0.0, f"loading training dataset {dataset['ref']['name']} v{dataset['ref']['version']}")
        data = load_dataset(dataset)
    elif params.simulated is not None:
        arrays = _simulated_arrays(ctx, params.simulated)
    else:
        arrays = arrays_from_records(params.patches)
    ctx.check()
    set_task_threads()
    hyper = params.hyperparameters()
    config = TrainingConfig.of(params.architecture, hyper, epochs=params.epochs, patience=params.patience,
                               validation_fraction=params.validation_fraction, seed=params.seed,
                               data_parallel=params.data_parallel_workers)
    progress = lambda f, m: ctx.progress(0.05 + 0.9 * f, m)  # noqa: E731
    try:
        if data is not None:
            trained = fit(data.train, data.validation, config, data.normalisation, progress=progress, should_stop=ctx.should_stop)
        else:
            trained = train_model(arrays, config, progress=progress, should_stop=ctx.should_stop)
    except TrainingCancelled:
        raise JobCancelled(ctx.job_id) from None
    if dataset is not None:
        trained.trained_at(dataset.get("pixel_size_m"))
    elif params.simulated is not None:
        from ..sar.simulation import MODES

        trained.trained_at(MODES[params.simulated.mode].pixel_size_m)
    result = TrainModelResult(
        model_id=model_id,
        architecture=trained.architecture,
        epochs_run=trained.epochs_run,
        best_epoch=trained.best_epoch,
        metrics=trained.metrics,
        history=trained.history,
        device=trained.device,
        hyperparameters=hyper,
        training_dataset=params.training_dataset if dataset is None else from_dict(TrainingDatasetRef, dataset["ref"]),
        test_metrics=None if data is None else held_out_metrics(trained, data.test),
    )
    report = to_dict(result) | {"normalisation": trained.normalisation.to_dict(), "train_seconds": trained.train_seconds,
                                "calibration": trained.calibration, "data_parallel": trained.data_parallel}
    artifacts = [artifact("training_report.json", JSON, "report", json.dumps(report, indent=2).encode())]
    if trained.calibration is not None:
        artifacts.append(artifact("reliability.png", PNG, "report", reliability_png(trained.calibration, model_id)))
    record = {"training_dataset": None if dataset is None else dataset["ref"],
              "feature_group": None if dataset is None else dataset["feature_group"],
              "test_metrics": to_dict(result.test_metrics)}
    train_part = data.train if data is not None else arrays
    return {"result": to_dict(result), "artifacts": artifacts} | trained_output(trained, hyper, record, train_part)


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

    from ..learning.data import Normalisation, arrays_from_table

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
    from ..learning.outputs import class_metrics
    from ..learning.training import classify_served

    served = classify_served(trained.loaded(), test)
    m = class_metrics(test.labels, served.iceberg, served.clutter)
    return HeldOutMetrics(m["log_loss"], m["accuracy"], m["roc_auc"], m["ece"], len(test), m["confusion"],
                          m.get("clutter_auc"), m.get("class_accuracy"), m.get("class_log_loss"), m.get("class_confusion"))


def reliability_png(calibration: dict, model_id: str) -> bytes:
    """A reliability diagram of the served probability on the validation part, before and after
    temperature scaling: predicted probability against the observed iceberg rate per bin."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.2, 5.0))
    ax.plot([0, 1], [0, 1], color="#999999", linewidth=1, label="perfectly calibrated")
    for key, colour, name in (("before", "#c0392b", "before"), ("after", "#2471a3", "after")):
        bins = [b for b in calibration[f"reliability_{key}"] if b["n"]]
        ax.plot([b["predicted"] for b in bins], [b["observed"] for b in bins], "o-", color=colour,
                label=f"{name}: ECE {calibration[f'val_ece_{key}']:.3f}, log loss {calibration[f'val_log_loss_{key}']:.3f}")
    ax.set_xlabel("predicted iceberg probability (8-view mean)")
    ax.set_ylabel("observed iceberg rate")
    ax.set_title(f"{model_id}: temperature {calibration['temperature']:.2f} (validation part)", fontsize=10)
    ax.legend(loc="upper left", fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    return buffer.getvalue()


def trained_output(trained, hyper: HyperParameters, record: dict, train_part) -> dict[str, Any]:
    """A trained model as a job output: weights, TorchScript and the registry record's extra fields,
    with the input profile of its training part (monitoring compares new inputs with it)."""
    from ..learning.profile import reference_profile

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
            "reference_profile": reference_profile(train_part),
            "calibration": trained.calibration,
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


def _pruner(params: SearchHyperparametersParams, warm_up_epochs: int):
    import optuna

    if not params.pruning:
        return optuna.pruners.NopPruner()
    # A trial is stopped when, after its first epochs on the whole set (a warm-up's are not
    # reported), its validation loss is worse than the median of earlier trials at the same epoch
    # (Maggy's early stopping, as Optuna does it).
    return optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=min(warm_up_epochs + 3, params.epochs - 1),
                                       interval_steps=1)


def run_trial(storage, study_name: str, data: TrialData, params_doc: dict, index: int, job_id: str) -> dict:
    """One search trial on a worker: ask Optuna (shared DaskStorage) for a configuration, train it
    with :func:`fit`, report every epoch (the pruner may stop it), tell the outcome."""
    import optuna
    import torch

    from ..learning.training import TrainingCancelled, TrainingConfig, fit

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    params = from_dict(SearchHyperparametersParams, params_doc)
    torch.set_num_threads(task_threads())
    sampler = optuna.samplers.TPESampler(seed=params.seed * 100003 + index, n_startup_trials=max(2, params.n_trials // 3))
    # The pruner needs the warm-up before the trial's hyper-parameters exist; it depends only on the epochs.
    warm_up_epochs = TrainingConfig(epochs=params.epochs).warm_up_epochs_on(data.train.warm_up)
    study = optuna.load_study(study_name=study_name, storage=storage, sampler=sampler,
                              pruner=_pruner(params, warm_up_epochs))
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

    outcome = {"number": trial.number, "params": to_dict(hyper), "worker": worker_name()}
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


def search_hyperparameters(ctx: JobContext, params: SearchHyperparametersParams, inputs: dict) -> dict[str, Any]:
    params_doc, dataset = to_dict(params), inputs["dataset"]
    model_id = f"{params.architecture.value}-{ctx.job_id}"
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
            run_bounded(ctx, client, make, params.n_trials, parallel, keep)
        finally:
            try:
                optuna.delete_study(study_name=study_name, storage=storage)  # free the scheduler's memory
            except Exception:  # noqa: BLE001 - the results are already collected
                pass
    trials = sorted((_trial_result(o) for o in outcomes), key=lambda t: t.number)
    if best is None:
        reasons = "; ".join(f"trial {t.number}: {t.state} {t.message}".strip() for t in trials[:5])
        raise RuntimeError(f"no trial completed ({reasons}); widen the search space or lower the learning rate")
    trained = best["trained"].trained_at(dataset.get("pixel_size_m"))
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
        artifact("trials.json", JSON, "report", json.dumps(to_dict(trials), indent=2).encode()),
        artifact("trials.csv", CSV, "report", _trials_csv(trials).encode()),
    ]
    output = {"result": to_dict(result), "artifacts": artifacts, "model": None}
    if params.register_best:
        record = {"training_dataset": dataset["ref"], "feature_group": dataset["feature_group"],
                  "search": {"study_name": study_name, "trial": best_trial.number, "n_trials": params.n_trials}}
        output |= trained_output(trained, result.best_params, record | {"test_metrics": to_dict(result.test_metrics)}, data.train)
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
    from ..learning.training import TrainingConfig

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

    from ..learning.models import build_model, count_parameters
    from ..learning.training import TrainingCancelled, fit

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
        "worker": worker_name(),
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


def run_ablation(ctx: JobContext, params: RunAblationParams, inputs: dict) -> dict[str, Any]:
    params_doc, dataset = to_dict(params), inputs["dataset"]
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

        run_bounded(ctx, client, make, len(tasks), parallel, keep)
    rows = ablation_rows(outcomes, [c or "none" for c in components])
    result = RunAblationResult(params.architecture, rows, parallel, round(time.perf_counter() - started, 2))
    fields = ["component", "repeats", "val_log_loss", "val_log_loss_std", "val_accuracy", "val_roc_auc", "delta_log_loss",
              "delta_log_loss_std", "delta_accuracy", "n_parameters", "epochs_run", "seconds"]
    table = ",".join(fields) + "\n" + "".join(",".join(str(getattr(r, f)) for f in fields) + "\n" for r in rows)
    artifacts = [artifact("ablation.csv", CSV, "report", table.encode())]
    return {"result": to_dict(result), "artifacts": artifacts, "model": None}
