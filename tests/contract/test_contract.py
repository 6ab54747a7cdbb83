"""The contract: every job kind's parameters and every result type survive a JSON round trip, and
bad documents are refused with the field named."""

from __future__ import annotations

import base64
import json
import math

import pytest

from icesight_contract import (
    PARAMS_BY_KIND,
    PATCH_PIXELS,
    RESULT_BY_KIND,
    AblationComponent,
    AblationRow,
    AcquisitionMode,
    ApiError,
    Artifact,
    AttributionMethod,
    BuildFeatureGroupParams,
    BuildFeatureGroupResult,
    ChartSceneParams,
    ChartSceneResult,
    ClassifyDetectionsParams,
    ClassifyDetectionsResult,
    ClassifyPatchesParams,
    ClassifyPatchesResult,
    ClassName,
    ContractError,
    CreateTrainingDatasetParams,
    CreateTrainingDatasetResult,
    CutPatchesParams,
    CutPatchesResult,
    DetectTargetsParams,
    DetectTargetsResult,
    EpochMetrics,
    ErrorCode,
    ExplainPatchesParams,
    ExplainPatchesResult,
    FeatureGroupRef,
    FloatRange,
    GateCheck,
    HeldOutMetrics,
    HyperParameters,
    IngestSceneParams,
    IngestSceneResult,
    JobKind,
    JobRequest,
    JobState,
    JobStatus,
    MapPoint,
    MapSceneParams,
    MapSceneResult,
    ModelArchitecture,
    ModelMetrics,
    PatchClassification,
    PatchRecord,
    PredictRequest,
    RuleFailure,
    RunAblationParams,
    RunAblationResult,
    SearchHyperparametersParams,
    SearchHyperparametersResult,
    SearchSpace,
    SimulatedPatchSet,
    SimulateSceneParams,
    SimulateSceneResult,
    SplitCounts,
    StageRun,
    TargetExplanation,
    ThirdChannel,
    TrainingDatasetRef,
    TrainModelParams,
    TrainModelResult,
    TrainPipelineParams,
    TrainPipelineResult,
    TrialResult,
    UnknownJobKind,
    ValidationMode,
    ValidationReport,
    feature_map_side,
    from_dict,
    from_json,
    pack_float32,
    parse_job_request,
    to_dict,
    to_json,
)
from icesight_contract.codec import json_schema


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
        JobKind.CLASSIFY_DETECTIONS: ClassifyDetectionsParams(
            scene_id="s1", points=[MapPoint("a", -56.0, 67.0, {"length_m": 120.0, "note": "from the chart"})]
        ),
        JobKind.MAP_SCENE: MapSceneParams(scene_job_id="abc", model_id="lenet-1", chunk_px=1024),
        JobKind.EXPLAIN_PATCHES: ExplainPatchesParams(
            patches=[patch, other], method=AttributionMethod.GRADCAM, pixel_size=40.0, patches_per_task=8
        ),
        JobKind.CHART_SCENE: ChartSceneParams(upload_id="0" * 32, mode=AcquisitionMode.EW, explain_n=3,
                                              explain_method=AttributionMethod.SALIENCY),
        JobKind.TRAIN_PIPELINE: TrainPipelineParams(
            dataset_name="baffin_td", features=BuildFeatureGroupParams(group="baffin", simulated=SimulatedPatchSet(n_patches=200)),
            n_trials=3, space=SearchSpace(kernel_size=[3]), min_test_accuracy=0.9, max_test_log_loss=0.4, set_production=True,
        ),
        JobKind.BUILD_FEATURE_GROUP: BuildFeatureGroupParams(
            group="baffin_2026", patches=[patch, other], third_channel=ThirdChannel.BAND_DIFF,
            validation=ValidationMode.WARNING, description="analyst labels",
        ),
        JobKind.CREATE_TRAINING_DATASET: CreateTrainingDatasetParams(
            name="baffin_td", feature_group=FeatureGroupRef("baffin_2026", 2), k_folds=5, test_fraction=0.1, seed=3
        ),
        JobKind.SEARCH_HYPERPARAMETERS: SearchHyperparametersParams(
            training_dataset=TrainingDatasetRef("baffin_td", 1, fold=2), n_trials=12,
            space=SearchSpace(learning_rate=FloatRange(1e-4, 1e-2, log=True), kernel_size=[3, 5, 7],
                              filters=[[8, 16, 24], [16, 32, 48]]),
        ),
        JobKind.RUN_ABLATION: RunAblationParams(
            training_dataset=TrainingDatasetRef("baffin_td"), architecture=ModelArchitecture.REFERENCE_CNN,
            hyperparameters=HyperParameters(learning_rate=3e-4, dropout=0.3),
            components=[AblationComponent.INC_ANGLE, AblationComponent.CONV_BLOCK_4],
        ),
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
            "lenet-x", [PatchClassification("a", ClassName.ICEBERG, 0.81, 1.0, 2.0, "S1", 0.04)], "EPSG:3413"
        ),
        JobKind.CLASSIFY_DETECTIONS: ClassifyDetectionsResult("lenet-x", "s1", 3, 2, 1, "EPSG:3413", 40.0, {"d9": "outside the scene"}),
        JobKind.MAP_SCENE: MapSceneResult("lenet-x", "s1", 1000, 800, 40.0, "EPSG:3413", 8, 0.02, 12.5),
        JobKind.EXPLAIN_PATCHES: ExplainPatchesResult(
            "lenet-x", AttributionMethod.INTEGRATED_GRADIENTS, 1,
            [TargetExplanation("a", ClassName.SHIP, 0.2, 0.7, 0.3, -0.01, 40.0, -80.0, "m", 0.001, 1.0, 2.0)],
            "EPSG:3413", True, 3.2,
        ),
        JobKind.CHART_SCENE: ChartSceneResult("s1", "lenet-x", 12, 7, 5, 3, [StageRun("detect", "reused", 0.1, "k1", "12 detections")], 4.2),
        JobKind.TRAIN_PIPELINE: TrainPipelineResult(
            FeatureGroupRef("g", 2), TrainingDatasetRef("td", 1), "lenet-j", False, False,
            [GateCheck("accuracy", "min", 0.9, 0.85, False, -0.05)], "test accuracy 0.85 is 0.05 below the minimum 0.9",
            HeldOutMetrics(0.4, 0.85, 0.9, 0.05, 40, [[18, 2], [4, 16]]), HyperParameters(kernel_size=3), 0.35,
            stages=[StageRun("search", "ran", 12.0, "k3", "3 of 3 trials complete")], seconds=14.0,
        ),
        JobKind.BUILD_FEATURE_GROUP: BuildFeatureGroupResult(
            "g", 2, 10, 9, 4, 5, 1, ThirdChannel.BAND_AVG, True,
            ValidationReport(ValidationMode.WARNING, 11, 10, [RuleFailure("FINITE", "band_1", 1, ["k7"])]), 3,
        ),
        JobKind.CREATE_TRAINING_DATASET: CreateTrainingDatasetResult(
            "td", 1, FeatureGroupRef("g", 2), 3, {"fold_0": SplitCounts(3, 4), "test": SplitCounts(1, 1)}, 2
        ),
        JobKind.SEARCH_HYPERPARAMETERS: SearchHyperparametersResult(
            "study", 1, 1, 0, 0, HyperParameters(kernel_size=5, filters=[8, 16, 24]), 0.3, 0.9,
            [TrialResult(0, "complete", {"learning_rate": 0.001}, 0.3, 0.9, 0.95, 4, 2.5, "tcp://w"),
             TrialResult(1, "pruned", {"learning_rate": 0.1}, epochs_run=2, message="worse than the median")],
            "lenet-s", 2, 10.0,
        ),
        JobKind.RUN_ABLATION: RunAblationResult(
            ModelArchitecture.LENET, [AblationRow("none", 0.3, 0.9, 0.95, 0.0, 0.0, 1000, 5, 3.0, "w"),
                                      AblationRow("band_2", 0.35, 0.88, 0.93, 0.05, -0.02, 990, 5, 2.9, "w")],
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


def test_packed_bands_round_trip_at_float32_precision(patch_record):
    record = from_dict(PatchRecord, patch_record("p1"))
    document = to_dict(PredictRequest(patches=[record]), pack=True)
    packed = document["patches"][0]
    assert isinstance(packed["band_1"], str) and isinstance(packed["band_2"], str)
    assert len(json.dumps(document)) < len(json.dumps(to_dict(PredictRequest(patches=[record])))) * 0.7
    back = from_dict(PredictRequest, json.loads(json.dumps(document))).patches[0]
    for name in ("band_1", "band_2"):
        sent, got = getattr(record, name), getattr(back, name)
        assert len(got) == len(sent)
        assert max(abs(a - b) for a, b in zip(sent, got, strict=True)) <= 1e-5 * max(abs(v) for v in sent)
    assert isinstance(to_dict(back)["band_1"], list)  # packed only when asked
    # The packed bytes are little-endian float32 in row-major order, as numpy writes them.
    import numpy as np

    first = np.frombuffer(base64.b64decode(packed["band_1"]), dtype="<f4")
    assert first.shape == (PATCH_PIXELS,) and first[7] == np.float32(record.band_1[7])


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("not base64!", "not valid base64"),
        (base64.b64encode(b"\0" * 10).decode(), "whole float32 values"),
        (pack_float32([1.0] * (PATCH_PIXELS - 1)), f"expected {PATCH_PIXELS} values"),
        (pack_float32([float("nan")] + [1.0] * (PATCH_PIXELS - 1)), "finite"),
        (pack_float32([-200.0] + [1.0] * (PATCH_PIXELS - 1)), "outside"),
        ("", f"expected {PATCH_PIXELS} values"),
    ],
)
def test_bad_packed_bands_name_the_field(patch_record, value, words):
    document = patch_record("p1") | {"band_2": value}
    with pytest.raises(ContractError) as caught:
        from_dict(PatchRecord, document, "patches[0]")
    assert caught.value.field.startswith("patches[0].band_2")
    assert words in caught.value.problem


def test_the_json_schema_offers_both_band_forms():
    definitions: dict = {}
    json_schema(PatchRecord, definitions)
    band = definitions["PatchRecord"]["properties"]["band_1"]
    kinds = {option.get("type") for option in band["anyOf"]}
    assert kinds == {"array", "string"}
    assert next(o for o in band["anyOf"] if o["type"] == "string")["contentEncoding"] == "base64"


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
    with pytest.raises(ContractError, match="training needs ships and icebergs"):
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


def test_chart_scene_detection_settings_follow_the_detectors_rules():
    """chart_scene asks the detector for a pfa: every pfa the request accepts must make a valid
    detection request (the sea-ice test's ice_pfa never looser than it), and what the detector
    refuses the chart refuses before it starts, naming the field."""
    strict = ChartSceneParams(scene_id="s1", pfa=1e-10)
    request = strict.detection_request("s1")
    assert (request.pfa, request.ice_pfa, request.sea_ice_aware) == (1e-10, 1e-10, True)
    default = ChartSceneParams(scene_id="s1").detection_request("s1")
    assert (default.pfa, default.ice_pfa) == (DetectTargetsParams.pfa, DetectTargetsParams.ice_pfa)
    for kwargs, field in (({"pfa": 0.5}, "pfa"), ({"pfa": 0.0}, "pfa"), ({"sea_ice_aware": "no"}, "sea_ice_aware")):
        with pytest.raises(ContractError) as error:
            ChartSceneParams(scene_id="s1", **kwargs)
        assert error.value.field == field


def test_ingest_parameters_are_checked():
    with pytest.raises(ContractError) as caught:
        parse_job_request({"kind": "ingest_scene", "params": {"upload_id": "u", "acquired": "yesterday"}})
    assert caught.value.field == "params.acquired"
    with pytest.raises(ContractError) as caught:
        parse_job_request({"kind": "ingest_scene", "params": {"upload_id": "u", "units": "dbm"}})
    assert caught.value.field == "params.units"
    with pytest.raises(ContractError, match="exactly one"):
        parse_job_request({"kind": "detect_targets", "params": {"scene_id": "a", "scene_job_id": "b"}})


def test_feature_group_and_dataset_parameters_are_checked(patch_record):
    def refused(kind: str, params: dict) -> ContractError:
        with pytest.raises(ContractError) as caught:
            parse_job_request({"kind": kind, "params": params})
        return caught.value

    assert refused("build_feature_group", {"group": "g", "patches": []}).problem.startswith("is empty")
    assert refused("build_feature_group", {"group": "Bad-Name", "simulated": {}}).field == "params.group"
    error = refused("build_feature_group", {"group": "g", "simulated": {}, "upload_id": "u"})
    assert "exactly one source" in error.problem
    error = refused("build_feature_group", {"group": "g", "patches_job_id": "j", "labels": {"a": 2}})
    assert error.field == "params.labels.a"
    assert refused("create_training_dataset", {"name": "td", "feature_group": {"group": "g", "version": 0}}).field == (
        "params.feature_group.version"
    )
    assert refused("create_training_dataset", {"name": "td", "feature_group": {"group": "g"}, "k_folds": 1}).field == (
        "params.k_folds"
    )


def test_impossible_search_spaces_are_refused_with_the_field():
    def refused(space: dict, architecture: str = "lenet") -> ContractError:
        with pytest.raises(ContractError) as caught:
            parse_job_request({"kind": "search_hyperparameters", "params": {
                "training_dataset": {"name": "td"}, "architecture": architecture, "space": space}})
        return caught.value

    assert refused({"learning_rate": {"low": 0.01, "high": 0.001}}).field == "params.space.learning_rate.low"
    assert refused({"learning_rate": {"low": 0.0, "high": 0.01, "log": True}}).field == "params.space.learning_rate.low"
    assert refused({"dropout": {"low": 0.2, "high": 1.5}}).field == "params.space.dropout"
    assert refused({"kernel_size": []}).field == "params.space.kernel_size"
    assert refused({"kernel_size": [4]}).field == "params.space.kernel_size[0]"
    # Four 'same' blocks pooling by 3 use up a 75 px patch: 75 -> 25 -> 8 -> 2 -> 0.
    error = refused({"pool_size": [3]}, "reference_cnn")
    assert error.field == "params.space.kernel_size[0]" and "leaves no pixels" in error.problem
    assert refused({"filters": [[16, 32]]}).field == "params.space.filters[0]"
    assert refused({"batch_size": [1]}).field == "params.space.batch_size[0]"
    assert feature_map_side(ModelArchitecture.REFERENCE_CNN, 3, 3) == 0
    assert feature_map_side(ModelArchitecture.LENET, 5, 2) == 6


def test_ablation_components_must_exist_in_the_architecture():
    with pytest.raises(ContractError) as caught:
        parse_job_request({"kind": "run_ablation", "params": {
            "training_dataset": {"name": "td"}, "components": ["band_2", "conv_block_4"]}})
    assert caught.value.field == "params.components[1]" and "does not exist in lenet" in caught.value.problem
    with pytest.raises(ContractError) as caught:
        parse_job_request({"kind": "run_ablation", "params": {
            "training_dataset": {"name": "td"}, "hyperparameters": {"kernel_size": 11, "pool_size": 4}}})
    assert caught.value.field == "params.hyperparameters.kernel_size"


@pytest.mark.parametrize("kernel", [0, -3, 2])
def test_a_kernel_size_of_zero_is_refused_not_read_as_the_default(kernel):
    # 0 once passed as "not given": the model was trained with the default kernel and recorded with 0.
    with pytest.raises(ContractError) as caught:
        parse_job_request({"kind": "train_model", "params": {"simulated": {"n_patches": 20}, "kernel_size": kernel}})
    assert caught.value.field == "params.kernel_size" and "odd" in caught.value.problem


@pytest.mark.parametrize("name", ["nlgroup\n", "g\nx", "G", "", "9abc"])
def test_names_with_a_trailing_newline_or_other_stray_characters_are_refused(name):
    with pytest.raises(ContractError) as caught:
        BuildFeatureGroupParams(group=name, simulated=SimulatedPatchSet())
    assert caught.value.field == "group"


def test_a_scene_id_with_a_trailing_newline_is_refused():
    from icesight_backend.catalog import SceneCatalog

    assert SceneCatalog.check_id("S1A_scene-1.v2") == "S1A_scene-1.v2"
    for bad in ("scene\n", "../x", "a/b", ""):
        with pytest.raises(ValueError):
            SceneCatalog.check_id(bad)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"patches_job_id": "j", "method": "integrated_gradients", "n_steps": 600}, "n_steps"),
        ({"patches_job_id": "j", "occlusion_window_px": 15, "occlusion_stride_px": 8}, "occlusion_stride_px"),
        ({"patches_job_id": "j", "occlusion_window_px": 15, "occlusion_stride_px": 20}, "occlusion_stride_px"),
        ({"patches_job_id": "j", "pixel_size": -40.0}, "pixel_size"),
        ({}, "patches"),
    ],
)
def test_explanation_settings_out_of_range_name_the_field(params, field):
    with pytest.raises(ContractError) as caught:
        from_dict(ExplainPatchesParams, params)
    assert caught.value.field == field


def test_scene_scale_kinds_need_exactly_one_scene_and_one_target_source():
    with pytest.raises(ContractError, match="scene_id"):
        MapSceneParams()
    with pytest.raises(ContractError, match="scene_id"):
        MapSceneParams(scene_id="a", scene_job_id="b")
    with pytest.raises(ContractError, match="points"):
        ClassifyDetectionsParams(scene_id="a")
    with pytest.raises(ContractError) as caught:
        ClassifyDetectionsParams(scene_id="a", points=[MapPoint("p", 1.0, 2.0, {"bad": [1, 2]})])
    assert caught.value.field == "attributes.bad"


def _seed_fields() -> list[tuple[str, str]]:
    """Every (job kind, parameter) that is a random seed, found through the contract's types."""
    import dataclasses
    import typing

    from icesight_contract import Seed

    found = []
    for kind, params_type in PARAMS_BY_KIND.items():
        for field in dataclasses.fields(params_type):
            if typing.get_type_hints(params_type, include_extras=True)[field.name] == Seed:
                found.append((kind.value, field.name))
    return found


def test_every_seed_is_checked_against_the_generators_range_and_documented():
    seeds = _seed_fields()
    assert {("simulate_scene", "seed"), ("train_model", "seed"), ("train_pipeline", "split_seed"),
            ("search_hyperparameters", "seed")} <= set(seeds)
    for kind, name in seeds:
        for bad in (-1, 2**32, 10**5000):
            with pytest.raises(ContractError, match="between 0 and 4294967295") as raised:
                parse_job_request({"kind": kind, "params": {name: bad} | _required(kind)})
            assert raised.value.field == f"params.{name}"
            assert len(str(raised.value)) < 200  # a 5,000-digit number is described, not echoed
        assert parse_job_request({"kind": kind, "params": {name: 2**32 - 1} | _required(kind)})[1] is not None
    nested = {"kind": "train_model", "params": {"simulated": {"seed": -1}}}  # a seed inside a parameter
    with pytest.raises(ContractError, match="between 0 and 4294967295") as raised:
        parse_job_request(nested)
    assert raised.value.field == "params.simulated.seed"
    definitions: dict = {}
    json_schema(PARAMS_BY_KIND[JobKind.SIMULATE_SCENE], definitions)
    assert definitions["SimulateSceneParams"]["properties"]["seed"] == {"type": "integer", "minimum": 0,
                                                                        "maximum": 2**32 - 1}


def _required(kind: str) -> dict:
    """The fewest parameters a kind with a seed needs to decode."""
    return {"search_hyperparameters": {"training_dataset": {"name": "d", "version": 1}},
            "run_ablation": {"training_dataset": {"name": "d", "version": 1}},
            "create_training_dataset": {"name": "d", "feature_group": {"group": "g", "version": 1}},
            "train_model": {"simulated": {}},
            "train_pipeline": {"dataset_name": "d", "feature_group": {"group": "g"}}}.get(kind, {})


def test_error_messages_name_long_strings_without_echoing_them():
    from icesight_contract import shown

    assert shown("abc") == "'abc'"
    long = shown("x" * 100_000)
    assert len(long) < 80 and "100000 characters" in long


@pytest.mark.parametrize(
    ("bands", "field"),
    [({"co_band": 0}, "co_band"), ({"cross_band": -1}, "cross_band"), ({"co_band": 2, "cross_band": 2}, "cross_band"),
     ({"co_band": "1"}, "co_band"), ({"cross_band": True}, "cross_band")],
)
def test_ingest_bands_must_be_band_numbers(bands, field):
    with pytest.raises(ContractError) as caught:
        IngestSceneParams(upload_id="0" * 32, **bands)
    assert caught.value.field == field
    assert IngestSceneParams(upload_id="0" * 32, cross_band=2).co_band is None  # found by name or brightness


def test_the_scene_file_rules_the_ingest_and_the_plugin_share():
    from icesight_contract import scene_files as rules

    never = lambda band: pytest.fail("no brightness needed")  # noqa: E731
    # Named, in any order; QGIS's "Band N:" prefix and noise-floor bands do not confuse it.
    assert rules.sigma0_pair(["Band 1: Sigma0_VH", "Band 2: Sigma0_VV"], never) == (2, 1)
    assert rules.sigma0_pair(["HH_sigma0_db", "HV_sigma0_db", "incidence_angle_deg", "HV_nesz_db"], never) == (1, 2)
    assert rules.described_channels(["HV_nesz_db", "HH", "HV"]) == {"HH": 2, "HV": 3}
    # A channel named twice: its sigma0 band, not a ratio, wherever the ratio is.
    assert rules.sigma0_pair(["ratio_VH_VV", "Sigma0_VH", "Sigma0_VV"], never) == (3, 2)
    assert rules.sigma0_pair(["Sigma0_VH", "Sigma0_VV", "ratio_VH_VV"], never) == (2, 1)
    assert rules.sigma0_pair(["VV", "VH", "inc", "Sigma0_VH_div_Sigma0_VV"], never) == (1, 2)
    assert rules.sigma0_pair(["Sigma0_HH", "HV", "Sigma0_HV_ratio"], never) == (1, 2)
    assert rules.sigma0_pair(["Gamma0_VV", "Sigma0_VV", "Sigma0_VH"], never) == (2, 3)
    # Unnamed: band 2 is the co-pol only when band 1 is dimmer by more than 3 dB.
    medians = {1: -25.0, 2: -15.0}
    assert rules.sigma0_pair(["", ""], medians.get) == (2, 1)
    assert rules.sigma0_pair(["", ""], {1: -17.0, 2: -15.0}.get) == (1, 2)
    assert rules.sigma0_pair(["", ""], {1: float("nan"), 2: -15.0}.get) == (1, 2)
    # Units: more negative than positive values is dB; zeros (a fill) count for neither.
    assert rules.values_are_db(negative=10, positive=3) and not rules.values_are_db(negative=0, positive=10)
    assert rules.values_are_db(negative=10, positive=0)
    assert rules.sigma0_units(90, 10, -18.0) == ("dB", None) and rules.sigma0_units(0, 100, 0.02) == ("linear", None)
    assert "uncalibrated DN" in rules.sigma0_units(0, 100, 2000.0)[1] and "in dB" in rules.sigma0_units(90, 10, 40.0)[1]
    assert "negative values" in rules.sigma0_units(10, 90, 0.02)[1]  # a few negatives: linear that cannot be
    assert rules.sigma0_units(0, 100, -18.0, declared="dB") == ("dB", None)  # declared units are taken
    # A band's level in dB, whichever its units: the median of dB, the median of positive power in dB.
    assert rules.level_db(90, 10, -18.0, 0.5) == -18.0 and rules.level_db(0, 100, 0.01, 0.01) == pytest.approx(-20.0)
    assert math.isnan(rules.level_db(0, 0, math.nan, math.nan))
    # Incidence: the band named so first, else a plausible band 3, never a sigma0 band.
    assert rules.incidence_band(["incidence_angle", "Sigma0_VV", "Sigma0_VH"], (2, 3), never) == 1
    assert rules.incidence_band(["VV", "VH", "latitude", "incidenceAngleFromEllipsoid"], (1, 2), never) == 4
    assert rules.incidence_band(["", "", ""], (1, 2), lambda band: True) == 3
    assert rules.incidence_band(["", "", ""], (1, 2), lambda band: False) is None
    assert rules.incidence_band(["", "", ""], (3, 1), lambda band: True) is None
    assert rules.plausible_incidence(19.5, 46.8) and not rules.plausible_incidence(55.0, 65.0) and not rules.plausible_incidence(2.0, 40.0)
