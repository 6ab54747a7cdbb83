"""Data-parallel training over Dask workers with torch DistributedDataParallel.

:func:`~icesight_backend.learning.training.fit` runs one training loop. Trained in one process, the
loop talks to a :class:`Replica`, which has nothing to synchronise. With ``data_parallel`` N > 1,
:func:`launch` runs the same loop as N ranks, one Dask task pinned to each of N distinct workers,
and each rank talks to a :class:`RankReplica`:

- the model is wrapped in ``DistributedDataParallel`` (gloo between CPU workers, NCCL between GPU
  workers, one GPU a worker), so every step averages the gradients of all ranks;
- every epoch all ranks draw the same seeded permutation of the training part and each takes every
  N-th patch of it, padded to equal length (what ``DistributedSampler`` does), and each step uses
  ``batch_size / N`` patches a rank: the global batch, the steps per epoch and so the optimisation
  are those of one process, and ``batch_size`` means the same for every N;
- rank 0 validates, keeps the best epoch, decides early stopping and learning-rate steps, and
  broadcasts its decision; it calibrates and returns the model;
- a stop request (a cancelled job) is agreed by all ranks at the same step, so no rank is left
  waiting in a collective.

Ranks find each other through a ``TCPStore`` that rank 0 opens on a port the operating system
picks free on rank 0's host, published to the others through a Dask ``Variable``. The process
group is destroyed when a rank ends, whether it finished, failed or was cancelled. One data-parallel
training runs on a cluster at a time (a Dask ``Lock``): two waiting for each other's workers would
otherwise both stall until the rendezvous times out.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

#: How long ranks wait for each other: to meet (all N tasks must start) and in any collective.
PROCESS_GROUP_TIMEOUT = datetime.timedelta(minutes=5)

#: How often the launcher relays progress and stop requests, and ranks look for a stop request.
POLL_S = 0.5

#: After one rank fails, how long the launcher waits for the others before it reports.
FAILURE_GRACE_S = 10.0

#: The Dask lock held while a data-parallel training runs on a cluster.
LOCK_NAME = "icesight-data-parallel"


class NotEnoughWorkers(RuntimeError):
    """The cluster has fewer workers than the data-parallel ranks asked for."""


class PeerFailed(RuntimeError):
    """Rank 0 failed while this rank waited for its decision at the end of an epoch."""


class Replica:
    """The training loop's view of its peers when it runs in one process: none."""

    rank = 0
    world_size = 1

    @property
    def is_main(self) -> bool:
        """Whether this rank validates, decides and returns the model."""
        return self.rank == 0

    def wrap(self, network: nn.Module) -> nn.Module:
        """The module the training steps run through."""
        return network

    def shard(self, order: torch.Tensor) -> torch.Tensor:
        """This rank's part of the epoch's permutation of the training patches."""
        return order

    def augmentation_generator(self, shared: torch.Generator) -> torch.Generator:
        """The random generator of this rank's augmentations."""
        return shared

    def any(self, flag: bool) -> bool:
        """Whether ``flag`` holds on any rank."""
        return flag

    def epoch_totals(self, *values: float) -> tuple[float, ...]:
        """The epoch's training sums over all ranks. Until :meth:`decide`, the ranks other than 0
        wait for rank 0's decision."""
        return values

    def decide(self, loss: float = float("nan"), stop: bool = False) -> tuple[float, bool]:
        """Rank 0's validation loss and whether to stop, as every rank learns them."""
        return loss, stop

    def finish(self, network: nn.Module) -> None:
        """The loop ended with these weights (before rank 0 restores its best epoch)."""


class RankReplica(Replica):
    """One of ``world_size`` ranks in the default torch process group (see :func:`process_group`)."""

    def __init__(self, rank: int, world_size: int):
        self.rank, self.world_size = rank, world_size
        self.device = torch.device("cpu")
        self.parameters_sha256: str | None = None
        self._decision_owed = False

    def wrap(self, network: nn.Module) -> nn.Module:
        from torch.nn.parallel import DistributedDataParallel

        self.device = next(network.parameters()).device
        return DistributedDataParallel(network, device_ids=[self.device.index or 0] if self.device.type == "cuda" else None)

    def shard(self, order: torch.Tensor) -> torch.Tensor:
        # Every rank takes the same number of patches (so all run the same collectives per step):
        # the order is repeated to fill the last row, however few patches it holds (a warm-up
        # epoch may draw fewer patches than there are ranks).
        per_rank = -(-len(order) // self.world_size)
        if per_rank == 0:
            return order
        padded = order.repeat(-(-per_rank * self.world_size // len(order)))[: per_rank * self.world_size]
        return padded[self.rank :: self.world_size]

    def augmentation_generator(self, shared: torch.Generator) -> torch.Generator:
        # Every rank draws the shared generator's permutations in step; augmentations differ by rank.
        return torch.Generator().manual_seed(shared.initial_seed() * self.world_size + self.rank)

    def any(self, flag: bool) -> bool:
        return bool(self._all_reduce([float(flag)], torch.distributed.ReduceOp.MAX)[0])

    def epoch_totals(self, *values: float) -> tuple[float, ...]:
        totals = self._all_reduce(list(values), torch.distributed.ReduceOp.SUM)
        self._decision_owed = self.is_main
        return totals

    def decide(self, loss: float = float("nan"), stop: bool = False) -> tuple[float, bool]:
        return self._broadcast_decision(loss, stop, failed=False)

    def release_peers(self) -> None:
        """Rank 0 failed: if the others wait for its decision, tell them to stop."""
        if self._decision_owed:
            self._broadcast_decision(float("nan"), True, failed=True)

    def finish(self, network: nn.Module) -> None:
        digest = hashlib.sha256()
        for parameter in network.parameters():
            digest.update(parameter.detach().cpu().numpy().tobytes())
        self.parameters_sha256 = digest.hexdigest()

    def report(self) -> dict:
        from distributed import get_worker

        return {"rank": self.rank, "worker": get_worker().address, "pid": os.getpid(), "device": str(self.device),
                "parameters_sha256": self.parameters_sha256}

    def _all_reduce(self, values: list[float], op) -> tuple[float, ...]:
        tensor = torch.tensor(values, dtype=torch.float64, device=self.device)
        torch.distributed.all_reduce(tensor, op=op)
        return tuple(tensor.tolist())

    def _broadcast_decision(self, loss: float, stop: bool, failed: bool) -> tuple[float, bool]:
        message = torch.tensor([loss, float(stop), float(failed)], dtype=torch.float64, device=self.device)
        torch.distributed.broadcast(message, src=0)
        self._decision_owed = False
        loss, stop, failed = message.tolist()
        if failed and not self.is_main:
            raise PeerFailed("rank 0 failed at the end of an epoch; its error is the training's error")
        return loss, bool(stop)


@contextmanager
def process_group(rank: int, world_size: int, rendezvous: str) -> Iterator[str]:
    """Join the default process group as ``rank`` (yields its backend), and always leave it.

    Rank 0 opens the group's ``TCPStore`` on a free port of its own host (the operating system picks
    it at bind time, so nothing can take it in between) and publishes its address and backend in
    the Dask ``Variable`` named ``rendezvous``; the other ranks read it there and connect.
    """
    import torch.distributed as dist
    from distributed import Variable, get_worker
    from distributed.comm import get_address_host

    backend = "nccl" if torch.cuda.is_available() else "gloo"
    worker = get_worker().address
    if dist.is_initialized():
        raise RuntimeError(f"worker {worker} already runs a rank of another data-parallel training")
    timeout = PROCESS_GROUP_TIMEOUT
    if rank == 0:
        host = get_address_host(worker)
        store = dist.TCPStore(host, 0, world_size, is_master=True, timeout=timeout, wait_for_workers=False)
        Variable(rendezvous).set({"host": host, "port": store.port, "backend": backend})
    else:
        try:
            address = Variable(rendezvous).get(timeout=timeout.total_seconds())
        except TimeoutError:
            raise TimeoutError(f"rank {rank} on {worker} waited {timeout} for rank 0 to open the rendezvous") from None
        if address["backend"] != backend:
            raise RuntimeError(
                f"rank {rank} on {worker} would use {backend}, rank 0 uses {address['backend']}: data-parallel ranks "
                "need workers with the same kind of device (all with one GPU, or all without)"
            )
        store = dist.TCPStore(address["host"], address["port"], world_size, is_master=False, timeout=timeout)
    if backend == "nccl":
        torch.cuda.set_device(0)  # dask-cuda shows each worker its own GPU as device 0
    dist.init_process_group(backend, store=store, rank=rank, world_size=world_size, timeout=timeout)
    try:
        yield backend
    finally:
        dist.destroy_process_group()


class _StopSignal:
    """A Dask ``Event`` looked at every :data:`POLL_S` at most, as the ranks' ``should_stop``."""

    def __init__(self, name: str):
        self.name = name
        self._next_look = 0.0
        self._set = False

    def __call__(self) -> bool:
        if not self._set and time.monotonic() >= self._next_look:
            from distributed import Event

            self._next_look = time.monotonic() + POLL_S
            self._set = Event(self.name).is_set()
        return self._set


class _ProgressRelay:
    """Rank 0's ``progress``: the latest report, in a Dask ``Variable`` the launcher reads."""

    def __init__(self, name: str):
        self.name = name

    def __call__(self, fraction: float, message: str) -> None:
        from distributed import Variable

        Variable(self.name).set([fraction, message])


@dataclass(frozen=True)
class _Names:
    """The Dask names one data-parallel launch uses."""

    prefix: str

    @classmethod
    def new(cls) -> _Names:
        return cls(f"icesight-ddp-{uuid.uuid4().hex}")

    @property
    def rendezvous(self) -> str:
        return f"{self.prefix}-rendezvous"

    @property
    def progress(self) -> str:
        return f"{self.prefix}-progress"

    @property
    def stop(self) -> str:
        return f"{self.prefix}-stop"


def _run_rank(rank: int, world_size: int, names: _Names, train: Callable, args: list, kwargs: dict) -> tuple[Any, dict]:
    """One rank, as a Dask task: ``train(*args, replica=..., progress=..., should_stop=..., **kwargs)``."""
    replica = RankReplica(rank, world_size)
    progress = _ProgressRelay(names.progress) if rank == 0 else None
    with process_group(rank, world_size, names.rendezvous) as backend:
        try:
            result = train(*args, replica=replica, progress=progress, should_stop=_StopSignal(names.stop), **kwargs)
        except BaseException:
            replica.release_peers()
            raise
    return result, replica.report() | {"backend": backend}


def choose_workers(workers: dict[str, dict], n: int) -> list[str]:
    """``n`` distinct workers (scheduler-info records by address) for the ranks, rank 0 first: the
    ones with a ``GPU`` resource when the cluster has any, else any."""
    gpu = sorted(address for address, w in workers.items() if w.get("resources", {}).get("GPU", 0) >= 1)
    pool = gpu or sorted(workers)
    if len(pool) < n:
        kind = " with a GPU" if gpu else ""
        raise NotEnoughWorkers(
            f"data-parallel training on {n} workers runs one rank on each of {n} distinct Dask workers{kind}; "
            f"the cluster has {len(pool)}: add {n - len(pool)} worker(s) or ask for {len(pool)}"
        )
    return pool[:n]


@contextmanager
def _cluster_client(client) -> Iterator[Any]:
    """``client``; inside a Dask task, a client for the task's cluster that frees the task's thread
    while it waits; elsewhere, the process's default client."""
    from distributed import get_client, get_worker, worker_client

    if client is not None:
        yield client
        return
    try:
        get_worker()
    except ValueError:
        try:
            client = get_client()
        except ValueError:
            raise ValueError("data-parallel training needs a Dask cluster: pass a client") from None
        yield client
        return
    with worker_client() as client:
        yield client


def launch(client, world_size: int, train: Callable, args: tuple, kwargs: dict,
           progress: Callable[[float, str], None], should_stop: Callable[[], bool],
           cancelled: type[BaseException]) -> tuple[Any, list[dict]]:
    """Run ``train`` as ``world_size`` ranks on as many workers of ``client``'s cluster (see
    :func:`_cluster_client`); return rank 0's result and a report of every rank (worker, process,
    device, backend and a digest of its final weights, which must agree).

    ``args`` are copied once to each rank's worker. Rank 0's ``progress`` reaches ``progress``
    here; when ``should_stop`` says so, every rank stops at the same step and ``train`` raises
    there. While waiting for another data-parallel training to end, a stop raises ``cancelled``.
    """
    from distributed import Event, Lock, Variable, wait

    with _cluster_client(client) as client:
        ranks_at = choose_workers(client.scheduler_info(n_workers=-1)["workers"], world_size)
        lock = Lock(LOCK_NAME, scheduler_rpc=client.scheduler, loop=client.loop)
        while not lock.acquire(timeout=POLL_S):
            if should_stop():
                raise cancelled()
        names = _Names.new()
        stop, progress_now = Event(names.stop, client=client), Variable(names.progress, client=client)
        futures = []
        try:
            progress_now.set(None)  # so that reading it never waits
            shared = client.scatter(list(args), workers=ranks_at, broadcast=True, hash=False)
            futures = [client.submit(_run_rank, rank, world_size, names, train, shared, kwargs, key=f"{names.prefix}-rank-{rank}",
                                     workers=[worker], allow_other_workers=False, pure=False)
                       for rank, worker in enumerate(ranks_at)]
            relayed = None
            while not all(f.done() for f in futures) and not any(f.status == "error" for f in futures):
                try:
                    wait([f for f in futures if not f.done()], timeout=POLL_S, return_when="FIRST_COMPLETED")
                except TimeoutError:
                    pass
                latest = progress_now.get()
                if latest is not None and latest != relayed:
                    progress(*latest)
                    relayed = latest
                if should_stop():
                    stop.set()
            if any(f.status == "error" for f in futures):
                stop.set()  # ranks still running stop at their next step
                try:
                    wait(futures, timeout=FAILURE_GRACE_S)
                except TimeoutError:
                    pass
                raise _the_error(futures)
            outcomes = client.gather(futures)
        finally:
            if all(f.done() for f in futures):
                stop.clear()  # forgets it
            else:  # one that hangs in a collective fails when PROCESS_GROUP_TIMEOUT runs out
                stop.set()
            client.cancel(futures)
            for variable in (progress_now, Variable(names.rendezvous, client=client)):
                variable.delete()
            lock.release()
    reports = [report for _, report in outcomes]
    if len({r["parameters_sha256"] for r in reports}) != 1:
        raise RuntimeError(f"data-parallel ranks ended with different weights: {reports}")
    return outcomes[0][0], reports


def _the_error(futures) -> BaseException:
    """The error to report: the lowest rank's that is not a :class:`PeerFailed` echo of rank 0's."""
    errors = [f.exception() for f in futures if f.status == "error"]
    return next((e for e in errors if not isinstance(e, PeerFailed)), errors[0])
