"""Plugin fixtures: the plugin zip built from the tree and unpacked into a temporary QGIS profile."""

from __future__ import annotations

import importlib
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "qgis_plugin"))
from build_zip import build  # noqa: E402

sys.path.remove(str(ROOT / "qgis_plugin"))


@pytest.fixture(scope="session")
def plugin_zip(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("dist") / "icesight_qgis.zip")


@pytest.fixture(scope="session")
def profile_plugins_dir(tmp_path_factory, plugin_zip) -> Path:
    """``<profile>/python/plugins`` with the zip unpacked, as QGIS's plugin installer does."""
    plugins = tmp_path_factory.mktemp("profile") / "default" / "python" / "plugins"
    plugins.mkdir(parents=True)
    with zipfile.ZipFile(plugin_zip) as archive:
        archive.extractall(plugins)
    return plugins


@pytest.fixture(scope="session")
def installed_plugin(profile_plugins_dir):
    """The plugin package imported from the unpacked zip (not from the source tree)."""
    sys.path.insert(0, str(profile_plugins_dir))
    module = importlib.import_module("icesight_qgis")
    assert Path(module.__file__).is_relative_to(profile_plugins_dir)
    yield module


@pytest.fixture
def backend_settings(backend, tmp_path, installed_plugin):
    """The plugin's settings pointing at the test backend, results in the test's folder."""
    from qgis.core import QgsSettings

    settings = QgsSettings()
    settings.setValue("IceSight/backend_url", backend.url)
    settings.setValue("IceSight/token", backend.token)
    settings.setValue("IceSight/results_dir", str(tmp_path / "results"))
    yield
    for key in ("backend_url", "token", "results_dir", "token_authcfg", "probability_threshold", "connect_timeout_s",
                "read_timeout_s", "token_storage_warned"):
        settings.remove(f"IceSight/{key}")
    # The header file streamed scenes authenticate with holds the test token: leave none behind.
    from icesight_qgis import settings as plugin_settings

    Path(plugin_settings.gdal_header_file()).unlink(missing_ok=True)


def _wait_in_qgis(condition, timeout_s: float = 180.0) -> None:
    """Run the QGIS event loop (tasks finish, signals arrive) until ``condition()`` holds."""
    from qgis.core import QgsApplication

    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting in the QGIS event loop")
        QgsApplication.processEvents()
        time.sleep(0.05)


@pytest.fixture
def wait_in_qgis():
    """``wait_in_qgis(condition, timeout_s)``: run QGIS's event loop until the condition holds."""
    return _wait_in_qgis


@dataclass
class CatalogScene:
    scene_id: str
    tif: Path  # the catalog's COG, downloaded as an analyst would have it on disk
    detections: Path  # the CFAR detections of the scene (GeoPackage, layer "detections")


#: The simulate_scene parameters of the catalog scene (tests simulate it again for its ice mask).
CATALOG_SCENE_PARAMS = {"width_px": 512, "height_px": 512, "n_ships": 5, "n_icebergs": 5, "seed": 21}


@pytest.fixture(scope="session")
def catalog_scene(api, tmp_path_factory) -> CatalogScene:
    """A simulated scene in the backend's catalog, its COG and its CFAR detections."""
    simulated = api.wait(api.submit("simulate_scene", CATALOG_SCENE_PARAMS)["id"])
    assert simulated["state"] == "succeeded", simulated
    scene_id = simulated["result"]["scene_id"]
    folder = tmp_path_factory.mktemp("catalog")
    tif = folder / "scene.tif"
    response = api.get(f"/scenes/{scene_id}/scene.tif")
    assert response.status_code == 200, response.text
    tif.write_bytes(response.content)
    detected = api.wait(api.submit("detect_targets", {"scene_id": scene_id})["id"])
    assert detected["state"] == "succeeded", detected
    detections = folder / "detections.gpkg"
    detections.write_bytes(api.get(f"/jobs/{detected['id']}/artifacts/detections.gpkg").content)
    return CatalogScene(scene_id, tif, detections)


@pytest.fixture(scope="session")
def catalog_scene_truth():
    """The catalog scene simulated again in this process: its HH in dB and its sea-ice mask."""
    from icesight_backend.sar.scene import simulate_scene
    from icesight_contract import SimulateSceneParams

    return simulate_scene(SimulateSceneParams(**CATALOG_SCENE_PARAMS))


@pytest.fixture
def uploadable_tif(tmp_path, write_tif):
    """A small sigma0 GeoTIFF in dB (HH, HV, incidence), UTM 33N, with six bright targets."""
    import numpy as np

    rng = np.random.default_rng(5)
    hh = rng.normal(-20, 1.5, (300, 400))
    hv = rng.normal(-28, 1.5, (300, 400))
    inc = np.broadcast_to(np.linspace(30, 45, 400), (300, 400)).copy()
    for row, col in ((60, 80), (150, 200), (240, 320), (80, 300), (220, 90), (150, 360)):
        hh[row - 2:row + 3, col - 2:col + 3] += 22
        hv[row - 2:row + 3, col - 2:col + 3] += 14
    return write_tif(tmp_path / "my scene.tif", [hh, hv, inc], descriptions=["HH", "HV", "incidence"])


@pytest.fixture
def plugin(qgis_iface, installed_plugin, backend_settings):
    """The plugin started against the test backend; unloaded and the project emptied afterwards."""
    from qgis.core import QgsProject

    started = installed_plugin.classFactory(qgis_iface)
    started.initGui()  # registers the Processing provider too
    try:
        yield started
    finally:
        started.unload()
        QgsProject.instance().removeAllMapLayers()
        QgsProject.instance().layerTreeRoot().removeAllChildren()


@pytest.fixture
def run_and_load(qgis_processing):
    """``run_and_load(algorithm id, parameters)`` through processing.runAndLoadResults, as the
    Toolbox runs it: outputs are loaded into the project and the algorithm's post-processors run."""
    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback, QgsProject

    def run(algorithm_id: str, parameters: dict) -> dict:
        context = QgsProcessingContext()
        context.setProject(QgsProject.instance())
        return processing.runAndLoadResults(f"icesight:{algorithm_id}", parameters, feedback=QgsProcessingFeedback(),
                                            context=context)

    return run


@pytest.fixture
def loaded_layer():
    """``loaded_layer(path)``: the one project layer whose source is ``path``."""
    from qgis.core import QgsProject

    def find(path: str):
        layers = QgsProject.instance().mapLayers().values()
        found = [layer for layer in layers if layer.source().split("|")[0] == path]
        assert len(found) == 1, f"{path} is not loaded once: {[m.source() for m in layers]}"
        return found[0]

    return find
