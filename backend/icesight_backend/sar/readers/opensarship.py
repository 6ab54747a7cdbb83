"""OpenSARShip chips (Huang et al., IEEE JSTARS 2018) as 75 x 75 patch records.

Layout per scene folder: ``Patch_Cal/<Type>_x<col>_y<row>.tif`` (linear sigma0, 2 bands: VH, VV)
and ``Ship.xml`` (one ``<ship>`` per chip; some files close with ``<\\ShipList>``, which is not
XML and is repaired here). VV is used as the co-pol band (``band_1``), VH as cross-pol
(``band_2``); say so wherever results on this data are reported: it is not HH/HV.
"""

from __future__ import annotations

import re
import warnings
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
from rasterio.errors import NotGeoreferencedWarning

from icesight_contract import PATCH_SIZE_PX, PatchRecord

from . import SarFormatError

_CHIP_NAME = re.compile(r"^(?P<type>.+)_x(?P<x>\d+)_y(?P<y>\d+)\.tif$")


@dataclass
class OpenSarShipChip:
    """One chip as published (linear sigma0), with its AIS/SAR record."""

    scene_id: str
    path: Path
    ship_type: str
    col: int
    row: int
    vv_linear: np.ndarray
    vh_linear: np.ndarray
    incidence_deg: float
    ais_length_m: float | None
    slc: bool

    @property
    def cross_pol_suspect(self) -> bool:
        """True when the "VH" channel is not clearly below VV over the chip (a few published chips)."""
        return bool(np.median(self.vh_linear) * 10 ** 0.3 > np.median(self.vv_linear))

    def to_patch(self, rng: np.random.Generator | None = None) -> PatchRecord:
        """Centre crop or pad to 75 x 75 (padding draws from the chip's own border: open sea)."""
        rng = rng or np.random.default_rng(self.col * 100003 + self.row)
        bands = []
        padded = False
        for linear in (self.vv_linear, self.vh_linear):
            db = 10.0 * np.log10(np.maximum(linear, 1e-8))
            fitted, was_padded = _fit_to_patch(db, rng)
            padded |= was_padded
            bands.append(np.clip(fitted, -79.0, 59.0))
        return PatchRecord(
            id=f"{self.scene_id}_x{self.col}_y{self.row}",
            band_1=[round(float(v), 4) for v in bands[0].ravel()],
            band_2=[round(float(v), 4) for v in bands[1].ravel()],
            inc_angle=round(self.incidence_deg, 4),
            is_iceberg=0,
            scene_id=self.scene_id,
            row=self.row,
            col=self.col,
            padded=padded,
        )


def _fit_to_patch(db: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    size = PATCH_SIZE_PX
    h, w = db.shape
    if h >= size and w >= size:
        top, left = (h - size) // 2, (w - size) // 2
        return db[top : top + size, left : left + size], False
    border = np.concatenate([db[0], db[-1], db[:, 0], db[:, -1]])
    out = rng.choice(border, size=(size, size))
    top, left = max((size - h) // 2, 0), max((size - w) // 2, 0)
    ch, cw = min(h, size), min(w, size)
    sy, sx = (h - ch) // 2, (w - cw) // 2
    out[top : top + ch, left : left + cw] = db[sy : sy + ch, sx : sx + cw]
    return out, True


def _parse_ship_xml(path: Path) -> list[ET.Element]:
    text = path.read_text(encoding="utf-8", errors="replace")
    text = text.replace("<\\ShipList>", "</ShipList>")  # as published, some files are malformed
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise SarFormatError(f"{path}: not readable as OpenSARShip Ship.xml ({exc})") from None
    return root.findall("ship")


def _float(element: ET.Element, path: str) -> float | None:
    node = element.find(path)
    if node is None or node.text is None:
        return None
    try:
        value = float(node.text)
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def read_opensarship(root: Path, include_slc: bool = False) -> list[OpenSarShipChip]:
    """All chips under ``root`` (one folder per scene). SLC scenes are slant-range geometry with
    unequal pixel sizes; they are left out unless ``include_slc``."""
    root = Path(root)
    scenes = sorted(p for p in root.iterdir() if (p / "Ship.xml").is_file())
    if not scenes:
        raise SarFormatError(f"{root}: no scene folder with a Ship.xml; point at the OpenSARShip data folder")
    chips: list[OpenSarShipChip] = []
    for scene in scenes:
        slc = "_SLC_" in scene.name
        if slc and not include_slc:
            continue
        records = {}
        for ship in _parse_ship_xml(scene / "Ship.xml"):
            cx, cy = _float(ship, "SARShipInformation/Center_x"), _float(ship, "SARShipInformation/Center_y")
            if cx is not None and cy is not None:
                records[(int(cx), int(cy))] = ship
        for tif in sorted((scene / "Patch_Cal").glob("*.tif")):
            match = _CHIP_NAME.match(tif.name)
            if not match:
                continue
            col, row = int(match["x"]), int(match["y"])
            ship = records.get((col, row))
            if ship is None:
                continue  # a chip without its record cannot be placed in incidence
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", NotGeoreferencedWarning)
                with rasterio.open(tif) as src:
                    if src.count != 2:
                        raise SarFormatError(f"{tif}: expected 2 bands (VH, VV), found {src.count}")
                    vh, vv = src.read(1).astype(np.float64), src.read(2).astype(np.float64)
            chips.append(
                OpenSarShipChip(
                    scene_id=scene.name,
                    path=tif,
                    ship_type=match["type"],
                    col=col,
                    row=row,
                    vv_linear=vv,
                    vh_linear=vh,
                    incidence_deg=_float(ship, "SARShipInformation/Incidence") or float("nan"),
                    ais_length_m=_float(ship, "AISShipInformation/Length"),
                    slc=slc,
                )
            )
    return chips
