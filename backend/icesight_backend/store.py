"""Durable job records (SQLite) and job artifact files under the data directory.

Large job inputs (inline patches) are not kept in the rows: parameters over
:data:`INLINE_PARAMS_BYTES` are stored once as a content-addressed file (``inputs/<sha256>.json``)
and the row refers to it. Finished jobs and their artifacts are removed by :meth:`JobStore.prune`
(age and total size), which the service runs on a schedule and ``icesight prune`` runs by hand.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from icesight_contract import ApiError, Artifact, ErrorCode, JobKind, JobState, JobStatus, from_dict, to_dict

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    progress REAL NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '',
    params TEXT NOT NULL,
    result TEXT,
    error TEXT,
    artifacts TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT
);
CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT PRIMARY KEY,
    job_id TEXT NOT NULL,
    body_sha256 TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""

#: Parameters larger than this (as JSON) are stored as a content-addressed input file.
INLINE_PARAMS_BYTES = 64 * 1024


class IdempotencyConflict(ValueError):
    """An idempotency key was used before for a different request."""


@dataclass
class PruneReport:
    jobs_removed: int
    bytes_freed: int
    inputs_removed: int
    bytes_kept: int


#: Ids of stored records that name a folder (scenes, models): 1-128 letters, digits, '.', '_' or '-',
#: starting with a letter or digit (``fullmatch``).
RECORD_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class JobStore:
    """Job records in SQLite; artifacts as files in ``<data_dir>/jobs/<job_id>/``.

    State changes are guarded so that a final state is never overwritten (a job cancelled by the
    user stays cancelled even if its task finishes later).
    """

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self.jobs_dir = self.data_dir / "jobs"
        self.jobs_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.data_dir / "jobs.sqlite3", check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        self.inputs_dir = self.data_dir / "inputs"
        self.inputs_dir.mkdir(parents=True, exist_ok=True)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- records -------------------------------------------------------------------------------

    def create(self, kind: JobKind, params: dict, idempotency_key: str | None = None,
               body_sha256: str = "") -> tuple[JobStatus, bool]:
        """Store a new queued job; returns it and True. With an ``idempotency_key`` seen before for the
        same body, returns the job made then and False (for another body: :class:`IdempotencyConflict`)."""
        job_id = uuid.uuid4().hex[:16]
        now = utc_now()
        replayed = self._idempotent_job(idempotency_key)
        if replayed is not None:  # a key seen before: nothing new is stored, whatever the body
            return self._replay(idempotency_key, replayed, body_sha256)
        stored = self._store_params(params)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if idempotency_key is not None:
                    row = self._db.execute(
                        "SELECT job_id, body_sha256 FROM idempotency WHERE key = ?", (idempotency_key,)
                    ).fetchone()
                    if row is not None:
                        self._db.execute("COMMIT")
                        replayed = row
                    else:
                        self._db.execute(
                            "INSERT INTO idempotency (key, job_id, body_sha256, created_at) VALUES (?, ?, ?, ?)",
                            (idempotency_key, job_id, body_sha256, now))
                if replayed is None:
                    self._db.execute(
                        "INSERT INTO jobs (id, kind, state, params, created_at, message) VALUES (?, ?, ?, ?, ?, ?)",
                        (job_id, kind.value, JobState.QUEUED.value, stored, now, "queued"),
                    )
                    self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
        if replayed is not None:  # the key arrived meanwhile with another request
            return self._replay(idempotency_key, replayed, body_sha256)
        return self.get(job_id), True

    def replayed(self, idempotency_key: str | None, body_sha256: str) -> JobStatus | None:
        """The job an idempotency key made for this request before, None for a key not seen (raises
        :class:`IdempotencyConflict` for a key used for another request)."""
        row = self._idempotent_job(idempotency_key)
        return None if row is None else self._replay(idempotency_key, row, body_sha256)[0]

    def _idempotent_job(self, idempotency_key: str | None) -> tuple[str, str] | None:
        """(job id, body hash) of the job an idempotency key made, None for a key not seen."""
        if idempotency_key is None:
            return None
        with self._lock:
            return self._db.execute("SELECT job_id, body_sha256 FROM idempotency WHERE key = ?",
                                    (idempotency_key,)).fetchone()

    def _replay(self, idempotency_key: str, replayed: tuple[str, str], body_sha256: str) -> tuple[JobStatus, bool]:
        if replayed[1] != body_sha256:
            raise IdempotencyConflict(
                f"idempotency key {idempotency_key!r} was used for another request (job {replayed[0]}); "
                "use a new key for a new job"
            )
        return self.get(replayed[0]), False

    def _store_params(self, params: dict) -> str:
        text = json.dumps(params, separators=(",", ":"))
        if len(text) <= INLINE_PARAMS_BYTES:
            return text
        digest = hashlib.sha256(text.encode()).hexdigest()
        path = self.inputs_dir / f"{digest}.json"
        if not path.exists():
            partial = path.with_suffix(f".{uuid.uuid4().hex[:8]}.partial")
            partial.write_text(text)
            os.replace(partial, path)
        return json.dumps({"$input": digest})

    def _load_params(self, stored: str) -> dict:
        params = json.loads(stored)
        if isinstance(params, dict) and set(params) == {"$input"}:
            return json.loads((self.inputs_dir / f"{params['$input']}.json").read_text())
        return params

    def get(self, job_id: str) -> JobStatus | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, kind, state, progress, message, created_at, started_at, finished_at, error, result,"
                " artifacts FROM jobs WHERE id = ?",
                (job_id,),
            ).fetchone()
        return None if row is None else self._status(row)

    def params(self, job_id: str) -> dict | None:
        with self._lock:
            row = self._db.execute("SELECT params FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return None if row is None else self._load_params(row[0])

    def list(self, limit: int = 100, kind: JobKind | None = None) -> list[JobStatus]:
        """The newest jobs first, of one kind when ``kind`` is given (e.g. every search: the experiments)."""
        where, args = ("WHERE kind = ? ", (kind.value, limit)) if kind is not None else ("", (limit,))
        with self._lock:
            rows = self._db.execute(
                "SELECT id, kind, state, progress, message, created_at, started_at, finished_at, error, result,"
                f" artifacts FROM jobs {where}ORDER BY created_at DESC LIMIT ?",
                args,
            ).fetchall()
        return [self._status(r) for r in rows]

    def count_by_state(self) -> dict[str, int]:
        with self._lock:
            rows = self._db.execute("SELECT state, COUNT(*) FROM jobs GROUP BY state").fetchall()
        return {state.value: 0 for state in JobState} | dict(rows)

    @staticmethod
    def _status(row: tuple) -> JobStatus:
        error = from_dict(ApiError, json.loads(row[8])) if row[8] else None
        return JobStatus(
            id=row[0],
            kind=JobKind(row[1]),
            state=JobState(row[2]),
            progress=row[3],
            message=row[4],
            created_at=row[5],
            started_at=row[6],
            finished_at=row[7],
            error=error,
            result=json.loads(row[9]) if row[9] else None,
            artifacts=[from_dict(Artifact, a) for a in json.loads(row[10])],
        )

    def _update_if_active(self, job_id: str, assignments: str, values: tuple) -> bool:
        finals = tuple(s.value for s in JobState if s.is_final)
        with self._lock:
            cursor = self._db.execute(
                f"UPDATE jobs SET {assignments} WHERE id = ? AND state NOT IN ({','.join('?' * len(finals))})",
                (*values, job_id, *finals),
            )
        return cursor.rowcount == 1

    def mark_progress(self, job_id: str, progress: float, message: str) -> None:
        self._update_if_active(
            job_id,
            "state = ?, progress = ?, message = ?, started_at = COALESCE(started_at, ?)",
            (JobState.RUNNING.value, progress, message, utc_now()),
        )

    def mark_succeeded(self, job_id: str, result: dict, artifacts: list[Artifact]) -> bool:
        return self._update_if_active(
            job_id,
            "state = ?, progress = 1, message = 'done', result = ?, artifacts = ?, finished_at = ?",
            (JobState.SUCCEEDED.value, json.dumps(result), json.dumps(to_dict(artifacts)), utc_now()),
        )

    def mark_failed(self, job_id: str, error: ApiError) -> bool:
        return self._update_if_active(
            job_id,
            "state = ?, message = ?, error = ?, finished_at = ?",
            (JobState.FAILED.value, error.message, json.dumps(to_dict(error)), utc_now()),
        )

    def mark_cancelled(self, job_id: str, message: str = "cancelled by the user") -> bool:
        return self._update_if_active(
            job_id, "state = ?, message = ?, finished_at = ?", (JobState.CANCELLED.value, message, utc_now())
        )

    def unfinished(self) -> list[JobStatus]:
        """Jobs a previous process left queued or running, oldest first."""
        with self._lock:
            ids = [r[0] for r in self._db.execute(
                "SELECT id FROM jobs WHERE state IN (?, ?) ORDER BY created_at", (JobState.QUEUED.value, JobState.RUNNING.value)
            ).fetchall()]
        return [self.get(i) for i in ids]

    def requeue(self, job_id: str, message: str) -> bool:
        """Back to queued, as if never started (a job that is run again after a restart)."""
        return self._update_if_active(job_id, "state = ?, progress = 0, message = ?, started_at = NULL",
                                      (JobState.QUEUED.value, message))

    def mark_interrupted(self, job_id: str, message: str) -> bool:
        return self.mark_failed(job_id, ApiError(ErrorCode.INTERRUPTED, message))

    # -- retention -----------------------------------------------------------------------------

    def prune(self, older_than_days: float | None = None, max_total_bytes: int | None = None,
              dry_run: bool = False) -> PruneReport:
        """Remove finished jobs (record, artifacts) finished more than ``older_than_days`` ago, then the
        oldest finished ones until the artifacts take at most ``max_total_bytes``; queued and running
        jobs are never touched. Content-addressed inputs no job refers to any more go too."""
        finals = tuple(s.value for s in JobState if s.is_final)
        with self._lock:
            rows = self._db.execute(
                f"SELECT id, finished_at FROM jobs WHERE state IN ({','.join('?' * len(finals))}) ORDER BY finished_at",
                finals,
            ).fetchall()
        sizes = {p.name: _tree_bytes(p) for p in self.jobs_dir.iterdir() if p.is_dir()}  # one walk of the artifacts
        total = sum(sizes.values())
        cutoff = None if older_than_days is None else (datetime.now(UTC) - timedelta(days=older_than_days)).isoformat()
        doomed = []
        for job_id, finished_at in rows:
            too_old = cutoff is not None and (finished_at or "") < cutoff
            too_big = max_total_bytes is not None and total > max_total_bytes
            if too_old or too_big:
                doomed.append(job_id)
                total -= sizes.get(job_id, 0)
        freed = sum(sizes.get(j, 0) for j in doomed)
        if not dry_run:
            for job_id in doomed:
                with self._lock:
                    self._db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
                    self._db.execute("DELETE FROM idempotency WHERE job_id = ?", (job_id,))
                shutil.rmtree(self.artifact_dir(job_id), ignore_errors=True)
        inputs_removed = 0
        if not dry_run:
            with self._lock:
                referenced = {json.loads(r[0])["$input"] for r in self._db.execute(
                    "SELECT params FROM jobs WHERE params LIKE ?", ('{"$input"%',)).fetchall()}
            for path in self.inputs_dir.glob("*.json"):
                if path.stem not in referenced:
                    path.unlink(missing_ok=True)
                    inputs_removed += 1
        return PruneReport(len(doomed), freed, inputs_removed, total)

    # -- artifacts -----------------------------------------------------------------------------

    def artifact_dir(self, job_id: str) -> Path:
        return self.jobs_dir / job_id

    def write_artifacts(self, job_id: str, items: list[dict]) -> list[Artifact]:
        """Write artifact files atomically (temp name, then rename) and describe them."""
        directory = self.artifact_dir(job_id)
        directory.mkdir(parents=True, exist_ok=True)
        described = []
        for item in items:
            final = directory / item["name"]
            partial = directory / f".{item['name']}.partial"
            partial.write_bytes(item["data"])
            os.replace(partial, final)
            described.append(Artifact(item["name"], item["media_type"], len(item["data"]), item["role"]))
        return described

    def artifact_path(self, job_id: str, name: str) -> Path | None:
        status = self.get(job_id)
        if status is None or name not in {a.name for a in status.artifacts}:
            return None
        path = self.artifact_dir(job_id) / name
        return path if path.is_file() else None


def _tree_bytes(path: Path) -> int:
    if not path.exists():
        return 0
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
