"""Data-parallel training (DistributedDataParallel, gloo) on a real two-process Dask cluster: two
workers learn as well as one, each rank runs in its own worker process with the gradients
synchronised, and a cancel, an error or too few workers leave no rank and no process group behind."""

from __future__ import annotations

import os

import pytest
import torch
from distributed import Client, LocalCluster

from icesight_backend.learning.data import PatchArrays, arrays_from_simulation, stratified_split
from icesight_backend.learning.data_parallel import NotEnoughWorkers, RankReplica
from icesight_backend.learning.training import TrainingCancelled, TrainingConfig, fit
from icesight_backend.sar.simulation import simulate_patches
from icesight_contract import AcquisitionMode, ContractError, SimulatedPatchSet, TrainModelParams

#: How much higher two workers' best validation log loss may be than one worker's. Two workers
#: draw other augmentations and take batch-norm statistics over half batches, so they follow
#: another path. Over 8 epochs, with training seeds 1-3, their best loss on this set came within
#: 0.03 below to 0.01 above one worker's (0.17 each); over 4 epochs the paths had not yet met
#: (seed 1: 0.46 against 0.17).
LOSS_TOLERANCE = 0.1
EPOCHS = 8


@pytest.fixture(scope="module")
def parts() -> tuple[PatchArrays, PatchArrays]:
    arrays = arrays_from_simulation(simulate_patches(360, AcquisitionMode.IW, seed=21))
    train_index, val_index = stratified_split(arrays.labels, 0.25, seed=0)
    return arrays.subset(train_index), arrays.subset(val_index)


@pytest.fixture(scope="module")
def client():
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def on_cluster(parts, client):
    """The two parts, held by every worker."""
    return client.scatter(list(parts), broadcast=True)


def config(workers: int, epochs: int = EPOCHS) -> TrainingConfig:
    return TrainingConfig(epochs=epochs, patience=epochs + 1, batch_size=16, seed=1, data_parallel=workers)


def best_loss(trained) -> float:
    return min(h.val_log_loss for h in trained.history)


@pytest.fixture(scope="module")
def on_two(parts, client):
    """Two-worker training and the progress messages it sent."""
    messages: list[str] = []
    trained = fit(*parts, config(2), client=client, progress=lambda fraction, message: messages.append(message))
    return trained, messages


def process_groups_left(client: Client) -> list[str]:
    return [worker for worker, joined in client.run(torch.distributed.is_initialized).items() if joined]


def test_two_workers_reach_the_validation_loss_of_one(parts, client, on_cluster, on_two):
    two, messages = on_two
    one = client.submit(fit, *on_cluster, config(1), pure=False).result()  # on one worker thread, as each rank
    assert one.data_parallel is None
    assert best_loss(two) <= best_loss(one) + LOSS_TOLERANCE, (best_loss(one), best_loss(two))
    assert best_loss(two) < 0.45  # it learned: a constant guess scores ln 2 = 0.69
    assert two.epochs_run == EPOCHS and len(two.history) == EPOCHS
    assert messages[-1].startswith(f"epoch {EPOCHS}/{EPOCHS}")  # rank 0's progress reached the caller
    assert two.calibration is not None and two.metrics.n_validation == len(parts[1])


def test_each_rank_ran_in_its_own_worker_process_with_synchronised_gradients(client, on_two):
    ranks = on_two[0].data_parallel
    assert [r["rank"] for r in ranks] == [0, 1]
    assert {r["worker"] for r in ranks} == set(client.scheduler_info(n_workers=-1)["workers"])
    assert len({r["pid"] for r in ranks} | {os.getpid()}) == 3  # two worker processes, neither this one
    assert {r["backend"] for r in ranks} == {"gloo"}
    # Each rank trained on its own half of every batch; with the gradients averaged at every step
    # both ended with bit-identical weights.
    assert ranks[0]["parameters_sha256"] == ranks[1]["parameters_sha256"]
    assert process_groups_left(client) == []


def test_ranks_take_disjoint_equal_shards_covering_every_patch():
    order = torch.randperm(11, generator=torch.Generator().manual_seed(0))
    for world in (2, 3, 4):
        shards = [RankReplica(rank, world).shard(order) for rank in range(world)]
        assert {len(s) for s in shards} == {-(-11 // world)}  # equal steps on every rank
        taken = torch.cat(shards)
        assert set(taken.tolist()) == set(range(11))
        assert len(taken) - len(set(taken.tolist())) == len(taken) - 11  # only the padding repeats
    # A warm-up epoch may draw fewer patches than there are ranks: every rank still gets as many.
    for n, world in ((1, 4), (3, 8), (2, 5)):
        shards = [RankReplica(rank, world).shard(order[:n]) for rank in range(world)]
        assert [len(s) for s in shards] == [1] * world
        assert set(torch.cat(shards).tolist()) == set(order[:n].tolist())


def test_too_few_workers_is_refused_naming_the_shortfall(parts, client):
    with pytest.raises(NotEnoughWorkers, match=r"3 distinct Dask workers; the cluster has 2: add 1"):
        fit(*parts, config(3), client=client)


def test_a_cancel_stops_every_rank_and_leaves_no_process_group(parts, client):
    epochs_done: list[str] = []
    with pytest.raises(TrainingCancelled):
        fit(*parts, config(2, epochs=50), client=client,
            progress=lambda fraction, message: epochs_done.append(message), should_stop=lambda: bool(epochs_done))
    assert 1 <= len(epochs_done) < 50
    assert process_groups_left(client) == []
    assert not any(client.processing().values())  # both workers are free


def test_an_error_on_rank_0_stops_the_others_and_the_seed_reproduces_the_run(client, on_cluster, on_two):
    def on_epoch(epoch: int, metrics: dict) -> None:
        raise ValueError(f"stopped after epoch {epoch}, val log loss {metrics['log_loss']!r}")

    # Launched from a Dask task, as the train_model job does: its client is the task's own.
    with pytest.raises(ValueError, match="stopped after epoch 1") as caught:
        client.submit(fit, *on_cluster, config(2), on_epoch=on_epoch, pure=False).result()
    assert float(str(caught.value).rpartition(" ")[2]) == on_two[0].history[0].val_log_loss  # same seed, same epoch
    assert process_groups_left(client) == []
    assert not any(client.processing().values())


def test_the_batch_must_leave_two_patches_per_worker(parts):
    simulated = SimulatedPatchSet(n_patches=100)
    assert TrainModelParams(simulated=simulated, data_parallel_workers=4).data_parallel_workers == 4
    with pytest.raises(ContractError) as caught:
        TrainModelParams(simulated=simulated, data_parallel_workers=0)
    assert caught.value.field == "data_parallel_workers"
    with pytest.raises(ContractError, match="at least 2 per worker"):
        TrainModelParams(simulated=simulated, batch_size=32, data_parallel_workers=17)
    with pytest.raises(ValueError, match="fewer than 2 patches a worker"):
        fit(*parts, TrainingConfig(batch_size=4, data_parallel=3))
