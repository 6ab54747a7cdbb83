"""Durable job records (SQLite) and job artifact files under the data directory."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import uuid
from datetime import UTC, datetime
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
"""


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

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- records -------------------------------------------------------------------------------

    def create(self, kind: JobKind, params: dict) -> JobStatus:
        job_id = uuid.uuid4().hex[:16]
        now = utc_now()
        with self._lock:
            self._db.execute(
                "INSERT INTO jobs (id, kind, state, params, created_at, message) VALUES (?, ?, ?, ?, ?, ?)",
                (job_id, kind.value, JobState.QUEUED.value, json.dumps(params), now, "queued"),
            )
        return self.get(job_id)

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
        return None if row is None else json.loads(row[0])

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

    def fail_interrupted(self) -> int:
        """On start-up: jobs left queued or running by a previous process did not finish. Say so."""
        count = 0
        for status in self.list(limit=100000):
            if not status.state.is_final:
                count += self.mark_failed(
                    status.id,
                    ApiError(
                        ErrorCode.INTERRUPTED,
                        "the backend stopped while this job was running; submit it again",
                    ),
                )
        return count

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
