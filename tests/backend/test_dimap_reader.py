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
    db = {f"{name}_db": 10 * np.log10(np.where(values > 0, values, np.nan))
          for name, values in ew_bands.items() if name.startswith("Sigma0")}
    beta = {"Beta0_HH": ew_bands["Sigma0_HH"]}
    product = write_dimap(tmp_path / "db.zip", beta | db | {"incident_angle": ew_bands["incidenceAngleFromEllipsoid"]},
                          virtual=())
    with rasterio.open(dimap_to_geotiff(product, tmp_path / "db.tif")) as dst:
        assert dst.descriptions == ("Sigma0_HH_db", "Sigma0_HV_db", "incident_angle")
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
    with pytest.raises(SarFormatError, match=r"no p.data/ folder of band images beside p.dim"):
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
    # A SAFE zip or any other zip is not a DIMAP product.
    assert not is_dimap_zip(two.with_name("none.zip")) and is_dimap_zip(two)
