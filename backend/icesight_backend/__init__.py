"""IceSight compute backend: HTTP API, job store, Dask jobs and the SAR/learning domain modules."""

__version__ = "0.3.0"
