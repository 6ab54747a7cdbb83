"""The architecture's import rules, as checks: the plugin stays installable into QGIS's Python,
the backend never needs QGIS, the contract needs nothing but the standard library, the backend's
layers (web -> service -> jobs -> domain) only depend downwards, and no module imports itself
back through others."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLUGIN_ALLOWED_THIRD_PARTY = {"qgis", "requests", "numpy", "icesight_contract"}
BACKEND_ONLY = {"torch", "dask", "distributed", "rasterio", "geopandas", "captum", "fastapi", "uvicorn", "pyogrio", "shapely", "scipy", "optuna", "optuna_integration", "pyarrow", "sklearn"}

#: The packages of the project and the folders they live in.
PACKAGES = {
    "icesight_backend": ROOT / "backend" / "icesight_backend",
    "icesight_contract": ROOT / "shared" / "icesight_contract",
    "icesight_qgis": ROOT / "qgis_plugin" / "icesight_qgis",
}

#: Layers of the backend: the web layer, the job layer, the domain packages.
WEB = {"icesight_backend.api"}
JOBS = "icesight_backend.jobs"
DOMAIN = ("icesight_backend.sar", "icesight_backend.learning")
SERVICE = {"icesight_backend.service", "icesight_backend.api", "icesight_backend.cli", "icesight_backend.launcher"}


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


def module_name(package: str, folder: Path, path: Path) -> str:
    parts = list(path.relative_to(folder).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join([package, *parts])


def import_graph(packages: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the project modules it imports (anywhere in it, lazy imports included), with
    relative imports resolved and ``from package import submodule`` pointing at the submodule."""
    modules: dict[str, Path] = {}
    for package, folder in packages.items():
        for path in folder.rglob("*.py"):
            modules[module_name(package, folder, path)] = path
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = name.split(".") if is_package else name.split(".")[:-1]
                    base = base[: len(base) - (node.level - 1)]
                    stem = ".".join(base + ([node.module] if node.module else []))
                else:
                    stem = node.module or ""
                targets = [f"{stem}.{alias.name}" if f"{stem}.{alias.name}" in modules else stem for alias in node.names]
            else:
                continue
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    edges.add(target)
        graph[name] = edges
    return graph


def under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def layer_breaches(graph: dict[str, set[str]], third_party: dict[str, set[str]]) -> list[str]:
    """Every import that goes against the backend's layering."""
    breaches = []
    for module, targets in graph.items():
        for target in targets:
            if module in WEB and any(under(target, d) for d in DOMAIN):
                breaches.append(f"web layer {module} imports domain module {target}")
            if under(module, JOBS) and target in SERVICE:
                breaches.append(f"job layer {module} imports the web/service layer {target}")
            if any(under(module, d) for d in DOMAIN) and (under(target, JOBS) or target in SERVICE):
                breaches.append(f"domain module {module} imports {target}")
    for module in WEB:
        if "torch" in third_party.get(module, set()):
            breaches.append(f"web layer {module} imports torch")
    return breaches


def third_party_by_module(packages: dict[str, Path]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for package, folder in packages.items():
        for path in folder.rglob("*.py"):
            names = set()
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.Import):
                    names |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.add(node.module.split(".")[0])
            found[module_name(package, folder, path)] = names
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Import cycles (strongly connected components of more than one module), by Tarjan's algorithm."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
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


def test_backend_layers_only_depend_downwards():
    graph = import_graph(PACKAGES)
    assert "icesight_backend.jobs.inference" in graph["icesight_backend.jobs"], "the scan must resolve relative imports"
    assert not layer_breaches(graph, third_party_by_module(PACKAGES))


def test_no_import_cycles():
    graph = import_graph(PACKAGES)
    assert not cycles(graph)


def test_every_job_kind_has_one_handler():
    from icesight_backend.jobs import HANDLERS
    from icesight_contract import KINDS, JobKind

    assert set(HANDLERS) == set(JobKind) and len(KINDS) == len(JobKind)


def _plant(tmp_path: Path, files: dict[str, str]) -> dict[str, Path]:
    folder = tmp_path / "icesight_backend"
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return {"icesight_backend": folder}


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"api.py": "from .learning.training import fit\n", "learning/__init__.py": "", "learning/training.py": ""},
         "web layer icesight_backend.api imports domain module icesight_backend.learning.training"),
        ({"api.py": "import torch\n"}, "web layer icesight_backend.api imports torch"),
        ({"jobs/__init__.py": "", "jobs/scenes.py": "def f():\n    from ..api import create_app\n", "api.py": ""},
         "job layer icesight_backend.jobs.scenes imports the web/service layer icesight_backend.api"),
        ({"sar/__init__.py": "", "sar/io.py": "from ..jobs import HANDLERS\n", "jobs/__init__.py": ""},
         "domain module icesight_backend.sar.io imports icesight_backend.jobs"),
    ],
)
def test_a_planted_breach_fails_the_layer_rule(tmp_path, files, expected):
    """The rules must see a breach, or the checks above prove nothing."""
    packages = _plant(tmp_path, files)
    assert expected in layer_breaches(import_graph(packages), third_party_by_module(packages))


def test_a_planted_cycle_is_found(tmp_path):
    packages = _plant(tmp_path, {"__init__.py": "", "a.py": "from . import b\n", "b.py": "def f():\n    from .a import g\n"})
    assert cycles(import_graph(packages)) == [["icesight_backend.a", "icesight_backend.b"]]


def test_the_guard_itself_sees_imports(tmp_path, monkeypatch):
    """The scan must notice a forbidden import, or the checks above prove nothing."""
    module = tmp_path / "bad.py"
    module.write_text("import torch\nfrom dask import array\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    found = imported_top_level_modules(tmp_path)
    assert {"torch", "dask"} <= set(found)
