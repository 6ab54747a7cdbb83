"""The first azimuth ambiguity's displacement, from real Sentinel-1 annotations, carried by a scene's
tag and used by the detector's ghost filters."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import numpy as np
import pytest
from affine import Affine
from rasterio.crs import CRS

from icesight_backend.sar.ambiguity import (
    AZIMUTH_AMBIGUITY_TAG,
    AmbiguityField,
    AmbiguityNodes,
    geometry_tags,
    scene_ambiguity_field,
)
from icesight_backend.sar.detection import (
    CfarParams,
    Detection,
    drop_azimuth_ambiguities,
    drop_ghosts_of_masked_sources,
)
from icesight_backend.sar.readers.safe import (
    ambiguity_nodes,
    geolocation_grid,
    read_annotation,
    thermal_noise,
)

_spec = importlib.util.spec_from_file_location("real_annotations", Path(__file__).with_name("test_realism_annotations.py"))
_real = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_real)
#: The real annotations (data/sentinel1_annotation) and the 2021 IW GRDH product among them.
ANNOTATIONS, GRDH = _real.DATA, _real.GRD


@pytest.fixture(scope="module")
def grdh():
    annotation = read_annotation(next(GRDH.glob("s1a-iw-grd-vh-*.xml.gz")))
    noise = thermal_noise(read_annotation(next(GRDH.glob("noise-s1a-iw-grd-vh-*.xml.gz"))))
    return annotation, geolocation_grid(annotation), noise


def test_the_real_iw_grdh_annotation_gives_each_sub_swath_its_own_ghost_distance(grdh):
    """The 2021 IW GRDH product: radar frequency 5.405 GHz (lambda 0.055466 m), PRFs 1717.13 /
    1451.63 / 1685.82 Hz in IW1 / IW2 / IW3, a mean orbit speed of 7591.6 m/s. Its first node
    (line 0, pixel 0) has a slant range time of 5.344542 ms: R = 801.13 km, and
    dx = 0.055466 * 801,133 * 1717.13 / (2 * 7591.6) = 5025 m."""
    annotation, grid, noise = grdh
    nodes = ambiguity_nodes(annotation, grid, noise)
    np.testing.assert_array_equal(nodes.shortest_m, nodes.longest_m)  # every node's sub-swath is known
    lines = len(np.unique(grid[:, 0]))
    per_line = nodes.shortest_m.reshape(lines, -1)  # 21 grid pixels and 4 sub-swath boundaries a line
    first = per_line[0]
    assert first[0] == pytest.approx(5025.0, abs=3.0)
    # Within a sub-swath the distance grows with slant range; it jumps where the PRF changes:
    # IW1's far edge (sample 8742) 5.33 km, IW2's near edge (8743) 4.50 km; IW2's far edge 4.80 km,
    # IW3's near edge 5.57 km; IW3's far edge 5.93 km.
    jumps = np.flatnonzero(np.abs(np.diff(first)) > 300.0)
    assert len(jumps) == 2
    assert first[jumps[0]] == pytest.approx(5326.0, abs=5.0) and first[jumps[0] + 1] == pytest.approx(4503.0, abs=5.0)
    assert first[jumps[1]] == pytest.approx(4796.0, abs=5.0) and first[jumps[1] + 1] == pytest.approx(5570.0, abs=5.0)
    assert first[-1] == pytest.approx(5926.0, abs=5.0)
    for segment in np.split(first, jumps + 1):
        assert np.all(np.diff(segment) > 0)
    # Along the track the geometry barely changes: the last line's distances are the first's within 5 m.
    np.testing.assert_allclose(per_line[-1], first, atol=5.0)
    # Nodes lie where the grid says: the first is the grid's first point.
    assert (nodes.lon[0], nodes.lat[0]) == pytest.approx((grid[0, 2], grid[0, 3]))


def test_without_the_sub_swath_blocks_each_node_spans_every_prf(grdh):
    """Products of IPF before 2.9 do not say which samples each sub-swath covers; the ghost may
    then lie at any of the PRFs' distances."""
    annotation, grid, _ = grdh
    nodes = ambiguity_nodes(annotation, grid, None)
    assert len(nodes.lon) == len(grid)  # no boundaries to add
    # IW2's PRF is the lowest, IW1's the highest: at the first node 4.25 and 5.03 km.
    assert (nodes.shortest_m[0], nodes.longest_m[0]) == pytest.approx((4248.0, 5025.0), abs=3.0)
    assert np.all(nodes.longest_m / nodes.shortest_m == pytest.approx(1717.128973878037 / 1451.62711219399))


@pytest.mark.parametrize(("pattern", "low", "high"), [
    ("s1a-ew1-slc-hv-*.xml.gz", 4495.0, 4790.0),
    ("s1b-iw1-slc-vh-*.xml.gz", 5024.0, 5340.0),
    ("s1b-iw2-slc-vh-*.xml.gz", 4493.0, 4808.0),
])
def test_the_real_sub_swath_annotations_give_their_ghost_distances(pattern, low, high):
    annotation = read_annotation(next(ANNOTATIONS.glob(pattern)))
    nodes = ambiguity_nodes(annotation, geolocation_grid(annotation), None)
    assert nodes.shortest_m.min() == pytest.approx(low, abs=3.0)
    assert nodes.longest_m.max() == pytest.approx(high, abs=3.0)


def test_an_annotation_without_the_radar_timing_gives_no_distances(grdh):
    import xml.etree.ElementTree as ET

    annotation, grid, noise = grdh
    for path in ("generalAnnotation/productInformation/radarFrequency",
                 "generalAnnotation/downlinkInformationList/downlinkInformation/prf"):
        damaged = ET.fromstring(ET.tostring(annotation))
        for element in damaged.findall(path):
            element.text = "not a number" if path.endswith("prf") else "0"
        assert ambiguity_nodes(damaged, grid, noise) is None
    bare = ET.fromstring(ET.tostring(annotation))
    bare.remove(bare.find("generalAnnotation"))
    assert ambiguity_nodes(bare, grid, noise) is None


def test_the_tag_round_trips_and_bad_tags_are_ignored(grdh):
    annotation, grid, noise = grdh
    nodes = ambiguity_nodes(annotation, grid, noise)
    text = nodes.to_tag()
    assert len(text) < 10_000  # a GeoTIFF tag, not a band
    back = AmbiguityNodes.from_tags({AZIMUTH_AMBIGUITY_TAG: text})
    np.testing.assert_allclose(back.shortest_m, nodes.shortest_m, atol=0.5)
    np.testing.assert_allclose(back.lon, nodes.lon, atol=1e-5)
    assert geometry_tags({AZIMUTH_AMBIGUITY_TAG: text, "azimuth_bearing_deg": "-12", "other": "x"}) == {
        AZIMUTH_AMBIGUITY_TAG: text, "azimuth_bearing_deg": "348.000"}
    good = json.loads(text)
    bad = [
        "not json", "[]", json.dumps({"lon": [1.0]}),
        json.dumps(good | {"lat": good["lat"][:-1]}),  # lists of different lengths
        json.dumps(good | {"shortest_m": [100.0] * len(good["lon"])}),  # implausibly short
        json.dumps(good | {"longest_m": [1e6] * len(good["lon"])}),  # implausibly long
        json.dumps(good | {"longest_m": [4000.0] * len(good["lon"])}),  # shorter than the shortest
        json.dumps(good | {"lon": [200.0] * len(good["lon"])}),
        json.dumps({"lon": [], "lat": [], "shortest_m": [], "longest_m": []}),
        json.dumps(good | {"lat": [[1.0]] * len(good["lon"])}),
        text.replace(str(good["lat"][0]), "NaN", 1),
    ]
    for tag in bad:
        assert AmbiguityNodes.from_tags({AZIMUTH_AMBIGUITY_TAG: tag}) is None, tag
        assert geometry_tags({AZIMUTH_AMBIGUITY_TAG: tag}) == {}
    assert AmbiguityNodes.from_tags({}) is None
    # Without a CRS the nodes cannot be placed: the scene is searched at the nominal distance.
    assert scene_ambiguity_field({AZIMUTH_AMBIGUITY_TAG: text}, Affine.identity(), None) is None


def test_the_field_interpolates_between_nodes_and_holds_the_nearest_outside():
    field = AmbiguityField(np.array([0.0, 0.0, 100.0, 100.0]), np.array([0.0, 100.0, 0.0, 100.0]),
                           np.array([4000.0, 6000.0, 4000.0, 6000.0]), np.array([4500.0, 6500.0, 4500.0, 6500.0]))
    shortest, longest = field.at([50.0, 50.0, 50.0, -30.0], [0.0, 25.0, 250.0, 80.0])
    np.testing.assert_allclose(shortest, [4000.0, 4500.0, 6000.0, 6000.0])
    np.testing.assert_allclose(longest, [4500.0, 5000.0, 6500.0, 6500.0])
    # Nodes on a single line have no triangles: the nearest node's value.
    line = AmbiguityField(np.array([0.0, 0.0]), np.array([0.0, 100.0]), np.array([4000.0, 6000.0]),
                          np.array([4000.0, 6000.0]))
    assert line.at([10.0], [80.0])[0].tolist() == [6000.0]


def test_the_nodes_land_on_the_scenes_grid():
    """Nodes in longitude and latitude are placed on the scene's pixels through its CRS."""
    crs = CRS.from_epsg(3413)
    from pyproj import Transformer

    x, y = Transformer.from_crs(4326, 3413, always_xy=True).transform(-56.0, 67.0)
    transform = Affine(40.0, 0.0, x - 400.0, 0.0, -40.0, y + 800.0)  # the point at row 19.5 + 0.5, col 9.5 + 0.5
    nodes = AmbiguityNodes(np.array([-56.0]), np.array([67.0]), np.array([4400.0]), np.array([4400.0]))
    field = nodes.in_grid(transform, crs)
    assert (field.rows[0], field.cols[0]) == pytest.approx((19.5, 9.5))


def _along(bearing):
    return -math.cos(math.radians(bearing)), math.sin(math.radians(bearing))


@pytest.mark.parametrize("bearing", [0.0, 168.0])
def test_ghosts_are_looked_for_at_the_scenes_own_distance(bearing):
    """A sub-swath whose ghosts lie 4.5 km off (IW2-like) beside one whose lie 5.9 km off
    (IW3-like): with the scene's distances both ghosts go, and a dim target 5 km off stays; at the
    nominal 5 km it is the other way round."""
    along = _along(bearing)
    across = (math.sin(math.radians(bearing)), math.cos(math.radians(bearing)))
    near, far = (500.0, 300.0), (500.0 + 200 * across[0], 300.0 + 200 * across[1])  # 8 km apart in range
    ships = [Detection(*near, 20, 200.0, 25.0, 15.0, 5.0, 0, 0), Detection(*far, 20, 200.0, 25.0, 15.0, 5.0, 0, 0)]
    ghosts = [Detection(near[0] + 112.5 * along[0], near[1] + 112.5 * along[1], 3, 80.0, 2.0, -2.0, -15.0, 0, 0),
              Detection(far[0] - 147.5 * along[0], far[1] - 147.5 * along[1], 3, 80.0, 2.0, -2.0, -15.0, 0, 0)]
    at_five_km = Detection(near[0] - 125 * along[0], near[1] - 125 * along[1], 3, 80.0, 2.0, -2.0, -10.0, 0, 0)
    # The field: 4.5 km on the near side, 5.9 km on the far side of a boundary halfway between them.
    rows, cols, distances = [], [], []
    for t, distance in ((-400.0, 4500.0), (90.0, 4500.0), (110.0, 5900.0), (600.0, 5900.0)):
        for s in (-400.0, 400.0):
            rows.append(near[0] + t * across[0] + s * along[0])
            cols.append(near[1] + t * across[1] + s * along[1])
            distances.append(distance)
    field = AmbiguityField(np.array(rows), np.array(cols), np.array(distances), np.array(distances))
    params = CfarParams(pixel_size_m=40.0, azimuth_bearing_deg=bearing)
    found = ships + ghosts + [at_five_km]
    assert drop_azimuth_ambiguities(found, params, field) == ships + [at_five_km]
    assert drop_azimuth_ambiguities(found, params) == ships + ghosts
    # Where the annotation leaves an interval (sub-swath unknown), any distance in it.
    interval = AmbiguityField(np.array(rows), np.array(cols), np.full(len(rows), 4500.0), np.full(len(rows), 5900.0))
    assert drop_azimuth_ambiguities(found, params, interval) == ships
    # The filter switched off stays off.
    assert drop_azimuth_ambiguities(found, CfarParams(pixel_size_m=40.0, azimuth_ambiguity_m=0.0), field) == found


def test_ghosts_of_masked_land_are_looked_for_at_the_scenes_own_distance():
    """A 30 dB harbour on land 5.9 km up the track from a dim detection at sea (IW3-like)."""
    co_db = np.full((400, 400), -20.0)
    land = np.zeros((400, 400), dtype=bool)
    land[:120] = True
    co_db[60, 200] = 30.0
    ghost = Detection(60 + 147.5, 200, 3, 80.0, 5.0, 0.0, -12.0, 0, 0)
    masked = lambda rows, cols: land[rows, cols]  # noqa: E731
    params = CfarParams(pixel_size_m=40.0)
    field = AmbiguityField(np.array([0.0, 0.0, 399.0, 399.0]), np.array([0.0, 399.0, 0.0, 399.0]),
                           np.full(4, 5900.0), np.full(4, 5900.0))
    assert drop_ghosts_of_masked_sources([ghost], co_db, masked, params, field) == []
    assert drop_ghosts_of_masked_sources([ghost], co_db, masked, params) == [ghost]  # nominal 5 km misses it
    # An interval is searched all along: 4.3-6.0 km.
    wide = AmbiguityField(field.rows, field.cols, np.full(4, 4300.0), np.full(4, 6000.0))
    assert drop_ghosts_of_masked_sources([ghost], co_db, masked, params, wide) == []


@pytest.mark.parametrize("lat", [60.0, 70.0, 85.0])
def test_ghost_distances_are_put_in_the_grids_map_metres(lat):
    """Polar stereographic north (EPSG:3413, true at 70 N) stretches the ground by 4 % at 60 N and
    shrinks it by 3 % at 85 N: a 5 km ghost is that many map metres (measured here with a geodesic
    1 km along the meridian, projected)."""
    from pyproj import Geod, Transformer

    to_map = Transformer.from_crs(4326, 3413, always_xy=True)
    north_lon, north_lat, _ = Geod(ellps="WGS84").fwd(-45.0, lat, 0.0, 1000.0)
    (x0, x1), (y0, y1) = to_map.transform([-45.0, north_lon], [lat, north_lat])
    scale = math.hypot(x1 - x0, y1 - y0) / 1000.0
    nodes = AmbiguityNodes(np.array([-45.0]), np.array([lat]), np.array([5000.0]), np.array([5000.0]))
    field = nodes.in_grid(Affine(40.0, 0.0, x0 - 400.0, 0.0, -40.0, y0 + 400.0), CRS.from_epsg(3413))
    assert field.shortest_m[0] == pytest.approx(5000.0 * scale, rel=1e-4)
    assert abs(scale - 1.0) > 0.02 or lat == 70.0
