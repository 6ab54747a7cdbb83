"""Feature groups and training datasets: validated, versioned patch features in (Geo)Parquet.

A feature group holds ``band_1`` (HH/co-pol dB), ``band_2`` (HV/cross-pol dB), a derived third
channel (``band_avg`` as in the reference; ``band_diff`` or ``band_mag`` as options), the incidence
angle (imputed where the Kaggle data says ``"na"``, with ``inc_angle_missing`` kept as a flag that
is never a model input: in that data every "na" is a ship), the label and the provenance. Rows
with a position also carry a WKB point geometry in OGC:CRS84 and the version is GeoParquet 1.1.

Every insert is validated with rules equivalent to the reference's HAS_DATATYPE / HAS_MIN /
HAS_MAX / no-nulls, plus patch shape, finite values, a sigma0 dB sanity range, labels in {0, 1}
and unique ids. STRICT rejects the insert when any rule fails and writes nothing; WARNING writes
the rows that are structurally sound (dropping the others) and keeps the report with the version.

The work is split in two so it can run as Dask work: :func:`compute_partition` validates and
computes the features of one partition of records (a task each); :func:`write_version` merges
the partitions into a staging folder; :meth:`VersionedStore.publish` numbers the version and
moves it into place with one atomic rename, so a failed insert never leaves a half-written
version and concurrent inserts never share a number.

A training dataset is a stratified, seeded split of one feature group version (train/validation
and an optional test part, or k folds), stored as ``split.parquet`` (id, part, fold) with the
normalisation statistics of every training part, computed on that part only.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from icesight_contract import INC_ANGLE_MISSING, PATCH_PIXELS, ClassName, shown
from icesight_contract.learning import NAME_PATTERN

from ..store import utc_now
from .data import (
    DEFAULT_INC_FILL_DEG,
    LABEL_COLUMN,
    THIRD_CHANNELS,
    WARM_UP_COLUMN,
    Normalisation,
    stratified_folds,
    stratified_split,
    table_labels,
    third_channel,
)

SIGMA0_DB_RANGE = (-60.0, 40.0)  # sanity range: calibrated sea, ice, ships and bergs fall inside
INC_RANGE_DEG = (15.0, 50.0)
PROVENANCE = (("scene_id", "string"), ("row", "int32"), ("col", "int32"), ("x", "float64"), ("y", "float64"), ("crs", "string"))


class FeatureValidationError(ValueError):
    def __init__(self, message: str, report: dict):
        super().__init__(message)
        self.report = report


class UnknownVersion(LookupError):
    """A feature group or training dataset (version) that does not exist."""


class UnknownFeatureGroup(UnknownVersion):
    pass


class UnknownTrainingDataset(UnknownVersion):
    pass


class DatasetUnusable(ValueError):
    """A feature group version cannot make the asked training dataset (one class, too few rows)."""


@dataclass
class RuleResult:
    rule: str
    column: str
    failing: int
    examples: list[str] = field(default_factory=list)  # record ids (or positions) that fail


class _Rules:
    def __init__(self) -> None:
        self.results: dict[tuple[str, str], RuleResult] = {}

    def fail(self, rule: str, column: str, example: str) -> None:
        result = self.results.setdefault((rule, column), RuleResult(rule, column, 0))
        result.failing += 1
        if len(result.examples) < 5:
            result.examples.append(example)

    def merge(self, others: list[RuleResult]) -> None:
        for other in others:
            result = self.results.setdefault((other.rule, other.column), RuleResult(other.rule, other.column, 0))
            result.failing += other.failing
            result.examples.extend(other.examples[: max(0, 5 - len(result.examples))])

    def as_list(self) -> list[RuleResult]:
        return list(self.results.values())


def _is_number(value: Any) -> bool:
    return type(value) in (int, float) or isinstance(value, (np.integer, np.floating))


def _band_array(values: Any) -> np.ndarray | None:
    """The band as float64, or None when it is not a flat list/array of numbers."""
    if isinstance(values, np.ndarray):
        array = values.reshape(-1) if values.ndim == 2 else values
    elif isinstance(values, list):
        array = np.asarray(values)
    else:
        return None
    if array.ndim != 1 or array.dtype.kind not in "fiu":
        return None
    return array.astype(np.float64, copy=False)


def validate_records(records: list[dict]) -> tuple[list[RuleResult], np.ndarray, list[np.ndarray | None]]:
    """Check raw records; returns the rule results, a mask of structurally sound rows and each
    row's two bands as arrays (None for unsound rows)."""
    rules = _Rules()
    sound = np.ones(len(records), dtype=bool)
    bands: list[np.ndarray | None] = []

    for i, record in enumerate(records):
        if not isinstance(record, dict):
            rules.fail("HAS_DATATYPE", "record", f"#{i}")
            sound[i] = False
            bands.append(None)
            continue
        name = str(record.get("id", f"#{i}"))

        def fail(rule: str, column: str, hard: bool, i=i, name=name) -> None:
            rules.fail(rule, column, name)
            if hard:
                sound[i] = False

        if not isinstance(record.get("id"), str) or not record.get("id"):
            fail("NO_NULLS", "id", True)
        pair = []
        for band in ("band_1", "band_2"):
            values = record.get(band)
            if values is None:
                fail("NO_NULLS", band, True)
                continue
            array = _band_array(values)
            if array is None:
                fail("HAS_DATATYPE", band, True)
                continue
            if array.size != PATCH_PIXELS:
                fail("PATCH_SHAPE", band, True)
                continue
            if not np.isfinite(array).all():
                fail("FINITE", band, True)
                continue
            if array.min() < SIGMA0_DB_RANGE[0]:
                fail("HAS_MIN", band, False)
            if array.max() > SIGMA0_DB_RANGE[1]:
                fail("HAS_MAX", band, False)
            pair.append(array)
        bands.append(np.stack(pair) if len(pair) == 2 else None)
        inc = record.get("inc_angle")
        if inc is None:
            fail("NO_NULLS", "inc_angle", True)
        elif inc != INC_ANGLE_MISSING:
            if not _is_number(inc) or isinstance(inc, bool) or not math.isfinite(inc):
                fail("HAS_DATATYPE", "inc_angle", True)
            elif inc < INC_RANGE_DEG[0]:
                fail("HAS_MIN", "inc_angle", False)
            elif inc > INC_RANGE_DEG[1]:
                fail("HAS_MAX", "inc_angle", False)
        try:
            record_class(record)
        except ValueError as exc:
            fail("LABEL_IN_SET", str(exc), True)
        if not isinstance(record.get(WARM_UP_COLUMN, False), (bool, np.bool_)):
            fail("HAS_DATATYPE", WARM_UP_COLUMN, True)
    return rules.as_list(), sound, bands


def record_class(record: dict) -> int | None:
    """Class index of a raw record, from ``label`` (a class name) or the Kaggle ``is_iceberg`` (0/1);
    None when unlabelled. Raises ValueError naming the column that is invalid or contradicts the other."""
    label, kaggle = record.get("label"), record.get("is_iceberg")
    index = None
    if kaggle is not None:
        if isinstance(kaggle, bool) or kaggle not in (0, 1):
            raise ValueError("is_iceberg")
        index = int(kaggle)
    if label is not None:
        try:
            named = ClassName(label).index
        except ValueError:
            raise ValueError("label") from None
        if index is not None and named != index:
            raise ValueError("label")
        index = named
    return index


def compute_partition(records: list[dict], third: str, part_path: str | None = None) -> dict:
    """Validate one partition and compute its features: the unit of Dask work of an insert.

    The sound rows go to ``part_path`` (Parquet) when given, else stay in the returned ``table``;
    the summary keeps what the merge needs of every row (ids, incidence, labels, positions), so the
    merge never holds more than one partition's bands. The incidence angle of "na" rows is left
    null here and filled at merge (the group's median).
    """
    import pyarrow as pa

    if third not in THIRD_CHANNELS:
        raise ValueError(f"third channel {third!r} is not one of {', '.join(THIRD_CHANNELS)}")
    rules, sound, bands = validate_records(records)
    kept = [i for i in range(len(records)) if sound[i]]
    if kept:
        pairs = np.stack([bands[i] for i in kept]).astype(np.float32)
    else:
        pairs = np.zeros((0, 2, PATCH_PIXELS), dtype=np.float32)
    band_1, band_2 = pairs[:, 0], pairs[:, 1]
    band_3 = third_channel(band_1, band_2, third).astype(np.float32)
    rows = [records[i] for i in kept]

    def fixed(array: np.ndarray) -> pa.Array:
        return pa.FixedSizeListArray.from_arrays(pa.array(array.reshape(-1), pa.float32()), PATCH_PIXELS)

    missing = [r["inc_angle"] == INC_ANGLE_MISSING for r in rows]
    classes = [record_class(r) for r in rows]
    columns = {
        "id": pa.array([r["id"] for r in rows], pa.string()),
        "band_1": fixed(band_1),
        "band_2": fixed(band_2),
        third: fixed(band_3),
        "inc_angle": pa.array([None if m else float(r["inc_angle"]) for r, m in zip(rows, missing, strict=True)], pa.float64()),
        "inc_angle_missing": pa.array(missing, pa.bool_()),
        # Both label columns: the class index, and the Kaggle 0/1 (null for clutter) for readers of that format.
        LABEL_COLUMN: pa.array(classes, pa.int8()),
        "is_iceberg": pa.array([c if c in (ClassName.SHIP.index, ClassName.ICEBERG.index) else None for c in classes], pa.int8()),
        WARM_UP_COLUMN: pa.array([r.get(WARM_UP_COLUMN, False) for r in rows], pa.bool_()),
    }
    for name, kind in PROVENANCE:
        columns[name] = pa.array([r.get(name) for r in rows], getattr(pa, kind)())
    table = pa.table(columns)
    summary = {
        "rules": rules, "n_records": len(records), "n_rows": table.num_rows,
        "ids": columns["id"].to_pylist(),
        "inc_angle": columns["inc_angle"].to_numpy(zero_copy_only=False).astype(np.float64),
        LABEL_COLUMN: columns[LABEL_COLUMN].to_numpy(zero_copy_only=False).astype(np.float64),
        "x": columns["x"].to_numpy(zero_copy_only=False).astype(np.float64),
        "y": columns["y"].to_numpy(zero_copy_only=False).astype(np.float64),
        "crs": columns["crs"].to_pylist(),
    }
    if part_path is None:
        return summary | {"table": table}
    import pyarrow.parquet as pq

    Path(part_path).parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, part_path)
    return summary | {"path": part_path}


def kept_rows_partitions(path: str | Path, replaced: set[str], part_path: Callable[[int], str],
                         batch_rows: int = 1024) -> Iterator[dict]:
    """The rows of a stored version (its ``data.parquet``) as partitions for :func:`write_version`,
    without those whose id is in ``replaced`` (the new rows take their place), read and written
    ``batch_rows`` at a time to ``part_path(i)``, so the merge still holds one partition's bands at
    once. A version written before the ``label`` column gets it from ``is_iceberg``, one written before
``warm_up`` marks no patch; the incidence
    of "na" rows is null again (the new version's median fills it)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    source = pq.ParquetFile(path)
    third = next(c for c in THIRD_CHANNELS if c in source.schema_arrow.names)
    schema = compute_partition([], third)["table"].schema
    dropped = pa.array(sorted(replaced), pa.string())
    for index, batch in enumerate(source.iter_batches(batch_size=batch_rows)):
        table = pa.Table.from_batches([batch])
        if LABEL_COLUMN not in table.column_names:
            table = table.append_column(LABEL_COLUMN, table.column("is_iceberg"))
        if WARM_UP_COLUMN not in table.column_names:
            table = table.append_column(WARM_UP_COLUMN, pa.array(np.zeros(table.num_rows, dtype=bool)))
        table = table.filter(pc.invert(pc.is_in(table.column("id"), value_set=dropped)))
        table = table.set_column(table.column_names.index("inc_angle"), "inc_angle",
                                 pc.if_else(table.column("inc_angle_missing"), pa.scalar(None, pa.float64()),
                                            table.column("inc_angle")))
        table = table.select(schema.names).cast(schema)
        Path(part_path(index)).parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, part_path(index))
        yield {
            "rules": [], "n_records": table.num_rows, "n_rows": table.num_rows, "path": part_path(index),
            "ids": table.column("id").to_pylist(),
            **{name: table.column(name).to_numpy(zero_copy_only=False).astype(np.float64)
               for name in ("inc_angle", LABEL_COLUMN, "x", "y")},
            "crs": table.column("crs").to_pylist(),
        }


def _lon_lat(xs: np.ndarray, ys: np.ndarray, crs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions in OGC:CRS84 (NaN where a row has none)."""
    from pyproj import Transformer

    lon, lat = np.full(len(xs), np.nan), np.full(len(xs), np.nan)
    for code in {c for c in crs if c}:
        rows = (crs == code) & np.isfinite(xs) & np.isfinite(ys)
        transformer = Transformer.from_crs(code, "OGC:CRS84", always_xy=True)
        lon[rows], lat[rows] = transformer.transform(xs[rows], ys[rows])
    return lon, lat


def _wkb_points(lon: np.ndarray, lat: np.ndarray):
    """WKB points (null where the position is unknown), as a pyarrow binary array."""
    import pyarrow as pa
    import shapely

    located = np.isfinite(lon) & np.isfinite(lat)
    wkb = [None] * len(lon)
    for index, blob in zip(np.flatnonzero(located), shapely.to_wkb(shapely.points(lon[located], lat[located])), strict=True):
        wkb[index] = blob
    return pa.array(wkb, pa.binary())


def write_version(partitions: list[dict], staging: Path, mode: str, third: str, source: str, description: str = "",
                  pixel_size_m: float | None = None) -> dict:
    """Merge computed partitions into ``staging`` (data.parquet + metadata.json) after the group-wide
    rules (unique ids); raises :class:`FeatureValidationError` (writing nothing) when STRICT fails
    or nothing is left. Returns the metadata, without a version number (see ``publish``)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    if mode not in ("STRICT", "WARNING"):
        raise ValueError(f"validation mode {mode!r} must be STRICT or WARNING")
    n_records = sum(p["n_records"] for p in partitions)
    if n_records == 0:
        raise FeatureValidationError("no records to insert; the source is empty", {"mode": mode, "n_records": 0, "n_written": 0, "rules": []})
    rules = _Rules()
    for partition in partitions:
        rules.merge(partition["rules"])
    ids = [i for p in partitions for i in p["ids"]]
    seen: set[str] = set()
    unique = np.ones(len(ids), dtype=bool)
    for i, value in enumerate(ids):
        if value in seen:
            unique[i] = False
            rules.fail("UNIQUE", "id", value)
        seen.add(value)
    n_kept = int(unique.sum())
    failures = rules.as_list()
    report = {"mode": mode, "n_records": n_records, "n_written": n_kept if mode == "WARNING" else n_records,
              "rules": [asdict(r) for r in failures]}
    if failures and mode == "STRICT":
        summary = "; ".join(f"{r.rule} on {r.column}: {r.failing} record(s), e.g. {', '.join(r.examples[:3])}" for r in failures)
        raise FeatureValidationError(
            f"{sum(r.failing for r in failures)} rule failure(s) ({summary}); nothing was written. Fix the data, "
            "or insert in WARNING mode to keep the sound rows",
            report,
        )
    if n_kept == 0:
        raise FeatureValidationError("no record passed the structural rules; nothing was written", report)

    def gathered(key: str) -> np.ndarray:
        return np.concatenate([np.asarray(p[key], dtype=np.float64) for p in partitions])[unique]

    angles, labels = gathered("inc_angle"), gathered(LABEL_COLUMN)
    known = angles[np.isfinite(angles)]
    fill = float(np.median(known)) if known.size else DEFAULT_INC_FILL_DEG
    labelled = labels[np.isfinite(labels)]
    xs, ys = gathered("x"), gathered("y")
    crs = np.asarray([c for p in partitions for c in p["crs"]], dtype=object)[unique]
    geo, lon, lat = None, None, None
    located = np.zeros(n_kept, dtype=bool)
    if np.isfinite(xs).any():
        lon, lat = _lon_lat(xs, ys, crs)
        located = np.isfinite(lon) & np.isfinite(lat)
    if located.any():
        bbox = [float(lon[located].min()), float(lat[located].min()), float(lon[located].max()), float(lat[located].max())]
        # No "crs" member: GeoParquet's default, OGC:CRS84 (lon/lat on WGS 84).
        geo = {"version": "1.1.0", "primary_column": "geometry",
               "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["Point"], "bbox": bbox}}}

    # Rewrite the partitions into one file, one partition in memory at a time.
    staging.mkdir(parents=True, exist_ok=True)
    writer = None
    start = 0  # position of this partition's first row among all rows
    kept_so_far = 0
    try:
        for partition in partitions:
            table = partition["table"] if "table" in partition else pq.read_table(partition["path"])
            keep = unique[start : start + partition["n_rows"]]
            start += partition["n_rows"]
            table = table.filter(pa.array(keep))
            position = table.column_names.index("inc_angle")
            table = table.set_column(position, "inc_angle", pc.fill_null(table.column("inc_angle"), fill))
            if geo is not None:
                rows = slice(kept_so_far, kept_so_far + table.num_rows)
                table = table.append_column("geometry", _wkb_points(lon[rows], lat[rows]))
                table = table.replace_schema_metadata({**(table.schema.metadata or {}), b"geo": json.dumps(geo).encode()})
            kept_so_far += table.num_rows
            if writer is None:
                writer = pq.ParquetWriter(staging / "data.parquet", table.schema)
            writer.write_table(table, row_group_size=1024)
    finally:
        if writer is not None:
            writer.close()
    metadata = {
        "created_at": utc_now(), "source": source, "description": description,
        "pixel_size_m": pixel_size_m,
        "n_rows": n_kept, "third_channel": third, "inc_angle_fill_deg": fill,
        "n_inc_angle_missing": int(np.sum(~np.isfinite(angles))),
        "n_labelled": int(len(labelled)), **{f"n_{key}": n for key, n in _counts(labelled).items()},
        "geo": geo is not None, "n_located": int(located.sum()), "n_partitions": len(partitions),
        "validation": report,
    }
    (staging / "metadata.json").write_text(json.dumps(metadata, indent=2))
    return metadata


class VersionedStore:
    """Named things with immutable numbered versions ``<root>/<name>/v0001/`` (metadata.json beside
    the data), staged elsewhere and published by one atomic rename."""

    kind = "item"
    name_key = "name"
    missing: type[UnknownVersion] = UnknownVersion

    def __init__(self, root: Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def _dir(self, name: str) -> Path:
        if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
            raise ValueError(f"{self.kind} name {shown(name)} must be lower-case letters, digits and '_', starting with a letter")
        return self.root / name

    def names(self) -> list[str]:
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and NAME_PATTERN.fullmatch(p.name))

    def versions(self, name: str) -> list[dict]:
        return [json.loads((self.path(name, n) / "metadata.json").read_text()) for n in self._numbers(name)]

    def _numbers(self, name: str) -> list[int]:
        return sorted(int(p.parent.name[1:]) for p in self._dir(name).glob("v[0-9]*/metadata.json"))

    def get(self, name: str, version: int | None = None) -> dict:
        """Metadata of a version (the newest when ``version`` is None); reads that version only."""
        numbers = self._numbers(name)
        if not numbers:
            raise self.missing(f"{self.kind} {name!r} has no version yet; known: {', '.join(self.names()) or 'none'}")
        chosen = numbers[-1] if version is None else version
        if chosen not in numbers:
            raise self.missing(f"{self.kind} {name!r} has no version {version}; versions: {', '.join(map(str, numbers))}")
        return json.loads((self.path(name, chosen) / "metadata.json").read_text())

    def path(self, name: str, version: int) -> Path:
        return self._dir(name) / f"v{version:04d}"

    def staging_dir(self, token: str | None = None) -> Path:
        return self.root / ".staging" / (token or uuid.uuid4().hex)

    def publish(self, name: str, staging: Path, **extra) -> dict:
        """Give the staged version the next number and move it into place; returns its metadata."""
        directory = self._dir(name)
        with self._lock:
            directory.mkdir(parents=True, exist_ok=True)
            number = 1 + max((int(p.name[1:]) for p in directory.glob("v[0-9]*")), default=0)
            metadata = json.loads((staging / "metadata.json").read_text()) | {self.name_key: name, "version": number} | extra
            (staging / "metadata.json").write_text(json.dumps(metadata, indent=2))
            os.replace(staging, directory / f"v{number:04d}")
        return metadata


class FeatureStore(VersionedStore):
    kind = "feature group"
    name_key = "group"
    missing = UnknownFeatureGroup

    def insert(self, group: str, records: list[dict], mode: str = "STRICT", third: str = "band_avg", source: str = "",
               partition_size: int = 512) -> dict:
        """Validate and write a new version in this process (the job runs the same steps on Dask)."""
        self._dir(group)
        partitions = [compute_partition(records[i : i + partition_size], third) for i in range(0, len(records), partition_size)]
        staging = self.staging_dir()
        try:
            write_version(partitions, staging, mode, third, source)
            return self.publish(group, staging)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def read(self, group: str, version: int | None = None):
        """(pyarrow table, metadata) of a version (the newest when ``version`` is None)."""
        import pyarrow.parquet as pq

        metadata = self.get(group, version)
        return pq.read_table(self.path(group, metadata["version"]) / "data.parquet"), metadata


# ---------------------------------------------------------------------------------------------
# Training datasets


def normalisation_of(table, rows: np.ndarray, batch: int = 1024) -> Normalisation:
    """``Normalisation.fit`` of ``rows`` of a feature table, read ``batch`` rows at a time."""
    import pyarrow as pa

    from .data import arrays_from_table

    return Normalisation.fit_batches(
        arrays_from_table(table.take(pa.array(rows[start : start + batch]))) for start in range(0, len(rows), batch)
    )


def _counts(labels: np.ndarray) -> dict:
    """Labelled rows per class, keyed by the plural used in reports (ships, icebergs, clutter)."""
    return {name: int(np.sum(labels == c.index)) for name, c in
            (("ships", ClassName.SHIP), ("icebergs", ClassName.ICEBERG), ("clutter", ClassName.CLUTTER))}


def build_split(table, validation_fraction: float, test_fraction: float, k_folds: int | None, seed: int) -> dict:
    """Assign each labelled row to train/validation/test (or a fold / test) and compute each
    training part's normalisation. Raises :class:`DatasetUnusable` when a part would lack a class."""
    import pyarrow as pa

    labels = table_labels(table)
    labelled = np.flatnonzero(~np.isnan(labels))
    n_unlabelled = table.num_rows - len(labelled)
    classes = _counts(labels[labelled])
    minimum = max(2, k_folds or 0) + (1 if test_fraction > 0 else 0)
    clutter_left_out = 0
    if 0 < classes["clutter"] < minimum:
        # Too few clutter patches to stratify: the dataset is a ship/iceberg one and says so.
        clutter_left_out, classes["clutter"] = classes["clutter"], 0
        labelled = labelled[labels[labelled] != ClassName.CLUTTER.index]
    present = [n for key, n in classes.items() if key != "clutter" or n]
    if min(present) < minimum:
        raise DatasetUnusable(
            f"the feature group version has {classes['ships']} labelled ship(s), {classes['icebergs']} iceberg(s) and "
            f"{classes['clutter']} clutter patch(es) ({n_unlabelled} unlabelled); this split needs at least {minimum} "
            "of each class it holds (ships and icebergs always). Add labelled patches "
            "of the missing class, or ask for fewer folds"
        )
    parts = np.full(table.num_rows, "", dtype=object)
    folds = np.full(table.num_rows, -1, dtype=np.int64)
    rest = labelled
    if test_fraction > 0:
        keep, test = stratified_split(labels[labelled], test_fraction, seed)
        parts[labelled[test]] = "test"
        rest = labelled[keep]
    if k_folds:
        fold = stratified_folds(labels[rest], k_folds, seed + 1)
        folds[rest] = fold
        parts[rest] = "fold"
        training_parts = {f"fold_{k}": rest[fold != k] for k in range(k_folds)}
        counts = {f"fold_{k}": _counts(labels[rest[fold == k]]) for k in range(k_folds)}
    else:
        train, validation = stratified_split(labels[rest], validation_fraction, seed + 1)
        parts[rest[train]], parts[rest[validation]] = "train", "validation"
        training_parts = {"train": rest[train]}
        counts = {"train": _counts(labels[rest[train]]), "validation": _counts(labels[rest[validation]])}
    if test_fraction > 0:
        counts["test"] = _counts(labels[parts == "test"])
    normalisation = {key: asdict(normalisation_of(table, np.sort(rows))) for key, rows in training_parts.items()}
    chosen = parts != ""
    split = pa.table({
        "id": table.column("id").filter(pa.array(chosen)),
        "part": pa.array(parts[chosen].tolist(), pa.string()),
        "fold": pa.array(folds[chosen], pa.int16()),
    })
    return {"split": split, "counts": counts, "normalisation": normalisation, "n_unlabelled_left_out": n_unlabelled,
            "n_clutter_left_out": clutter_left_out}


def stage_training_dataset(staging: Path, split: dict, metadata: dict) -> None:
    """Write a split (see :func:`build_split`) and its metadata to a staging folder."""
    import pyarrow.parquet as pq

    staging.mkdir(parents=True, exist_ok=True)
    pq.write_table(split["split"], staging / "split.parquet")
    full = metadata | {"created_at": utc_now(), "counts": split["counts"], "normalisation": split["normalisation"],
                       "n_unlabelled_left_out": split["n_unlabelled_left_out"],
                       "n_clutter_left_out": split["n_clutter_left_out"]}
    (staging / "metadata.json").write_text(json.dumps(full, indent=2))


class TrainingDatasets(VersionedStore):
    kind = "training dataset"
    name_key = "name"
    missing = UnknownTrainingDataset

    def split(self, metadata: dict, fold: int | None) -> dict:
        """Ids of a version's parts from one read of its split: ``train``, ``validation`` and ``test``
        (empty without a test part), the ``fold`` used (k folds: ``fold``'s rows validate, the
        other folds train; default 0) and the ``normalisation`` of that training part."""
        import pyarrow.parquet as pq

        name, version = metadata[self.name_key], metadata["version"]
        split = pq.read_table(self.path(name, version) / "split.parquet")
        ids = np.asarray(split.column("id").to_pylist(), dtype=object)
        part = np.asarray(split.column("part").to_pylist(), dtype=object)
        k = metadata.get("k_folds")
        if k:
            chosen = 0 if fold is None else fold
            if chosen >= k:
                raise UnknownTrainingDataset(f"training dataset {name!r} v{version} has {k} folds (0-{k - 1}), not fold {fold}")
            folds = split.column("fold").to_numpy()
            train, validation, key = (part == "fold") & (folds != chosen), folds == chosen, f"fold_{chosen}"
        else:
            if fold is not None:
                raise UnknownTrainingDataset(
                    f"training dataset {name!r} v{version} is a train/validation split, not k folds; leave 'fold' out"
                )
            chosen, train, validation, key = None, part == "train", part == "validation", "train"
        return {"train": list(ids[train]), "validation": list(ids[validation]), "test": list(ids[part == "test"]),
                "fold": chosen, "normalisation": metadata["normalisation"][key]}
