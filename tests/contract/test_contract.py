"""The contract: every job kind's parameters and every result type survive a JSON round trip, and
bad documents are refused with the field named."""

from __future__ import annotations

import json

import pytest

from icesight_contract import (
    PARAMS_BY_KIND,
    RESULT_BY_KIND,
    AcquisitionMode,
    ApiError,
    Artifact,
    ClassifyPatchesParams,
    ClassifyPatchesResult,
    ClassName,
    ContractError,
    CutPatchesParams,
    CutPatchesResult,
    DetectTargetsParams,
    DetectTargetsResult,
    EpochMetrics,
    ErrorCode,
    IngestSceneParams,
    IngestSceneResult,
    JobKind,
    JobRequest,
    JobState,
    JobStatus,
    MapPoint,
    ModelArchitecture,
    ModelMetrics,
    PatchClassification,
    PatchRecord,
    SimulatedPatchSet,
    SimulateSceneParams,
    SimulateSceneResult,
    TrainModelParams,
    TrainModelResult,
    UnknownJobKind,
    from_dict,
    from_json,
    parse_job_request,
    to_dict,
    to_json,
)


def _patch(patch_record, **overrides) -> PatchRecord:
    return from_dict(PatchRecord, patch_record("p1", **overrides))


def example_params(patch_record) -> dict:
    patch = _patch(patch_record, x=100.0, y=-200.0, crs="EPSG:3413", is_iceberg=1)
    other = _patch(patch_record, id="p2", x=1.0, y=2.0, crs="EPSG:3413", is_iceberg=0)
    return {
        JobKind.SIMULATE_SCENE: SimulateSceneParams(mode=AcquisitionMode.IW, width_px=300, height_px=200, seed=5),
        JobKind.DETECT_TARGETS: DetectTargetsParams(scene_job_id="abc", pfa=1e-7, looks=4.4),
        JobKind.CUT_PATCHES: CutPatchesParams(scene_id="s1", points=[MapPoint("a", -56.0, 67.0)]),
        JobKind.INGEST_SCENE: IngestSceneParams(
            upload_id="0" * 32, scene_id="s1", mode=AcquisitionMode.IW, acquired="2026-03-01T08:15:00Z", inc_band=3
        ),
        JobKind.TRAIN_MODEL: TrainModelParams(
            architecture=ModelArchitecture.REFERENCE_CNN, epochs=3, simulated=SimulatedPatchSet(n_patches=40, seed=2)
        ),
        JobKind.CLASSIFY_PATCHES: ClassifyPatchesParams(patches=[patch, other], model_id="lenet-1"),
    }


def example_results() -> dict:
    metrics = ModelMetrics(0.3, 0.9, 0.95, 100, 25, [[10, 2], [1, 12]])
    return {
        JobKind.SIMULATE_SCENE: SimulateSceneResult("SIM", AcquisitionMode.EW, 10, 20, 40.0, "EPSG:3413", 3, 4, 19.5, 46.9),
        JobKind.DETECT_TARGETS: DetectTargetsResult("SIM", 12, "EPSG:3413", 40.0, 10.7, 1e-7),
        JobKind.CUT_PATCHES: CutPatchesResult("s1", 3, 1, {"b": "outside the scene"}),
        JobKind.INGEST_SCENE: IngestSceneResult("s1", 10, 20, 10.0, "EPSG:32633", ["VV", "VH"], "linear", [1.0, 2.0, 3.0, 4.0]),
        JobKind.TRAIN_MODEL: TrainModelResult(
            "lenet-x", ModelArchitecture.LENET, 5, 4, metrics, [EpochMetrics(1, 0.7, 0.6, 0.7)], "cpu"
        ),
        JobKind.CLASSIFY_PATCHES: ClassifyPatchesResult(
            "lenet-x", [PatchClassification("a", ClassName.ICEBERG, 0.81, 1.0, 2.0, "S1")], "EPSG:3413"
        ),
    }


def test_every_job_kind_has_params_and_result_types():
    assert set(PARAMS_BY_KIND) == set(JobKind)
    assert set(RESULT_BY_KIND) == set(JobKind)


@pytest.mark.parametrize("kind", list(JobKind))
def test_params_round_trip_through_json(kind, patch_record):
    params = example_params(patch_record)[kind]
    text = to_json(JobRequest.of(kind, params))
    parsed_kind, parsed = parse_job_request(json.loads(text))
    assert parsed_kind is kind
    assert parsed == params


@pytest.mark.parametrize("kind", list(JobKind))
def test_results_round_trip_through_json_inside_a_job_status(kind):
    result = example_results()[kind]
    status = JobStatus(
        id="j1", kind=kind, state=JobState.SUCCEEDED, progress=1.0, result=to_dict(result),
        artifacts=[Artifact("a.gpkg", "application/geopackage+sqlite3", 10, "targets")],
        error=None,
    )
    back = from_json(JobStatus, to_json(status))
    assert back == status
    assert back.typed_result() == result


def test_error_round_trip():
    error = ApiError(ErrorCode.INVALID_PARAMETER, "bad", "params.patches[0].band_1")
    assert from_json(ApiError, to_json(error)) == error


def test_kaggle_record_with_missing_angle_is_accepted(patch_record):
    patch = _patch(patch_record, inc_angle="na", is_iceberg=0)
    assert patch.inc_angle_deg is None


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"band_1": [0.0] * 100}, "band_1", "expected 5625 values"),
        ({"band_2": ["x"] * 5625}, "band_2[0]", "expected a number"),
        ({"band_1": [1e6] * 5625}, "band_1[0]", "outside"),
        ({"inc_angle": "unknown"}, "inc_angle", "'na'"),
        ({"inc_angle": 95.0}, "inc_angle", "outside"),
        ({"is_iceberg": 2}, "is_iceberg", "0 (ship) or 1"),
        ({"x": 1.0}, "y", "together"),
        ({"colour": "red"}, "colour", "unknown parameter"),
        ({"id": ""}, "id", "non-empty"),
    ],
)
def test_bad_patch_records_name_the_field(patch_record, overrides, field, words):
    with pytest.raises(ContractError) as caught:
        from_dict(PatchRecord, patch_record("p1", **overrides), "patches[0]")
    assert caught.value.field == f"patches[0].{field}"
    assert words in caught.value.problem


def test_nan_is_refused_even_though_python_json_parses_it(patch_record):
    text = json.dumps(patch_record("p1")).replace('"inc_angle": 38.5', '"inc_angle": NaN')
    with pytest.raises(ContractError) as caught:
        from_json(PatchRecord, text)
    assert caught.value.field == "inc_angle"


def test_unknown_kind_and_unknown_parameter():
    with pytest.raises(UnknownJobKind) as caught:
        parse_job_request({"kind": "make_coffee", "params": {}})
    assert "classify_patches" in caught.value.problem
    with pytest.raises(ContractError) as caught:
        parse_job_request({"kind": "simulate_scene", "params": {"width_px": 256, "zoom": 3}})
    assert caught.value.field == "params.zoom"


def test_training_needs_labels_and_both_classes(patch_record):
    unlabelled = [patch_record(f"p{i}", is_iceberg=i % 2) for i in range(12)]
    unlabelled[5].pop("is_iceberg")
    with pytest.raises(ContractError) as caught:
        parse_job_request({"kind": "train_model", "params": {"patches": unlabelled}})
    assert caught.value.field == "params.patches[5].is_iceberg"
    single = [patch_record(f"p{i}", is_iceberg=0) for i in range(12)]
    with pytest.raises(ContractError, match="training needs both classes"):
        parse_job_request({"kind": "train_model", "params": {"patches": single}})


def test_classification_refuses_mixed_crs_and_duplicate_ids(patch_record):
    a = patch_record("a", x=1.0, y=1.0, crs="EPSG:3413")
    b = patch_record("b", x=1.0, y=1.0, crs="EPSG:32633")
    with pytest.raises(ContractError) as caught:
        parse_job_request({"kind": "classify_patches", "params": {"patches": [a, b]}})
    assert caught.value.field == "params.patches[1].crs"
    with pytest.raises(ContractError, match="duplicate patch id"):
        parse_job_request({"kind": "classify_patches", "params": {"patches": [a, dict(a)]}})


def test_detection_windows_must_grow():
    with pytest.raises(ContractError) as caught:
        parse_job_request({"kind": "detect_targets", "params": {"scene_job_id": "a", "guard_window_m": 900.0}})
    assert caught.value.field == "params.guard_window_m"


def test_ingest_parameters_are_checked():
    with pytest.raises(ContractError) as caught:
        parse_job_request({"kind": "ingest_scene", "params": {"upload_id": "u", "acquired": "yesterday"}})
    assert caught.value.field == "params.acquired"
    with pytest.raises(ContractError) as caught:
        parse_job_request({"kind": "ingest_scene", "params": {"upload_id": "u", "units": "dbm"}})
    assert caught.value.field == "params.units"
    with pytest.raises(ContractError, match="exactly one"):
        parse_job_request({"kind": "detect_targets", "params": {"scene_id": "a", "scene_job_id": "b"}})
