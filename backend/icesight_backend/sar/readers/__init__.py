"""Readers of real SAR formats into the product's objects (patch records, scenes)."""


class SarFormatError(ValueError):
    """A file is not what it claims to be; the message names the file, the problem and the fix."""
