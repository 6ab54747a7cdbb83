"""Monitoring of the service: HTTP requests and their latency, jobs and workers, every prediction
(model, input summary, output), class balance over time, and drift of the inputs against each
model's training data.

Predictions are kept in ``<data-dir>/monitoring.sqlite3``; request counters live in memory (they
restart with the service, as Prometheus counters may). ``GET /monitoring`` gives JSON, ``GET
/metrics`` the Prometheus text format.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from icesight_contract import ClassName

from .learning.profile import FEATURE_LABELS, FEATURES, PSI_DRIFT, psi

#: Upper bounds of the request-latency histogram, in seconds (uploads of whole scenes take minutes).
LATENCY_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
#: Drift is measured on each model's most recent predictions, this many at most.
DRIFT_WINDOW = 1000
#: Fewer recent predictions than this give no drift figure (too few to bin).
DRIFT_MIN_PREDICTIONS = 30
#: Days of class balance reported.
BALANCE_DAYS = 14

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS predictions (
    at TEXT NOT NULL,
    source TEXT NOT NULL,
    model_id TEXT NOT NULL,
    patch_id TEXT NOT NULL,
    {", ".join(f"{f} REAL" for f in FEATURES)},
    iceberg_probability REAL NOT NULL,
    label TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS predictions_by_model ON predictions (model_id, at);
"""


#: The columns a prediction is written to, named: a table migrated by ``ALTER TABLE`` holds its
#: columns in another order than the schema lists them.
_COLUMNS = ("at", "source", "model_id", "patch_id", *FEATURES, "iceberg_probability", "label")


class Monitor:
    def __init__(self, data_dir: Path):
        self._db = sqlite3.connect(Path(data_dir) / "monitoring.sqlite3", check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # A power cut may lose the last predictions logged, never corrupt the file; each request is
        # spared a disk flush (3 ms here).
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        # A database written before a feature was added gets its column (NULL for the rows already
        # there, which the drift report skips): nothing logged is lost.
        present = {row[1] for row in self._db.execute("PRAGMA table_info(predictions)")}
        for feature in FEATURES:
            if feature not in present:
                try:
                    self._db.execute(f"ALTER TABLE predictions ADD COLUMN {feature} REAL")
                except sqlite3.OperationalError as exc:  # another service on the same directory added it first
                    if "duplicate column" not in str(exc):
                        raise
        self._lock = threading.Lock()
        self._requests: dict[tuple[str, str, int], int] = defaultdict(int)
        self._latency: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * (len(LATENCY_BUCKETS_S) + 1))
        self._latency_sum: dict[tuple[str, str], float] = defaultdict(float)
        self.started = time.time()

    # -- recording ------------------------------------------------------------------------------

    def record_request(self, method: str, route: str, status: int, seconds: float) -> None:
        bucket = next((i for i, bound in enumerate(LATENCY_BUCKETS_S) if seconds <= bound), len(LATENCY_BUCKETS_S))
        with self._lock:
            self._requests[(method, route, status)] += 1
            self._latency[(method, route)][bucket] += 1
            self._latency_sum[(method, route)] += seconds

    def record_predictions(self, source: str, rows: list[dict]) -> None:
        """Rows of ``model_id``, ``patch_id``, the :data:`FEATURES`, ``iceberg_probability``, ``label``."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        values = [(now, source, r["model_id"], r["patch_id"], *[_finite(r.get(f)) for f in FEATURES],
                   float(r["iceberg_probability"]), r["label"]) for r in rows]
        with self._lock:
            self._db.executemany(f"INSERT INTO predictions ({', '.join(_COLUMNS)}) VALUES "
                                 f"({', '.join('?' * len(_COLUMNS))})", values)

    # -- reporting ------------------------------------------------------------------------------

    def requests(self) -> list[dict]:
        with self._lock:
            counts = dict(self._requests)
            latency = {k: list(v) for k, v in self._latency.items()}
        out = []
        for (method, route), buckets in sorted(latency.items()):
            statuses = {str(s): n for (m, r, s), n in counts.items() if (m, r) == (method, route)}
            out.append({"method": method, "route": route, "count": sum(buckets), "statuses": statuses,
                        "p50_s": _quantile(buckets, 0.5), "p95_s": _quantile(buckets, 0.95)})
        return out

    def predictions(self, profiles: dict[str, dict]) -> list[dict]:
        """Per model: how many predictions, the class balance by day, and the drift of the recent
        inputs against ``profiles[model_id]`` (the model's training profile, when it has one)."""
        since = (datetime.now(UTC) - timedelta(days=BALANCE_DAYS)).date().isoformat()
        with self._lock:
            models = [r[0] for r in self._db.execute("SELECT DISTINCT model_id FROM predictions ORDER BY model_id")]
            report = []
            for model_id in models:
                total = self._db.execute("SELECT COUNT(*) FROM predictions WHERE model_id = ?", (model_id,)).fetchone()[0]
                balance = self._db.execute(
                    "SELECT substr(at, 1, 10) AS day, label, COUNT(*) FROM predictions WHERE model_id = ? AND at >= ? "
                    "GROUP BY day, label ORDER BY day", (model_id, since)).fetchall()
                recent = self._db.execute(
                    f"SELECT {', '.join(FEATURES)} FROM predictions WHERE model_id = ? ORDER BY at DESC LIMIT ?",
                    (model_id, DRIFT_WINDOW)).fetchall()
                report.append({"model_id": model_id, "n_predictions": total,
                               "class_balance": _by_day(balance), "drift": _drift(recent, profiles.get(model_id))})
        return report

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _finite(value) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def _quantile(buckets: list[int], q: float) -> float | None:
    """The upper bound of the histogram bucket holding quantile ``q``; None when there is no request
    yet or the quantile lies beyond the largest bound (JSON has no infinity)."""
    total = sum(buckets)
    running = 0
    for count, bound in zip(buckets, LATENCY_BUCKETS_S, strict=False):
        running += count
        if total and running >= q * total:
            return bound
    return None


def _by_day(rows: list[tuple]) -> list[dict]:
    days: dict[str, dict] = {}
    for day, label, count in rows:
        days.setdefault(day, {"day": day} | {c.value: 0 for c in ClassName})[label] = count
    return list(days.values())


def _drift(recent: list[tuple], profile: dict | None) -> dict:
    if not profile:
        return {"status": "no_reference", "message": "the model's record has no training profile (trained before monitoring)"}
    if len(recent) < DRIFT_MIN_PREDICTIONS:
        return {"status": "too_few", "message": f"{len(recent)} prediction(s); drift needs {DRIFT_MIN_PREDICTIONS}"}
    columns = np.asarray(recent, dtype=np.float64).T
    features = {}
    for name, values in zip(FEATURES, columns, strict=True):
        # A feature known for too few of the recent inputs (rows logged before it existed) is not judged.
        if name in profile and np.count_nonzero(np.isfinite(values)) >= DRIFT_MIN_PREDICTIONS:
            value = psi(profile[name], values)
            if value is not None:
                features[name] = {"psi": round(value, 4), "drift": value > PSI_DRIFT, "label": FEATURE_LABELS[name]}
    drifted = sorted(n for n, f in features.items() if f["drift"])
    return {"status": "drift" if drifted else "ok", "window": len(recent), "threshold_psi": PSI_DRIFT,
            "features": features, "drifted": drifted}


def prometheus(monitor: Monitor, jobs_by_state: dict[str, int], n_workers: int, predictions: list[dict]) -> str:
    """The Prometheus text exposition of the service's metrics."""
    lines = [
        "# HELP icesight_http_requests_total HTTP requests by method, route and status.",
        "# TYPE icesight_http_requests_total counter",
    ]
    with monitor._lock:
        counts = dict(monitor._requests)
        latency = {k: list(v) for k, v in monitor._latency.items()}
        sums = dict(monitor._latency_sum)
    for (method, route, status), n in sorted(counts.items()):
        lines.append(f'icesight_http_requests_total{{method="{method}",route="{route}",status="{status}"}} {n}')
    lines += ["# HELP icesight_http_request_duration_seconds HTTP request latency.",
              "# TYPE icesight_http_request_duration_seconds histogram"]
    for (method, route), buckets in sorted(latency.items()):
        running = 0
        for count, bound in zip(buckets, (*LATENCY_BUCKETS_S, "+Inf"), strict=True):
            running += count
            lines.append(f'icesight_http_request_duration_seconds_bucket{{method="{method}",route="{route}",le="{bound}"}} {running}')
        lines.append(f'icesight_http_request_duration_seconds_sum{{method="{method}",route="{route}"}} {sums[(method, route)]:.6f}')
        lines.append(f'icesight_http_request_duration_seconds_count{{method="{method}",route="{route}"}} {running}')
    lines += ["# HELP icesight_jobs Jobs by state.", "# TYPE icesight_jobs gauge"]
    lines += [f'icesight_jobs{{state="{state}"}} {n}' for state, n in sorted(jobs_by_state.items())]
    lines += ["# HELP icesight_dask_workers Dask workers connected.", "# TYPE icesight_dask_workers gauge",
              f"icesight_dask_workers {n_workers}",
              "# HELP icesight_predictions_total Predictions by model and class (last days kept).",
              "# TYPE icesight_predictions_total gauge",
              "# HELP icesight_input_drift_psi Population stability index of recent inputs against training.",
              "# TYPE icesight_input_drift_psi gauge"]
    for model in predictions:
        for label in (c.value for c in ClassName):
            n = sum(day[label] for day in model["class_balance"])
            lines.append(f'icesight_predictions_total{{model="{model["model_id"]}",label="{label}"}} {n}')
        for feature, value in model["drift"].get("features", {}).items():
            lines.append(f'icesight_input_drift_psi{{model="{model["model_id"]}",feature="{feature}"}} {value["psi"]}')
    return "\n".join(lines) + "\n"
