"""The third class, clutter: no target (sea-ice texture, ridges, sea spikes, azimuth ambiguities).

From the simulator through the feature store and training to what classification serves: a false
alarm must be able to come back as clutter instead of being forced into ship or iceberg.
"""

from __future__ import annotations

import numpy as np
import pytest

from icesight_backend.learning.data import arrays_from_simulation, table_labels
from icesight_backend.learning.feature_store import FeatureStore, FeatureValidationError, build_split
from icesight_backend.learning.outputs import CLUTTER, ICEBERG, SHIP, class_metrics, served_classes
from icesight_backend.learning.training import LoadedModel, TrainingConfig, classify_served, train_model
from icesight_backend.sar.simulation import local_contrast, simulate_patches
from icesight_contract import AcquisitionMode, ClassName, ContractError, PatchRecord, SimulatedPatchSet
from icesight_contract.features import BuildFeatureGroupParams


def test_clutter_patches_have_no_target_and_are_centred_on_their_brightest_spot():
    with_clutter = simulate_patches(120, seed=4, clutter_fraction=0.3)
    without = simulate_patches(120, seed=4)
    clutter = with_clutter.labels == CLUTTER
    assert 0.15 < clutter.mean() < 0.45
    assert all(t is None for t, c in zip(with_clutter.targets, clutter, strict=True) if c)
    assert all(t is not None for t, c in zip(with_clutter.targets, clutter, strict=True) if not c)
    # The ship/iceberg draw of each target patch does not depend on the clutter share.
    np.testing.assert_array_equal(with_clutter.labels[~clutter], without.labels[~clutter])
    ranks = []
    for i in np.flatnonzero(clutter):
        row, col = with_clutter.centre_px[i]
        assert max(abs(row - 37), abs(col - 37)) <= 2
        contrast = local_contrast(10 ** (with_clutter.band_1_db[i] / 10))
        # Centred on a spot that stands out from its surroundings, as a CFAR detection would be ...
        assert contrast[row, col] >= 1.5
        ranks.append(float(np.mean(contrast < contrast[row, col])))
    # ... and among the patch's brightest. The spot is the brightest within 12 px of the middle, so
    # a ridge or floe further out can outshine it: about one patch in a hundred ranks below 0.9.
    assert np.median(ranks) > 0.97 and np.mean(np.array(ranks) >= 0.9) >= 0.9


def test_patch_records_take_a_class_name_or_the_kaggle_label():
    bands = {"band_1": [-20.0] * 5625, "band_2": [-28.0] * 5625, "inc_angle": 35.0}
    assert PatchRecord(id="a", is_iceberg=1, **bands).label is ClassName.ICEBERG
    clutter = PatchRecord(id="b", label="clutter", **bands)
    assert clutter.label is ClassName.CLUTTER and clutter.is_iceberg is None and clutter.class_index == 2
    assert PatchRecord(id="c", label="ship", **bands).is_iceberg == 0
    with pytest.raises(ContractError, match="contradicts"):
        PatchRecord(id="d", label="ship", is_iceberg=1, **bands)
    with pytest.raises(ContractError, match="ship, iceberg, clutter"):
        PatchRecord(id="e", label="boat", **bands)
    with pytest.raises(ContractError, match="clutter_fraction"):
        SimulatedPatchSet(clutter_fraction=0.9)
    params = BuildFeatureGroupParams(group="g", patches_job_id="j1", labels={"t1": "clutter", "t2": 1})
    assert params.labels["t1"] == "clutter"
    with pytest.raises(ContractError, match=r"labels\.t3"):
        BuildFeatureGroupParams(group="g", patches_job_id="j1", labels={"t3": "maybe"})


def test_the_feature_store_keeps_clutter_labels_and_splits_all_three_classes(tmp_path, patch_record):
    rng = np.random.default_rng(3)
    records = [patch_record(f"p{i}", rng, label=["ship", "iceberg", "clutter"][i % 3]) for i in range(30)]
    store = FeatureStore(tmp_path)
    meta = store.insert("with_clutter", records)
    assert (meta["n_ships"], meta["n_icebergs"], meta["n_clutter"]) == (10, 10, 10)
    table, _ = store.read("with_clutter")
    np.testing.assert_array_equal(table_labels(table), np.arange(30) % 3)
    # The Kaggle column stays 0/1 for targets and null for clutter, for readers of that format.
    assert table.column("is_iceberg").to_pylist()[:3] == [0, 1, None]
    split = build_split(table, 0.3, 0.0, None, seed=1)
    assert split["counts"]["validation"]["clutter"] >= 2 and split["counts"]["train"]["clutter"] >= 5
    bad = [patch_record("x", rng, label="iceberg", is_iceberg=0)]
    with pytest.raises(FeatureValidationError) as caught:
        store.insert("with_clutter", bad)
    assert "LABEL_IN_SET" in str(caught.value.report)
    assert store.get("with_clutter")["version"] == 1  # nothing written


def test_a_version_written_before_the_clutter_class_still_reads(tmp_path, patch_record):
    import pyarrow.parquet as pq

    store = FeatureStore(tmp_path)
    store.insert("old", [patch_record(f"p{i}", is_iceberg=i % 2) for i in range(6)])
    path = store.path("old", 1) / "data.parquet"
    table = pq.read_table(path)
    pq.write_table(table.drop(["label"]), path)  # as the store wrote it before
    old, _ = store.read("old")
    np.testing.assert_array_equal(table_labels(old), np.arange(6) % 2)


def test_class_metrics_score_the_target_decision_and_the_clutter_output_apart():
    labels = np.array([SHIP, ICEBERG, CLUTTER, CLUTTER, SHIP, ICEBERG], dtype=float)
    iceberg = np.array([0.1, 0.9, 0.5, 0.5, 0.2, 0.3])
    clutter = np.array([0.1, 0.2, 0.9, 0.4, 0.7, 0.1])
    m = class_metrics(labels, iceberg, clutter)
    # Ship/iceberg figures use the four target patches only: three of four right.
    assert m["accuracy"] == pytest.approx(0.75)
    np.testing.assert_array_equal(served_classes(iceberg, clutter), [SHIP, ICEBERG, CLUTTER, ICEBERG, CLUTTER, SHIP])
    assert m["class_accuracy"] == pytest.approx(3 / 6)
    assert m["clutter_auc"] == pytest.approx(0.875)
    assert m["class_confusion"][CLUTTER] == [0, 1, 1]
    assert m["selection_loss"] > m["log_loss"]


def test_a_model_trained_with_clutter_sends_clutter_back_as_clutter():
    arrays = arrays_from_simulation(simulate_patches(600, AcquisitionMode.IW, seed=23, clutter_fraction=0.3))
    trained = train_model(arrays, TrainingConfig(epochs=6, seed=2))
    metrics = trained.metrics
    assert metrics.classes == ["ship", "iceberg", "clutter"]
    assert metrics.val_clutter_auc > 0.85 and metrics.val_class_accuracy > 0.6  # chance: about 0.35
    assert "target_temperature" in trained.calibration
    loaded = LoadedModel.from_bytes(trained.to_bytes())
    test = arrays_from_simulation(simulate_patches(150, AcquisitionMode.IW, seed=99, clutter_fraction=0.3))
    served = classify_served(loaded, test)
    assert served.clutter is not None and served.clutter.shape == (150,)
    called = served.classes()
    is_clutter = test.labels == CLUTTER
    assert np.mean(called[is_clutter] == CLUTTER) > 0.6
    assert np.mean(called[~is_clutter] == CLUTTER) < 0.3
    # A two-class model (no clutter in training) serves no clutter probability.
    two = train_model(arrays_from_simulation(simulate_patches(120, AcquisitionMode.IW, seed=5)), TrainingConfig(epochs=1))
    assert two.metrics.classes == ["ship", "iceberg"] and classify_served(two.loaded(), test).clutter is None
