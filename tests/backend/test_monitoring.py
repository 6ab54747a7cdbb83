"""The service's request monitor: its figures are JSON whatever the requests took."""

from __future__ import annotations

import json

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
