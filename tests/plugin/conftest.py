"""Plugin fixtures: the plugin zip built from the tree and unpacked into a temporary QGIS profile."""

from __future__ import annotations

import importlib
import sys
import zipfile
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
