"""Plugin settings in QgsSettings under ``IceSight/``; the token in QGIS's encrypted auth database
when the user has set a master password, otherwise in the profile's settings (with a warning)."""

from __future__ import annotations

from dataclasses import dataclass

from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsSettings

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


def results_dir() -> str:
    import os
    import tempfile

    default = os.path.join(tempfile.gettempdir(), "icesight_results")
    return QgsSettings().value(f"{PREFIX}/results_dir", default, type=str)
