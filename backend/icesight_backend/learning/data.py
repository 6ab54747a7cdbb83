"""Patch arrays for learning: channels, incidence handling, normalisation and stratified splits."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np

from icesight_contract import PATCH_SIZE_PX, PatchRecord, ThirdChannel

from ..sar.simulation import SimulatedPatches

#: Model input channels, in order: HH dB, HV dB and their mean (the reference's ``band_avg``).
CHANNELS = ("band_1", "band_2", "band_avg")
THIRD_CHANNELS = tuple(c.value for c in ThirdChannel)
#: Feature-group column of the class index (ClassName order: ship, iceberg, clutter). Versions
#: written before the clutter class have only the Kaggle column ``is_iceberg`` (0 ship, 1 iceberg).
LABEL_COLUMN = "label"
#: Feature-group column marking the patches training starts on (:func:`.training.epoch_order`);
#: versions written before it mark none.
WARM_UP_COLUMN = "warm_up"

#: Incidence used when a set has no known angle at all (mid-swath of EW and IW).
DEFAULT_INC_FILL_DEG = 35.0


def third_channel(band_1: np.ndarray, band_2: np.ndarray, kind: str) -> np.ndarray:
    """The derived channel from the two dB bands: mean, difference (co/cross ratio) or magnitude."""
    if kind == "band_avg":
        return (band_1 + band_2) / 2.0
    if kind == "band_diff":
        return band_1 - band_2
    if kind == "band_mag":
        return np.sqrt(band_1**2 + band_2**2)
    raise ValueError(f"third channel {kind!r} is not one of {', '.join(THIRD_CHANNELS)}")


def table_labels(table) -> np.ndarray:
    """Class index per row of a feature-group table (float, NaN where unlabelled)."""
    name = LABEL_COLUMN if LABEL_COLUMN in table.column_names else "is_iceberg"
    return table.column(name).to_numpy(zero_copy_only=False).astype(np.float64)


@dataclass
class PatchArrays:
    """Patches as arrays: ``images`` (n, channels, 75, 75) float32 dB; ``inc_angle_deg`` NaN where unknown."""

    ids: list[str]
    images: np.ndarray
    inc_angle_deg: np.ndarray
    labels: np.ndarray | None = None
    channels: tuple[str, ...] = CHANNELS
    #: (n,) bool: the patches training starts on (the nominal ones of a partly randomised simulated
    #: set, see :func:`.training.epoch_order`); None: no such patches are marked.
    warm_up: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, index: np.ndarray) -> PatchArrays:
        return PatchArrays(
            [self.ids[i] for i in index],
            self.images[index],
            self.inc_angle_deg[index],
            None if self.labels is None else self.labels[index],
            self.channels,
            None if self.warm_up is None else self.warm_up[index],
        )

    def select_channels(self, keep: list[str]) -> PatchArrays:
        """The same patches with only the named channels (ablation leaves one out)."""
        index = [self.channels.index(c) for c in keep]
        return PatchArrays(self.ids, np.ascontiguousarray(self.images[:, index]), self.inc_angle_deg, self.labels,
                           tuple(keep), self.warm_up)

    @classmethod
    def concatenate(cls, parts: list[PatchArrays]) -> PatchArrays:
        """Parts of one set (same channels) as one."""
        marked = [p.warm_up for p in parts]
        return cls([i for p in parts for i in p.ids], np.concatenate([p.images for p in parts]),
                   np.concatenate([p.inc_angle_deg for p in parts]),
                   None if any(p.labels is None for p in parts) else np.concatenate([p.labels for p in parts]),
                   parts[0].channels, None if any(m is None for m in marked) else np.concatenate(marked))


def stack_channels(band_1: np.ndarray, band_2: np.ndarray, third: str = "band_avg") -> np.ndarray:
    return np.stack([band_1, band_2, third_channel(band_1, band_2, third)], axis=1).astype(np.float32)


def arrays_from_records(records: list[PatchRecord], channels: tuple[str, ...] = CHANNELS) -> PatchArrays:
    shape = (len(records), PATCH_SIZE_PX, PATCH_SIZE_PX)
    band_1 = np.asarray([r.band_1 for r in records], dtype=np.float32).reshape(shape)
    band_2 = np.asarray([r.band_2 for r in records], dtype=np.float32).reshape(shape)
    inc = np.asarray([math.nan if r.inc_angle_deg is None else r.inc_angle_deg for r in records], dtype=np.float32)
    labels = None
    if all(r.label is not None for r in records):
        labels = np.asarray([r.class_index for r in records], dtype=np.float32)
    third = next((c for c in channels if c in THIRD_CHANNELS), "band_avg")
    full = PatchArrays([r.id for r in records], stack_channels(band_1, band_2, third), inc, labels, ("band_1", "band_2", third),
                       np.asarray([r.warm_up for r in records], dtype=bool))
    return full if full.channels == tuple(channels) else full.select_channels(list(channels))


def arrays_from_simulation(patches: SimulatedPatches, id_prefix: str = "sim") -> PatchArrays:
    n = len(patches.labels)
    return PatchArrays(
        [f"{id_prefix}_{i:05d}" for i in range(n)],
        stack_channels(patches.band_1_db, patches.band_2_db),
        patches.inc_angle_deg.astype(np.float32),
        patches.labels.astype(np.float32),
        warm_up=patches.warm_up,
    )


def arrays_from_table(table, ids: list[str] | None = None) -> PatchArrays:
    """Patch arrays from a feature group table (Parquet); rows in ``ids`` order when given.

    The incidence angle of rows flagged ``inc_angle_missing`` becomes NaN again, so that the
    training set's own median fills it (the stored fill is only what the group's median was).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if ids is not None:
        position = {value: i for i, value in enumerate(table.column("id").to_pylist())}
        missing = [i for i in ids if i not in position]
        if missing:
            raise KeyError(f"{len(missing)} patch id(s) are not in the feature group, e.g. {missing[0]!r}")
        table = table.take(pa.array([position[i] for i in ids]))
    names = table.column_names
    third = next(c for c in THIRD_CHANNELS if c in names)
    n = table.num_rows

    def band(name: str) -> np.ndarray:
        values = pc.list_flatten(table.column(name).combine_chunks()).to_numpy(zero_copy_only=False)
        return values.astype(np.float32, copy=False).reshape(n, PATCH_SIZE_PX, PATCH_SIZE_PX)

    images = np.stack([band("band_1"), band("band_2"), band(third)], axis=1)
    inc = table.column("inc_angle").to_numpy().astype(np.float32)
    inc[table.column("inc_angle_missing").to_numpy(zero_copy_only=False)] = np.nan
    labels = table_labels(table)
    labels = None if np.isnan(labels).any() else labels
    warm_up = table.column(WARM_UP_COLUMN).to_numpy(zero_copy_only=False).astype(bool) if WARM_UP_COLUMN in names else None
    return PatchArrays(table.column("id").to_pylist(), images, inc, labels, ("band_1", "band_2", third), warm_up)


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
        return cls.fit_batches([arrays])

    @classmethod
    def fit_batches(cls, batches: Iterable[PatchArrays]) -> Normalisation:
        """The statistics of all patches of ``batches`` together, accumulated batch by batch so a
        large training part never sits in memory as float64 at once."""
        total = total_sq = 0.0
        count = 0
        known: list[np.ndarray] = []
        for batch in batches:
            images = batch.images.astype(np.float64)
            total = total + images.sum(axis=(0, 2, 3))
            total_sq = total_sq + (images**2).sum(axis=(0, 2, 3))
            count += images.shape[0] * images.shape[2] * images.shape[3]
            known.append(batch.inc_angle_deg[np.isfinite(batch.inc_angle_deg)].astype(np.float64))
        mean = total / count
        std = np.sqrt(np.maximum(total_sq / count - mean**2, 0.0))
        inc = np.concatenate(known)
        if inc.size == 0:
            inc = np.asarray([DEFAULT_INC_FILL_DEG])
        return cls(
            channel_mean_db=[float(v) for v in mean],
            channel_std_db=[float(max(v, 1e-3)) for v in std],
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

    def select(self, channels: list[int]) -> Normalisation:
        """The statistics of the chosen channels only (for a model that leaves a channel out)."""
        return Normalisation([self.channel_mean_db[i] for i in channels], [self.channel_std_db[i] for i in channels],
                             self.inc_mean_deg, self.inc_std_deg, self.inc_fill_deg)

    def to_dict(self) -> dict:
        return asdict(self)


def stratified_folds(labels: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Fold number (0..k-1) of each row, dealt round-robin within each class after a seeded shuffle,
    so every fold keeps the class balance."""
    rng = np.random.default_rng(seed)
    folds = np.empty(len(labels), dtype=np.int64)
    for value in np.unique(labels):
        index = np.flatnonzero(labels == value)
        rng.shuffle(index)
        folds[index] = np.arange(len(index)) % k
    return folds


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
