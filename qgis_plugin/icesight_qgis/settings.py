"""Plugin settings in QgsSettings under ``IceSight/``; the token in QGIS's encrypted auth database
when the user has set a master password, otherwise in the profile's settings (with a warning)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsProject, QgsSettings

from .log import log_warning

PREFIX = "IceSight"
DEFAULT_URL = "http://127.0.0.1:8765"


@dataclass
class BackendSettings:
    url: str
    token: str


def _auth_usable() -> bool:
    manager = QgsApplication.authManager()
    return manager is not None and manager.masterPasswordIsSet()


def load() -> BackendSettings:
    settings = QgsSettings()
    url = settings.value(f"{PREFIX}/backend_url", DEFAULT_URL, type=str)
    token = ""
    auth_id = settings.value(f"{PREFIX}/token_authcfg", "", type=str)
    if auth_id and _auth_usable():
        config = QgsAuthMethodConfig()
        if QgsApplication.authManager().loadAuthenticationConfig(auth_id, config, True):
            token = config.config("password")
    if not token:
        token = settings.value(f"{PREFIX}/token", "", type=str)
    return BackendSettings(url=url, token=token)


def save(url: str, token: str) -> None:
    settings = QgsSettings()
    settings.setValue(f"{PREFIX}/backend_url", url.strip())
    token = token.strip()
    if _auth_usable():
        manager = QgsApplication.authManager()
        config = QgsAuthMethodConfig("Basic")
        auth_id = settings.value(f"{PREFIX}/token_authcfg", "", type=str)
        if auth_id:
            config.setId(auth_id)
        config.setName("IceSight backend token")
        config.setConfig("username", "icesight")
        config.setConfig("password", token)
        stored = manager.updateAuthenticationConfig(config) if auth_id else manager.storeAuthenticationConfig(config)[0]
        if stored:
            settings.setValue(f"{PREFIX}/token_authcfg", config.id())
            settings.remove(f"{PREFIX}/token")
            return
    log_warning(
        "The backend token is kept in the QGIS profile settings because no master password is set; "
        "set one (Settings > Options > Authentication) to keep it encrypted."
    )
    settings.setValue(f"{PREFIX}/token", token)


RESULTS_SUBDIR = "icesight_results"
DEFAULT_PROBABILITY_THRESHOLD = 0.5


def default_results_dir() -> str:
    """Next to the saved project (results travel with it); else the plugin's folder in the profile.

    Never the system temp folder: a saved project would point at files that vanish on reboot.
    """
    project_dir = QgsProject.instance().absolutePath()
    if project_dir:
        return os.path.join(project_dir, RESULTS_SUBDIR)
    return os.path.join(QgsApplication.qgisSettingsDirPath(), PREFIX, "results")


def chosen_results_dir() -> str:
    """The results folder the analyst chose ('' when none: the default applies)."""
    return QgsSettings().value(f"{PREFIX}/results_dir", "", type=str).strip()


def results_dir() -> str:
    """The folder job results are downloaded to: the analyst's choice, else :func:`default_results_dir`.
    Read on the main thread (it asks the project where it is saved)."""
    return chosen_results_dir() or default_results_dir()


def save_results_dir(folder: str) -> None:
    """Remember the analyst's results folder; an empty string returns to the default."""
    folder = folder.strip()
    if folder:
        QgsSettings().setValue(f"{PREFIX}/results_dir", folder)
    else:
        QgsSettings().remove(f"{PREFIX}/results_dir")


def probability_threshold() -> float:
    return QgsSettings().value(f"{PREFIX}/probability_threshold", DEFAULT_PROBABILITY_THRESHOLD, type=float)


def save_probability_threshold(value: float) -> None:
    QgsSettings().setValue(f"{PREFIX}/probability_threshold", float(value))
