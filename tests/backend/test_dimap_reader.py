"""SNAP's BEAM-DIMAP products, zipped: what is read from them and what is refused, and why."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest
import rasterio

from icesight_backend.sar.readers import SarFormatError
from icesight_backend.sar.readers.dimap import dimap_size, dimap_to_geotiff, is_dimap_zip
from icesight_backend.sar.readers.geotiff import inspect_scene, reproject_scene

NAME = "S1A_EW_GRDM_1SDH_20210403T122536_20210403T122628_037286_046484_8152_Cal_TC.zip"


@pytest.fixture
def ew_bands(linear_bands):
    """HH, HV (linear sigma0) and the incidence angle, with SNAP's no-data (0) down the left edge."""
    hh, hv, inc = (band.copy() for band in linear_bands)
    for band in (hh, hv, inc):
        band[:, :20] = 0.0
    return {"Sigma0_HH": hh, "Sigma0_HV": hv, "incidenceAngleFromEllipsoid": inc}


def test_a_terrain_corrected_product_is_stacked_into_a_scene_file(tmp_path, ew_bands, write_dimap):
    product = write_dimap(tmp_path / NAME, ew_bands).rename(tmp_path / "stored.upload")  # as the service keeps it
    assert is_dimap_zip(product) and dimap_size(product) == (400, 300)
    out = dimap_to_geotiff(product, tmp_path / "stacked.tif")
    with rasterio.open(out) as dst:
        assert dst.descriptions == ("Sigma0_HH", "Sigma0_HV", "incidenceAngleFromEllipsoid")
        assert dst.crs.to_epsg() == 4326
        assert dst.transform.c == pytest.approx(-51.5) and dst.transform.f == pytest.approx(69.0)
        assert dst.transform.a == pytest.approx(10.0 / 111319.49)
        data = dst.read()
    # SNAP's no-data value (0, from the .dim) is NaN; the values are the product's (big-endian floats).
    assert np.isnan(data[:, :, :20]).all()
    np.testing.assert_array_equal(data[0, :, 20:], ew_bands["Sigma0_HH"][:, 20:].astype(np.float32))
    np.testing.assert_array_equal(data[2, :, 20:], ew_bands["incidenceAngleFromEllipsoid"][:, 20:].astype(np.float32))
    scene = inspect_scene(reproject_scene(out, tmp_path / "reprojected.tif"))  # SNAP's degrees: reprojected
    assert scene.polarisations == ("HH", "HV") and scene.inc_band == 3 and scene.units == "linear"


def test_the_sigma0_pair_is_found_among_other_bands_and_in_db(tmp_path, ew_bands, write_dimap):
    # Written dB bands with SNAP's no-data set to -9999 (a dB of 0 is a value), and another incidence band.
    db = {f"{name}_db": np.where(values > 0, 10 * np.log10(np.where(values > 0, values, 1.0)), -9999.0)
          for name, values in ew_bands.items() if name.startswith("Sigma0")}
    beta = {"Beta0_HH": ew_bands["Sigma0_HH"]}
    product = write_dimap(tmp_path / "db.zip", beta | db | {"incident_angle": ew_bands["incidenceAngleFromEllipsoid"]},
                          virtual=(), nodata=-9999.0)
    with rasterio.open(dimap_to_geotiff(product, tmp_path / "db.tif")) as dst:
        assert dst.descriptions == ("Sigma0_HH_db", "Sigma0_HV_db", "incident_angle")
        hh_db = dst.read(1)
    assert np.isnan(hh_db[:, :20]).all()
    np.testing.assert_allclose(hh_db[:, 20:], 10 * np.log10(ew_bands["Sigma0_HH"][:, 20:]), rtol=1e-5)
    # The tie-point grid of incidence angles (coarse, in radar geometry) is not taken for a band.
    no_incidence = write_dimap(tmp_path / "tie.zip", {k: v for k, v in ew_bands.items() if k.startswith("Sigma0")})
    with rasterio.open(dimap_to_geotiff(no_incidence, tmp_path / "tie.tif")) as dst:
        assert dst.descriptions == ("Sigma0_HH", "Sigma0_HV")
    # VV/VH without an incidence band: the pair alone (the job then asks for inc_angle_deg).
    vv = write_dimap(tmp_path / "vv.zip", {"Sigma0_VH": ew_bands["Sigma0_HV"], "Sigma0_VV": ew_bands["Sigma0_HH"]})
    with rasterio.open(dimap_to_geotiff(vv, tmp_path / "vv.tif")) as dst:
        assert dst.descriptions == ("Sigma0_VV", "Sigma0_VH")


def test_products_this_reader_cannot_take_are_refused_with_what_to_do(tmp_path, ew_bands, write_dimap):
    # Not calibrated: amplitude only, and the sigma0 band virtual (an expression, no image).
    amplitude = write_dimap(tmp_path / "amp.zip", {"Amplitude_HH": ew_bands["Sigma0_HH"], "Amplitude_HV": ew_bands["Sigma0_HV"]})
    with pytest.raises(SarFormatError, match=r"no written sigma0 pair.*Amplitude_HH, Amplitude_HV.*Calibrate.*virtual"):
        dimap_to_geotiff(amplitude, tmp_path / "out.tif")
    # A co-pol without its cross-pol.
    single = write_dimap(tmp_path / "single.zip", {"Sigma0_HH": ew_bands["Sigma0_HH"], "Sigma0_VH": ew_bands["Sigma0_HV"]})
    with pytest.raises(SarFormatError, match="no written sigma0 pair"):
        dimap_to_geotiff(single, tmp_path / "out.tif")
    # Still in radar geometry: no map grid in the ENVI headers.
    radar = write_dimap(tmp_path / "radar.zip", ew_bands, step=None)
    with pytest.raises(SarFormatError, match=r"not on a map grid .*radar geometry.*Terrain Correction"):
        dimap_to_geotiff(radar, tmp_path / "out.tif")
    # The .dim without its .data folder, two products in one zip, a header that is not XML.
    bare = tmp_path / "bare.zip"
    with zipfile.ZipFile(bare, "w") as archive:
        archive.writestr("p.dim", "<Dimap_Document/>")
    with pytest.raises(SarFormatError, match=r"no band images for p.dim \(no p.data/ folder beside it"):
        dimap_to_geotiff(bare, tmp_path / "out.tif")
    two = tmp_path / "two.zip"
    with zipfile.ZipFile(two, "w") as archive:
        archive.writestr("a.dim", "<Dimap_Document/>")
        archive.writestr("b.dim", "<Dimap_Document/>")
    with pytest.raises(SarFormatError, match="holds 2 BEAM-DIMAP headers"):
        dimap_to_geotiff(two, tmp_path / "out.tif")
    broken = write_dimap(tmp_path / "broken.zip", ew_bands)
    with zipfile.ZipFile(broken, "a") as archive:
        archive.writestr("broken.dim.bak", "")
    with zipfile.ZipFile(tmp_path / "notxml.zip", "w") as out, zipfile.ZipFile(broken) as source:
        for member in source.namelist():
            out.writestr(member, b"<Dimap_Document" if member.endswith(".dim") else source.read(member))
    with pytest.raises(SarFormatError, match="broken.dim is not readable XML"):
        dimap_to_geotiff(tmp_path / "notxml.zip", tmp_path / "out.tif")
    # Bands on different grids.
    uneven = dict(ew_bands, Sigma0_HV=ew_bands["Sigma0_HV"][:, :300])
    with pytest.raises(SarFormatError, match="band Sigma0_HV is not on Sigma0_HH's grid"):
        dimap_to_geotiff(write_dimap(tmp_path / "uneven.zip", uneven), tmp_path / "out.tif")
    assert not (tmp_path / "out.tif").exists()
    # A band the .dim declares scaled is refused rather than read as raw numbers.
    scaled = write_dimap(tmp_path / "scaled.zip", ew_bands, scaling={"Sigma0_HV": 1e-4})
    with pytest.raises(SarFormatError, match="band Sigma0_HV is stored scaled"):
        dimap_to_geotiff(scaled, tmp_path / "out.tif")
    # An image cut short (an interrupted write or copy) is refused, not read as no data.
    whole = write_dimap(tmp_path / "whole.zip", ew_bands)
    with zipfile.ZipFile(whole) as source, zipfile.ZipFile(tmp_path / "cut.zip", "w") as out:
        for member in source.namelist():
            data = source.read(member)
            out.writestr(member, data[: len(data) // 2] if member.endswith("Sigma0_HV.img") else data)
    with pytest.raises(SarFormatError, match=r"band Sigma0_HV's image holds 240000 bytes, not the 480000 its header"):
        dimap_to_geotiff(tmp_path / "cut.zip", tmp_path / "out.tif")
    # A virtual band's stale image is not its data.
    stale = write_dimap(tmp_path / "stale.zip", {"Sigma0_HH": ew_bands["Sigma0_HH"]}, virtual=("Sigma0_HV",))
    with zipfile.ZipFile(stale, "a") as archive:
        archive.writestr("stale.data/Sigma0_HV.img", ew_bands["Sigma0_HV"].astype(">f4").tobytes())
    with pytest.raises(SarFormatError, match="no written sigma0 pair"):
        dimap_to_geotiff(stale, tmp_path / "out.tif")
    assert not (tmp_path / "out.tif").exists()
    # A zip without a .dim (a SAFE product, say) is not a DIMAP product.
    safe = tmp_path / "safe.zip"
    with zipfile.ZipFile(safe, "w") as archive:
        archive.writestr("S1A_EW_GRDM_1SDH_X.SAFE/manifest.safe", "<xfdu/>")
    assert not is_dimap_zip(safe) and is_dimap_zip(two)


def test_products_as_snap_and_archivers_really_leave_them_are_read(tmp_path, ew_bands, write_dimap):
    # Polar stereographic as SNAP writes it: GDAL reads the WKT as a local CRS; its EPSG code is kept.
    polar = write_dimap(tmp_path / "polar.zip", ew_bands, polar=(-200_000.0, -2_000_000.0, 40.0))
    with rasterio.open(dimap_to_geotiff(polar, tmp_path / "polar.tif")) as dst:
        assert dst.crs.to_epsg() == 3413 and dst.transform.c == -200_000.0 and dst.res == (40.0, 40.0)
    # A .dim renamed after saving still finds its bands through its file references, as SNAP does.
    renamed = write_dimap(tmp_path / "saved.zip", ew_bands, dim_stem="renamed")
    with rasterio.open(dimap_to_geotiff(renamed, tmp_path / "renamed.tif")) as dst:
        assert dst.descriptions[:2] == ("Sigma0_HH", "Sigma0_HV")
    # Zipped by macOS's archiver (resource forks beside each file) or with Windows backslashes.
    plain = write_dimap(tmp_path / "p.zip", ew_bands)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(tmp_path / "mac.zip", "w") as mac, \
            zipfile.ZipFile(tmp_path / "win.zip", "w") as win:
        for member in source.namelist():
            mac.writestr(member, source.read(member))
            mac.writestr(f"__MACOSX/{member.rsplit('/', 1)[0]}/._{member.rsplit('/', 1)[-1]}", b"\0" * 82)
            win.writestr(zipfile.ZipInfo(member.replace("/", "\\")), source.read(member))
    for zipped in ("mac.zip", "win.zip"):
        with rasterio.open(dimap_to_geotiff(tmp_path / zipped, tmp_path / f"{zipped}.tif")) as dst:
            assert dst.count == 3 and np.isfinite(dst.read(1)[:, 20:]).all(), zipped
