"""Synchronous prediction: a few patches answered at once by a model kept loaded in the service.

The production model is looked up on every request (a small file read), so marking another model
as production takes effect with the next request; loaded models are kept by id (ids are immutable)
in a small least-recently-used cache.

Requests are micro-batched: one serving thread takes every request waiting for the same model and
runs them as one forward pass, so 20 clients at once cost about one batch of 20 patches rather than
20 passes one after the other. Torch runs on ``threads`` threads in this process (1 by default:
the embedded cluster's workers use the other cores, and a spinning thread pool that competes with
them makes every small request slower).
"""

from __future__ import annotations

import queue
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from icesight_contract import ClassifyPatchesResult, PredictRequest

from .jobs.inference import classification_of, decisions_of, patch_arrays, prediction_rows
from .learning.data import PatchArrays
from .learning.profile import patch_features
from .learning.training import LoadedModel, Served, classify_views
from .registry import ModelRegistry

#: Most patches one forward pass of the serving thread takes.
MAX_BATCH_PATCHES = 256


@dataclass
class _Pending:
    model_id: str
    model: LoadedModel
    arrays: PatchArrays
    done: threading.Event = field(default_factory=threading.Event)
    views: Served | None = None
    error: BaseException | None = None
    seconds: float = 0.0


class Predictor:
    def __init__(self, registry: ModelRegistry, max_models: int = 4, threads: int = 1):
        self.registry = registry
        self.max_models = max_models
        self.threads = threads
        self._models: OrderedDict[str, LoadedModel] = OrderedDict()
        self._lock = threading.Lock()
        self._queue: queue.Queue[_Pending] = queue.Queue()
        self._thread: threading.Thread | None = None

    def model(self, model_id: str | None) -> tuple[str, LoadedModel]:
        """The loaded model of ``model_id`` (the production model when None), loading it once."""
        resolved = self.registry.resolve(model_id)["model_id"]
        with self._lock:
            model = self._models.get(resolved)
            if model is None:
                model = LoadedModel.from_bytes(self.registry.weights(resolved))
                self._models[resolved] = model
                while len(self._models) > self.max_models:
                    self._models.popitem(last=False)
            self._models.move_to_end(resolved)
        return resolved, model

    def predict(self, request: PredictRequest) -> tuple[ClassifyPatchesResult, float, list[dict]]:
        """The classifications (mean and spread over the 8 test-time views), the seconds of the
        forward pass that served them, and what monitoring keeps of each prediction."""
        model_id, model = self.model(request.model_id)
        pending = _Pending(model_id, model, patch_arrays(model, request.patches))
        self._start()
        self._queue.put(pending)
        pending.done.wait()
        if pending.error is not None:
            raise pending.error
        decisions = decisions_of(pending.views)
        classifications = [classification_of(patch, d) for patch, d in zip(request.patches, decisions, strict=True)]
        crs = next((p.crs for p in request.patches if p.x is not None), None)
        rows = prediction_rows(model_id, request.patches, decisions, patch_features(pending.arrays))
        return ClassifyPatchesResult(model_id=model_id, classifications=classifications, crs=crs), pending.seconds, rows

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="icesight-predict", daemon=True)
                self._thread.start()

    def _serve(self) -> None:
        import torch

        torch.set_num_threads(self.threads)
        while True:
            batch = [self._queue.get()]
            waiting: list[_Pending] = []
            size = len(batch[0].arrays)
            while True:  # everything already queued for the same model, up to the batch limit
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item.model_id == batch[0].model_id and size + len(item.arrays) <= MAX_BATCH_PATCHES:
                    batch.append(item)
                    size += len(item.arrays)
                else:
                    waiting.append(item)
            for item in waiting:
                self._queue.put(item)
            self._run(batch)

    @staticmethod
    def _run(batch: list[_Pending]) -> None:
        started = time.perf_counter()
        try:
            first = batch[0].arrays
            joined = PatchArrays(
                [i for p in batch for i in p.arrays.ids], np.concatenate([p.arrays.images for p in batch]),
                np.concatenate([p.arrays.inc_angle_deg for p in batch]), None, first.channels,
            )
            views = classify_views(batch[0].model, joined)
            seconds = time.perf_counter() - started
            start = 0
            for pending in batch:
                part = slice(start, start + len(pending.arrays))
                pending.views = Served(views.iceberg[part], None if views.clutter is None else views.clutter[part])
                pending.seconds = seconds
                start += len(pending.arrays)
        except BaseException as exc:  # every waiting request gets the error, none hangs
            for pending in batch:
                pending.error = exc
        finally:
            for pending in batch:
                pending.done.set()
