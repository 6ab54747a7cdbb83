"""The service's request monitor: its figures are JSON whatever the requests took."""

from __future__ import annotations

import json

import numpy as np

from icesight_backend.monitoring import LATENCY_BUCKETS_S, Monitor


def test_latency_quantiles_stay_json_beyond_the_largest_bucket(tmp_path):
    monitor = Monitor(tmp_path)
    monitor.record_request("POST", "/api/v1/uploads", 201, LATENCY_BUCKETS_S[-1] * 4)  # a slow upload
    for _ in range(3):
        monitor.record_request("GET", "/api/v1/health", 200, 0.003)
    by_route = {r["route"]: r for r in monitor.requests()}
    json.dumps(monitor.requests(), allow_nan=False)  # what the API's JSON answer needs
    assert by_route["/api/v1/uploads"]["p95_s"] is None and by_route["/api/v1/uploads"]["count"] == 1
    assert by_route["/api/v1/health"]["p50_s"] == LATENCY_BUCKETS_S[0]
    monitor.record_request("POST", "/api/v1/uploads", 201, 0.2)
    monitor.record_request("POST", "/api/v1/uploads", 201, 0.2)
    assert {r["route"]: r for r in monitor.requests()}["/api/v1/uploads"]["p50_s"] == 0.25
    monitor.close()


def _arrays(n: int, seed: int, **simulation):
    from icesight_backend.learning.data import arrays_from_simulation
    from icesight_backend.sar.simulation import simulate_patches

    return arrays_from_simulation(simulate_patches(n, seed=seed, **simulation))


def _features_of(n: int, seed: int, **simulation) -> dict:
    from icesight_backend.learning.profile import patch_features

    return patch_features(_arrays(n, seed, **simulation))


def test_the_input_profile_sees_the_speckle_and_the_sharpness_the_classifier_depends_on():
    from dataclasses import replace

    from icesight_backend.learning.data import arrays_from_simulation
    from icesight_backend.learning.profile import PSI_DRIFT, psi, reference_profile
    from icesight_backend.sar.simulation import (
        MODES,
        ClutterParams,
        PatchNuisance,
        nominal_impulse_response,
        simulate_patches,
    )
    from icesight_contract import AcquisitionMode
    from icesight_contract.common import DEFAULT_RANDOMISED_FRACTION

    training = dict(randomise=DEFAULT_RANDOMISED_FRACTION, clutter_fraction=0.2)
    profile = reference_profile(arrays_from_simulation(simulate_patches(400, seed=1, **training)))
    alike = _features_of(200, 2, **training)
    assert all(psi(profile[name], alike[name]) < PSI_DRIFT for name in ("hh_border_nv", "hh_peak_spread_px"))
    # Single-look speckle (the classifier falls to chance on it): the clutter's variance gives it away.
    single_look = _features_of(200, 2, nuisance=PatchNuisance(clutter=ClutterParams(looks=1.0)))
    assert abs(float(alike["hh_border_nv"].mean()) - 0.25) < 0.15 and single_look["hh_border_nv"].mean() > 0.8
    assert psi(profile["hh_border_nv"], single_look["hh_border_nv"]) > 4 * PSI_DRIFT
    # Targets drawn sharper or blurred (a product of another resolution): the peak's spread does.
    response = nominal_impulse_response(MODES[AcquisitionMode.EW])
    nominal = _features_of(200, 2, nuisance=PatchNuisance(impulse=response))
    for scale in (0.5, 2.0):
        sharp_or_blurred = _features_of(200, 2, nuisance=PatchNuisance(impulse=replace(response,
                                                                                       width_px=response.width_px * scale)))
        assert psi(profile["hh_peak_spread_px"], sharp_or_blurred["hh_peak_spread_px"]) > 4 * PSI_DRIFT
        # (the clutter's variance stays where the same patches' is with the nominal response)
        ratio = np.median(sharp_or_blurred["hh_border_nv"]) / np.median(nominal["hh_border_nv"])
        assert 0.8 < ratio < 1.25, (scale, ratio)


def test_a_monitoring_database_from_before_a_feature_keeps_its_rows_and_gains_the_column(tmp_path):
    import sqlite3

    from icesight_backend.learning.profile import FEATURES, patch_features, reference_profile

    old_features = FEATURES[:5]
    db = sqlite3.connect(tmp_path / "monitoring.sqlite3")
    db.execute(f"CREATE TABLE predictions (at TEXT NOT NULL, source TEXT NOT NULL, model_id TEXT NOT NULL, "
               f"patch_id TEXT NOT NULL, {', '.join(f'{f} REAL' for f in old_features)}, "
               "iceberg_probability REAL NOT NULL, label TEXT NOT NULL)")
    db.execute("INSERT INTO predictions VALUES ('2026-01-01T00:00:00+00:00', 'predict', 'm1', 'p0', -20, -28, 5, -10, 35, "
               "0.9, 'iceberg')")
    db.commit()
    db.close()
    monitor = Monitor(tmp_path)
    arrays = _arrays(40, 3)
    features = patch_features(arrays)
    rows = [{"model_id": "m1", "patch_id": f"p{i + 1}", **{f: float(features[f][i]) for f in FEATURES},
             "iceberg_probability": 0.2, "label": "ship"} for i in range(40)]
    monitor.record_predictions("predict", rows)
    profile = reference_profile(arrays)
    (model,) = monitor.predictions({"m1": profile})
    assert model["n_predictions"] == 41  # the row logged before the upgrade is still there
    # The new features are judged on the rows that have them; the old row's NULLs are left out.
    assert {"hh_border_nv", "hh_peak_spread_px"} <= set(model["drift"]["features"])
    # A feature known for fewer inputs than drift needs (here 35 rows without it) is not judged.
    unknown = [row | {"patch_id": f"q{i}", "hh_border_nv": None} for i, row in enumerate(rows[:35])]
    monitor.record_predictions("predict", unknown)
    (model,) = monitor.predictions({"m1": profile})
    assert "hh_border_nv" in model["drift"]["features"]  # 40 of the last 76 inputs have it
    (tmp_path / "other").mkdir()
    other = Monitor(tmp_path / "other")
    other.record_predictions("predict", [row | {"model_id": "m2"} for row in unknown])
    (fresh,) = other.predictions({"m2": profile})
    assert "hh_border_nv" not in fresh["drift"]["features"] and "hh_median_db" in fresh["drift"]["features"]
    other.close()
    stored = sqlite3.connect(tmp_path / "monitoring.sqlite3").execute(
        "SELECT hh_median_db, hh_border_nv, label FROM predictions WHERE patch_id = 'p0'").fetchone()
    assert stored == (-20.0, None, "iceberg")
    monitor.close()
