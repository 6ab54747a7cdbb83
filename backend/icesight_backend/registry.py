"""Versioned models on disk: weights plus the record needed to use them (``<data_dir>/models/<id>/``)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from icesight_contract import shown

from . import __version__
from .store import RECORD_ID, utc_now

TORCHSCRIPT = "model.torchscript.pt"


class UnknownModel(LookupError):
    pass


class ModelRegistry:
    def __init__(self, data_dir: Path):
        self.root = Path(data_dir) / "models"
        self.root.mkdir(parents=True, exist_ok=True)

    def register(self, model_id: str, weights: bytes, record: dict, torchscript: bytes | None = None) -> dict:
        """Store weights, TorchScript and record; the model appears only once all are complete on disk."""
        staging = self.root / f".{model_id}.partial"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        (staging / "model.pt").write_bytes(weights)
        if torchscript is not None:
            (staging / TORCHSCRIPT).write_bytes(torchscript)
        full = {"model_id": model_id, "created_at": utc_now(), "code_version": __version__} | record
        (staging / "model.json").write_text(json.dumps(full, indent=2))
        os.replace(staging, self.root / model_id)
        return full

    def list(self) -> list[dict]:
        production = self.production_id()
        records = []
        for path in self.root.glob("*/model.json"):
            if not path.parent.name.startswith("."):
                record = json.loads(path.read_text())
                records.append(record | {"production": record["model_id"] == production})
        return sorted(records, key=lambda r: r["created_at"], reverse=True)

    # -- production model ------------------------------------------------------------------------

    def production_id(self) -> str | None:
        marker = self.root / "production.json"
        if not marker.is_file():
            return None
        model_id = json.loads(marker.read_text())["model_id"]
        return model_id if (self.root / model_id / "model.json").is_file() else None

    def set_production(self, model_id: str) -> dict:
        """Mark a model as the one classification uses when a job names none (atomic)."""
        self.get(model_id)
        partial = self.root / ".production.json.partial"
        partial.write_text(json.dumps({"model_id": model_id, "since": utc_now()}))
        os.replace(partial, self.root / "production.json")
        return self.get(model_id)

    def compare(self, model_ids: list[str]) -> dict:
        """Side-by-side metrics, with each model's difference to the first one. Validation metrics
        compare fairly only on the same validation set: ``same_training_dataset`` says whether all
        models name the same training dataset version and fold."""
        records = [self.get(m) for m in model_ids]
        datasets = [r.get("training_dataset") for r in records]
        keys = ("val_log_loss", "val_accuracy", "val_roc_auc", "val_ece")
        base = records[0]["metrics"]
        return {
            "models": [
                {
                    "model_id": r["model_id"],
                    "architecture": r["architecture"],
                    "created_at": r["created_at"],
                    "hyperparameters": r.get("hyperparameters"),
                    "training_dataset": r.get("training_dataset"),
                    "metrics": {k: r["metrics"].get(k) for k in keys},
                    "difference_to_first": {
                        k: (r["metrics"][k] - base[k]) if r["metrics"].get(k) is not None and base.get(k) is not None else None
                        for k in keys
                    },
                }
                for r in records
            ],
            "same_training_dataset": datasets[0] is not None and all(d == datasets[0] for d in datasets),
        }

    def torchscript_path(self, model_id: str) -> Path | None:
        self.get(model_id)
        path = self.root / model_id / TORCHSCRIPT
        return path if path.is_file() else None

    def get(self, model_id: str) -> dict:
        path = self.root / model_id / "model.json" if RECORD_ID.fullmatch(model_id) else None
        if path is None or not path.is_file():
            known = ", ".join(r["model_id"] for r in self.list()[:10]) or "none yet: run a train_model job first"
            raise UnknownModel(f"no model {shown(model_id)}; registered models: {known}")
        return json.loads(path.read_text())

    def resolve(self, model_id: str | None) -> dict:
        """The given model; else the production model; else the newest one."""
        if model_id is not None:
            return self.get(model_id)
        production = self.production_id()
        if production is not None:
            return self.get(production)
        records = self.list()
        if not records:
            raise UnknownModel("no model is registered yet: run a train_model job first")
        return records[0]

    def weights(self, model_id: str) -> bytes:
        self.get(model_id)
        return (self.root / model_id / "model.pt").read_bytes()
