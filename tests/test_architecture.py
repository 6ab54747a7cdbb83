"""The architecture's import rules, as checks: the plugin stays installable into QGIS's Python,
the backend never needs QGIS, and the contract needs nothing but the standard library."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLUGIN_ALLOWED_THIRD_PARTY = {"qgis", "requests", "numpy", "icesight_contract"}
BACKEND_ONLY = {"torch", "dask", "distributed", "rasterio", "geopandas", "captum", "fastapi", "uvicorn", "pyogrio", "shapely", "scipy", "optuna", "optuna_integration", "pyarrow", "sklearn"}


def imported_top_level_modules(folder: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in folder.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(ROOT)))
    return found


def test_plugin_imports_only_what_qgis_ships():
    modules = imported_top_level_modules(ROOT / "qgis_plugin")
    forbidden = {m: files for m, files in modules.items() if m in BACKEND_ONLY}
    assert not forbidden, f"the plugin imports backend-only packages: {forbidden}"
    unexpected = {
        m: files for m, files in modules.items()
        if m not in sys.stdlib_module_names and m not in PLUGIN_ALLOWED_THIRD_PARTY and m != "__future__"
    }
    assert not unexpected, f"the plugin imports packages QGIS does not ship: {unexpected}"


def test_backend_never_imports_qgis():
    modules = imported_top_level_modules(ROOT / "backend")
    assert "qgis" not in modules, modules.get("qgis")


def test_contract_imports_only_the_standard_library():
    modules = imported_top_level_modules(ROOT / "shared")
    outside = {m: f for m, f in modules.items() if m not in sys.stdlib_module_names and m != "__future__"}
    assert not outside, outside


def test_the_guard_itself_sees_imports(tmp_path, monkeypatch):
    """The scan must notice a forbidden import, or the checks above prove nothing."""
    module = tmp_path / "bad.py"
    module.write_text("import torch\nfrom dask import array\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    found = imported_top_level_modules(tmp_path)
    assert {"torch", "dask"} <= set(found)
