"""Patch arrays for learning: channels, incidence handling, normalisation and stratified splits."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from icesight_contract import PATCH_SIZE_PX, PatchRecord

from ..sar.simulation import SimulatedPatches

#: Model input channels, in order: HH dB, HV dB and their mean (the reference's ``band_avg``).
CHANNELS = ("band_1", "band_2", "band_avg")


@dataclass
class PatchArrays:
    """Patches as arrays: ``images`` (n, 3, 75, 75) float32 dB; ``inc_angle_deg`` NaN where unknown."""

    ids: list[str]
    images: np.ndarray
    inc_angle_deg: np.ndarray
    labels: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, index: np.ndarray) -> PatchArrays:
        return PatchArrays(
            [self.ids[i] for i in index],
            self.images[index],
            self.inc_angle_deg[index],
            None if self.labels is None else self.labels[index],
        )


def _stack_channels(band_1: np.ndarray, band_2: np.ndarray) -> np.ndarray:
    return np.stack([band_1, band_2, (band_1 + band_2) / 2.0], axis=1).astype(np.float32)


def arrays_from_records(records: list[PatchRecord]) -> PatchArrays:
    shape = (len(records), PATCH_SIZE_PX, PATCH_SIZE_PX)
    band_1 = np.asarray([r.band_1 for r in records], dtype=np.float32).reshape(shape)
    band_2 = np.asarray([r.band_2 for r in records], dtype=np.float32).reshape(shape)
    inc = np.asarray([math.nan if r.inc_angle_deg is None else r.inc_angle_deg for r in records], dtype=np.float32)
    labels = None
    if all(r.is_iceberg is not None for r in records):
        labels = np.asarray([r.is_iceberg for r in records], dtype=np.float32)
    return PatchArrays([r.id for r in records], _stack_channels(band_1, band_2), inc, labels)


def arrays_from_simulation(patches: SimulatedPatches, id_prefix: str = "sim") -> PatchArrays:
    n = len(patches.is_iceberg)
    return PatchArrays(
        [f"{id_prefix}_{i:05d}" for i in range(n)],
        _stack_channels(patches.band_1_db, patches.band_2_db),
        patches.inc_angle_deg.astype(np.float32),
        patches.is_iceberg.astype(np.float32),
    )


@dataclass
class Normalisation:
    """Per-channel and incidence statistics of a training set, stored with the model.

    A missing incidence angle (Kaggle ``"na"``) is imputed with the training median. The fact
    that it was missing is never a model input: in the Kaggle data every "na" is a ship.
    """

    channel_mean_db: list[float]
    channel_std_db: list[float]
    inc_mean_deg: float
    inc_std_deg: float
    inc_fill_deg: float

    @classmethod
    def fit(cls, arrays: PatchArrays) -> Normalisation:
        images = arrays.images.astype(np.float64)
        inc = arrays.inc_angle_deg[np.isfinite(arrays.inc_angle_deg)]
        if inc.size == 0:
            inc = np.asarray([35.0])
        return cls(
            channel_mean_db=[float(v) for v in images.mean(axis=(0, 2, 3))],
            channel_std_db=[float(max(v, 1e-3)) for v in images.std(axis=(0, 2, 3))],
            inc_mean_deg=float(inc.mean()),
            inc_std_deg=float(max(inc.std(), 1e-3)),
            inc_fill_deg=float(np.median(inc)),
        )

    def apply(self, arrays: PatchArrays) -> tuple[np.ndarray, np.ndarray]:
        mean = np.asarray(self.channel_mean_db, dtype=np.float32)[None, :, None, None]
        std = np.asarray(self.channel_std_db, dtype=np.float32)[None, :, None, None]
        images = (arrays.images - mean) / std
        inc = np.where(np.isfinite(arrays.inc_angle_deg), arrays.inc_angle_deg, self.inc_fill_deg)
        inc = ((inc - self.inc_mean_deg) / self.inc_std_deg).astype(np.float32)
        return images.astype(np.float32), inc

    def to_dict(self) -> dict:
        return asdict(self)


def stratified_split(labels: np.ndarray, validation_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded split keeping the class balance in both parts; returns (train_index, validation_index)."""
    rng = np.random.default_rng(seed)
    train, validation = [], []
    for value in np.unique(labels):
        index = np.flatnonzero(labels == value)
        rng.shuffle(index)
        n_val = max(1, int(round(len(index) * validation_fraction)))
        validation.append(index[:n_val])
        train.append(index[n_val:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(validation))
