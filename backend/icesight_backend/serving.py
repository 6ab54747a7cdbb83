"""Synchronous prediction: a few patches answered at once by a model kept loaded in the service.

The production model is looked up on every request (a small file read), so marking another model
as production takes effect with the next request; loaded models are kept by id (ids are immutable)
in a small least-recently-used cache. Forward passes are serialised: on a CPU service two at once
only fight over the same cores, and the lock keeps torch's thread pool from being oversubscribed.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from icesight_contract import ClassifyPatchesResult, PredictRequest

from .jobs.inference import classification_of, patch_arrays
from .learning.training import LoadedModel, classify_views
from .registry import ModelRegistry


class Predictor:
    def __init__(self, registry: ModelRegistry, max_models: int = 4):
        self.registry = registry
        self.max_models = max_models
        self._models: OrderedDict[str, LoadedModel] = OrderedDict()
        self._lock = threading.Lock()

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

    def predict(self, request: PredictRequest) -> tuple[ClassifyPatchesResult, float]:
        """The classifications (mean and spread over the 8 test-time views) and the model's seconds."""
        model_id, model = self.model(request.model_id)
        started = time.perf_counter()
        with self._lock:
            views = classify_views(model, patch_arrays(model, request.patches))
        seconds = time.perf_counter() - started
        classifications = [
            classification_of(patch, float(v.mean()), float(v.std())) for patch, v in zip(request.patches, views, strict=True)
        ]
        crs = next((p.crs for p in request.patches if p.x is not None), None)
        return ClassifyPatchesResult(model_id=model_id, classifications=classifications, crs=crs), seconds
