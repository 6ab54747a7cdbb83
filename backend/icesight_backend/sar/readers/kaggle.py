"""The Kaggle Statoil/C-CORE ``train.json``/``test.json`` files, exactly as downloaded, streamed.

The files are one JSON array of records (``id``, ``band_1``, ``band_2``, ``inc_angle`` possibly
``"na"``, ``is_iceberg`` in train only). A 200 MB file is read record by record, so memory holds
one read buffer and one record, never the whole document or its Python objects.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from icesight_contract import ContractError, PatchRecord, from_dict

from . import SarFormatError

_CHUNK_CHARS = 1 << 20
_WHITESPACE = " \t\r\n"


def iter_kaggle_records(path: Path | str) -> Iterator[PatchRecord]:
    """Yield each record as a validated :class:`PatchRecord`; errors name the record and field."""
    for index, document in enumerate(iter_kaggle_documents(path)):
        try:
            yield from_dict(PatchRecord, document, f"record {index}")
        except ContractError as err:
            name = document.get("id", "?") if isinstance(document, dict) else "?"
            raise SarFormatError(f"{path}: record {index} (id {name!r}): {err}") from None


def iter_kaggle_documents(path: Path | str) -> Iterator[object]:
    """Yield each record as parsed JSON, unvalidated (the feature store validates and reports);
    errors name the broken place of the file."""
    path = Path(path)
    decoder = json.JSONDecoder()
    with open(path, encoding="utf-8") as handle:
        buffer = handle.read(_CHUNK_CHARS)
        consumed = 0  # characters of the file before ``buffer``
        position = len(buffer) - len(buffer.lstrip(_WHITESPACE))
        if position >= len(buffer) or buffer[position] != "[":
            raise SarFormatError(f"{path}: not a Kaggle Statoil/C-CORE file (expected a JSON array of records)")
        position += 1
        index = 0
        expect_comma = False
        while True:
            # Skip separators; refill the buffer when it runs dry.
            while True:
                while position < len(buffer) and buffer[position] in _WHITESPACE:
                    position += 1
                if position < len(buffer):
                    break
                more = handle.read(_CHUNK_CHARS)
                if not more:
                    raise SarFormatError(
                        f"{path}: the file ends after record {index} without closing the array: "
                        "it is truncated; download it again"
                    )
                consumed += position
                buffer, position = buffer[position:] + more, 0
            char = buffer[position]
            if char == "]":
                return
            if expect_comma:
                if char != ",":
                    raise SarFormatError(f"{path}: expected ',' or ']' after record {index - 1} at character {consumed + position}")
                position += 1
                expect_comma = False
                continue
            while True:
                try:
                    document, end = decoder.raw_decode(buffer, position)
                    break
                except json.JSONDecodeError as exc:
                    more = handle.read(_CHUNK_CHARS)
                    if not more:
                        raise SarFormatError(
                            f"{path}: record {index} is not complete JSON ({exc.msg}); the file is truncated "
                            "or corrupt; download it again"
                        ) from None
                    consumed += position
                    buffer, position = buffer[position:] + more, 0
            yield document
            position = end
            index += 1
            expect_comma = True
            if position > _CHUNK_CHARS:
                consumed += position
                buffer, position = buffer[position:], 0
