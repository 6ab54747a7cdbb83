"""Start and stop ``icesight serve`` as a separate process (used by the demo, tests and benchmarks)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from icesight_contract import API_PREFIX


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@dataclass
class BackendProcess:
    """A backend on 127.0.0.1 in its own process group; use as a context manager."""

    data_dir: Path
    config_dir: Path
    port: int = 0
    extra_args: list[str] = field(default_factory=list)
    log_path: Path | None = None
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def token(self) -> str:
        return (self.config_dir / "token").read_text().strip()

    def start(self, timeout_s: float = 120.0, min_workers: int = 1) -> BackendProcess:
        self.port = self.port or free_port()
        self.log_path = self.log_path or (self.data_dir.parent / f"backend-{self.port}.log")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable, "-m", "icesight_backend.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
            "--data-dir", str(self.data_dir), "--config-dir", str(self.config_dir), *self.extra_args,
        ]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"backend exited with {self.process.returncode}; log:\n{self.log_tail()}")
            try:
                health = requests.get(f"{self.url}{API_PREFIX}/health", timeout=5).json()
                if health["dask"]["n_workers"] >= min_workers:
                    return self
            except (requests.RequestException, ValueError, KeyError):
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"backend not healthy within {timeout_s:g} s; log:\n{self.log_tail()}")

    def stop(self, sig: int = signal.SIGTERM, timeout_s: float = 30.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass

    def log_tail(self, n_chars: int = 4000) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")[-n_chars:]

    def __enter__(self) -> BackendProcess:
        return self.start() if self.process is None else self

    def __exit__(self, *exc) -> None:
        self.stop()
