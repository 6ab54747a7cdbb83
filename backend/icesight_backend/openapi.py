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


def _success(path: str, method: str, schemas: dict) -> tuple[str, dict] | None:
    """The success status and its response object for the routes whose body the contract defines."""
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
            success = _success(path, method, schemas)
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
