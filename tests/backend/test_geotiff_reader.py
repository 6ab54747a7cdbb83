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


#: SNAP's default map projection: WGS84 longitude and latitude, the same number of degrees both ways
#: (10 m of latitude), which at 70 degrees N is 10 m north-south by 3.4 m east-west.
SNAP_DEGREES = 10.0 / 111319.49079327357


def _geographic_scene(tmp_path, linear_bands, target_lonlat):
    """A SNAP-like GeoTIFF on equal degrees at 70 degrees N, a bright 3 x 3 px target at ``target_lonlat``."""
    vv, vh, inc = (band.copy() for band in linear_bands)
    transform = Affine(SNAP_DEGREES, 0, 15.0, 0, -SNAP_DEGREES, 70.0)
    col, row = (int(v) for v in ~transform * target_lonlat)
    vv[row - 1:row + 2, col - 1:col + 2] = 50.0
    vh[row - 1:row + 2, col - 1:col + 2] = 5.0
    vv[:, 300:330] = 0.0  # SNAP's no data, inside the swath (a gap between bursts, say)
    path = tmp_path / "snap.tif"
    with rasterio.open(path, "w", driver="GTiff", width=vv.shape[1], height=vv.shape[0], count=3, dtype="float32",
                       crs="EPSG:4326", transform=transform, nodata=0.0) as dst:
        dst.write(np.stack([vv, vh, inc]).astype(np.float32))
        for band, name in enumerate(["Sigma0_VV", "Sigma0_VH", "incidenceAngleFromEllipsoid"], start=1):
            dst.set_band_description(band, name)
    return path


def test_a_scene_in_longitude_and_latitude_is_reprojected_onto_square_ground_metres(tmp_path, linear_bands):
    from pyproj import Transformer

    from icesight_backend.sar.readers.geotiff import reproject_scene

    target = (15.0 + 200 * SNAP_DEGREES + SNAP_DEGREES / 2, 70.0 - 150 * SNAP_DEGREES - SNAP_DEGREES / 2)
    source = _geographic_scene(tmp_path, linear_bands, target)
    transform_of_source = Affine(SNAP_DEGREES, 0, 15.0, 0, -SNAP_DEGREES, 70.0)
    out = reproject_scene(source, tmp_path / "out.tif")
    assert out == tmp_path / "out.tif"
    with rasterio.open(out) as dst:
        assert dst.crs.to_epsg() == 3413  # polar stereographic north, as a SAFE product there is put
        # Square pixels of the coarser ground side (10 m north-south), not the 3.4 m east-west one.
        assert dst.res[0] == dst.res[1] == pytest.approx(10.0, abs=0.05)
        assert dst.descriptions == ("Sigma0_VV", "Sigma0_VH", "incidenceAngleFromEllipsoid")
        vv = dst.read(1)
        # The target is where its longitude and latitude put it on the new map, within a pixel.
        x, y = Transformer.from_crs("EPSG:4326", "EPSG:3413", always_xy=True).transform(*target)
        col, row = (int(v) for v in ~dst.transform * (x, y))
        peak_row, peak_col = np.unravel_index(np.nanargmax(vv), vv.shape)
        assert abs(peak_row - row) <= 1 and abs(peak_col - col) <= 1
        # The source's no data (0, SNAP's) is NaN, not zeros blended into the sea beside it.
        gap_lonlat = transform_of_source * (315.0, 150.0)
        x, y = Transformer.from_crs("EPSG:4326", "EPSG:3413", always_xy=True).transform(*gap_lonlat)
        col, row = (int(v) for v in ~dst.transform * (x, y))
        assert np.isnan(vv[row, col - 5:col + 6]).all()
        assert np.nanmin(vv) > 0.2 * np.min(linear_bands[0])
    scene = inspect_scene(out)
    assert scene.pixel_size_m == pytest.approx(10.0, abs=0.05) and scene.inc_band == 3


def test_a_scene_on_a_map_whose_metres_are_not_the_grounds_is_reprojected(tmp_path, linear_bands, write_tif):
    from pyproj import Transformer

    from icesight_backend.sar.ambiguity import AZIMUTH_BEARING_TAG
    from icesight_backend.sar.readers.geotiff import reproject_scene

    vv, vh, inc = (band.copy() for band in linear_bands)
    vv[100:130, 200:230] = 50.0  # 300 map metres square: about 103 m on the ground at 70 degrees N
    x0, y0 = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True).transform(30.0, 70.0)
    mercator = write_tif(tmp_path / "mercator.tif", [vv, vh, inc], crs="EPSG:3857", transform=Affine(10, 0, x0, 0, -10, y0))
    with rasterio.open(mercator, "r+") as dst:
        dst.update_tags(**{AZIMUTH_BEARING_TAG: "10.0"})  # degrees clockwise from true north on Mercator
    out = reproject_scene(mercator, tmp_path / "out.tif")
    with rasterio.open(out) as dst:
        assert dst.crs.to_epsg() == 3413
        # Mercator's scale at 70 degrees N is 1 / cos(70 degrees) = 2.92: 10 map metres are 3.4 ground metres.
        pixel = dst.res[0]
        assert pixel == pytest.approx(10.0 * np.cos(np.radians(70.0)), rel=0.01)
        # The square covers as much of the new map as of the ground (it is turned on it: its area).
        assert np.sqrt(np.count_nonzero(dst.read(1) > 25.0)) * pixel == pytest.approx(103.0, rel=0.05)
        # North on EPSG:3413 at longitude 30 E is turned by -(30 + 45) degrees from the grid's north.
        assert float(dst.tags()[AZIMUTH_BEARING_TAG]) == pytest.approx((10.0 - 75.0) % 360.0, abs=0.5)
    # An equal-area grid far from its centre keeps areas, not lengths: EASE-Grid 2.0 global at 70 N
    # stretches 10 map metres to 25 m north-south and shrinks them to 4 m east-west.
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:6933", always_xy=True).transform(30.0, 70.0)
    ease = write_tif(tmp_path / "ease.tif", [vv, vh, inc], crs="EPSG:6933", transform=Affine(10, 0, x, 0, -10, y))
    with rasterio.open(reproject_scene(ease, tmp_path / "ease_out.tif")) as dst:
        assert dst.crs.to_epsg() == 3413 and dst.res[0] == pytest.approx(25.2, rel=0.02)
    # Grids whose metres are the ground's within 5 % are kept as they are: UTM in its zone, polar
    # stereographic from 60 degrees to the pole (4 % at 60 N).
    utm = write_tif(tmp_path / "utm.tif", [vv, vh, inc])
    assert reproject_scene(utm, tmp_path / "kept.tif") is None
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:3413", always_xy=True).transform(-45.0, 60.5)
    polar = write_tif(tmp_path / "polar.tif", [vv, vh, inc], crs="EPSG:3413", transform=Affine(10, 0, x, 0, -10, y))
    assert reproject_scene(polar, tmp_path / "kept.tif") is None
    assert not (tmp_path / "kept.tif").exists()
    # A grid whose middle is not on the Earth in its CRS is refused, naming the CRS.
    astray = write_tif(tmp_path / "astray.tif", [vv, vh, inc], crs="EPSG:3857", transform=Affine(10, 0, 9e7, 0, -10, 9e7))
    with pytest.raises(SarFormatError, match=r"a metre of its CRS \(EPSG:3857\) is .* on the ground.*check the CRS"):
        reproject_scene(astray, tmp_path / "astray_out.tif")
    off_earth = write_tif(tmp_path / "off.tif", [vv, vh, inc], crs="EPSG:32633", transform=Affine(10, 0, 9e7, 0, -10, 9e7))
    with pytest.raises(SarFormatError, match=r"does not fall on the Earth in its CRS \(EPSG:32633\)"):
        reproject_scene(off_earth, tmp_path / "astray_out.tif")
    assert not (tmp_path / "astray_out.tif").exists()


def test_a_sentinel1_product_name_within_a_file_name_gives_mode_channels_time_and_looks():
    from icesight_backend.sar.readers import ProductName, product_looks, product_name

    assert product_name("S1A_EW_GRDM_1SDH_20210403T122536_20210403T122628_037286_046484_8152_Cal_TC.tif") == \
        ProductName("EW", ("HH", "HV"), "2021-04-03T12:25:36Z", 10.7)
    assert product_name("/data/subset_0_of_s1b_iw_grdh_1sdv_20210119t031653_20210119t031718_x.tif") == \
        ProductName("IW", ("VV", "VH"), "2021-01-19T03:16:53Z", 4.4)
    # Single-pol and stripmap products name no dual-pol pair, and no EW or IW mode or looks.
    assert product_name("S1A_S3_GRDH_1SSV_20210401T052622_20210401T052650_a.tif") == \
        ProductName(None, None, "2021-04-01T05:26:22Z", None)
    # EW GRDH (about 3 looks) and IW GRDM (about 80) are their modes' products with their own looks, not
    # those of EW GRDM and IW GRDH, which the CFAR would otherwise assume from the mode.
    ew_grdh, iw_grdm = product_name("S1A_EW_GRDH_1SDH_20210403T122536_x.tif"), product_name("S1B_IW_GRDM_1SDV_20210403T122536_x.tif")
    assert (ew_grdh.mode, ew_grdh.looks, iw_grdm.mode, iw_grdm.looks) == ("EW", 2.7, "IW", 81.8)
    # Multilooked or speckle-filtered in SNAP since: more looks than the product's, by how much unsaid.
    for averaged in ("S1A_EW_GRDM_1SDH_20210403T122536_x_Cal_ML_TC.tif", "S1A_EW_GRDM_1SDH_20210403T122536_x_Spk.tif"):
        assert product_name(averaged).mode == "EW" and product_name(averaged).looks is None, averaged
    # Without a name, the pixel spacing says the class (within 20 % of the product's).
    assert product_looks("EW", pixel_spacing_m=25.0) == 2.7 and product_looks("EW", pixel_spacing_m=40.0) == 10.7
    assert product_looks("IW", pixel_spacing_m=10.0) == 4.4 and product_looks("IW", pixel_spacing_m=20.0) is None
    assert product_looks(None, pixel_spacing_m=40.0) is None and product_looks("EW", "F") is None
    for not_a_product in ("scene.tif", "S1A_IW_GRDH_1SDV_20211399T999999_x.tif", "S1A_IW_GRDH_1SDX_20210119T031653_.tif",
                          "S1A_IW_GRDH_1SDV_20210119T031653.tif"):
        assert product_name(not_a_product) is None, not_a_product


def test_the_sigma0_pair_is_found_by_name_in_any_order_else_by_brightness(tmp_path, linear_bands, write_tif):
    vv, vh, inc = linear_bands  # VV about 8 dB brighter than VH
    # SNAP writes VH before VV: the names decide, and the normalised scene has VV as band 1.
    snap = write_tif(tmp_path / "snap.tif", [vh, vv, inc], descriptions=["Sigma0_VH", "Sigma0_VV", "incidence_angle"])
    scene = inspect_scene(snap)
    assert (scene.co_band, scene.cross_band, scene.polarisations) == (2, 1, ("VV", "VH"))
    with rasterio.open(normalise_to_cog(scene, tmp_path / "snap_cog.tif")) as dst:
        assert dst.descriptions[:2] == ("VV_sigma0_db", "VH_sigma0_db")
        np.testing.assert_allclose(dst.read(1), 10 * np.log10(vv), rtol=1e-5)
    # A noise floor named after the cross-pol is not taken for it.
    nesz = np.full(vv.shape, -24.0)
    with_floor = write_tif(tmp_path / "floor.tif", [nesz, vh, vv, inc],
                           descriptions=["VH_nesz_db", "Sigma0_VH", "Sigma0_VV", "incidence_angle"])
    scene = inspect_scene(with_floor)
    assert (scene.co_band, scene.cross_band, scene.noise_band) == (3, 2, 1)
    # Unnamed bands: the brighter is the co-pol (over sea and ice by 5-20 dB).
    unnamed = write_tif(tmp_path / "unnamed.tif", [vh, vv, inc])
    assert (inspect_scene(unnamed).co_band, inspect_scene(unnamed).cross_band) == (2, 1)
    in_order = write_tif(tmp_path / "in_order.tif", [vv, vh, inc])
    assert (inspect_scene(in_order).co_band, inspect_scene(in_order).cross_band) == (1, 2)
    # Bands given are taken as given, unless the co-pol given is named a cross-pol channel.
    assert (inspect_scene(unnamed, co_band=1, cross_band=2).co_band) == 1
    with pytest.raises(SarFormatError, match="band 1 is described as VH, a cross-pol channel, but is given as co_band"):
        inspect_scene(snap, co_band=1)


def test_the_readers_loops_stop_at_the_running_jobs_check_within_a_block(tmp_path, linear_bands, write_tif):
    from icesight_backend.sar.readers import checkpoints
    from icesight_backend.sar.readers.geotiff import reproject_scene

    class Cancelled(Exception):
        pass

    asked = []

    def cancel_at_the_second_block():
        asked.append(1)
        if len(asked) == 2:
            raise Cancelled

    vv, vh, inc = linear_bands
    scene = inspect_scene(write_tif(tmp_path / "s.tif", [vv, vh, inc]))
    with checkpoints(cancel_at_the_second_block), pytest.raises(Cancelled):
        normalise_to_cog(scene, tmp_path / "n.tif", rows_per_block=64)  # 300 rows: five blocks
    assert len(asked) == 2 and not (tmp_path / "n.tif").exists()
    asked.clear()
    x, y = 15.0, 70.0  # a scene in degrees is warped block by block too
    geographic = write_tif(tmp_path / "g.tif", [vv, vh, inc], crs="EPSG:4326", transform=Affine(1e-4, 0, x, 0, -1e-4, y))
    with checkpoints(lambda: (_ for _ in ()).throw(Cancelled())), pytest.raises(Cancelled):
        reproject_scene(geographic, tmp_path / "r.tif")
    # Outside a job nothing is checked, and a finished check is gone.
    assert normalise_to_cog(scene, tmp_path / "n.tif", rows_per_block=64).exists()


def test_a_zero_fill_is_no_data_in_either_units_and_each_band_is_judged_on_its_own(tmp_path, linear_bands, write_tif):
    # A warp without a no-data value fills with 0 around the swath, here over 60 % of the raster.
    vv, vh, inc = linear_bands
    fill = np.arange(400) >= 160

    def filled(band):
        return np.where(fill, 0.0, band)

    # dB, unnamed, VH first: the fill neither makes it linear nor hides that band 2 is the brighter.
    db = write_tif(tmp_path / "db.tif", [filled(10 * np.log10(vh)), filled(10 * np.log10(vv)), inc])
    scene = inspect_scene(db)
    assert (scene.co_band, scene.cross_band, scene.units) == (2, 1, "dB")
    with rasterio.open(normalise_to_cog(scene, tmp_path / "db_cog.tif")) as cog:
        co = cog.read(1)
    assert np.isnan(co[:, 160:]).all() and np.isfinite(co[:, :160]).all()  # the fill is no data, not 0 dB
    np.testing.assert_allclose(co[:, :160], 10 * np.log10(vv[:, :160]), atol=1e-4)
    # Linear with the same fill: its median is the measured values', not the fill's 0.
    linear = inspect_scene(write_tif(tmp_path / "linear.tif", [filled(vv), filled(vh), inc]))
    assert (linear.co_band, linear.units) == (1, "linear")
    # Each band's units are judged on its own: dB co-pol with a linear cross-pol is refused.
    with pytest.raises(SarFormatError, match="co-pol is dB but cross-pol is linear"):
        inspect_scene(write_tif(tmp_path / "mixed.tif", [10 * np.log10(vv), vh, inc]))
    # A co_band described as a cross-pol channel is refused even when another band also names it.
    named = write_tif(tmp_path / "named.tif", [vh, vh, vv, inc], descriptions=["VH", "Sigma0_VH", "Sigma0_VV", "inc"])
    with pytest.raises(SarFormatError, match="band 1 is described as VH, a cross-pol channel"):
        inspect_scene(named, co_band=1, cross_band=2)
