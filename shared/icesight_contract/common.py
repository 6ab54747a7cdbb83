"""Types every job family shares: error codes, class and mode names, and the patch record.

Standard library only (ships inside the QGIS plugin as well as the backend).
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from typing import Any

from .codec import ContractError, PackedFloats, Seed, described
from .constants import (
    INC_ANGLE_MAX_DEG,
    INC_ANGLE_MIN_DEG,
    INC_ANGLE_MISSING,
    PATCH_PIXELS,
    PATCH_SIZE_PX,
    SIGMA0_DB_MAX,
    SIGMA0_DB_MIN,
)


class ErrorCode(str, enum.Enum):
    INVALID_JSON = "invalid_json"
    INVALID_PARAMETER = "invalid_parameter"
    UNKNOWN_JOB_KIND = "unknown_job_kind"
    UNKNOWN_JOB = "unknown_job"
    UNKNOWN_ARTIFACT = "unknown_artifact"
    UNKNOWN_MODEL = "unknown_model"
    UNKNOWN_SCENE = "unknown_scene"
    UNKNOWN_UPLOAD = "unknown_upload"
    UNKNOWN_FEATURE_GROUP = "unknown_feature_group"
    UNKNOWN_TRAINING_DATASET = "unknown_training_dataset"
    DATASET_UNUSABLE = "dataset_unusable"
    MODEL_INPUT_MISMATCH = "model_input_mismatch"
    BODY_TOO_LARGE = "body_too_large"
    UNAUTHORIZED = "unauthorized"
    JOB_NOT_CANCELLABLE = "job_not_cancellable"
    JOB_FAILED = "job_failed"
    INTERRUPTED = "interrupted"
    NOT_FOUND = "not_found"  # no such route
    METHOD_NOT_ALLOWED = "method_not_allowed"
    INVALID_REQUEST = "invalid_request"  # a malformed header or query (e.g. Range)
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"  # an Idempotency-Key reused for another request
    INTERNAL = "internal"


class ClassName(str, enum.Enum):
    """What a patch holds. ``clutter`` is no target at all: sea-ice texture, ridges, sea spikes or an
    azimuth ambiguity where a detector fired. The order is the class index models and stores use."""

    SHIP = "ship"
    ICEBERG = "iceberg"
    CLUTTER = "clutter"

    @property
    def index(self) -> int:
        return list(ClassName).index(self)


class AcquisitionMode(str, enum.Enum):
    """Sentinel-1 ground-range products the simulator imitates."""

    EW = "EW"  # EW GRDM: 40 m pixels, incidence about 19-47 degrees
    IW = "IW"  # IW GRDH: 10 m pixels, incidence about 29-46 degrees


class CoPol(str, enum.Enum):
    """The co-polarised channel of a dual-pol product; the cross-pol one follows (HV or VH)."""

    HH = "HH"  # HH+HV: the polar ice services' choice, and the Kaggle Statoil/C-CORE data
    VV = "VV"  # VV+VH: the default over open ocean


@dataclass(frozen=True)
class ApiError:
    code: ErrorCode
    message: str
    field: str | None = None


# ---------------------------------------------------------------------------------------------
# Patches


def _check_band(name: str, values: list[float]) -> None:
    if len(values) != PATCH_PIXELS:
        raise ContractError(
            name,
            f"expected {PATCH_PIXELS} values ({PATCH_SIZE_PX} x {PATCH_SIZE_PX} pixels, row-major), "
            f"got {len(values)}",
        )
    if all(map(math.isfinite, values)) and SIGMA0_DB_MIN <= min(values) and max(values) <= SIGMA0_DB_MAX:
        return  # the common case, checked at C speed; the loop below names the first bad value
    for i, v in enumerate(values):
        if not math.isfinite(v):
            raise ContractError(f"{name}[{i}]", f"must be a finite sigma0 in dB, got {v!r}")
        if not SIGMA0_DB_MIN <= v <= SIGMA0_DB_MAX:
            raise ContractError(
                f"{name}[{i}]",
                f"{v:g} is outside [{SIGMA0_DB_MIN:g}, {SIGMA0_DB_MAX:g}] dB; bands must hold "
                "calibrated sigma0 in dB (convert linear power with 10*log10)",
            )


@dataclass
class PatchRecord:
    """One 75 x 75 patch in the Kaggle Statoil/C-CORE record schema, plus optional provenance.

    ``band_1`` is HH (co-pol) and ``band_2`` HV (cross-pol), sigma0 in dB, row-major; each a list of
    numbers or packed as base64 float32 (:data:`~.codec.PackedFloats`).
    ``inc_angle`` is in degrees or the string ``"na"``. ``is_iceberg`` is the Kaggle label (1 iceberg,
    0 ship) when known; ``label`` names the class and is the only way to say ``clutter`` (no target;
    its ``is_iceberg`` is null). Either may be given; they must agree. ``x``/``y`` are the patch
    centre in ``crs`` map coordinates. ``warm_up`` marks a patch training starts on: when a set marks
    some of its patches but not all, the first epochs (a quarter of them) draw only from the marked
    ones (simulated sets mark their nominal, not domain-randomised, patches).
    """

    id: str
    band_1: PackedFloats
    band_2: PackedFloats
    inc_angle: float | str
    is_iceberg: int | None = None
    scene_id: str | None = None
    row: int | None = None
    col: int | None = None
    x: float | None = None
    y: float | None = None
    crs: str | None = None
    padded: bool = False
    label: ClassName | None = None
    warm_up: bool = False

    def __post_init__(self) -> None:
        if not self.id:
            raise ContractError("id", "must be a non-empty string")
        self._harmonise_labels()
        _check_band("band_1", self.band_1)
        _check_band("band_2", self.band_2)
        if isinstance(self.inc_angle, str):
            if self.inc_angle != INC_ANGLE_MISSING:
                raise ContractError(
                    "inc_angle", f"expected degrees or {INC_ANGLE_MISSING!r}, got {self.inc_angle!r}"
                )
        elif not INC_ANGLE_MIN_DEG <= self.inc_angle <= INC_ANGLE_MAX_DEG:
            raise ContractError(
                "inc_angle",
                f"{self.inc_angle:g} degrees is outside [{INC_ANGLE_MIN_DEG:g}, {INC_ANGLE_MAX_DEG:g}]",
            )
        if (self.x is None) != (self.y is None):
            raise ContractError("x" if self.x is None else "y", "x and y must be given together")

    def _harmonise_labels(self) -> None:
        if self.is_iceberg is not None and (isinstance(self.is_iceberg, bool) or self.is_iceberg not in (0, 1)):
            raise ContractError("is_iceberg", f"must be 0 (ship) or 1 (iceberg), got {self.is_iceberg!r}")
        if self.label is not None and not isinstance(self.label, ClassName):
            try:
                self.label = ClassName(self.label)
            except ValueError:
                raise ContractError(
                    "label", f"must be one of {', '.join(c.value for c in ClassName)}, got {self.label!r}"
                ) from None
        from_kaggle = None if self.is_iceberg is None else (ClassName.ICEBERG if self.is_iceberg else ClassName.SHIP)
        if self.label is None:
            self.label = from_kaggle
        elif from_kaggle is None:
            self.is_iceberg = None if self.label is ClassName.CLUTTER else int(self.label is ClassName.ICEBERG)
        elif from_kaggle is not self.label:
            raise ContractError(
                "label", f"{self.label.value!r} contradicts is_iceberg={self.is_iceberg}; give one of them or make them agree"
            )

    @property
    def class_index(self) -> int | None:
        """The label as a class index (:attr:`ClassName.index`), None when unlabelled."""
        return None if self.label is None else self.label.index

    @property
    def inc_angle_deg(self) -> float | None:
        return None if isinstance(self.inc_angle, str) else float(self.inc_angle)


#: Share of target-free clutter patches in a simulated training set by default (see SimulatedPatchSet).
DEFAULT_CLUTTER_FRACTION = 0.2
#: Share of a simulated training set drawn with domain randomisation (the rest nominal); see
#: :class:`SimulatedPatchSet` and docs/simulator.md for the measurements behind it.
DEFAULT_RANDOMISED_FRACTION = 0.5


def label_from_value(value: Any, field_name: str) -> ClassName:
    """An analyst's label: 0/1 as in the Kaggle data (ship/iceberg) or a class name."""
    if isinstance(value, int) and not isinstance(value, bool) and value in (0, 1):
        return ClassName.ICEBERG if value else ClassName.SHIP
    if isinstance(value, str):
        try:
            return ClassName(value)
        except ValueError:
            pass
    raise ContractError(
        field_name, f"must be 0 (ship), 1 (iceberg) or one of {', '.join(c.value for c in ClassName)}, got {value!r}"
    )


@dataclass
class SimulatedPatchSet:
    """A labelled patch set drawn from the scene simulator's target and clutter models.

    ``clutter_fraction`` of the patches hold no target (label ``clutter``): sea-ice texture, ridges,
    sea spikes and azimuth ambiguities, centred where a detector would fire on them, so a model
    learns to send detector false alarms back as clutter. The rest are icebergs with probability
    ``iceberg_fraction`` and ships otherwise. 0 trains a two-class (ship/iceberg) model.

    ``randomised_fraction`` of the patches draw the simulator's nuisance parameters (brightness,
    impulse response, looks, noise floor, wind, sea ice, target position) from wide ranges (domain
    randomisation); the others use the nominal simulator. On the simulator's own held-out EW
    patches, LeNets trained on 1,604 patches for 20 epochs reached ship/iceberg accuracy 0.90 / 0.80
    / 0.55 (nominal / other simulator family / randomised test patches) with no randomisation,
    0.61 / 0.64 / 0.61 with every patch randomised (underfit) and 0.87 / 0.83 / 0.74 with half, so
    half is the default. ``randomise`` (true: every patch, false: none) overrides it when given.

    The default size is twice the Statoil/C-CORE set: on half-randomised sets a LeNet needs several
    hundred training steps before it separates ships from icebergs, and at 1,604 patches and 20
    epochs one training seed in four never did (see ``docs/simulator.md``).
    """

    n_patches: int = 3208
    mode: AcquisitionMode = AcquisitionMode.EW
    iceberg_fraction: float = 0.47
    co_pol: CoPol = CoPol.HH
    seed: Seed = 0
    randomise: bool | None = None
    clutter_fraction: float = DEFAULT_CLUTTER_FRACTION
    randomised_fraction: float = DEFAULT_RANDOMISED_FRACTION

    def __post_init__(self) -> None:
        if not 20 <= self.n_patches <= 50000:
            raise ContractError("n_patches", f"must be between 20 and 50000, got {self.n_patches}")
        if not 0.05 <= self.iceberg_fraction <= 0.95:
            raise ContractError(
                "iceberg_fraction", f"must be between 0.05 and 0.95, got {self.iceberg_fraction:g}"
            )
        if not (self.clutter_fraction == 0 or 0.05 <= self.clutter_fraction <= 0.5):
            raise ContractError(
                "clutter_fraction", f"must be 0 (no clutter class) or between 0.05 and 0.5, got {self.clutter_fraction:g}"
            )
        if not 0 <= self.randomised_fraction <= 1:
            raise ContractError("randomised_fraction", f"must be between 0 and 1, got {self.randomised_fraction:g}")

    @property
    def randomised_share(self) -> float:
        """The share of patches drawn with domain randomisation (``randomise`` overrides the fraction)."""
        return self.randomised_fraction if self.randomise is None else float(self.randomise)


def check_training_records(patches: list[PatchRecord], field_name: str, need_labels: bool) -> None:
    seen: set[str] = set()
    for i, patch in enumerate(patches):
        if need_labels and patch.label is None:
            raise ContractError(
                f"{field_name}[{i}].is_iceberg",
                "label missing: training records need is_iceberg (1 iceberg, 0 ship) or label (ship, iceberg, clutter)",
            )
        if patch.id in seen:
            raise ContractError(f"{field_name}[{i}].id", f"duplicate patch id {patch.id!r}")
        seen.add(patch.id)


@dataclass
class MapPoint:
    """A point an analyst supplies, in the job's ``crs`` (map coordinates, or lon/lat in EPSG:4326)."""

    id: str
    x: float
    y: float
    attributes: dict[str, Any] | None = None  # the analyst's layer fields, kept in the results

    def __post_init__(self) -> None:
        for key, value in (self.attributes or {}).items():
            if value is not None and not isinstance(value, str | int | float | bool):
                raise ContractError(f"attributes.{key}", "must be a string, number, true/false or null")


#: Most positions a ``land_polygons`` document may carry (a detailed coastline of a scene's area
#: has some tens of thousands; more belongs in a file the backend is given another way).
MAX_POLYGON_POSITIONS = 500_000
_POLYGON_TYPES = ("Polygon", "MultiPolygon")
#: The GeoJSON collections and the key of their members.
_COLLECTION_MEMBERS = {"GeometryCollection": "geometries", "FeatureCollection": "features"}
#: How deep Features and collections may nest in a ``land_polygons`` document.
MAX_GEOJSON_DEPTH = 8


def lonlat_polygons(value: Any, path: str) -> list[dict]:
    """Check a GeoJSON document of polygons in longitude/latitude (EPSG:4326, RFC 7946): a Polygon,
    MultiPolygon, Feature or FeatureCollection of them, or a GeometryCollection. Returns its Polygon
    and MultiPolygon geometries; a :class:`ContractError` at the first thing wrong, with its path."""
    counted = [0, 0]  # polygons, positions
    found: list[dict] = []

    def ring(coordinates: Any, where: str) -> None:
        if not isinstance(coordinates, list) or len(coordinates) < 4:
            raise ContractError(where, "a linear ring needs a list of at least 4 positions [longitude, latitude]")
        for k, position in enumerate(coordinates):
            if (not isinstance(position, list) or len(position) < 2
                    or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in position[:2])):
                shown_position = (f"[{', '.join(described(v) for v in position[:3])}{', ...' if len(position) > 3 else ''}]"
                                  if isinstance(position, list) else described(position))
                raise ContractError(f"{where}[{k}]", f"a position is [longitude, latitude] in degrees, got {shown_position}")
            lon, lat = position[0], position[1]
            # Comparisons, not float(): an integer too large for a float is refused, not an overflow.
            if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
                raise ContractError(f"{where}[{k}]", f"longitude must be in [-180, 180] and latitude in [-90, 90] "
                                                     f"(EPSG:4326), got [{described(lon)}, {described(lat)}]")
        if coordinates[0][:2] != coordinates[-1][:2]:
            raise ContractError(where, "a linear ring must end where it starts (first and last positions equal)")
        counted[1] += len(coordinates)
        if counted[1] > MAX_POLYGON_POSITIONS:
            raise ContractError(path, f"at most {MAX_POLYGON_POSITIONS} positions in all; simplify the polygons")

    def polygon(coordinates: Any, where: str) -> None:
        if not isinstance(coordinates, list) or not coordinates:
            raise ContractError(where, "a Polygon's coordinates are a list of linear rings (the outer one first)")
        for k, r in enumerate(coordinates):
            ring(r, f"{where}[{k}]")
        counted[0] += 1

    def geometry(doc: Any, where: str, depth: int = 0) -> None:
        if not isinstance(doc, dict):
            raise ContractError(where, f"expected a GeoJSON object, got {type(doc).__name__}")
        if depth > MAX_GEOJSON_DEPTH:
            raise ContractError(where, f"collections nest at most {MAX_GEOJSON_DEPTH} deep")
        kind = doc.get("type")
        if kind == "Polygon":
            polygon(doc.get("coordinates"), f"{where}.coordinates")
            found.append(doc)
        elif kind == "MultiPolygon":
            parts = doc.get("coordinates")
            if not isinstance(parts, list):
                raise ContractError(f"{where}.coordinates", "a MultiPolygon's coordinates are a list of polygons")
            for k, part in enumerate(parts):
                polygon(part, f"{where}.coordinates[{k}]")
            found.append(doc)
        elif kind == "Feature":
            geometry(doc.get("geometry"), f"{where}.geometry", depth + 1)
        elif kind in _COLLECTION_MEMBERS:
            key = _COLLECTION_MEMBERS[kind]
            members = doc.get(key)
            if not isinstance(members, list):
                raise ContractError(f"{where}.{key}", f"expected a list of {key}")
            for k, member in enumerate(members):
                geometry(member, f"{where}.{key}[{k}]", depth + 1)
        else:
            raise ContractError(f"{where}.type", f"expected one of {', '.join(_POLYGON_TYPES)}, Feature, FeatureCollection "
                                                 f"or GeometryCollection (of polygons), got {described(kind)}")

    geometry(value, path)
    if not counted[0]:
        raise ContractError(path, "holds no polygon; give land as Polygon or MultiPolygon geometries")
    return found
