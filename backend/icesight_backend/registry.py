"""Versioned models on disk: weights plus the record needed to use them (``<data_dir>/models/<id>/``)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from . import __version__
from .store import utc_now


class UnknownModel(LookupError):
    pass


class ModelRegistry:
    def __init__(self, data_dir: Path):
        self.root = Path(data_dir) / "models"
        self.root.mkdir(parents=True, exist_ok=True)

    def register(self, model_id: str, weights: bytes, record: dict) -> dict:
        """Store weights and record; the model appears only once both are complete on disk."""
        staging = self.root / f".{model_id}.partial"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        (staging / "model.pt").write_bytes(weights)
        full = {"model_id": model_id, "created_at": utc_now(), "code_version": __version__} | record
        (staging / "model.json").write_text(json.dumps(full, indent=2))
        os.replace(staging, self.root / model_id)
        return full

    def list(self) -> list[dict]:
        records = []
        for path in self.root.glob("*/model.json"):
            if not path.parent.name.startswith("."):
                records.append(json.loads(path.read_text()))
        return sorted(records, key=lambda r: r["created_at"], reverse=True)

    def get(self, model_id: str) -> dict:
        path = self.root / model_id / "model.json"
        if "/" in model_id or model_id.startswith(".") or not path.is_file():
            known = ", ".join(r["model_id"] for r in self.list()[:10]) or "none yet: run a train_model job first"
            raise UnknownModel(f"no model {model_id!r}; registered models: {known}")
        return json.loads(path.read_text())

    def resolve(self, model_id: str | None) -> dict:
        """The given model, or the newest one when ``model_id`` is None."""
        if model_id is not None:
            return self.get(model_id)
        records = self.list()
        if not records:
            raise UnknownModel("no model is registered yet: run a train_model job first")
        return records[0]

    def weights(self, model_id: str) -> bytes:
        self.get(model_id)
        return (self.root / model_id / "model.pt").read_bytes()
