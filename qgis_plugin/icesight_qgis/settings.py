"""Plugin settings in QgsSettings under ``IceSight/``; the token in QGIS's encrypted auth database
when the user has set a master password, otherwise in the profile's settings (with a warning, once);
request timeouts; QGIS's own proxy settings turned into the backend client's proxies.

Read on the main thread: the clients made here are then used in tasks.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import quote

from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsProject, QgsSettings

from .client import BackendClient
from .log import log_warning

PREFIX = "IceSight"
DEFAULT_URL = "http://127.0.0.1:8765"
#: Seconds to wait for the backend to accept a connection, and for each answer.
DEFAULT_CONNECT_TIMEOUT_S = 10.0
DEFAULT_READ_TIMEOUT_S = 60.0
_WARNED_KEY = f"{PREFIX}/token_storage_warned"


@dataclass
class BackendSettings:
    url: str
    token: str
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S
    read_timeout_s: float = DEFAULT_READ_TIMEOUT_S


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
    return BackendSettings(
        url=url,
        token=token,
        connect_timeout_s=settings.value(f"{PREFIX}/connect_timeout_s", DEFAULT_CONNECT_TIMEOUT_S, type=float),
        read_timeout_s=settings.value(f"{PREFIX}/read_timeout_s", DEFAULT_READ_TIMEOUT_S, type=float),
    )


def save_timeouts(connect_timeout_s: float, read_timeout_s: float) -> None:
    settings = QgsSettings()
    settings.setValue(f"{PREFIX}/connect_timeout_s", float(connect_timeout_s))
    settings.setValue(f"{PREFIX}/read_timeout_s", float(read_timeout_s))


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
            settings.remove(_WARNED_KEY)
            write_gdal_header_file(token)
            return
    if not settings.value(_WARNED_KEY, False, type=bool):
        # Once per profile: repeating it on every save teaches analysts to ignore the log.
        log_warning(
            "The backend token is kept in the QGIS profile settings because no master password is set; "
            "set one (Settings > Options > Authentication) to keep it encrypted."
        )
        settings.setValue(_WARNED_KEY, True)
    settings.setValue(f"{PREFIX}/token", token)
    write_gdal_header_file(token)


# -- proxy ---------------------------------------------------------------------------------------

#: QGIS's proxy types (Settings > Options > Network) and the requests URL scheme of each.
_PROXY_SCHEMES = {"HttpProxy": "http", "HttpCachingProxy": "http", "Socks5Proxy": "socks5h"}


def proxies_for(url: str) -> dict[str, str] | None:
    """The requests proxies QGIS's network settings give for ``url``: None when QGIS uses no
    proxy of its own (requests then follows the environment, as QGIS does with the system proxy),
    ``{}`` for a direct connection (an excluded URL), else ``{"http": ..., "https": ...}``."""
    settings = QgsSettings()
    if not settings.value("proxy/proxyEnabled", False, type=bool):
        return None
    kind = settings.value("proxy/proxyType", "DefaultProxy", type=str)
    excluded = _url_list(settings.value("proxy/proxyExcludedUrls", "", type=str))
    excluded += _url_list(settings.value("proxy/noProxyUrls", "", type=str))
    if any(prefix and url.startswith(prefix) for prefix in excluded):
        return {}
    scheme = _PROXY_SCHEMES.get(kind)
    host = settings.value("proxy/proxyHost", "", type=str).strip()
    if scheme is None or not host:
        return None  # the system's proxy (DefaultProxy): requests reads the same environment
    port = settings.value("proxy/proxyPort", "", type=str).strip()
    user = settings.value("proxy/proxyUser", "", type=str)
    password = settings.value("proxy/proxyPassword", "", type=str)
    credentials = f"{quote(user, safe='')}:{quote(password, safe='')}@" if user else ""
    address = f"{scheme}://{credentials}{host}{':' + port if port else ''}"
    return {"http": address, "https": address}


def _url_list(value) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value or "").split("|") if part.strip()]


def make_client(current: BackendSettings | None = None) -> BackendClient:
    """A backend client from the saved settings (URL, token, timeouts, QGIS's proxy); the caller
    closes it (the plugin's tasks do when their work ends)."""
    current = current or load()
    return BackendClient(current.url, current.token, timeout_s=current.read_timeout_s,
                         connect_timeout_s=current.connect_timeout_s, proxies=proxies_for(current.url))


# -- GDAL streaming ----------------------------------------------------------------------------


def gdal_header_file() -> str:
    """The file GDAL's /vsicurl/ reads the backend's Authorization header from (``header_file``)."""
    return os.path.join(QgsApplication.qgisSettingsDirPath(), PREFIX, "gdal_http_headers.txt")


def header_file_problem(exc: OSError) -> str:
    """What to tell the analyst when the header file for streamed scenes cannot be written."""
    return (f"could not write {gdal_header_file()} ({exc.strerror or exc}), which streamed scenes read their "
            "credentials from; free space in the QGIS profile folder or make it writable")


def write_gdal_header_file(token: str) -> str:
    """Write the Authorization header for streamed scenes, readable by this user only.

    GDAL 3.6 (QGIS 3.22's) takes request headers for one /vsicurl/ dataset from a file named in
    its path; the project then stores the file's path, never the token."""
    path = gdal_header_file()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(f"Authorization: Bearer {token.strip()}\n")
    os.chmod(path, 0o600)
    return path



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
