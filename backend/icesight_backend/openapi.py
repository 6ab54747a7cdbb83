"""The OpenAPI document of the HTTP API, completed from the contract.

FastAPI describes the routes; the request bodies (``POST /jobs`` reads its JSON by hand, so that
errors name the field as the contract spells it) and the response bodies come from the contract's
dataclasses through :func:`icesight_contract.codec.json_schema`, and every error status a route can
answer is listed with the documented ``{"error": {...}}`` shape.
"""

from __future__ import annotations

from typing import Any

from icesight_contract import (
    API_PREFIX,
    KINDS,
    ApiError,
    Artifact,
    ClassifyPatchesResult,
    JobStatus,
    PredictRequest,
)
from icesight_contract.codec import json_schema

REF = "#/components/schemas/"
ERROR = {"$ref": f"{REF}ErrorResponse"}

#: Why each error status is answered.
ERROR_REASONS = {
    400: "the body is not JSON, or a header (e.g. Range) is malformed",
    401: "missing or wrong token",
    404: "no such job, artifact, model, scene, feature group or training dataset",
    409: "the job has already finished, or the Idempotency-Key was used for another request",
    413: "the body is larger than the service accepts",
    416: "the requested byte range is not in the file",
    422: "a parameter is invalid or refers to something the backend lacks; `field` names it",
}

#: The body of a POST STAC item search (the fields the catalog supports).
STAC_SEARCH = {
    "type": "object",
    "properties": {
        "bbox": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 6},
        "datetime": {"type": "string"},
        "ids": {"type": "array", "items": {"type": "string"}},
        "collections": {"type": "array", "items": {"type": "string"}},
        "limit": {"type": "integer", "minimum": 1},
        "offset": {"type": "integer", "minimum": 0},
    },
    "additionalProperties": False,
}

OBJECT = {"type": "object"}
STRING_LIST = {"type": "array", "items": {"type": "string"}}
LINKS = {"type": "array", "items": {"type": "object", "properties": {"rel": {"type": "string"}, "href": {"type": "string"}},
                                     "required": ["rel", "href"]}}


def _object(required: dict[str, dict], optional: dict[str, dict] | None = None) -> dict:
    """An object with these properties, the first ones required; other properties may follow."""
    return {"type": "object", "properties": required | (optional or {}), "required": list(required)}


def _nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


#: The STAC documents the catalog routes answer with (the parts a client relies on).
STAC_ITEM = _object({"type": {"type": "string", "enum": ["Feature"]}, "stac_version": {"type": "string"},
                     "id": {"type": "string"}, "geometry": _nullable(OBJECT), "properties": OBJECT,
                     "assets": OBJECT, "links": LINKS},
                    {"bbox": {"type": "array", "items": {"type": "number"}}, "collection": {"type": "string"}})
STAC_ITEMS = _object({"type": {"type": "string", "enum": ["FeatureCollection"]},
                      "features": {"type": "array", "items": STAC_ITEM}, "links": LINKS},
                     {"numberMatched": {"type": "integer"}, "numberReturned": {"type": "integer"}})
STAC_COLLECTION = _object({"type": {"type": "string", "enum": ["Collection"]}, "id": {"type": "string"},
                           "stac_version": {"type": "string"}, "description": {"type": "string"},
                           "license": {"type": "string"}, "extent": OBJECT, "links": LINKS})
STAC_LANDING = _object({"type": {"type": "string", "enum": ["Catalog"]}, "id": {"type": "string"},
                        "stac_version": {"type": "string"}, "description": {"type": "string"},
                        "conformsTo": STRING_LIST, "links": LINKS})

#: A registered model's record (its training metrics, input and provenance), as ``/models`` serves it.
MODEL_RECORD = _object({"model_id": {"type": "string"}, "architecture": {"type": "string"},
                        "created_at": {"type": "string"}, "metrics": OBJECT},
                       {"production": {"type": "boolean"}, "input": OBJECT, "calibration": _nullable(OBJECT)})

#: ``GET /health``: workers' addresses are null for callers without the token.
HEALTH = _object({
    "status": {"type": "string", "enum": ["ok", "no_workers"]}, "api_version": {"type": "string"},
    "version": {"type": "string"},
    "dask": _object({"scheduler": _nullable({"type": "string"}), "n_workers": {"type": "integer"},
                     "total_threads": {"type": "integer"},
                     "workers": {"type": "array", "items": _object({
                         "address": _nullable({"type": "string"}), "nthreads": {"type": "integer"},
                         "memory_limit_bytes": {"type": "integer"},
                         "resources": {"type": "object", "additionalProperties": {"type": "number"}},
                         "gpu": {"type": "boolean"}})}}),
    "gpu": {"type": "boolean"}, "service_gpu": {"type": "boolean"}})

#: ``GET /monitoring``: latency quantiles are histogram bounds in seconds (null: no request yet, or
#: beyond the largest bound).
MONITORING = _object({
    "since": {"type": "number", "description": "when the service started, seconds since 1970 (UTC)"},
    "requests": {"type": "array", "items": _object({
        "method": {"type": "string"}, "route": {"type": "string"}, "count": {"type": "integer"},
        "statuses": {"type": "object", "additionalProperties": {"type": "integer"}},
        "p50_s": _nullable({"type": "number"}), "p95_s": _nullable({"type": "number"})})},
    "jobs": {"type": "object", "additionalProperties": {"type": "integer"}}, "queue_length": {"type": "integer"},
    "n_workers": {"type": "integer"},
    "models": {"type": "array", "items": _object({"model_id": {"type": "string"}, "n_predictions": {"type": "integer"},
                                                  "class_balance": {"type": "array", "items": OBJECT},
                                                  "drift": OBJECT})}})


def _versioned(list_key: str, name_key: str) -> dict[str, dict]:
    """The listing, versions and one version's metadata of feature groups or training datasets."""
    version = _object({name_key: {"type": "string"}, "version": {"type": "integer"}})
    return {
        "": _object({list_key: {"type": "array", "items": _object({
            name_key: {"type": "string"}, "n_versions": {"type": "integer"}, "latest": version})}}),
        "/{name}": _object({name_key: {"type": "string"}, "versions": {"type": "array", "items": version}}),
        "/{name}/versions/{version}": version,
    }


#: The JSON body of each successful answer not built from the contract, by route.
SUCCESS_BODIES: dict[str, tuple[str, dict]] = {
    f"{API_PREFIX}/health": ("whether the service and its workers are up", HEALTH),
    f"{API_PREFIX}/monitoring": ("requests, jobs, workers and per-model predictions and drift", MONITORING),
    f"{API_PREFIX}/uploads": ("the upload, ready for an ingest_scene job",
                              _object({"upload_id": {"type": "string"}, "size_bytes": {"type": "integer"},
                                       "filename": _nullable({"type": "string"})})),
    f"{API_PREFIX}/scenes": ("a page of scenes as STAC items", STAC_ITEMS),
    f"{API_PREFIX}/scenes/{{scene_id}}": ("the scene's STAC item", STAC_ITEM),
    f"{API_PREFIX}/stac": ("the STAC API landing page", STAC_LANDING),
    f"{API_PREFIX}/stac/conformance": ("the conformance classes", _object({"conformsTo": STRING_LIST})),
    f"{API_PREFIX}/stac/collections": ("the collections",
                                       _object({"collections": {"type": "array", "items": STAC_COLLECTION},
                                                "links": LINKS})),
    f"{API_PREFIX}/stac/collections/{{collection_id}}": ("the collection", STAC_COLLECTION),
    f"{API_PREFIX}/stac/collections/{{collection_id}}/items": ("a page of the collection's items", STAC_ITEMS),
    f"{API_PREFIX}/stac/collections/{{collection_id}}/items/{{item_id}}": ("the item", STAC_ITEM),
    f"{API_PREFIX}/stac/search": ("a page of the matching items", STAC_ITEMS),
    f"{API_PREFIX}/models": ("the registered models, newest first",
                             _object({"models": {"type": "array", "items": MODEL_RECORD}})),
    f"{API_PREFIX}/models/{{model_id}}": ("the model's record", MODEL_RECORD),
    f"{API_PREFIX}/models/{{model_id}}/production": ("the model's record, now the production model", MODEL_RECORD),
    f"{API_PREFIX}/models/compare": ("the models' metrics side by side",
                                     _object({"models": {"type": "array", "items": _object({
                                         "model_id": {"type": "string"}, "metrics": OBJECT,
                                         "difference_to_first": OBJECT})},
                                         "same_training_dataset": {"type": "boolean"}})),
    **{f"{API_PREFIX}/feature-groups{tail}": ("the feature groups' versions", body)
       for tail, body in _versioned("feature_groups", "group").items()},
    **{f"{API_PREFIX}/training-datasets{tail}": ("the training datasets' versions", body)
       for tail, body in _versioned("training_datasets", "name").items()},
}

#: Routes that answer with a file (and HTTP range requests).
FILE_SUFFIXES = ("/scene.tif", "/artifacts/{name}", "/data.parquet", "/split.parquet", "/model.torchscript.pt")


def _schema(tp: type, schemas: dict) -> dict:
    return json_schema(tp, schemas, REF)


def _job_request_schema(schemas: dict) -> dict:
    variants = []
    for spec in KINDS:
        name = f"{spec.params.__name__}Request"
        schemas[name] = {
            "type": "object",
            "properties": {"kind": {"type": "string", "enum": [spec.name]}, "params": _schema(spec.params, schemas)},
            "required": ["kind"],
            "additionalProperties": False,
        }
        variants.append({"$ref": f"{REF}{name}"})
    return {"oneOf": variants}


def _errors_of(path: str, method: str, operation: dict) -> set[int]:
    codes = {422}  # query and path parameters are validated everywhere
    if path != f"{API_PREFIX}/health":
        codes.add(401)
    if "{" in path or path.endswith("/compare"):
        codes.add(404)
    if method == "post" and path in (f"{API_PREFIX}/jobs", f"{API_PREFIX}/predict", f"{API_PREFIX}/uploads",
                                     f"{API_PREFIX}/stac/search"):
        codes |= {400, 413}
    if path.endswith("/cancel") or (method == "post" and path == f"{API_PREFIX}/jobs"):
        codes.add(409)
    if path.endswith(FILE_SUFFIXES):
        codes |= {400, 416}
    return codes


def _success(path: str, method: str, schemas: dict, declared: str) -> tuple[str, dict] | None:
    """The success status and its response object for the routes whose body is known here
    (``declared``: the success status the route itself declares)."""
    job = {"content": {"application/json": {"schema": _schema(JobStatus, schemas)}}}
    if method == "post" and path == f"{API_PREFIX}/jobs":
        return "202", {"description": "the job, queued"} | job
    if path in (f"{API_PREFIX}/jobs/{{job_id}}", f"{API_PREFIX}/jobs/{{job_id}}/cancel"):
        return "200", {"description": "the job"} | job
    if method == "get" and path == f"{API_PREFIX}/jobs":
        listing = {"type": "object", "properties": {"jobs": {"type": "array", "items": _schema(JobStatus, schemas)}},
                   "required": ["jobs"]}
        return "200", {"description": "jobs, newest first", "content": {"application/json": {"schema": listing}}}
    if path == f"{API_PREFIX}/predict":
        _schema(ClassifyPatchesResult, schemas)
        answer = {"type": "object", "properties": {
            "model_id": {"type": "string"},
            "classifications": {"type": "array", "items": {"$ref": f"{REF}PatchClassification"}},
            "crs": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "model_seconds": {"type": "number"}}, "required": ["model_id", "classifications"]}
        return "200", {"description": "the classifications", "content": {"application/json": {"schema": answer}}}
    if path.endswith(FILE_SUFFIXES):
        return "200", {"description": "the file (HTTP range requests answer 206)",
                       "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}
    if path == f"{API_PREFIX}/jobs/{{job_id}}/artifacts":
        listing = _object({"artifacts": {"type": "array", "items": _schema(Artifact, schemas)}})
        return "200", {"description": "the job's files", "content": {"application/json": {"schema": listing}}}
    if path == f"{API_PREFIX}/metrics":
        return "200", {"description": "the monitoring figures in the Prometheus text format",
                       "content": {"text/plain": {"schema": {"type": "string"}}}}
    if path in SUCCESS_BODIES:
        description, body = SUCCESS_BODIES[path]
        return declared, {"description": description, "content": {"application/json": {"schema": body}}}
    return None


def complete(spec: dict[str, Any]) -> dict[str, Any]:
    """Add the contract's request and response schemas and the error responses to FastAPI's document."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    _schema(ApiError, schemas)
    schemas["ErrorResponse"] = {"type": "object", "properties": {"error": {"$ref": f"{REF}ApiError"}},
                                "required": ["error"]}
    for path, operations in spec.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)  # FastAPI's HTTPValidationError: ours has the documented shape
            declared = next((c for c in responses if c.startswith("2")), "200")
            success = _success(path, method, schemas, declared)
            if success is not None:
                code, response = success
                for other in [c for c in responses if c.startswith("2") and c != code]:
                    responses.pop(other)
                responses[code] = response
                if path.endswith(FILE_SUFFIXES):
                    responses["206"] = {"description": "the requested byte range", "content": response["content"]}
            for status in sorted(_errors_of(path, method, operation)):
                responses[str(status)] = {"description": ERROR_REASONS[status],
                                          "content": {"application/json": {"schema": ERROR}}}
    jobs = spec["paths"].get(f"{API_PREFIX}/jobs", {}).get("post")
    if jobs is not None:
        jobs["requestBody"] = {"required": True, "content": {"application/json": {"schema": _job_request_schema(schemas)}}}
        jobs.setdefault("parameters", []).append({
            "name": "Idempotency-Key", "in": "header", "required": False,
            "description": "1-200 printable characters. The same key with the same body again returns the "
                           "job the first request made (202, with Idempotent-Replayed: true) instead of a new "
                           "one; the same key with another body is refused (409)",
            "schema": {"type": "string", "minLength": 1, "maxLength": 200}})
        jobs["responses"]["202"]["headers"] = {"Idempotent-Replayed": {
            "description": "true when the answer is the job an earlier request with this Idempotency-Key made",
            "schema": {"type": "string", "enum": ["true"]}}}
    predict = spec["paths"].get(f"{API_PREFIX}/predict", {}).get("post")
    if predict is not None:
        predict["requestBody"] = {"required": True,
                                  "content": {"application/json": {"schema": _schema(PredictRequest, schemas)}}}
    search = spec["paths"].get(f"{API_PREFIX}/stac/search", {}).get("post")
    if search is not None:
        search["requestBody"] = {"required": True, "content": {"application/json": {"schema": STAC_SEARCH}}}
    uploads = spec["paths"].get(f"{API_PREFIX}/uploads", {}).get("post")
    if uploads is not None:
        uploads["requestBody"] = {"required": True, "content": {
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}
    spec["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer",
                                                        "description": "the token the backend wrote on first start"}}
    for path, operations in spec["paths"].items():
        if path != f"{API_PREFIX}/health":
            for operation in operations.values():
                operation["security"] = [{"bearer": []}]
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    return spec
