"""Safe, pickle-free encoding of case inputs and student results, and length-prefixed frames.

Used on both sides of the sandbox boundary; the child loads this file by path, so it imports only the
standard library and numpy, and binds every numpy callable it needs at import time (before student code
runs, so monkeypatching numpy cannot change how results are encoded).
Encodable: None, bool, int, float, str, list, tuple, dict (str keys), numpy arrays of bool/int/uint/float
dtypes and numpy scalars. Anything else is encoded as an opaque {"__unsupported__": type, "repr": ...}.
An array's bytes are base64 text in JSON files (``encode``) and the bytes themselves on the channel
(``encode(..., raw=True)``): a frame carries them after its JSON, which names each by offset and size.
"""
from __future__ import annotations

import base64
import hashlib
import json
import math
import struct

import numpy as np

_ndarray = np.ndarray
_generic = np.generic
_dtype = np.dtype
_empty = np.empty
_array = np.array
_frombuffer = np.frombuffer
_tobytes = np.ndarray.tobytes
_copy = np.ndarray.copy
_view = np.ndarray.view
_reshape = np.ndarray.reshape
_ARRAY_KINDS = "biuf"
_PLAIN = (bool, int, float, str)
_NUMBERS = (bool, int, float)
_HEADER = struct.Struct(">Q")  # a frame's length (what follows it)
_JSON_SIZE = struct.Struct(">I")  # then the length of its JSON; the bytes it refers to follow the JSON
_DOUBLE = struct.Struct("<d")
_copysign = math.copysign
MAX_FRAME = 256 * 1024 * 1024


class CodecError(ValueError):
    """A frame or value that cannot be decoded (corrupt, too large, or of a forbidden type)."""


def encode(value, shared: SharedArrays | None = None, _depth: int = 0, raw: bool = False):
    """Turn ``value`` into JSON-ready data (arrays as dtype + shape + base64 bytes; with ``shared``, as a
    reference to the array's one copy there; with ``raw``, the bytes themselves: for ``frame`` and
    ``call_key``)."""
    kind = type(value)
    if kind is _ndarray:
        return _encode_array(value, shared, raw)
    if value is None or kind in _PLAIN:
        return value
    if _depth > 20:
        return {"__unsupported__": "nesting", "repr": "nested more than 20 levels"}
    if isinstance(value, _ndarray):
        return _encode_array(_view(value, _ndarray), shared, raw)
    if isinstance(value, _generic) and _dtype(kind).kind in _ARRAY_KINDS:
        data = value.tobytes()
        return {"__npscalar__": _dtype(kind).str, "data": data if raw else base64.b64encode(data).decode()}
    if kind in (list, tuple):
        return {"__" + kind.__name__ + "__": [encode(item, shared, _depth + 1, raw) for item in value]}
    if kind is dict and all(type(key) is str for key in value):
        return {"__dict__": {key: encode(item, shared, _depth + 1, raw) for key, item in value.items()}}
    return {"__unsupported__": kind.__name__, "repr": _safe_repr(value)}


def _encode_array(array: np.ndarray, shared: SharedArrays | None, raw: bool = False):
    """An exact ndarray encoded (its bytes in C order, whatever its layout)."""
    dtype = array.dtype
    if dtype.kind not in _ARRAY_KINDS:
        return {"__unsupported__": f"ndarray[{dtype}]", "repr": f"array of dtype {dtype}"}
    data = _tobytes(array)
    if shared is not None:
        return shared.refer(dtype.str, array.shape, data, raw)
    return _encoded_array(dtype.str, array.shape, data, raw)


def same_data(a, b) -> bool:
    """Whether two encoded values hold the same data, types included (0, 0.0 and False differ; so do 0.0 and
    -0.0; a NaN is the same as a NaN)."""
    if type(a) is not type(b):
        return False
    if type(a) is dict:
        return a.keys() == b.keys() and all(same_data(a[key], b[key]) for key in a)
    if type(a) is list:
        return len(a) == len(b) and all(same_data(x, y) for x, y in zip(a, b))
    if type(a) is float:
        return (a == b and _copysign(1.0, a) == _copysign(1.0, b)) or (a != a and b != b)
    return a == b


def call_key(name: str, args: tuple) -> str:
    """A digest of a helper call by value: the helper's name and its arguments as ``encode`` sees them (types;
    arrays by dtype, shape and bytes), fed to the hash as they are, without base64 or JSON, in one piece."""
    parts = [name.encode("utf-8", "surrogatepass"), b"\0"]
    _feed_value(parts, args)
    return hashlib.sha256(b"".join(parts)).hexdigest()


_TUPLE = b"{1s9:__tuple__[%d"
_ARRAY = b"{3s11:__ndarray__s%d:%ss5:shape[%d"
_ARRAY_DATA = b"s4:datab%d:"


def _feed_value(parts: list, value) -> None:
    """``_feed(parts.append, encode(value, raw=True))`` without making the encoded value first, for a tuple of
    plain arrays and numbers (what helpers are called with); anything else through ``encode``."""
    kind = type(value)
    if kind is tuple:
        parts.append(_TUPLE % len(value))
        for item in value:
            _feed_value(parts, item)
    elif kind is _ndarray and value.dtype.kind in _ARRAY_KINDS:
        dtype, shape = value.dtype.str.encode(), value.shape
        parts.append(_ARRAY % (len(dtype), dtype, len(shape)))
        parts.extend(b"i%d;" % n for n in shape)
        data = _tobytes(value)
        parts.append(_ARRAY_DATA % len(data))
        parts.append(data)
    else:
        _feed(parts.append, encode(value, raw=True))


def _feed(update, data) -> None:
    """Encoded ``data`` (with raw bytes) into a hash, each item tagged and sized so that no two differ alike."""
    kind = type(data)
    if kind is dict:
        update(b"{%d" % len(data))
        for key, item in data.items():
            _feed(update, key)
            _feed(update, item)
    elif kind is list:
        update(b"[%d" % len(data))
        for item in data:
            _feed(update, item)
    elif kind is bytes:
        update(b"b%d:" % len(data))
        update(data)
    elif kind is str:
        text = data.encode("utf-8", "surrogatepass")
        update(b"s%d:" % len(text))
        update(text)
    elif kind is float:
        update(b"fnan" if data != data else b"f" + _DOUBLE.pack(data))
    elif kind is bool:
        update(b"T" if data else b"F")
    elif kind is int:
        update(b"i%d;" % data)
    elif data is None:
        update(b"n")
    else:
        raise TypeError(f"cannot digest {kind.__name__}")


def _encoded_array(dtype: str, shape: tuple, data: bytes, raw: bool = False) -> dict:
    return {"__ndarray__": dtype, "shape": list(shape), "data": data if raw else base64.b64encode(data).decode()}


class SharedArrays:
    """The arrays met while encoding many values (the arguments of many helper calls), each encoded once by
    content; ``encode(value, shared)`` writes {"__shared__": its index in ``encoded``}."""

    def __init__(self):
        self._index: dict[tuple, int] = {}
        self.encoded: list[dict] = []

    def refer(self, dtype: str, shape: tuple, data: bytes, raw: bool = False) -> dict:
        key = (dtype, shape, data)
        index = self._index.get(key)
        if index is None:
            index = self._index[key] = len(self.encoded)
            self.encoded.append(_encoded_array(dtype, shape, data, raw))
        return {"__shared__": index}


def call_signature(name: str, args: tuple) -> tuple | None:
    """What calls of a helper must share to be recorded in one stack: the name, each array argument's dtype and
    shape, each number's type, each tuple of ints itself; None when an argument is none of these."""
    signature = [name]
    for arg in args:
        kind = type(arg)
        if kind is _ndarray:
            dtype = arg.dtype
            if dtype.kind not in _ARRAY_KINDS:
                return None
            signature.append((dtype, arg.shape))
        elif kind in _NUMBERS or (isinstance(arg, _generic) and _dtype(kind).kind in _ARRAY_KINDS):
            signature.append(kind)
        elif kind is tuple and all(type(item) is int for item in arg):
            signature.append(arg)
        else:
            return None
    return tuple(signature)


class CallStacks:
    """Helper calls recorded in columns, for the parent to check many at once: the calls of one helper that
    share a ``call_signature`` make one stack, in which an array argument is one (N, ...) array of the N calls'
    arguments, any other argument the list of its N values, and the N values returned likewise (see
    ``values_column``). A call is started (its arguments copied into the stack) before the helper runs and
    finished with its value after; a call that is not finished leaves no trace. Stacks cross the channel:
    they are encoded for a frame (``encode(..., raw=True)``)."""

    def __init__(self):
        self._by_signature: dict[tuple, _CallStack] = {}
        self.stacks: list[_CallStack] = []
        self.count = 0

    def start(self, name: str, args: tuple) -> _CallStack | None:
        """The stack the call goes to, holding a copy of ``args`` as its next row; None when they do not stack,
        or when the stack's next row is a call still running (this one is made from inside it)."""
        signature = call_signature(name, args)
        if signature is None:
            return None
        stack = self._by_signature.get(signature)
        if stack is None:
            stack = self._by_signature[signature] = _CallStack(name, args, len(self.stacks))
            self.stacks.append(stack)
        elif stack.running:
            return None
        stack.write(args)
        return stack

    def finish(self, stack: _CallStack, args: tuple, value) -> None:
        stack.commit(args, value)
        self.count += 1

    def encoded(self) -> list[dict]:
        """{"name", "count", "args": a column per argument, "values": a column} per stack (see
        ``values_column``)."""
        return [stack.encoded() for stack in self.stacks]


class _CallStack:
    def __init__(self, name: str, args: tuple, index: int):
        self.name, self.index, self.count, self.values, self.running = name, index, 0, [], False
        self.columns = [_Rows(arg.dtype, arg.shape) if type(arg) is _ndarray else [] for arg in args]
        self._rows = [(position, column) for position, column in enumerate(self.columns) if type(column) is _Rows]
        self._lists = [(position, column) for position, column in enumerate(self.columns) if type(column) is list]

    def write(self, args: tuple) -> None:
        """Copy the array arguments into the next row (not counted until ``commit``, or given up by ``abandon``)."""
        count = self.count
        if self._rows and count == len(self._rows[0][1].buffer):  # the array columns grow together
            for _, column in self._rows:
                column.grow()
        for position, column in self._rows:
            column.buffer[count] = args[position]
        self.running = True

    def abandon(self) -> None:
        self.running = False

    def pending(self, args: tuple) -> tuple:
        """The arguments as ``write`` copied them."""
        return tuple(column.buffer[self.count] if type(column) is _Rows else arg
                     for column, arg in zip(self.columns, args))

    def commit(self, args: tuple, value) -> None:
        """Count the row, with ``value`` as it is now (the caller may change it later)."""
        for position, column in self._lists:
            column.append(args[position])
        kind = type(value)
        if kind is _ndarray:
            value = _copy(value)
        elif not (kind in _NUMBERS or isinstance(value, _generic)):
            value = _Encoded(encode(value, raw=True))
        self.values.append(value)
        self.count += 1
        self.running = False

    def encoded(self) -> dict:
        count = self.count
        return {"name": self.name, "count": count,
                "args": [{"rows": encode(column.buffer[:count], raw=True)} if type(column) is _Rows
                         else values_column(column) for column in self.columns],
                "values": values_column(self.values)}


class _Rows:
    """A growing (N, ...) array of one dtype and row shape."""

    def __init__(self, dtype, shape: tuple):
        self.buffer = _empty((1,) + shape, dtype)

    def grow(self) -> None:
        """Twice the rows, the ones written kept."""
        count = len(self.buffer)
        grown = _empty((2 * count,) + self.buffer.shape[1:], self.buffer.dtype)
        grown[:count] = self.buffer
        self.buffer = grown


class _Encoded:
    """A value encoded when it was recorded."""

    def __init__(self, data):
        self.data = data


def values_column(values: list) -> dict:
    """N values (of an argument, or returned) encoded for a frame as one column: {"rows": (N, ...) array} when
    all are arrays of one dtype and shape, {"scalars": (N,) array} when all are numpy scalars of one type, else
    {"each": the list}."""
    first = values[0] if values else None
    kind = type(first)
    if kind is _ndarray and first.dtype.kind in _ARRAY_KINDS and all(
            type(value) is _ndarray and value.dtype == first.dtype and value.shape == first.shape for value in values):
        rows = _empty((len(values),) + first.shape, first.dtype)
        for index, value in enumerate(values):
            rows[index] = value
        return {"rows": encode(rows, raw=True)}
    if isinstance(first, _generic) and _dtype(kind).kind in _ARRAY_KINDS and all(
            type(value) is kind for value in values):
        return {"scalars": encode(_array(values, dtype=kind), raw=True)}
    return {"each": {"__list__": [value.data if type(value) is _Encoded else encode(value, raw=True)
                                  for value in values]}}


def copied_args(args: tuple) -> tuple:
    """``copied(args)`` for a call's arguments, arrays first."""
    return tuple([_copy(arg) if type(arg) is _ndarray else copied(arg, 1) for arg in args])


def copied(value, _depth: int = 0):
    """``value`` with every array in it (in lists, tuples and dicts) copied, the rest as it is."""
    kind = type(value)
    if isinstance(value, _ndarray):
        return _copy(value)
    if _depth < 20 and kind in (list, tuple):
        return kind([copied(item, _depth + 1) for item in value])
    if _depth < 20 and kind is dict:
        return {key: copied(item, _depth + 1) for key, item in value.items()}
    return value


def _safe_repr(value) -> str:
    try:
        return repr(value)[:200]
    except BaseException:  # a hostile __repr__ must not break encoding
        return f"<{type(value).__name__} object>"


class Unsupported:
    """A value the student returned that cannot cross the boundary (a class instance, an object array...)."""

    def __init__(self, type_name: str, text: str):
        self.type_name, self.text = type_name, text

    def __repr__(self) -> str:
        return self.text


def decode(data, shared: list | None = None):
    """Inverse of :func:`encode`; raises CodecError on anything malformed (integers beyond 64 bits too).
    ``shared``: the decoded arrays of a ``SharedArrays``; each reference decodes to that one array itself,
    not a copy (the caller keeps them read-only)."""
    if type(data) is int and not -(1 << 63) <= data < (1 << 64):
        raise CodecError(f"an integer of {data.bit_length()} bits: too large to be an answer")
    if data is None or type(data) in (bool, int, float, str):
        return data
    if type(data) is not dict or len(data) == 0:
        raise CodecError(f"malformed value {type(data).__name__}")
    if "__ndarray__" in data:
        dtype = _checked_dtype(data["__ndarray__"])
        shape = tuple(int(n) for n in data["shape"])
        raw = _data(data["data"])
        count = 1
        for n in shape:
            count *= n
        if count * dtype.itemsize != len(raw):
            raise CodecError("array data does not match its shape")
        return _copy(_reshape(_frombuffer(raw, dtype=dtype), shape))
    if "__npscalar__" in data:
        dtype = _checked_dtype(data["__npscalar__"])
        return _frombuffer(_data(data["data"]), dtype=dtype)[0]
    if "__shared__" in data:
        index = data["__shared__"]
        if shared is None or type(index) is not int or not 0 <= index < len(shared):
            raise CodecError("a reference to a shared array that is not there")
        return shared[index]
    if "__list__" in data:
        return [decode(item, shared) for item in data["__list__"]]
    if "__tuple__" in data:
        return tuple(decode(item, shared) for item in data["__tuple__"])
    if "__dict__" in data:
        return {str(key): decode(item, shared) for key, item in data["__dict__"].items()}
    if "__unsupported__" in data:
        return Unsupported(str(data["__unsupported__"]), str(data.get("repr", ""))[:200])
    raise CodecError(f"unknown tag in {sorted(data)[:3]}")


def _data(data) -> bytes:
    """An array's bytes: as a frame carries them, or as base64 text."""
    if type(data) is bytes:
        return data
    if type(data) is not str:
        raise CodecError(f"array data of type {type(data).__name__}")
    return base64.b64decode(data)


def _checked_dtype(text: str):
    dtype = _dtype(text)
    if dtype.kind not in _ARRAY_KINDS or dtype.hasobject:
        raise CodecError(f"forbidden dtype {text}")
    return dtype


def frame(message: dict) -> bytes:
    """One message as bytes: its 8-byte big-endian length, the 4-byte length of its UTF-8 JSON, the JSON, then
    the bytes values the message holds (``encode(..., raw=True)``'s arrays), each written in the JSON as
    {"__bytes__": [offset, size]} after the JSON."""
    blobs: list[bytes] = []
    size = 0

    def refer(value):
        nonlocal size
        if type(value) is not bytes:
            raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
        blobs.append(value)
        size += len(value)
        return {"__bytes__": [size - len(value), len(value)]}

    body = json.dumps(message, allow_nan=True, default=refer).encode()
    return _HEADER.pack(_JSON_SIZE.size + len(body) + size) + _JSON_SIZE.pack(len(body)) + body + b"".join(blobs)


class FrameReader:
    """Accumulates bytes from a stream and yields complete messages."""

    def __init__(self, limit: int = MAX_FRAME):
        self.buffer = bytearray()
        self.limit = limit

    def feed(self, chunk: bytes) -> list[dict]:
        """The complete messages the stream holds so far, decoded."""
        return [_message(body) for body in self.feed_raw(chunk)]

    def feed_raw(self, chunk: bytes) -> list[bytes]:
        """The complete frames the stream holds so far, as bytes (length header included), undecoded."""
        self.buffer += chunk
        frames = []
        while len(self.buffer) >= _HEADER.size:
            (length,) = _HEADER.unpack_from(self.buffer)
            if length > self.limit:
                raise CodecError(f"frame of {length} bytes exceeds the {self.limit} byte limit")
            if len(self.buffer) < _HEADER.size + length:
                break
            frames.append(bytes(self.buffer[: _HEADER.size + length]))
            del self.buffer[: _HEADER.size + length]
        return frames


def _message(frame_bytes: bytes) -> dict:
    """The message of one whole frame (length header included), its {"__bytes__": [offset, size]} objects
    replaced by those bytes; CodecError when it is not one."""
    view = memoryview(frame_bytes)[_HEADER.size:]
    if len(view) < _JSON_SIZE.size:
        raise CodecError("corrupt frame: shorter than its JSON's length")
    (json_size,) = _JSON_SIZE.unpack_from(view)
    if json_size > len(view) - _JSON_SIZE.size:
        raise CodecError("corrupt frame: its JSON is longer than the frame")
    blobs = view[_JSON_SIZE.size + json_size:]

    def blob(obj: dict):
        where = obj.get("__bytes__") if len(obj) == 1 else None
        if type(where) is not list:
            return obj
        if len(where) != 2 or type(where[0]) is not int or type(where[1]) is not int or not (
                0 <= where[0] and 0 <= where[1] and where[0] + where[1] <= len(blobs)):
            raise CodecError("corrupt frame: bytes outside the frame")
        return bytes(blobs[where[0]:where[0] + where[1]])

    try:
        message = json.loads(bytes(view[_JSON_SIZE.size:_JSON_SIZE.size + json_size]), object_hook=blob)
    except CodecError:
        raise
    except ValueError as error:
        raise CodecError(f"corrupt frame: {error}") from None
    if type(message) is not dict:
        raise CodecError("a frame must hold a JSON object")
    return message
