"""HTTP client of the IceSight backend, used by the plugin's tasks and Processing algorithms.

Plain ``requests`` and the shared contract; no Qt, so it runs in any thread. Errors come back as
:class:`BackendError` carrying the backend's error code, message and field; ``user_message()``
says them in an analyst's words. A client owns one ``requests.Session``: close it (or use it as a
context manager) when done.
"""

from __future__ import annotations

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
        if response.status_code >= 400:
            response.close()
            try:
                error = response.json()["error"]
                raise BackendError(error["message"], error["code"], error.get("field"), response.status_code)
            except (ValueError, KeyError, TypeError):
                raise BackendError(
                    f"backend answered HTTP {response.status_code}: {response.text[:200]}",
                    "http_error",
                    status_code=response.status_code,
                ) from None
        return response

    # -- API ------------------------------------------------------------------------------------

    def health(self) -> dict:
        return self._request("GET", "/health").json()

    def submit(self, kind: JobKind, params: Any) -> JobStatus:
        body = to_dict(JobRequest.of(kind, params), pack=True)  # patch bands as base64 float32
        status = from_dict(JobStatus, self._request("POST", "/jobs", json=body).json())
        if self.on_submitted is not None:
            self.on_submitted(status)
        return status

    def job(self, job_id: str) -> JobStatus:
        return from_dict(JobStatus, self._request("GET", f"/jobs/{job_id}").json())

    def jobs(self, limit: int = 100) -> list[JobStatus]:
        """The newest ``limit`` jobs, newest first."""
        return [from_dict(JobStatus, j) for j in self._request("GET", "/jobs", params={"limit": limit}).json()["jobs"]]

    def cancel(self, job_id: str) -> JobStatus:
        return from_dict(JobStatus, self._request("POST", f"/jobs/{job_id}/cancel").json())

    def models(self) -> list[dict]:
        return self._request("GET", "/models").json()["models"]

    def models_with_drift(self) -> list[dict]:
        """The registered models, each with ``drift``: the monitoring's verdict on its recent inputs
        against its training data (``status`` ok / drift / too_few / no_reference, ``drifted`` features)."""
        drift = {m["model_id"]: m["drift"] for m in self._request("GET", "/monitoring").json()["models"]}
        return [record | {"drift": drift.get(record["model_id"], {"status": "unused"})} for record in self.models()]

    def model(self, model_id: str) -> dict:
        return self._request("GET", f"/models/{model_id}").json()

    def compare_models(self, model_ids: list[str]) -> dict:
        return self._request("GET", "/models/compare", params={"ids": ",".join(model_ids)}).json()

    def predict(self, patches: list[PatchRecord], model_id: str | None = None) -> ClassifyPatchesResult:
        """``POST /predict``: a few patches classified at once (the production model unless named)."""
        body = to_dict(PredictRequest(patches=patches, model_id=model_id), pack=True)
        answer = self._request("POST", "/predict", json=body).json()
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
        return self._request("GET", "/feature-groups").json()["feature_groups"]

    def feature_group_versions(self, group: str) -> list[dict]:
        """The metadata of each version of a feature group, oldest first."""
        return self._request("GET", f"/feature-groups/{group}").json()["versions"]

    def training_datasets(self) -> list[dict]:
        """The training datasets, each ``{"name", "n_versions", "latest"}`` (the newest version's metadata)."""
        return self._request("GET", "/training-datasets").json()["training_datasets"]

    def training_dataset_versions(self, name: str) -> list[dict]:
        """The metadata of each version of a training dataset (its feature group version, split counts,
        ``k_folds``), oldest first."""
        return self._request("GET", f"/training-datasets/{name}").json()["versions"]

    def set_production(self, model_id: str) -> dict:
        return self._request("POST", f"/models/{model_id}/production").json()

    def scenes(self, start: str | None = None, end: str | None = None,
               bbox: tuple[float, float, float, float] | None = None, mode: str | None = None) -> list[dict]:
        """Catalog items (STAC-style GeoJSON features) acquired within ``start..end`` (ISO 8601),
        touching ``bbox`` (west, south, east, north in degrees) and of acquisition ``mode``."""
        query = {"start": start, "end": end, "mode": mode,
                 "bbox": ",".join(f"{v:.6f}" for v in bbox) if bbox is not None else None}
        params = {k: v for k, v in query.items() if v}
        return self._request("GET", "/scenes", params=params).json()["features"]

    def scene(self, scene_id: str) -> dict:
        return self._request("GET", f"/scenes/{scene_id}").json()

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
            return self._request("POST", "/uploads", params={"filename": path.name}, data=body,
                                 headers={"Content-Type": "application/octet-stream"}).json()

    def download(self, job_id: str, name: str, destination: Path) -> Path:
        """Stream an artifact to ``destination`` (written under a temporary name, then renamed)."""
        destination = Path(destination)
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial = destination.with_name(destination.name + ".partial")
        with self._request("GET", f"/jobs/{job_id}/artifacts/{name}", stream=True) as response, \
                open(partial, "wb") as handle:
            for chunk in response.iter_content(chunk_size=1 << 20):
                handle.write(chunk)
        partial.replace(destination)
        return destination

    def wait(
        self,
        job_id: str,
        on_progress: Callable[[JobStatus], None] | None = None,
        is_cancelled: Callable[[], bool] | None = None,
        poll_interval_s: float = 0.5,
        timeout_s: float = 3600.0,
    ) -> JobStatus:
        """Poll a job until it ends. Cancels it on the backend when ``is_cancelled()`` turns true."""
        deadline = time.monotonic() + timeout_s
        while True:
            status = self.job(job_id)
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
            if is_cancelled is not None and is_cancelled():
                try:
                    self.cancel(job_id)
                except BackendError:
                    pass
                raise JobCancelledError(job_id)
            if time.monotonic() > deadline:
                raise BackendError(f"job {job_id} did not finish within {timeout_s:g} s", "timeout")
            time.sleep(poll_interval_s)
