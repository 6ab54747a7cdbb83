"""Scene GeoTIFFs as users bring them: dB or linear, any projected CRS, bad files refused clearly."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
from affine import Affine

from icesight_backend.sar.readers import SarFormatError
from icesight_backend.sar.readers.geotiff import inspect_scene, normalise_to_cog


def test_linear_vv_vh_scene_with_named_incidence_band_is_normalised_to_db(tmp_path, linear_bands, write_tif):
    vv, vh, inc = linear_bands
    vv[:, :10] = 0.0  # outside the swath: no data
    src = write_tif(tmp_path / "s1.tif", [vv, vh, inc], descriptions=["Sigma0_VV", "Sigma0_VH", "incidence_angle"])
    scene = inspect_scene(src)
    assert scene.units == "linear" and scene.polarisations == ("VV", "VH") and scene.inc_band == 3
    assert scene.pixel_size_m == 10.0 and "32633" in scene.crs_authid
    footprint = scene.footprint_lonlat()
    lon, lat = np.asarray(footprint["coordinates"][0]).T
    assert 14 < lon.mean() < 16 and 69 < lat.mean() < 71  # UTM 33N, 7,800 km north
    out = normalise_to_cog(scene, tmp_path / "norm.tif", rows_per_block=64)
    with rasterio.open(out) as dst:
        assert dst.count == 3 and dst.descriptions == ("VV_sigma0_db", "VH_sigma0_db", "incidence_angle_deg")
        co = dst.read(1)
        np.testing.assert_allclose(co[:, 10:], 10 * np.log10(vv[:, 10:]), rtol=1e-5)
        assert np.isnan(co[:, :10]).all() and np.isnan(dst.read(3)[:, :10]).all()
        assert dst.read(3)[5, 200] == pytest.approx(inc[5, 200])


def test_db_scene_with_a_constant_incidence(tmp_path, linear_bands, write_tif):
    vv, vh, _ = linear_bands
    src = write_tif(tmp_path / "db.tif", [10 * np.log10(vv), 10 * np.log10(vh)])
    with pytest.raises(SarFormatError, match="incidence"):
        inspect_scene(src)
    scene = inspect_scene(src, inc_angle_deg=35.0)
    assert scene.units == "dB" and scene.inc_band is None
    with rasterio.open(normalise_to_cog(scene, tmp_path / "n.tif")) as dst:
        assert np.nanmax(np.abs(dst.read(3) - 35.0)) == 0


def test_a_band_described_as_the_cross_pol_noise_floor_is_kept_as_band_4(tmp_path, linear_bands, write_tif):
    """A linear scene with its VH noise floor in dB (as exported from another scene in the product's
    layout, or made by a processor that keeps the noise): the floor becomes band 4, as it is."""
    vv, vh, inc = linear_bands
    nesz = np.broadcast_to(np.linspace(-27.0, -22.0, 400), vv.shape).copy()
    src = write_tif(tmp_path / "s1.tif", [vv, nesz, vh, inc],
                    descriptions=["Sigma0_VV", "VH_nesz_db", "Sigma0_VH", "incidence_angle"])
    scene = inspect_scene(src, cross_band=3)
    assert scene.noise_band == 2 and scene.inc_band == 4
    with rasterio.open(normalise_to_cog(scene, tmp_path / "norm.tif", rows_per_block=64)) as dst:
        assert dst.descriptions == ("VV_sigma0_db", "VH_sigma0_db", "incidence_angle_deg", "VH_nesz_db")
        np.testing.assert_allclose(dst.read(4)[7], np.linspace(-27.0, -22.0, 400), atol=1e-4)
        np.testing.assert_allclose(dst.read(2), 10 * np.log10(vh), rtol=1e-5)
    # Without such a description no band is taken for the floor.
    plain = write_tif(tmp_path / "plain.tif", [vv, vh, inc, nesz], descriptions=["VV", "VH", "incidence_angle", "noise"])
    assert inspect_scene(plain).noise_band is None
    # A noise band that is not a sigma0 in dB is refused, naming it; so is the co-pol's floor.
    bad = write_tif(tmp_path / "bad.tif", [vv, vh, inc, nesz + 60.0], descriptions=["VV", "VH", "incidence_angle", "VH_nesz_db"])
    with pytest.raises(SarFormatError, match="band 4 median 35.5 is not a sigma0 in dB"):
        inspect_scene(bad)
    co_floor = write_tif(tmp_path / "co.tif", [vv, vh, inc, nesz], descriptions=["VV", "VH", "incidence_angle", "VV_nesz_db"])
    with pytest.raises(SarFormatError, match="band 4 is described as the VV noise floor.*'VH_nesz_db'"):
        inspect_scene(co_floor)
    # A floor with gaps where the cross-pol has data would blind the cross-pol CFAR there: refused.
    gappy = nesz.copy()
    gappy[:, 100:180] = np.nan
    holed = write_tif(tmp_path / "holed.tif", [vv, vh, inc, gappy], descriptions=["VV", "VH", "incidence_angle", "VH_nesz_db"])
    with pytest.raises(SarFormatError, match="band 4 .VH_nesz_db. has no value over 20 % of the VH pixels"):
        inspect_scene(holed)
    # Gaps only where the cross-pol has none too (outside the swath) are the swath's edge: accepted.
    vh_edge = vh.copy()
    vh_edge[:, 100:180] = np.nan
    edge = write_tif(tmp_path / "edge.tif", [vv, vh_edge, inc, gappy], descriptions=["VV", "VH", "incidence_angle", "VH_nesz_db"])
    assert inspect_scene(edge).noise_band == 4


def test_bad_scene_files_are_refused_with_the_reason(tmp_path, linear_bands, write_tif):
    vv, vh, inc = linear_bands
    cases = {
        "one band": (write_tif(tmp_path / "one.tif", [vv]), {}, "1 band"),
        "no crs": (write_tif(tmp_path / "nocrs.tif", [vv, vh, inc], crs=None), {}, "no CRS"),
        "geographic": (write_tif(tmp_path / "geo.tif", [vv, vh, inc], crs="EPSG:4326",
                                 transform=Affine(0.001, 0, 15, 0, -0.001, 70)), {}, "geographic"),
        "dn": (write_tif(tmp_path / "dn.tif", [vv * 1e5, vh * 1e5, inc]), {}, "uncalibrated"),
        "negative linear": (write_tif(tmp_path / "neg.tif", [vv - 0.05, vh, inc]), {"units": "linear"}, "negative"),
        "missing band": (write_tif(tmp_path / "ok.tif", [vv, vh, inc]), {"cross_band": 5}, "band 5 does not exist"),
    }
    for label, (path, kwargs, words) in cases.items():
        with pytest.raises(SarFormatError, match=words):
            inspect_scene(path, **kwargs)
        assert label  # each case above raised with its own reason
    corrupt = tmp_path / "corrupt.tif"
    corrupt.write_bytes(b"II*\x00" + b"\x00" * 100)
    with pytest.raises(SarFormatError, match="not a readable GeoTIFF"):
        inspect_scene(corrupt)
    truncated = tmp_path / "truncated.tif"
    truncated.write_bytes((tmp_path / "ok.tif").read_bytes()[:3000])
    with pytest.raises(SarFormatError):
        inspect_scene(truncated)


def test_a_scene_without_a_geotransform_is_geocoded_only_from_enough_ground_control_points(tmp_path, linear_bands):
    from rasterio.control import GroundControlPoint
    from rasterio.crs import CRS

    from icesight_backend.sar.readers.geotiff import geocode_gcp_scene

    vv, vh, inc = linear_bands

    def scene(name, gcps):
        path = tmp_path / name
        with rasterio.open(path, "w", driver="GTiff", width=vv.shape[1], height=vv.shape[0], count=3,
                           dtype="float32") as dst:
            dst.write(np.stack([vv, vh, inc]).astype(np.float32))
            if gcps:
                dst.gcps = (gcps, CRS.from_epsg(4326))
        return path

    bare = scene("bare.tif", [])
    assert geocode_gcp_scene(bare, tmp_path / "out.tif") is None
    with pytest.raises(SarFormatError, match="has no CRS"):
        inspect_scene(bare)
    two = scene("two.tif", [GroundControlPoint(row=0, col=0, x=15.0, y=70.0), GroundControlPoint(row=299, col=399, x=15.1, y=69.97)])
    with pytest.raises(SarFormatError, match="2 ground control point.*at least 3"):
        geocode_gcp_scene(two, tmp_path / "out.tif")
    assert not (tmp_path / "out.tif").exists()
