"""Build the installable plugin zip: ``icesight_qgis/`` with the shared contract in ``icesight_qgis/ext/``.

Usage: python qgis_plugin/build_zip.py [--output dist/icesight_qgis.zip]
"""

from __future__ import annotations

import argparse
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = ROOT / "qgis_plugin" / "icesight_qgis"
CONTRACT = ROOT / "shared" / "icesight_contract"
SHIPPED_SUFFIXES = {".py", ".qml", ".svg", ".png", ".txt", ".md", ".xsd", ".qm"}  # .qm: compiled translations


def _files(folder: Path):
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix in SHIPPED_SUFFIXES:
            yield path


def build(output: Path) -> Path:
    output.parent.mkdir(parents=True, exist_ok=True)
    top = PLUGIN.name
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in _files(PLUGIN):
            archive.write(path, f"{top}/{path.relative_to(PLUGIN)}")
        for path in _files(CONTRACT):
            archive.write(path, f"{top}/ext/icesight_contract/{path.relative_to(CONTRACT)}")
        archive.write(ROOT / "metadata.txt", f"{top}/metadata.txt")
        license_file = ROOT / "LICENSE"
        if license_file.exists():
            archive.write(license_file, f"{top}/LICENSE")
    return output


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=ROOT / "dist" / "icesight_qgis.zip")
    print(build(parser.parse_args().output))
