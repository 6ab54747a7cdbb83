"""The backend jobs started from this QGIS project, remembered in the project file itself
(``QgsProject.writeEntry``) so that their results can be found again after reopening it."""

from __future__ import annotations

from qgis.core import QgsProject

SCOPE = "IceSight"
KEY = "job_ids"


def job_ids(project: QgsProject | None = None) -> list[str]:
    project = project or QgsProject.instance()
    ids, _found = project.readListEntry(SCOPE, KEY, [])
    return [str(i) for i in ids if i]


def remember(job_id: str, project: QgsProject | None = None) -> None:
    """Add ``job_id`` to the project's jobs (marks the project as changed)."""
    project = project or QgsProject.instance()
    ids = job_ids(project)
    if job_id and job_id not in ids:
        project.writeEntry(SCOPE, KEY, [*ids, job_id])
