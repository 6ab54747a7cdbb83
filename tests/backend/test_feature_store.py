"""Feature groups: validation rules, STRICT/WARNING, versions, the "na" flag, atomic writes."""

from __future__ import annotations

import numpy as np
import pytest

from icesight_backend.learning.feature_store import FeatureStore, FeatureValidationError


def _records(patch_record, n: int = 6) -> list[dict]:
    rng = np.random.default_rng(2)
    out = [patch_record(f"p{i}", rng, is_iceberg=i % 2) for i in range(n)]
    out[0]["inc_angle"] = "na"
    return out


def test_insert_makes_versions_and_keeps_old_ones_readable(tmp_path, patch_record):
    store = FeatureStore(tmp_path)
    first = store.insert("davis_strait", _records(patch_record), source="test")
    second = store.insert("davis_strait", _records(patch_record, 4), third="band_diff")
    assert (first["version"], second["version"]) == (1, 2)
    table, meta = store.read("davis_strait", 1)
    assert meta["n_rows"] == 6 and table.num_rows == 6
    assert set(table.column_names) >= {"band_1", "band_2", "band_avg", "inc_angle", "inc_angle_missing", "is_iceberg"}
    band_1 = np.asarray(table["band_1"][1].as_py())
    band_avg = np.asarray(table["band_avg"][1].as_py())
    band_2 = np.asarray(table["band_2"][1].as_py())
    np.testing.assert_allclose(band_avg, (band_1 + band_2) / 2, atol=1e-4)
    # "na" is imputed with the median angle and flagged.
    assert table["inc_angle_missing"][0].as_py() is True and table["inc_angle"][0].as_py() == pytest.approx(38.5)
    newest, meta2 = store.read("davis_strait")
    assert meta2["version"] == 2 and "band_diff" in newest.column_names


def test_strict_rejects_and_writes_nothing_warning_writes_and_reports(tmp_path, patch_record):
    store = FeatureStore(tmp_path)
    records = _records(patch_record)
    records[2]["band_1"] = records[2]["band_1"][:100]  # wrong patch shape
    records[3]["band_2"][5] = 75.0  # above the dB sanity range
    records[4]["is_iceberg"] = 3  # not a label
    with pytest.raises(FeatureValidationError) as caught:
        store.insert("g", records, mode="STRICT")
    rules = {(r["rule"], r["column"]): r for r in caught.value.report["rules"]}
    assert rules[("PATCH_SHAPE", "band_1")]["examples"] == ["p2"]
    assert rules[("HAS_MAX", "band_2")]["failing"] == 1
    assert rules[("LABEL_IN_SET", "is_iceberg")]["examples"] == ["p4"]
    assert store.versions("g") == [] and not list((tmp_path / "g").glob(".staging*"))

    meta = store.insert("g", records, mode="WARNING")
    assert meta["n_rows"] == 4  # shape and label failures dropped; the out-of-range value kept and reported
    assert meta["validation"]["n_records"] == 6
    assert {r["rule"] for r in meta["validation"]["rules"]} == {"PATCH_SHAPE", "HAS_MAX", "LABEL_IN_SET"}
    assert store.versions("g")[0]["validation"] == meta["validation"]


def test_bad_requests_name_the_problem(tmp_path, patch_record):
    store = FeatureStore(tmp_path)
    with pytest.raises(ValueError, match="lower-case"):
        store.insert("../evil", _records(patch_record))
    with pytest.raises(ValueError, match="third channel"):
        store.insert("g", _records(patch_record), third="band_max")
    with pytest.raises(FeatureValidationError, match="no records"):
        store.insert("g", [])
    with pytest.raises(LookupError, match="no version"):
        store.read("g")
    store.insert("g", _records(patch_record))
    with pytest.raises(LookupError, match="versions: 1"):
        store.read("g", 7)


def test_partitions_merge_in_order_duplicates_dropped_and_positions_aligned(tmp_path, patch_record):
    """Across partitions: a repeated id is a UNIQUE failure (WARNING keeps the first), and every
    kept row keeps its own position in the GeoParquet geometry."""
    import geopandas as gpd
    from pyproj import Transformer

    rng = np.random.default_rng(4)
    records = [patch_record(f"q{i}", rng, is_iceberg=i % 2, x=100_000.0 * i, y=-2_000_000.0 + 1000 * i, crs="EPSG:3413")
               for i in range(7)]
    records[5]["id"] = "q1"  # the same id in the second partition
    records[6].pop("x"), records[6].pop("y"), records[6].pop("crs")  # a row without a position
    store = FeatureStore(tmp_path)
    with pytest.raises(FeatureValidationError, match="UNIQUE on id: 1 record"):
        store.insert("g", records, partition_size=4)
    meta = store.insert("g", records, mode="WARNING", partition_size=4)
    assert meta["n_rows"] == 6 and meta["n_partitions"] == 2 and meta["n_located"] == 5
    frame = gpd.read_parquet(store.path("g", 1) / "data.parquet")
    assert list(frame["id"]) == ["q0", "q1", "q2", "q3", "q4", "q6"]
    to_lonlat = Transformer.from_crs("EPSG:3413", "OGC:CRS84", always_xy=True)
    for _, row in frame.iloc[:5].iterrows():
        lon, lat = to_lonlat.transform(row["x"], row["y"])
        assert (row.geometry.x, row.geometry.y) == pytest.approx((lon, lat), abs=1e-9)
    assert frame.geometry.iloc[5] is None


def test_a_simulated_group_marks_its_nominal_patches_and_training_starts_on_them(tmp_path, patch_record):
    """The warm-up mark travels from the simulator through the feature group to the training arrays,
    so training from a feature group starts on the nominal patches as direct simulated training does."""
    import pyarrow.parquet as pq

    from icesight_backend.jobs.features import simulated_partition
    from icesight_backend.learning.data import arrays_from_table
    from icesight_backend.learning.feature_store import kept_rows_partitions
    from icesight_backend.sar.simulation import simulate_part
    from icesight_contract import SimulatedPatchSet

    spec = SimulatedPatchSet(n_patches=24, seed=3)  # half randomised by default
    table = simulated_partition(spec, 24, 0, "band_avg")["table"]
    nominal = ~simulate_part(spec, 24, 0).randomised
    assert 0 < nominal.sum() < 24
    assert table.column("warm_up").to_pylist() == nominal.tolist()
    assert np.array_equal(arrays_from_table(table).warm_up, nominal)
    # Reading rows by id keeps each row's own mark.
    ids = table.column("id").to_pylist()[::-1]
    assert np.array_equal(arrays_from_table(table, ids).warm_up, nominal[::-1])
    # An all-nominal set has no warm-up, so patches added to it later are never left out of one.
    for share in (0.0, 1.0):
        plain = simulated_partition(SimulatedPatchSet(n_patches=24, seed=3, randomised_fraction=share), 24, 0, "band_avg")
        assert not any(plain["table"].column("warm_up").to_pylist())

    # Records say warm_up themselves, as a boolean; anything else is refused and names the column.
    records = _records(patch_record, 4)
    records[1]["warm_up"] = True
    store = FeatureStore(tmp_path)
    store.insert("g", records)
    stored, _ = store.read("g")
    assert stored.column("warm_up").to_pylist() == [False, True, False, False]
    records[3]["warm_up"] = np.bool_(True)  # a mask computed with numpy
    FeatureStore(tmp_path / "np").insert("g", records)
    stored_np, _ = FeatureStore(tmp_path / "np").read("g")
    assert stored_np.column("warm_up").to_pylist() == [False, True, False, True]
    records[3]["warm_up"] = False
    records[2]["warm_up"] = "yes"
    with pytest.raises(FeatureValidationError) as caught:
        store.insert("g", records)
    assert [(r["rule"], r["column"], r["examples"]) for r in caught.value.report["rules"]] == [("HAS_DATATYPE", "warm_up", ["p2"])]
    assert len(store.versions("g")) == 1

    # A version written before the column marks no patch, and extending it keeps its rows.
    old = tmp_path / "old.parquet"
    pq.write_table(stored.drop(["warm_up"]), old)
    assert arrays_from_table(pq.read_table(old)).warm_up is None
    parts = list(kept_rows_partitions(old, {"p0"}, lambda i: str(tmp_path / f"part{i}.parquet")))
    kept = pq.read_table(parts[0]["path"])
    assert kept.column("id").to_pylist() == ["p1", "p2", "p3"] and kept.column("warm_up").to_pylist() == [False] * 3
