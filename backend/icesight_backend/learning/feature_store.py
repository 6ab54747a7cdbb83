"""Feature groups: validated, versioned patch features in Parquet (the reference pipeline's feature store).

A feature group holds ``band_1`` (HH/co-pol dB), ``band_2`` (HV/cross-pol dB), a derived third
channel (``band_avg`` as in the reference; ``band_diff`` or ``band_mag`` as options), the incidence
angle (imputed where the Kaggle data says ``"na"``, with ``inc_angle_missing`` kept as a flag that
is never a model input: in that data every "na" is a ship), the label and the provenance.

Every insert is validated with rules equivalent to the reference's HAS_DATATYPE / HAS_MIN /
HAS_MAX / no-nulls, plus patch shape, finite values, a sigma0 dB sanity range and labels in {0, 1}.
STRICT rejects the insert when any rule fails and writes nothing; WARNING writes the rows that
are structurally sound (dropping the others) and keeps the report with the version. Versions are
immutable folders ``<root>/<group>/v0001/`` (``data.parquet`` + ``metadata.json``), published by an
atomic rename, so a failed insert never leaves a half-written version.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from icesight_contract import INC_ANGLE_MISSING, PATCH_PIXELS

from ..store import utc_now

THIRD_CHANNELS = ("band_avg", "band_diff", "band_mag")
SIGMA0_DB_RANGE = (-60.0, 40.0)  # sanity range: calibrated sea, ice, ships and bergs fall inside
INC_RANGE_DEG = (15.0, 50.0)
_GROUP = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class FeatureValidationError(ValueError):
    def __init__(self, message: str, report: dict):
        super().__init__(message)
        self.report = report


@dataclass
class RuleResult:
    rule: str
    column: str
    failing: int
    examples: list[str] = field(default_factory=list)  # record ids (or positions) that fail


def _is_number(value: Any) -> bool:
    return type(value) in (int, float)


def validate_records(records: list[dict]) -> tuple[list[RuleResult], np.ndarray]:
    """Check raw records; returns the rule results and a mask of structurally sound rows."""
    results: dict[tuple[str, str], RuleResult] = {}
    sound = np.ones(len(records), dtype=bool)

    def fail(rule: str, column: str, index: int, record: dict, hard: bool) -> None:
        result = results.setdefault((rule, column), RuleResult(rule, column, 0))
        result.failing += 1
        if len(result.examples) < 5:
            result.examples.append(str(record.get("id", f"#{index}")) if isinstance(record, dict) else f"#{index}")
        if hard:
            sound[index] = False

    for i, record in enumerate(records):
        if not isinstance(record, dict):
            fail("HAS_DATATYPE", "record", i, {}, True)
            continue
        if not isinstance(record.get("id"), str) or not record.get("id"):
            fail("NO_NULLS", "id", i, record, True)
        for band in ("band_1", "band_2"):
            values = record.get(band)
            if values is None:
                fail("NO_NULLS", band, i, record, True)
                continue
            if not isinstance(values, list) or not all(_is_number(v) for v in values):
                fail("HAS_DATATYPE", band, i, record, True)
                continue
            if len(values) != PATCH_PIXELS:
                fail("PATCH_SHAPE", band, i, record, True)
                continue
            array = np.asarray(values, dtype=np.float64)
            if not np.isfinite(array).all():
                fail("FINITE", band, i, record, True)
                continue
            if array.min() < SIGMA0_DB_RANGE[0]:
                fail("HAS_MIN", band, i, record, False)
            if array.max() > SIGMA0_DB_RANGE[1]:
                fail("HAS_MAX", band, i, record, False)
        inc = record.get("inc_angle")
        if inc is None:
            fail("NO_NULLS", "inc_angle", i, record, True)
        elif inc != INC_ANGLE_MISSING:
            if not _is_number(inc) or not math.isfinite(inc):
                fail("HAS_DATATYPE", "inc_angle", i, record, True)
            elif inc < INC_RANGE_DEG[0]:
                fail("HAS_MIN", "inc_angle", i, record, False)
            elif inc > INC_RANGE_DEG[1]:
                fail("HAS_MAX", "inc_angle", i, record, False)
        label = record.get("is_iceberg")
        if label is not None and label not in (0, 1):
            fail("LABEL_IN_SET", "is_iceberg", i, record, True)
    return list(results.values()), sound


def third_channel(band_1: np.ndarray, band_2: np.ndarray, kind: str) -> np.ndarray:
    if kind == "band_avg":
        return (band_1 + band_2) / 2.0
    if kind == "band_diff":
        return band_1 - band_2
    if kind == "band_mag":
        return np.sqrt(band_1**2 + band_2**2)
    raise ValueError(f"third channel {kind!r} is not one of {', '.join(THIRD_CHANNELS)}")


class FeatureStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def _group_dir(self, group: str) -> Path:
        if not _GROUP.match(group or ""):
            raise ValueError(f"feature group name {group!r} must be lower-case letters, digits and '_', starting with a letter")
        return self.root / group

    def versions(self, group: str) -> list[dict]:
        directory = self._group_dir(group)
        return [json.loads(p.read_text()) for p in sorted(directory.glob("v*/metadata.json"))]

    def insert(
        self,
        group: str,
        records: list[dict],
        mode: str = "STRICT",
        third: str = "band_avg",
        source: str = "",
    ) -> dict:
        """Validate and write a new version; returns its metadata (with the validation report)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if mode not in ("STRICT", "WARNING"):
            raise ValueError(f"validation mode {mode!r} must be STRICT or WARNING")
        if third not in THIRD_CHANNELS:
            raise ValueError(f"third channel {third!r} is not one of {', '.join(THIRD_CHANNELS)}")
        directory = self._group_dir(group)
        if not records:
            raise FeatureValidationError("no records to insert", {"rules": [], "n_records": 0})
        rules, sound = validate_records(records)
        report = {"mode": mode, "n_records": len(records), "n_written": int(sound.sum()) if mode == "WARNING" else len(records),
                  "rules": [asdict(r) for r in rules]}
        if rules and mode == "STRICT":
            worst = max(rules, key=lambda r: r.failing)
            raise FeatureValidationError(
                f"{sum(r.failing for r in rules)} rule failure(s), e.g. {worst.rule} on {worst.column} for "
                f"{worst.failing} record(s) ({', '.join(worst.examples)}); nothing was written. Fix the data, "
                "or insert in WARNING mode to keep the sound rows",
                report,
            )
        kept = [r for r, ok in zip(records, sound, strict=True) if ok]
        if not kept:
            raise FeatureValidationError("no record passed the structural rules; nothing was written", report)
        band_1 = np.asarray([r["band_1"] for r in kept], dtype=np.float32)
        band_2 = np.asarray([r["band_2"] for r in kept], dtype=np.float32)
        band_3 = third_channel(band_1, band_2, third).astype(np.float32)
        missing = np.asarray([r["inc_angle"] == INC_ANGLE_MISSING for r in kept])
        angles = np.asarray([np.nan if m else float(r["inc_angle"]) for r, m in zip(kept, missing, strict=True)])
        fill = float(np.nanmedian(angles)) if np.isfinite(angles).any() else 35.0
        columns = {
            "id": pa.array([r["id"] for r in kept], pa.string()),
            "band_1": pa.array(list(band_1), pa.list_(pa.float32(), PATCH_PIXELS)),
            "band_2": pa.array(list(band_2), pa.list_(pa.float32(), PATCH_PIXELS)),
            third: pa.array(list(band_3), pa.list_(pa.float32(), PATCH_PIXELS)),
            "inc_angle": pa.array(np.where(missing, fill, angles), pa.float64()),
            "inc_angle_missing": pa.array(missing, pa.bool_()),
            "is_iceberg": pa.array([r.get("is_iceberg") for r in kept], pa.int8()),
        }
        for name, kind in (("scene_id", pa.string()), ("row", pa.int32()), ("col", pa.int32()), ("x", pa.float64()),
                           ("y", pa.float64()), ("crs", pa.string())):
            columns[name] = pa.array([r.get(name) for r in kept], kind)
        table = pa.table(columns)
        with self._lock:
            directory.mkdir(parents=True, exist_ok=True)
            number = 1 + max((int(p.name[1:]) for p in directory.glob("v[0-9]*")), default=0)
            staging = directory / f".staging-v{number:04d}"
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir()
            try:
                pq.write_table(table, staging / "data.parquet")
                metadata = {
                    "group": group, "version": number, "created_at": utc_now(), "source": source,
                    "n_rows": table.num_rows, "third_channel": third, "inc_angle_fill_deg": fill,
                    "n_inc_angle_missing": int(missing.sum()),
                    "n_labelled": int(sum(r.get("is_iceberg") is not None for r in kept)),
                    "validation": report,
                }
                (staging / "metadata.json").write_text(json.dumps(metadata, indent=2))
                os.replace(staging, directory / f"v{number:04d}")
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        return metadata

    def read(self, group: str, version: int | None = None):
        """(pyarrow table, metadata) of a version (the newest when ``version`` is None)."""
        import pyarrow.parquet as pq

        versions = self.versions(group)
        if not versions:
            raise LookupError(f"feature group {group!r} has no version; insert records first")
        chosen = versions[-1] if version is None else next((v for v in versions if v["version"] == version), None)
        if chosen is None:
            known = ", ".join(str(v["version"]) for v in versions)
            raise LookupError(f"feature group {group!r} has no version {version}; versions: {known}")
        path = self._group_dir(group) / f"v{chosen['version']:04d}" / "data.parquet"
        return pq.read_table(path), chosen
