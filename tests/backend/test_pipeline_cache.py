"""The pipelines' stage cache under the retention policy (age and size, least recently used
first), the gate's verdict, and the pipeline's parameters as the contract checks them."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from icesight_backend.jobs.pipelines import INCOMPLETE_GRACE_S, StageCache, cache_root, gate_checks
from icesight_backend.service import apply_retention
from icesight_backend.store import JobStore
from icesight_contract import (
    ContractError,
    FeatureGroupRef,
    HeldOutMetrics,
    TrainPipelineParams,
    from_dict,
)

DAY = 86400.0


def _entry(cache: StageCache, key: str, size: int, age_days: float) -> None:
    cache.put(key, {"summary": key}, [{"name": "out.bin", "media_type": "application/octet-stream", "role": "x",
                                       "data": b"x" * size}])
    when = time.time() - age_days * DAY
    os.utime(cache.root / key / "stage.json", (when, when))


def test_entries_unused_for_longer_than_the_age_go_and_reading_an_entry_renews_it(tmp_path):
    cache = StageCache(tmp_path / "cache")
    _entry(cache, "old", 10, age_days=40)
    _entry(cache, "older_but_read", 10, age_days=50)
    _entry(cache, "recent", 10, age_days=1)
    meta, [item] = cache.load("older_but_read")  # a run reuses it: it counts as used now
    assert meta["summary"] == "older_but_read" and item["data"] == b"x" * 10
    report = cache.prune(older_than_days=30)
    assert report.entries_removed == 1 and report.bytes_freed > 10
    assert cache.get("old") is None and cache.get("older_but_read") is not None and cache.get("recent") is not None


def test_the_least_recently_used_entries_go_until_the_cache_fits(tmp_path):
    cache = StageCache(tmp_path / "cache")
    for key, age in (("a", 5), ("b", 4), ("c", 3), ("d", 2)):
        _entry(cache, key, 1000, age_days=age)
    one = sum(p.stat().st_size for p in (cache.root / "a").iterdir())
    dry = cache.prune(max_total_bytes=2 * one, dry_run=True)
    assert dry.entries_removed == 2 and all(cache.get(k) is not None for k in "abcd")
    report = cache.prune(max_total_bytes=2 * one)
    assert (report.entries_removed, report.bytes_freed, report.bytes_kept) == (2, 2 * one, 2 * one)
    assert [k for k in "abcd" if cache.get(k) is not None] == ["c", "d"]


def test_a_write_that_never_completed_is_removed_after_a_grace_period(tmp_path):
    cache = StageCache(tmp_path / "cache")
    stale, fresh = cache.root / ".k1-abc", cache.root / ".k2-def"
    for folder in (stale, fresh):
        folder.mkdir()
        (folder / "part.bin").write_bytes(b"y" * 100)
    then = time.time() - 2 * INCOMPLETE_GRACE_S
    os.utime(stale, (then, then))
    assert cache.prune().entries_removed == 1 and not stale.exists() and fresh.exists()


def test_a_pruned_entry_reads_as_missing(tmp_path):
    cache = StageCache(tmp_path / "cache")
    _entry(cache, "k", 10, age_days=0)
    (cache.root / "k" / "out.bin").unlink()  # removed while a run reads the entry
    assert cache.load("k") is None


def test_the_retention_policy_and_the_prune_command_cover_the_stage_cache(tmp_path):
    data = tmp_path / "data"
    store = JobStore(data)
    cache = StageCache(cache_root(data))
    _entry(cache, "stale", 500, age_days=100)
    _entry(cache, "fresh", 500, age_days=0)
    jobs, pruned = apply_retention(store, older_than_days=90, max_total_bytes=None, dry_run=True)
    assert jobs.jobs_removed == 0 and pruned.entries_removed == 1
    assert (cache.root / "stale" / "stage.json").is_file()  # looked at without reading: still unused
    store.close()
    command = [sys.executable, "-m", "icesight_backend.cli", "prune", "--data-dir", str(data), "--retention-days", "90"]
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=300).stdout
    assert "removed 1 pipeline stage(s)" in out
    assert cache.get("stale") is None and cache.get("fresh") is not None


def test_the_gate_says_which_metric_missed_and_by_how_much():
    params = TrainPipelineParams(dataset_name="td", feature_group=FeatureGroupRef("g"), min_test_accuracy=0.9,
                                 min_test_roc_auc=0.95, max_test_log_loss=0.3)
    metrics = HeldOutMetrics(log_loss=0.42, accuracy=0.86, roc_auc=0.97, ece=0.05, n=50)
    checks, message = gate_checks(params, metrics)
    by = {c.metric: c for c in checks}
    assert by["accuracy"].margin == pytest.approx(-0.04) and not by["accuracy"].passed
    assert by["roc_auc"].margin == pytest.approx(0.02) and by["roc_auc"].passed
    assert by["log_loss"].margin == pytest.approx(-0.12) and not by["log_loss"].passed
    assert "test accuracy 0.8600 is 0.0400 below the minimum 0.9" in message
    assert "test log loss 0.4200 is 0.1200 above the maximum 0.3" in message and "roc" not in message
    assert "not registered" in message
    checks, message = gate_checks(params, HeldOutMetrics(0.2, 0.95, 0.99, 0.01, 50))
    assert all(c.passed for c in checks) and "every gate holds" in message


@pytest.mark.parametrize(("document", "field"), [
    ({"dataset_name": "td"}, "features"),
    ({"dataset_name": "td", "feature_group": {"group": "g"}, "features": {"group": "g", "simulated": {"n_patches": 40}}},
     "features"),
    ({"dataset_name": "td", "feature_group": {"group": "g"}, "test_fraction": 0.6}, "test_fraction"),
    ({"dataset_name": "td", "feature_group": {"group": "g"}, "min_test_roc_auc": 1.2}, "min_test_roc_auc"),
    ({"dataset_name": "td", "feature_group": {"group": "g"}, "max_test_log_loss": 0.0}, "max_test_log_loss"),
    ({"dataset_name": "td", "feature_group": {"group": "g"}, "validation_fraction": 0.9}, "validation_fraction"),
    ({"dataset_name": "td", "feature_group": {"group": "g"}, "space": {"kernel_size": [75]}}, "space.kernel_size[0]"),
])
def test_pipeline_parameters_are_checked_as_the_jobs_they_become(document, field):
    with pytest.raises(ContractError) as caught:
        from_dict(TrainPipelineParams, document)
    assert caught.value.field == field
