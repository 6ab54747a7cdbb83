"""HTTP client of the IceSight backend, used by the plugin's tasks and Processing algorithms.

Plain ``requests`` and the shared contract; no Qt, so it runs in any thread. Errors come back as
:class:`BackendError` carrying the backend's error code, message and field; ``user_message()``
says them in an analyst's words. A client owns one ``requests.Session``: close it (or use it as a
context manager) when done.
"""

from __future__ import annotations

import json
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from icesight_contract import (
    API_PREFIX,
    ClassifyPatchesResult,
    ErrorCode,
    JobKind,
    JobRequest,
    JobState,
    JobStatus,
    PatchRecord,
    PredictRequest,
    from_dict,
    to_dict,
)


class BackendError(Exception):
    """The backend refused a request or could not be reached."""

    def __init__(self, message: str, code: str = "unreachable", field: str | None = None, status_code: int = 0):
        super().__init__(message)
        self.code = code
        self.field = field
        self.status_code = status_code

    def user_message(self) -> str:
        """What went wrong, as an analyst reads it (no HTTP status codes, no header syntax)."""
        if self.code == ErrorCode.UNAUTHORIZED.value:
            return (
                "The IceSight backend did not accept the token. Copy the token from the file "
                "icesight/token in the backend's configuration folder (on the backend's machine) into "
                "the IceSight settings, then test the connection again."
            )
        where = f" ({self.field})" if self.field else ""
        return f"{self}{where}"


class JobCancelledError(Exception):
    pass


#: Bytes sent per chunk of an upload (progress and cancel are checked between chunks).
UPLOAD_CHUNK_BYTES = 1 << 20
#: The most catalog items a search brings back (the catalog table and its footprints hold them all).
MAX_SCENES_LISTED = 20_000
#: Bytes received per chunk of a download (cancel is checked between chunks).
DOWNLOAD_CHUNK_BYTES = 1 << 20


class _ChunkReader:
    """A file read in chunks as a request body, reporting progress and honouring cancel between
    chunks; its length gives the request a Content-Length (the backend streams it to disk)."""

    def __init__(self, path: Path, on_progress: Callable[[int, int], None] | None,
                 is_cancelled: Callable[[], bool] | None):
        self.path = path
        self.total = path.stat().st_size
        self.sent = 0
        self.on_progress = on_progress
        self.is_cancelled = is_cancelled
        self.handle = open(path, "rb")  # noqa: SIM115 - closed by __exit__

    def __len__(self) -> int:
        return self.total

    def read(self, size: int = -1) -> bytes:
        if self.is_cancelled is not None and self.is_cancelled():
            raise JobCancelledError(f"upload of {self.path.name}")
        chunk = self.handle.read(UPLOAD_CHUNK_BYTES if size is None or size < 0 else min(size, UPLOAD_CHUNK_BYTES))
        self.sent += len(chunk)
        if self.on_progress is not None and chunk:
            self.on_progress(self.sent, self.total)
        return chunk

    def __enter__(self) -> _ChunkReader:
        return self

    def __exit__(self, *exc_info) -> None:
        self.handle.close()


#: Bytes copied into a zip between two looks at whether the analyst cancelled.
_ZIP_CHUNK = 8 << 20


def zip_dimap(header: Path, destination: Path, is_cancelled: Callable[[], bool] | None = None) -> Path:
    """A SNAP BEAM-DIMAP product (``<name>.dim`` and the band files directly in the ``<name>.data``
    folder beside it; tie-point grids and vectors stay behind) as one zip, stored uncompressed (its
    rasters compress little and the copy stays quick), copied in chunks so that a cancel stops it
    within one. Raises :class:`BackendError` naming the missing folder, or :class:`JobCancelledError`."""
    data = header.with_suffix(".data")
    if not data.is_dir():
        raise BackendError(f"{header.name} is a BEAM-DIMAP header without its {data.name} folder beside it; "
                           "keep the two together", code="invalid_parameter")
    members = [(header, header.name)] + [(f, f"{data.name}/{f.name}") for f in sorted(data.iterdir()) if f.is_file()]
    with zipfile.ZipFile(destination, "w", zipfile.ZIP_STORED, allowZip64=True, strict_timestamps=False) as archive:
        for source, name in members:
            with open(source, "rb") as handle, archive.open(name, "w", force_zip64=True) as out:
                while chunk := handle.read(_ZIP_CHUNK):
                    if is_cancelled is not None and is_cancelled():
                        raise JobCancelledError(f"upload of {header.name} cancelled")
                    out.write(chunk)
    return destination


class BackendClient:
    """``timeout_s`` bounds each wait for the backend's answer (read timeout);
    ``connect_timeout_s`` (default: the same) bounds opening the connection. ``proxies`` is a
    requests proxy mapping (``{"http": ..., "https": ...}``); ``{}`` forces a direct connection;
    None leaves requests' own rules (environment variables)."""

    def __init__(self, base_url: str, token: str, timeout_s: float = 30.0, connect_timeout_s: float | None = None,
                 proxies: dict[str, str] | None = None):
        self.base_url = base_url.rstrip("/")
        self.token = token.strip()
        self.timeout_s = timeout_s
        self.connect_timeout_s = connect_timeout_s if connect_timeout_s is not None else timeout_s
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {self.token}"
        if proxies is not None:
            # QGIS's proxy settings decide, not the environment of the QGIS process.
            self.session.trust_env = False
            self.session.proxies.update(proxies)
        #: Called with each job this client submitted (the plugin records them in the project).
        self.on_submitted: Callable[[JobStatus], None] | None = None

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> BackendClient:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _url(self, path: str) -> str:
        return f"{self.base_url}{API_PREFIX}{path}"

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        timeout = kwargs.pop("timeout", (self.connect_timeout_s, self.timeout_s))
        try:
            response = self.session.request(method, self._url(path), timeout=timeout, **kwargs)
        except (requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema,
                requests.exceptions.InvalidURL) as exc:
            raise BackendError(
                f"the backend URL {self.base_url} is not a web address: write it with http:// or https:// in "
                "front, as in http://127.0.0.1:8765, in the IceSight settings", "invalid_url"
            ) from exc
        except requests.ConnectionError as exc:
            raise BackendError(
                f"cannot reach the IceSight backend at {self.base_url}: check that it is running and that the "
                f"URL in the IceSight settings is right ({exc.__class__.__name__})"
            ) from exc
        except requests.Timeout as exc:
            raise BackendError(
                f"the IceSight backend at {self.base_url} did not answer within {self.timeout_s:g} s: it may be "
                "busy or stuck; try again, or give it more time in the IceSight settings",
                "timeout",
            ) from exc
        except requests.RequestException as exc:
            raise BackendError(f"the request to the IceSight backend at {self.base_url} failed: {exc}") from exc
        if response.status_code >= 400:
            # The body is read before the connection is let go: a streamed answer has not read it yet.
            body = response.text
            response.close()
            try:
                error = json.loads(body)["error"]
                raise BackendError(error["message"], error["code"], error.get("field"), response.status_code)
            except (ValueError, KeyError, TypeError):
                raise BackendError(
                    f"backend answered HTTP {response.status_code}: {body[:200]}",
                    "http_error",
                    status_code=response.status_code,
                ) from None
        return response

    def _json(self, method: str, path: str, key: str | None = None, **kwargs: Any) -> Any:
        """The JSON answer of a request (its ``key`` member where given). A server that answers
        something else (a proxy's login page, another service on the port) is named as such instead
        of failing on the parse."""
        response = self._request(method, path, **kwargs)
        try:
            answer = response.json()
            return answer[key] if key is not None else answer
        except (ValueError, KeyError, TypeError):
            raise BackendError(
                f"the server at {self.base_url} did not answer {path} as an IceSight backend does; check the URL "
                "in the IceSight settings (the port, and whether a proxy answers in its place)", "not_icesight",
                status_code=response.status_code,
            ) from None

    def _typed(self, cls: type, method: str, path: str, **kwargs: Any) -> Any:
        """The JSON answer of a request read as the contract's ``cls``."""
        return self._as(cls, self._json(method, path, **kwargs), path)

    def _as(self, cls: type, answer: Any, path: str) -> Any:
        try:
            return from_dict(cls, answer)
        except (ValueError, KeyError, TypeError) as exc:
            raise BackendError(
                f"the answer of {self.base_url} to {path} is not what this plugin expects ({exc}); the backend "
                "may be of another version than the plugin", "not_icesight",
            ) from None

    # -- API ------------------------------------------------------------------------------------

    def health(self) -> dict:
        return self._json("GET", "/health")

    def submit(self, kind: JobKind, params: Any) -> JobStatus:
        body = to_dict(JobRequest.of(kind, params), pack=True)  # patch bands as base64 float32
        status = self._typed(JobStatus, "POST", "/jobs", json=body)
        if self.on_submitted is not None:
            self.on_submitted(status)
        return status

    def job(self, job_id: str) -> JobStatus:
        return self._typed(JobStatus, "GET", f"/jobs/{job_id}")

    def jobs(self, limit: int = 100) -> list[JobStatus]:
        """The newest ``limit`` jobs, newest first."""
        return [self._as(JobStatus, j, "/jobs") for j in self._json("GET", "/jobs", "jobs", params={"limit": limit})]

    def cancel(self, job_id: str) -> JobStatus:
        return self._typed(JobStatus, "POST", f"/jobs/{job_id}/cancel")

    def models(self) -> list[dict]:
        return self._json("GET", "/models", "models")

    def models_with_drift(self) -> list[dict]:
        """The registered models, each with ``drift``: the monitoring's verdict on its recent inputs
        against its training data (``status`` ok / drift / too_few / no_reference, ``drifted`` features)."""
        drift = {m["model_id"]: m["drift"] for m in self._json("GET", "/monitoring", "models")}
        return [record | {"drift": drift.get(record["model_id"], {"status": "unused"})} for record in self.models()]

    def model(self, model_id: str) -> dict:
        return self._json("GET", f"/models/{model_id}")

    def compare_models(self, model_ids: list[str]) -> dict:
        return self._json("GET", "/models/compare", params={"ids": ",".join(model_ids)})

    def predict(self, patches: list[PatchRecord], model_id: str | None = None) -> ClassifyPatchesResult:
        """``POST /predict``: a few patches classified at once (the production model unless named)."""
        body = to_dict(PredictRequest(patches=patches, model_id=model_id), pack=True)
        answer = self._json("POST", "/predict", json=body)
        answer.pop("model_seconds", None)
        return from_dict(ClassifyPatchesResult, answer)

    def newest_feature_group_version(self, group: str) -> int | None:
        """The newest version of a feature group, None when the group does not exist yet."""
        try:
            versions = self.feature_group_versions(group)
        except BackendError as exc:
            if exc.code == ErrorCode.UNKNOWN_FEATURE_GROUP.value:
                return None
            raise
        return max((v["version"] for v in versions), default=None)

    def feature_groups(self) -> list[dict]:
        """The feature groups, each ``{"group", "n_versions", "latest"}`` (the newest version's metadata)."""
        return self._json("GET", "/feature-groups", "feature_groups")

    def feature_group_versions(self, group: str) -> list[dict]:
        """The metadata of each version of a feature group, oldest first."""
        return self._json("GET", f"/feature-groups/{group}", "versions")

    def training_datasets(self) -> list[dict]:
        """The training datasets, each ``{"name", "n_versions", "latest"}`` (the newest version's metadata)."""
        return self._json("GET", "/training-datasets", "training_datasets")

    def training_dataset_versions(self, name: str) -> list[dict]:
        """The metadata of each version of a training dataset (its feature group version, split counts,
        ``k_folds``), oldest first."""
        return self._json("GET", f"/training-datasets/{name}", "versions")

    def set_production(self, model_id: str) -> dict:
        return self._json("POST", f"/models/{model_id}/production")

    def scenes(self, start: str | None = None, end: str | None = None,
               bbox: tuple[float, float, float, float] | None = None, mode: str | None = None) -> list[dict]:
        """Catalog items (STAC-style GeoJSON features) acquired within ``start..end`` (ISO 8601),
        touching ``bbox`` (west, south, east, north in degrees) and of acquisition ``mode``."""
        query = {"start": start, "end": end, "mode": mode,
                 "bbox": ",".join(f"{v:.6f}" for v in bbox) if bbox is not None else None}
        params = {k: v for k, v in query.items() if v}
        items: list[dict] = []
        while True:  # page by page (the backend answers at most a page of items at a time)
            page = self._json("GET", "/scenes", params=params | {"offset": len(items)})
            try:
                features, matched = page["features"], int(page.get("numberMatched", 0))
            except (KeyError, TypeError, ValueError):
                raise BackendError(f"the server at {self.base_url} did not answer /scenes as an IceSight backend "
                                   "does; check the URL in the IceSight settings", "not_icesight") from None
            items += features
            if not features or len(items) >= matched or len(items) >= MAX_SCENES_LISTED:
                return items[:MAX_SCENES_LISTED]

    def scene(self, scene_id: str) -> dict:
        return self._json("GET", f"/scenes/{scene_id}")

    def scene_url(self, scene_id: str) -> str:
        """Where the scene's COG is served (HTTP range requests, for GDAL's /vsicurl/)."""
        return self._url(f"/scenes/{scene_id}/scene.tif")

    def upload(self, path: str | Path, on_progress: Callable[[int, int], None] | None = None,
               is_cancelled: Callable[[], bool] | None = None) -> dict:
        """Send a scene file to ``POST /uploads`` in chunks; ``on_progress(sent_bytes, total_bytes)``.
        Raises :class:`JobCancelledError` (the upload is abandoned) when ``is_cancelled()`` turns true.
        A SNAP BEAM-DIMAP header (``.dim``) is sent zipped with its ``.data`` folder."""
        path = Path(path)
        if path.suffix.lower() == ".dim":
            with tempfile.TemporaryDirectory(prefix="icesight-") as staging:
                try:
                    zipped = zip_dimap(path, Path(staging) / f"{path.stem}.zip", is_cancelled)
                except OSError as exc:  # a full disk, say
                    raise BackendError(f"could not zip {path.name} with its .data folder in {staging} ({exc}); "
                                       "free space there, or zip the two yourself and upload the zip",
                                       code="invalid_parameter") from None
                return self._upload(zipped, on_progress, is_cancelled)
        return self._upload(path, on_progress, is_cancelled)

    def _upload(self, path: Path, on_progress: Callable[[int, int], None] | None,
                is_cancelled: Callable[[], bool] | None) -> dict:
        with _ChunkReader(path, on_progress, is_cancelled) as body:
            return self._json("POST", "/uploads", params={"filename": path.name}, data=body,
                              headers={"Content-Type": "application/octet-stream"})

    def download(self, job_id: str, name: str, destination: Path,
                 is_cancelled: Callable[[], bool] | None = None) -> Path:
        """Stream an artifact to ``destination`` (written under a temporary name, then renamed, so that
        ``destination`` is whole or absent). A connection that breaks off, a file that cannot be
        written, or a cancel (``is_cancelled()``, looked at between chunks: :class:`JobCancelledError`)
        leaves no partial file behind."""
        destination = Path(destination)
        partial = destination.with_name(destination.name + ".partial")
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
            with self._request("GET", f"/jobs/{job_id}/artifacts/{name}", stream=True) as response, \
                    open(partial, "wb") as handle:
                # Older urllib3 takes a connection closed early for the end of the body: count.
                promised = None if response.headers.get("Content-Encoding") else response.headers.get("Content-Length")
                received = 0
                for chunk in response.iter_content(chunk_size=DOWNLOAD_CHUNK_BYTES):
                    if is_cancelled is not None and is_cancelled():
                        raise JobCancelledError(f"download of {name} of job {job_id}")
                    handle.write(chunk)
                    received += len(chunk)
            if promised is not None and promised.isdigit() and received != int(promised):
                raise BackendError(
                    f"the download of {name} (job {job_id}) from {self.base_url} broke off after {received} of "
                    f"{promised} bytes; try again", "download_failed"
                )
            partial.replace(destination)
        except requests.RequestException as exc:
            raise BackendError(
                f"the download of {name} (job {job_id}) from {self.base_url} broke off "
                f"({exc.__class__.__name__}); try again", "download_failed"
            ) from exc
        except OSError as exc:
            raise BackendError(
                f"could not write {destination} ({exc.strerror or exc}); free space there or choose another "
                "results folder in the IceSight settings", "write_failed"
            ) from exc
        finally:
            partial.unlink(missing_ok=True)
        return destination

    def wait(
        self,
        job_id: str,
        on_progress: Callable[[JobStatus], None] | None = None,
        is_cancelled: Callable[[], bool] | None = None,
        poll_interval_s: float = 0.5,
        timeout_s: float | None = None,
    ) -> JobStatus:
        """Poll a job until it ends. Cancels it on the backend when ``is_cancelled()`` turns true.
        ``timeout_s`` (None: no limit; a search or a scene may run for hours) stops the waiting, not
        the job."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while True:
            status = self.job(job_id)
            if is_cancelled is not None and is_cancelled():  # before reporting: the caller may be gone
                if not status.state.is_final:
                    try:
                        self.cancel(job_id)
                    except BackendError:
                        pass
                raise JobCancelledError(job_id)
            if on_progress is not None:
                on_progress(status)
            if status.state.is_final:
                if status.state is JobState.CANCELLED:
                    raise JobCancelledError(job_id)
                if status.state is JobState.FAILED:
                    error = status.error
                    raise BackendError(
                        error.message if error else "job failed", error.code.value if error else "job_failed"
                    )
                return status
            if deadline is not None and time.monotonic() > deadline:
                raise BackendError(f"job {job_id} is still running on the backend after {timeout_s:g} s of waiting "
                                   "here; it goes on, and its results can be put on the map from the Jobs page "
                                   "when it has finished", "timeout")
            time.sleep(poll_interval_s)
