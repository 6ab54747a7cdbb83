"""JSON <-> dataclass conversion for the contract, with errors that name the offending field.

Standard library only: this module ships inside the QGIS plugin as well as the backend.
"""

from __future__ import annotations

import array
import base64
import binascii
import dataclasses
import enum
import functools
import json
import math
import sys
import types
import typing
from typing import Annotated, Any, TypeVar

T = TypeVar("T")


class _Float32Packing:
    """Marks a ``list[float]`` field that JSON may also carry packed (see :data:`PackedFloats`)."""

    def __repr__(self) -> str:
        return "FLOAT32_BASE64"


FLOAT32_BASE64 = _Float32Packing()

#: A list of numbers that a document may give either as a JSON array or, about 3x smaller and
#: parsed without a number-by-number scan, as one base64 string of the values as little-endian
#: IEEE 754 float32 in order (numpy: ``base64.b64encode(a.astype("<f4").tobytes())``). Decoded, it is
#: always a list of floats; :func:`to_dict` writes the packed form when asked (``pack=True``).
PackedFloats = Annotated[list[float], FLOAT32_BASE64]


@dataclasses.dataclass(frozen=True)
class IntRange:
    """Marks an ``int`` field with its inclusive bounds, checked when decoding and written into the
    JSON Schema (``minimum``/``maximum``)."""

    low: int
    high: int


#: A random seed: numpy's and torch's generators take any integer from 0 to 2**32 - 1.
Seed = Annotated[int, IntRange(0, 2**32 - 1)]


def pack_float32(values: Any) -> str:
    """``values`` (numbers) as the packed form of :data:`PackedFloats`."""
    packed = array.array("f", values)
    if sys.byteorder == "big":
        packed.byteswap()
    return base64.b64encode(packed.tobytes()).decode("ascii")


def unpack_float32(text: str, path: str) -> list[float]:
    """The floats of a packed :data:`PackedFloats` string; a :class:`ContractError` at ``path`` when
    it is not base64 of whole float32 values."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ContractError(
            path, "expected a list of numbers or a base64 string of little-endian float32 values; "
            f"{described(text)} is not valid base64") from None
    if len(raw) % 4:
        raise ContractError(path, f"packed values must be whole float32 values (4 bytes each); got {len(raw)} bytes")
    values = array.array("f")
    values.frombytes(raw)
    if sys.byteorder == "big":
        values.byteswap()
    return values.tolist()


class ContractError(ValueError):
    """A JSON document does not match the contract.

    ``field`` is a dotted path into the document (``params.patches[3].band_1``) so that the caller
    can say exactly what to fix; ``problem`` says what is wrong with it.
    """

    def __init__(self, field: str, problem: str):
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}" if field else problem)

    def under(self, prefix: str) -> ContractError:
        """The same error with its field path placed under ``prefix``."""
        if not prefix:
            return self
        joined = prefix if not self.field else (
            f"{prefix}{self.field}" if self.field.startswith("[") else f"{prefix}.{self.field}"
        )
        return ContractError(joined, self.problem)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _type_name(tp: Any) -> str:
    if tp is float:
        return "a number"
    if tp is int:
        return "an integer"
    if tp is str:
        return "a string"
    if tp is bool:
        return "true or false"
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return "one of " + ", ".join(repr(m.value) for m in tp)
    origin = typing.get_origin(tp)
    if origin is list:
        return "a list"
    if origin is dict:
        return "an object"
    if dataclasses.is_dataclass(tp):
        return "an object"
    return getattr(tp, "__name__", str(tp))


#: The longest unknown parameter name an error's ``field`` repeats whole; a longer one is cut.
MAX_FIELD_NAME_CHARS = 64


def cut_field_name(name: str) -> str:
    """A parameter name the request gave, as an error's ``field`` repeats it (cut when long)."""
    return name if len(name) <= MAX_FIELD_NAME_CHARS else f"{name[:MAX_FIELD_NAME_CHARS - 3]}..."


def shown(text: Any, limit: int = 40) -> str:
    """``text`` quoted for an error message, cut to ``limit`` characters: messages name what was
    given without echoing a megabyte back. A value that is no string is described (:func:`described`)."""
    if not isinstance(text, str):
        return described(text)
    return repr(text) if len(text) <= limit else f"{text[:limit - 3]!r}... ({len(text)} characters)"


def described(value: Any) -> str:
    """A JSON value as an error message names it: its kind, or the value itself when it is short."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return f"the string {shown(value)}"
    if isinstance(value, int) and abs(value) >= 10**20:
        return f"an integer of about {int(value.bit_length() * 0.30103) + 1} digits"
    if isinstance(value, (int, float)):
        return repr(value)
    return type(value).__name__ if not isinstance(value, (list, dict)) else (
        "a list" if isinstance(value, list) else "an object"
    )


def _is_number(value: Any) -> bool:
    return type(value) in (int, float)


def _decode(tp: Any, value: Any, path: str) -> Any:
    origin = typing.get_origin(tp)
    if origin is Annotated:
        tp, *extras = typing.get_args(tp)
        if FLOAT32_BASE64 in extras and isinstance(value, str):
            return unpack_float32(value, path)
        decoded = _decode(tp, value, path)
        for bounds in extras:
            if isinstance(bounds, IntRange) and not bounds.low <= decoded <= bounds.high:
                raise ContractError(path, f"must be an integer between {bounds.low} and {bounds.high}, "
                                          f"got {described(decoded)}")
        return decoded
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(tp)
        if value is None:
            if type(None) in options:
                return None
            raise ContractError(path, "must not be null")
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                return _decode(option, value, path)
            except ContractError as exc:
                # Without its traceback: the traceback's frames would make a cycle with ``errors`` that
                # keeps the caller's frames (and a record's bands) alive until the cycle collector runs.
                errors.append(exc.with_traceback(None))
        if len(errors) == 1:
            raise errors[0]
        wanted = " or ".join(_type_name(o) for o in options if o is not type(None))
        raise ContractError(path, f"expected {wanted}, got {described(value)}")
    if tp is Any:
        return value
    if value is None:
        raise ContractError(path, f"must not be null; expected {_type_name(tp)}")
    if origin is list:
        if not isinstance(value, list):
            raise ContractError(path, f"expected a list, got {described(value)}")
        (item_tp,) = typing.get_args(tp)
        if item_tp is float:
            # Fast path for the long band arrays (5,625 values a patch).
            if all(type(v) is float or type(v) is int for v in value):
                try:
                    return [float(v) for v in value]
                except OverflowError:
                    pass  # an integer too large for a float: the item-by-item path names it
        return [_decode(item_tp, v, f"{path}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise ContractError(path, f"expected an object, got {described(value)}")
        _, val_tp = typing.get_args(tp)
        return {str(k): _decode(val_tp, v, _join(path, str(k))) for k, v in value.items()}
    if dataclasses.is_dataclass(tp):
        return from_dict(tp, value, path)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        try:
            return tp(value)
        except ValueError:
            raise ContractError(path, f"expected {_type_name(tp)}, got {described(value)}") from None
    if tp is float:
        if not _is_number(value):
            raise ContractError(path, f"expected a number, got {described(value)}")
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise ContractError(path, f"must be a finite number, got {described(value)}")
        return number
    if tp is int:
        if type(value) is not int:
            raise ContractError(path, f"expected an integer, got {described(value)}")
        return value
    if tp is bool:
        if type(value) is not bool:
            raise ContractError(path, f"expected true or false, got {described(value)}")
        return value
    if tp is str:
        if not isinstance(value, str):
            raise ContractError(path, f"expected a string, got {described(value)}")
        return value
    raise TypeError(f"contract type {tp!r} at {path} is not supported by the codec")


def from_dict(cls: type[T], data: Any, path: str = "") -> T:
    """Build dataclass ``cls`` from parsed JSON, rejecting unknown and missing fields.

    Validation in the dataclass's ``__post_init__`` raises :class:`ContractError` with a field
    relative to the object; it is re-raised here under ``path``.
    """
    if not isinstance(data, dict):
        raise ContractError(path, f"expected an object, got {described(data)}")
    hints = _hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ContractError(
            _join(path, cut_field_name(unknown[0])),
            f"unknown parameter; {cls.__name__} accepts: {', '.join(sorted(fields))}",
        )
    kwargs = {}
    for name, field in fields.items():
        if name in data:
            kwargs[name] = _decode(hints[name], data[name], _join(path, name))
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise ContractError(_join(path, name), "is required but missing")
    try:
        return cls(**kwargs)
    except ContractError as exc:
        raise exc.under(path) from None


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    """The field types of a contract dataclass, with their ``Annotated`` marks."""
    return typing.get_type_hints(cls, include_extras=True)


@functools.cache
def _packed_fields(cls: type) -> frozenset[str]:
    return frozenset(name for name, tp in _hints(cls).items()
                     if typing.get_origin(tp) is Annotated and FLOAT32_BASE64 in typing.get_args(tp)[1:])


def to_dict(obj: Any, pack: bool = False) -> Any:
    """Plain JSON-ready form of a contract value (dataclasses, enums, lists, dicts).

    With ``pack``, :data:`PackedFloats` fields (the patch bands) are written as base64 float32
    strings: a request body of patches about 3x smaller that the service decodes without parsing
    each number. Values are rounded to float32 (about 7 significant digits; sigma0 in dB needs 4).
    """
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        packed = _packed_fields(type(obj)) if pack else frozenset()
        return {f.name: pack_float32(value) if f.name in packed and isinstance(value, list) else to_dict(value, pack)
                for f in dataclasses.fields(obj) for value in (getattr(obj, f.name),)}
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, (list, tuple)):
        return [to_dict(v, pack) for v in obj]
    if isinstance(obj, dict):
        return {str(k): to_dict(v, pack) for k, v in obj.items()}
    return obj


def to_json(obj: Any) -> str:
    return json.dumps(to_dict(obj), allow_nan=False, separators=(",", ":"))


def from_json(cls: type[T], text: str | bytes) -> T:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ContractError("", f"body is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    return from_dict(cls, data)


def json_schema(tp: Any, definitions: dict[str, dict], ref_prefix: str = "#/$defs/") -> dict:
    """The JSON Schema of a contract type, as :func:`from_dict` accepts it and :func:`to_dict` writes
    it; dataclasses go into ``definitions`` by name and are referenced. Ranges checked in
    ``__post_init__`` are not expressed (the service answers 422 naming the field)."""
    origin = typing.get_origin(tp)
    if origin is Annotated:
        tp, *extras = typing.get_args(tp)
        schema = json_schema(tp, definitions, ref_prefix)
        if FLOAT32_BASE64 in extras:
            return {"anyOf": [schema, {
                "type": "string", "contentEncoding": "base64",
                "description": "the values as little-endian float32, in order, base64-encoded"}]}
        for bounds in extras:
            if isinstance(bounds, IntRange):
                schema |= {"minimum": bounds.low, "maximum": bounds.high}
        return schema
    if origin in (typing.Union, types.UnionType):
        options = [o for o in typing.get_args(tp) if o is not type(None)]
        schemas = [json_schema(o, definitions, ref_prefix) for o in options]
        if type(None) in typing.get_args(tp):
            schemas.append({"type": "null"})
        return schemas[0] if len(schemas) == 1 else {"anyOf": schemas}
    if tp is Any:
        return {}
    if origin is list:
        (item_tp,) = typing.get_args(tp)
        return {"type": "array", "items": json_schema(item_tp, definitions, ref_prefix)}
    if origin is dict:
        _, value_tp = typing.get_args(tp)
        return {"type": "object", "additionalProperties": json_schema(value_tp, definitions, ref_prefix)}
    if dataclasses.is_dataclass(tp):
        name = tp.__name__
        if name not in definitions:
            definitions[name] = {}  # placeholder: recursive references stop here
            hints = _hints(tp)
            fields = [f for f in dataclasses.fields(tp) if f.init]
            definitions[name] = {
                "type": "object",
                "properties": {f.name: json_schema(hints[f.name], definitions, ref_prefix) for f in fields},
                "required": [f.name for f in fields
                             if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING],
                "additionalProperties": False,
            }
            if tp.__doc__ and not tp.__doc__.startswith(f"{name}("):
                definitions[name]["description"] = " ".join(tp.__doc__.split())
        return {"$ref": f"{ref_prefix}{name}"}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return {"type": "string", "enum": [m.value for m in tp]}
    simple = {float: {"type": "number"}, int: {"type": "integer"}, bool: {"type": "boolean"}, str: {"type": "string"}}
    if tp in simple:
        return dict(simple[tp])
    raise TypeError(f"contract type {tp!r} has no JSON Schema")
