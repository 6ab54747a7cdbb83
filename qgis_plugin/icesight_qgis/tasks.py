"""Background tasks (QgsTask): network work off the GUI thread, with progress and cancel."""

from __future__ import annotations

from collections.abc import Callable

from qgis.core import QgsTask

from icesight_contract import PatchRecord

from .client import BackendClient, BackendError, JobCancelledError
from .log import log_error, log_info
from .workflow import ClassificationOutcome, classify_patches


class ClassifyPatchesTask(QgsTask):
    """Classify patches on the backend; ``on_done(outcome, error_message)`` runs on the main thread."""

    def __init__(
        self,
        client: BackendClient,
        patches: list[PatchRecord],
        output_dir: str,
        on_done: Callable[[ClassificationOutcome | None, str | None], None],
        model_id: str | None = None,
    ):
        super().__init__(f"IceSight: classify {len(patches)} patches", QgsTask.CanCancel)
        self.client = client
        self.patches = patches
        self.output_dir = output_dir
        self.model_id = model_id
        self.on_done = on_done
        self.outcome: ClassificationOutcome | None = None
        self.error: str | None = None
        self.status_message = ""

    def _progress(self, fraction: float, message: str) -> None:
        self.status_message = message
        self.setProgress(100.0 * fraction)

    def run(self) -> bool:
        # Every exception becomes a failure result: an exception escaping run() would crash QGIS.
        try:
            self.outcome = classify_patches(
                self.client, self.patches, self.output_dir, self.model_id, self._progress, self.isCanceled
            )
            return True
        except JobCancelledError:
            self.error = "cancelled"
            return False
        except BackendError as exc:
            self.error = exc.user_message()
            return False
        except Exception as exc:  # noqa: BLE001
            self.error = f"unexpected error: {type(exc).__name__}: {exc}"
            return False

    def finished(self, result: bool) -> None:
        if result and self.outcome is not None:
            log_info(f"classification job {self.outcome.job_id} finished: {self.outcome.gpkg_path}")
            self.on_done(self.outcome, None)
        else:
            message = self.error or ("cancelled" if self.isCanceled() else "failed")
            if message != "cancelled":
                log_error(f"classification failed: {message}")
            self.on_done(None, message)
