"""Names and sizes that the plugin and the backend must agree on."""

API_VERSION = "1"
API_PREFIX = "/api/v1"

#: Side of a patch in pixels; the Kaggle Statoil/C-CORE records are 75 x 75, row-major.
PATCH_SIZE_PX = 75
PATCH_PIXELS = PATCH_SIZE_PX * PATCH_SIZE_PX

#: Record fields holding the co-polarised (HH) and cross-polarised (HV) sigma0 in dB.
BAND_NAMES = ("band_1", "band_2")

#: The string the Kaggle data uses for an unknown incidence angle.
INC_ANGLE_MISSING = "na"

#: Plausible range of sigma0 in dB for a calibrated Sentinel-1 pixel; outside it a value is not sigma0.
SIGMA0_DB_MIN = -80.0
SIGMA0_DB_MAX = 60.0

#: Sentinel-1 incidence angles span about 18-47 degrees; allow a margin for other sensors.
INC_ANGLE_MIN_DEG = 10.0
INC_ANGLE_MAX_DEG = 60.0

#: Header that carries the backend token: ``Authorization: Bearer <token>``.
AUTH_HEADER = "Authorization"

#: Message Log tag and settings prefix of the QGIS plugin.
PLUGIN_TAG = "IceSight"
