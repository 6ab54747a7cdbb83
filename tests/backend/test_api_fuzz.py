"""Property-based fuzzing of the HTTP API from its own OpenAPI document (schemathesis), against a
real server on 127.0.0.1: no request may get a 5xx, every status must be documented for its route,
and every documented JSON body must match its schema.

The server under fuzz has a Dask cluster with no workers: generated jobs are accepted, checked and
queued like any other, but none runs (a valid random ``simulate_scene`` of 12,000 x 12,000 px
would otherwise take the machine for minutes).
"""

from __future__ import annotations

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from icesight_backend.launcher import BackendProcess
from icesight_contract import API_PREFIX, KINDS

#: Examples per API operation (about 30 operations): bounded so the suite stays quick.
EXAMPLES_PER_OPERATION = 12


@pytest.fixture(scope="module")
def idle_backend(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    process = BackendProcess(root / "data", root / "config", extra_args=["--n-workers", "0", "--max-body-mb", "4"])
    process.start(min_workers=0)
    try:
        yield process
    finally:
        process.stop()


def test_no_request_gets_a_server_error_or_an_undocumented_answer(idle_backend):
    """Every operation of the document, EXAMPLES_PER_OPERATION generated requests each (valid and
    invalid bodies, parameters and ids); failures are collected so one run reports them all."""
    schema = schemathesis.openapi.from_url(f"{idle_backend.url}/openapi.json")
    headers = {"Authorization": f"Bearer {idle_backend.token}"}
    checks = [not_a_server_error, status_code_conformance, response_schema_conformance]
    failures: list[str] = []
    sent = {"requests": 0, "operations": 0}
    for result in schema.get_all_operations():
        operation = result.ok()
        sent["operations"] += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck),
                  phases=[Phase.explicit, Phase.generate], derandomize=True, database=None)
        def fuzz(case) -> None:
            sent["requests"] += 1
            case.call_and_validate(base_url=idle_backend.url, headers=headers, checks=checks)

        try:
            fuzz()
        except Exception as exc:  # noqa: BLE001 - every operation's failure is reported at the end
            failures.append(f"{operation.label}: {exc}"[:3000])
    print(f"fuzzed {sent['operations']} operations with {sent['requests']} requests")
    assert sent["operations"] >= 25 and sent["requests"] >= 10 * sent["operations"]
    assert not failures, "\n\n".join(failures)


def test_the_document_carries_every_job_kinds_request_schema(idle_backend):
    document = requests.get(f"{idle_backend.url}/openapi.json", timeout=30).json()
    body = document["paths"][f"{API_PREFIX}/jobs"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    names = {ref["$ref"].rsplit("/", 1)[1] for ref in body["oneOf"]}
    assert names == {f"{spec.params.__name__}Request" for spec in KINDS}
    schemas = document["components"]["schemas"]
    explain = schemas["ExplainPatchesParams"]["properties"]
    assert explain["method"]["enum"] == ["integrated_gradients", "saliency", "gradcam", "occlusion", "gradient_shap", "deeplift"]
    status = document["paths"][f"{API_PREFIX}/jobs/{{job_id}}"]["get"]["responses"]
    assert status["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/JobStatus"}
    assert status["404"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}
    # Every successful answer says what its body is.
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                if code.startswith("2"):
                    content = response.get("content") or {}
                    assert content and all(media.get("schema") for media in content.values()), (method, path, code)
    replay = document["paths"][f"{API_PREFIX}/jobs"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in replay["parameters"])
    assert "Idempotent-Replayed" in replay["responses"]["202"]["headers"]


def test_a_server_fault_is_a_500_with_a_logged_reference_and_keeps_the_connection(idle_backend):
    """A model record corrupted on disk makes listing the models fail inside the service: the answer
    is the documented shape with a reference and no internals, the reference is in the service log
    with the traceback, and the client's keep-alive connection still serves the next request."""
    record = idle_backend.data_dir / "models" / "corrupt" / "model.json"
    record.parent.mkdir(parents=True)
    record.write_text('{"model_id": "corrupt", ')  # cut off mid-write
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {idle_backend.token}"
    try:
        failed = session.get(f"{idle_backend.url}{API_PREFIX}/models", timeout=30)
        assert failed.status_code == 500, failed.text
        error = failed.json()["error"]
        assert error["code"] == "internal" and "reference" in error["message"], error
        assert "JSONDecodeError" not in error["message"] and str(idle_backend.data_dir) not in error["message"]
        assert failed.headers.get("connection", "").lower() != "close"
        reference = error["message"].split("reference ", 1)[1].split(")", 1)[0]
        assert session.get(f"{idle_backend.url}{API_PREFIX}/health", timeout=30).status_code == 200
        log = idle_backend.log_path.read_text()
        assert f"reference {reference}" in log and "JSONDecodeError" in log
    finally:
        record.unlink()
        record.parent.rmdir()


@pytest.mark.parametrize("request_head", [
    b"FOO /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n",  # no such method
    b"POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
    b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",  # a request line too long
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  # a TLS hello sent to the plain-HTTP port
])
def test_requests_that_are_not_http_get_the_documented_error_shape(idle_backend, request_head):
    import json
    import socket

    with socket.create_connection(("127.0.0.1", idle_backend.port), timeout=10) as connection:
        connection.sendall(request_head)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400"), answer[:200]
    assert b"content-type: application/json" in head.lower()
    error = json.loads(body)["error"]
    assert error["code"] == "invalid_request" and "not a valid HTTP request" in error["message"], error
