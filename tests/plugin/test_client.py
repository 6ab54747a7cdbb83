"""The plugin's HTTP client when things go wrong: what the analyst is told, and what is left on disk.

Against the real backend on 127.0.0.1 where it can produce the case, else against small servers on
127.0.0.1 that answer as a misconfigured proxy or a dropped connection would."""

from __future__ import annotations

import http.server
import json
import threading

import pytest


def _job_id(api) -> str:
    return next(j["id"] for j in api.get("/jobs?kind=train_model").json()["jobs"] if j["state"] == "succeeded")


@pytest.fixture
def client_of(api, installed_plugin):
    from icesight_qgis.client import BackendClient

    clients = []

    def make(url: str | None = None, token: str | None = None) -> BackendClient:
        client = BackendClient(url or api.backend.url, token if token is not None else api.backend.token, timeout_s=10)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def test_a_refused_download_says_the_backends_own_message_and_leaves_no_file(client_of, api, trained_model, tmp_path):
    from icesight_qgis.client import BackendError

    job_id = _job_id(api)
    destination = tmp_path / "nothing.gpkg"
    with pytest.raises(BackendError) as raised:
        client_of().download(job_id, "no_such_artifact.gpkg", destination)
    expected = api.get(f"/jobs/{job_id}/artifacts/no_such_artifact.gpkg").json()["error"]
    assert raised.value.status_code == 404 and raised.value.code == expected["code"]
    assert str(raised.value) == expected["message"] and "no_such_artifact" in str(raised.value)
    assert list(tmp_path.iterdir()) == []


def test_a_cancelled_download_stops_and_leaves_no_file(client_of, api, trained_model, tmp_path):
    from icesight_qgis.client import JobCancelledError

    job_id = _job_id(api)
    name = next(a["name"] for a in api.get(f"/jobs/{job_id}").json()["artifacts"])
    with pytest.raises(JobCancelledError):
        client_of().download(job_id, name, tmp_path / name, is_cancelled=lambda: True)
    assert list(tmp_path.iterdir()) == []
    assert client_of().download(job_id, name, tmp_path / name).stat().st_size > 0  # not cancelled: whole


class _Server:
    """A server on 127.0.0.1 whose every GET is answered by ``answer(handler)``."""

    def __init__(self, answer):
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the standard library's name
                answer(self)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    started = []

    def start(answer) -> _Server:
        started.append(_Server(answer))
        return started[-1]

    yield start
    for s in started:
        s.close()


def _reply(handler, status: int, body: bytes, content_type: str, length: int | None = None) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body) if length is None else length))
    handler.end_headers()
    handler.wfile.write(body)


def test_a_server_that_is_not_icesight_is_named_as_such(client_of, server):
    from icesight_qgis.client import BackendError

    login_page = server(lambda h: _reply(h, 200, b"<html><body>Proxy login</body></html>", "text/html"))
    with pytest.raises(BackendError) as raised:
        client_of(login_page.url, "t").jobs()
    assert raised.value.code == "not_icesight"
    assert login_page.url in str(raised.value) and "IceSight settings" in str(raised.value)
    # JSON, but not the backend's: another service on the port.
    other = server(lambda h: _reply(h, 200, json.dumps({"status": "ok"}).encode(), "application/json"))
    with pytest.raises(BackendError) as raised:
        client_of(other.url, "t").models()
    assert raised.value.code == "not_icesight"
    # An error page that is not the backend's {"error": ...} keeps its status and text.
    gateway = server(lambda h: _reply(h, 502, b"Bad gateway", "text/plain"))
    with pytest.raises(BackendError) as raised:
        client_of(gateway.url, "t").jobs()
    assert raised.value.status_code == 502 and "Bad gateway" in str(raised.value)


def test_a_url_without_its_scheme_is_explained(client_of):
    from icesight_qgis.client import BackendError

    with pytest.raises(BackendError) as raised:
        client_of("127.0.0.1:8765", "t").health()
    assert raised.value.code == "invalid_url" and "http://" in str(raised.value)


def test_a_download_that_breaks_off_is_an_error_that_leaves_no_file(client_of, server, tmp_path):
    from icesight_qgis.client import BackendError

    def half_sent(handler):  # promises 8 MB, sends 64 kB, hangs up
        _reply(handler, 200, b"\0" * 65536, "application/octet-stream", length=8 << 20)
        handler.close_connection = True

    broken = server(half_sent)
    destination = tmp_path / "probability.tif"
    with pytest.raises(BackendError) as raised:
        client_of(broken.url, "t").download("job1", "probability.tif", destination)
    assert raised.value.code == "download_failed" and "try again" in str(raised.value)
    assert list(tmp_path.iterdir()) == []


def test_waiting_longer_than_asked_says_the_job_goes_on(client_of, server, api, trained_model):
    from icesight_qgis.client import BackendError

    running = api.get(f"/jobs/{_job_id(api)}").json() | {"state": "running", "result": None, "artifacts": []}

    def status(handler):
        _reply(handler, 200, json.dumps(running).encode(), "application/json")

    slow = server(status)
    client = client_of(slow.url, "t")
    assert client.job(running["id"]).state.value == "running"  # the server answers as the backend does
    with pytest.raises(BackendError) as raised:
        client.wait(running["id"], poll_interval_s=0.05, timeout_s=0.2)
    assert raised.value.code == "timeout" and "still running" in str(raised.value)
    assert "Jobs page" in str(raised.value)


def test_a_catalog_search_brings_every_page(client_of, server):
    from urllib.parse import parse_qs, urlparse

    scenes = [{"type": "Feature", "id": f"s{i}"} for i in range(5)]
    asked = []

    def page(handler):  # pages of two, as the backend pages at its limit
        offset = int(parse_qs(urlparse(handler.path).query).get("offset", ["0"])[0])
        asked.append(offset)
        body = {"type": "FeatureCollection", "features": scenes[offset:offset + 2], "numberMatched": len(scenes)}
        _reply(handler, 200, json.dumps(body).encode(), "application/json")

    catalog = server(page)
    found = client_of(catalog.url, "t").scenes(mode="EW")
    assert [s["id"] for s in found] == [s["id"] for s in scenes] and asked == [0, 2, 4]
