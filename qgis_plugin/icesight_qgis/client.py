"""HTTP client of the IceSight backend, used by the plugin's tasks and Processing algorithms.

Plain ``requests`` and the shared contract; no Qt, so it runs in any thread. Errors come back as
:class:`BackendError` carrying the backend's error code, message and field.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from icesight_contract import (
    API_PREFIX,
    JobKind,
    JobRequest,
    JobState,
    JobStatus,
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
        where = f" ({self.field})" if self.field else ""
        return f"{self}{where}"


class JobCancelledError(Exception):
    pass


class BackendClient:
    def __init__(self, base_url: str, token: str, timeout_s: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self.token = token.strip()
        self.timeout_s = timeout_s
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {self.token}"

    def _url(self, path: str) -> str:
        return f"{self.base_url}{API_PREFIX}{path}"

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            response = self.session.request(method, self._url(path), timeout=self.timeout_s, **kwargs)
        except requests.ConnectionError as exc:
            raise BackendError(
                f"cannot reach the IceSight backend at {self.base_url}: is it running? ({exc.__class__.__name__})"
            ) from exc
        except requests.Timeout as exc:
            raise BackendError(f"the backend at {self.base_url} did not answer within {self.timeout_s:g} s") from exc
        if response.status_code >= 400:
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
        body = to_dict(JobRequest.of(kind, params))
        return from_dict(JobStatus, self._request("POST", "/jobs", json=body).json())

    def job(self, job_id: str) -> JobStatus:
        return from_dict(JobStatus, self._request("GET", f"/jobs/{job_id}").json())

    def jobs(self) -> list[JobStatus]:
        return [from_dict(JobStatus, j) for j in self._request("GET", "/jobs").json()["jobs"]]

    def cancel(self, job_id: str) -> JobStatus:
        return from_dict(JobStatus, self._request("POST", f"/jobs/{job_id}/cancel").json())

    def models(self) -> list[dict]:
        return self._request("GET", "/models").json()["models"]

    def download(self, job_id: str, name: str, destination: Path) -> Path:
        """Stream an artifact to ``destination`` (written under a temporary name, then renamed)."""
        destination = Path(destination)
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial = destination.with_name(destination.name + ".partial")
        response = self._request("GET", f"/jobs/{job_id}/artifacts/{name}", stream=True)
        with open(partial, "wb") as handle:
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
