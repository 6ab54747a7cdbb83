"""Jobs survive restarts, repeat submissions are idempotent, large inputs are stored once, and the
retention policy removes old finished jobs: against real backend processes on 127.0.0.1."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time

import pytest
import requests
from distributed import Client, LocalCluster

from icesight_backend.catalog import SceneCatalog
from icesight_backend.launcher import BackendProcess
from icesight_backend.registry import ModelRegistry
from icesight_backend.service import JobManager
from icesight_backend.store import INLINE_PARAMS_BYTES, IdempotencyConflict, JobStore
from icesight_contract import API_PREFIX, JobKind, JobState

SMALL_SCENE = {"width_px": 128, "height_px": 128, "n_ships": 1, "n_icebergs": 1}


def _jobs(backend: BackendProcess):
    headers = {"Authorization": f"Bearer {backend.token}"}

    def post(body: dict, **kw) -> requests.Response:
        return requests.post(f"{backend.url}{API_PREFIX}/jobs", json=body, headers=headers | kw.pop("headers", {}), timeout=60)

    def get(job_id: str) -> requests.Response:
        return requests.get(f"{backend.url}{API_PREFIX}/jobs/{job_id}", headers=headers, timeout=60)

    def wait(job_id: str, timeout_s: float = 180.0) -> dict:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            status = get(job_id).json()
            if status["state"] in ("succeeded", "failed", "cancelled"):
                return status
            time.sleep(0.2)
        raise AssertionError(f"job {job_id} still {status['state']}")

    return post, get, wait


def test_queued_jobs_survive_a_restart_and_run_afterwards(tmp_path):
    data, config = tmp_path / "data", tmp_path / "config"
    idle = BackendProcess(data, config, extra_args=["--n-workers", "0"])
    idle.start(min_workers=0)
    try:
        post, get, _ = _jobs(idle)
        queued = [post({"kind": "simulate_scene", "params": SMALL_SCENE | {"seed": i}}).json()["id"] for i in range(3)]
        time.sleep(1.0)
        assert {get(j).json()["state"] for j in queued} == {"queued"}  # no worker: nothing runs
    finally:
        idle.stop(signal.SIGTERM)
    with BackendProcess(data, config) as again:
        _, _, wait = _jobs(again)
        finished = [wait(j) for j in queued]
        assert [f["state"] for f in finished] == ["succeeded"] * 3, finished
        # The retention command, run by hand beside the service, removes finished jobs and their files.
        command = [sys.executable, "-m", "icesight_backend.cli", "prune", "--data-dir", str(data), "--retention-days", "0"]
        dry = subprocess.run([*command, "--dry-run"], capture_output=True, text=True, check=True).stdout
        assert "would remove 3 finished job(s)" in dry and (data / "jobs" / queued[0]).is_dir()
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        assert "removed 3 finished job(s)" in out
        _, get, _ = _jobs(again)
        assert get(queued[0]).status_code == 404 and not (data / "jobs" / queued[0]).exists()


def test_a_job_running_at_a_crash_runs_again_after_the_restart(tmp_path):
    data, config = tmp_path / "data", tmp_path / "config"
    backend = BackendProcess(data, config).start()
    try:
        post, _, wait = _jobs(backend)
        running = post({"kind": "simulate_scene", "params": {"width_px": 3000, "height_px": 3000, "n_ships": 5,
                                                              "n_icebergs": 5, "seed": 3}}).json()["id"]
        deadline = time.monotonic() + 60
        while _jobs(backend)[1](running).json()["state"] != "running" and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        backend.stop(signal.SIGKILL)  # a crash, not a clean shutdown
    with BackendProcess(data, config) as again:
        _, get, wait = _jobs(again)
        final = wait(running, timeout_s=300)
        assert final["state"] == "succeeded", final
        assert final["result"]["width_px"] == 3000


def test_idempotency_keys_and_content_addressed_inputs(tmp_path, patch_record):
    data = tmp_path / "data"
    idle = BackendProcess(data, tmp_path / "config", extra_args=["--n-workers", "0"])
    idle.start(min_workers=0)
    try:
        post, get, _ = _jobs(idle)
        body = {"kind": "simulate_scene", "params": SMALL_SCENE}
        first = post(body, headers={"Idempotency-Key": "chart-2026-11-23-a"})
        again = post(body, headers={"Idempotency-Key": "chart-2026-11-23-a"})
        assert first.status_code == again.status_code == 202
        assert again.json()["id"] == first.json()["id"] and again.headers.get("Idempotent-Replayed") == "true"
        other = post({"kind": "simulate_scene", "params": SMALL_SCENE | {"seed": 9}}, headers={"Idempotency-Key": "chart-2026-11-23-a"})
        assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_conflict"
        assert post(body).json()["id"] != first.json()["id"]  # no key: a new job each time
        assert post(body, headers={"Idempotency-Key": ""}).status_code == 400

        patches = [patch_record(f"p{i}") for i in range(8)]
        jobs = [post({"kind": "classify_patches", "params": {"patches": patches, "model_id": None}}) for _ in range(2)]
        # No model registered: refused before anything is stored.
        assert {j.status_code for j in jobs} == {422}
        explain = [post({"kind": "explain_patches", "params": {"patches": patches}}) for _ in range(2)]
        assert {e.status_code for e in explain} == {422}
    finally:
        idle.stop()
    # Large inputs go through the store directly: one file for two identical inputs, small rows.
    store = JobStore(data)
    try:
        params = {"patches": [patch_record(f"q{i}") for i in range(8)]}
        a, _ = store.create(JobKind.CLASSIFY_PATCHES, params)
        b, _ = store.create(JobKind.CLASSIFY_PATCHES, params)
        assert store.params(a.id) == params == store.params(b.id)
        rows = sqlite3.connect(data / "jobs.sqlite3").execute("SELECT length(params) FROM jobs WHERE id IN (?, ?)",
                                                              (a.id, b.id)).fetchall()
        assert max(r[0] for r in rows) < 200 < INLINE_PARAMS_BYTES
        assert len(list((data / "inputs").glob("*.json"))) == 1
        # A key used again for another large input is refused, and that input is not stored.
        keyed, created = store.create(JobKind.CLASSIFY_PATCHES, params, idempotency_key="k1", body_sha256="a")
        assert created
        other = {"patches": [patch_record(f"r{i}") for i in range(8)]}
        with pytest.raises(IdempotencyConflict):
            store.create(JobKind.CLASSIFY_PATCHES, other, idempotency_key="k1", body_sha256="b")
        assert len(list((data / "inputs").glob("*.json"))) == 1
        replayed, created = store.create(JobKind.CLASSIFY_PATCHES, params, idempotency_key="k1", body_sha256="a")
        assert not created and replayed.id == keyed.id
    finally:
        store.close()


@pytest.fixture
def idle_client():
    with LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster, Client(cluster) as client:
        yield client


def test_recovery_reruns_what_may_run_again_and_says_why_the_rest_failed(tmp_path, idle_client):
    store = JobStore(tmp_path)
    try:
        queued, _ = store.create(JobKind.SIMULATE_SCENE, SMALL_SCENE)
        running, _ = store.create(JobKind.SIMULATE_SCENE, SMALL_SCENE | {"seed": 2})
        store.mark_progress(running.id, 0.4, "simulating clutter")
        search, _ = store.create(JobKind.SEARCH_HYPERPARAMETERS, {"training_dataset": {"name": "gone"}})
        store.mark_progress(search.id, 0.5, "trial 3 complete (4/8)")
        lost_scene, _ = store.create(JobKind.DETECT_TARGETS, {"scene_job_id": "does-not-exist"})
        manager = JobManager(idle_client, store, ModelRegistry(tmp_path), SceneCatalog(tmp_path))
        assert manager.recover() == {"requeued": 2, "failed": 2}
        assert store.get(queued.id).state is JobState.QUEUED
        rerun = store.get(running.id)
        assert rerun.state is JobState.QUEUED and rerun.started_at is None and "restarted" in rerun.message
        failed = store.get(search.id)
        assert failed.state is JobState.FAILED and failed.error.code.value == "interrupted"
        assert "trial 3 complete" in failed.error.message and "submit it again" in failed.error.message
        gone = store.get(lost_scene.id)
        assert gone.state is JobState.FAILED and "does-not-exist" in gone.error.message
    finally:
        store.close()
