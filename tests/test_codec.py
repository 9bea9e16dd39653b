"""The pickle-free codec that carries case inputs and student results across the sandbox boundary."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograder.sandbox import codec


def crossed(message: dict) -> dict:
    """``message`` as the other side of the channel reads it."""
    (received,) = codec.FrameReader().feed(codec.frame(message))
    return received

dtypes = st.sampled_from([np.float64, np.float32, np.int64, np.int32, np.uint8, np.bool_])


@given(hnp.arrays(dtypes, hnp.array_shapes(min_dims=0, max_dims=5, min_side=0, max_side=4)))
def test_arrays_round_trip_exactly(array):
    back = codec.decode(codec.encode(array))
    assert type(back) is np.ndarray and back.dtype == array.dtype and back.shape == array.shape
    np.testing.assert_array_equal(back, array)
    assert back.flags.writeable


@given(hnp.arrays(dtypes, hnp.array_shapes(min_dims=2, max_dims=4, min_side=1, max_side=5)),
       st.sampled_from(["transpose", "strided", "fortran", "subclass"]))
def test_views_and_other_layouts_encode_as_their_c_order_contents(array, layout):
    """Student results and helper arguments are often slices (W[..., c]) or transposes: what crosses is the
    values in C order, alike whatever the memory layout, also through the shared store of helper calls."""
    view = {"transpose": array.T, "strided": array[::2, ::-1], "fortran": np.asfortranarray(array),
            "subclass": np.ma.MaskedArray(array).data.view(np.matrix) if array.ndim == 2 else array}[layout]
    contiguous = np.ascontiguousarray(view)
    assert codec.encode(view) == codec.encode(np.asarray(contiguous))
    shared = codec.SharedArrays()
    assert codec.encode((view, contiguous), shared)["__tuple__"][0] == codec.encode(contiguous, shared)
    assert len(shared.encoded) == 1
    back = codec.decode(codec.encode(view))
    assert type(back) is np.ndarray and back.flags.c_contiguous
    np.testing.assert_array_equal(back, contiguous)


def test_nested_values_keep_their_types():
    value = (np.float64(1.5), 2, 3.0, "s", None, True, [np.float32(2)], {"stride": 2, "pad": np.int64(1)})
    back = codec.decode(codec.encode(value))
    assert back == value
    assert [type(v) for v in back] == [type(v) for v in value]
    assert type(back[6][0]) is np.float32 and type(back[7]["pad"]) is np.int64


def test_unsupported_values_become_opaque_markers_not_code():
    class Sneaky:
        def __reduce__(self):  # would run on unpickling; the codec never pickles
            raise AssertionError("pickled")

    back = codec.decode(codec.encode([Sneaky(), np.array([object()], dtype=object), {1: "int key"}]))
    assert [type(v) for v in back] == [codec.Unsupported] * 3
    assert back[1].type_name == "ndarray[object]"


def test_an_ndarray_subclass_is_sent_as_a_plain_array():
    class Lying(np.ndarray):
        def tobytes(self, *args, **kwargs):
            return b"lies"

    array = np.arange(4.0).view(Lying)
    back = codec.decode(codec.encode(array))
    assert type(back) is np.ndarray
    np.testing.assert_array_equal(back, np.arange(4.0))


@pytest.mark.parametrize("bad", [
    {"__ndarray__": "|O", "shape": [1], "data": ""},
    {"__ndarray__": "<f8", "shape": [2], "data": "AAAAAAAAAAA="},
    {"__npscalar__": "|O", "data": ""},
    {"no": "tag"},
    [1, 2],
])
def test_malformed_or_forbidden_data_is_rejected(bad):
    with pytest.raises(codec.CodecError):
        codec.decode(bad)


def test_frames_survive_arbitrary_chunking():
    messages = [{"event": "case", "id": str(k), "value": codec.encode(np.arange(k * 100.0))} for k in range(5)]
    stream = b"".join(codec.frame(m) for m in messages)
    reader = codec.FrameReader()
    received = []
    for start in range(0, len(stream), 7):
        received += reader.feed(stream[start:start + 7])
    assert received == messages


def test_oversized_or_corrupt_frames_raise():
    with pytest.raises(codec.CodecError, match="exceeds"):
        codec.FrameReader(limit=10).feed(codec.frame({"x": "y" * 100}))
    with pytest.raises(codec.CodecError, match="corrupt"):
        codec.FrameReader().feed(b"\x00" * 7 + b"\x03abc")


@given(hnp.arrays(hnp.scalar_dtypes().filter(lambda d: d.kind in "biuf"), hnp.array_shapes(min_dims=0, max_side=4)))
def test_arrays_cross_a_frame_as_their_bytes_exactly(array):
    """On the channel an array's bytes follow the frame's JSON as they are (no base64): what arrives decodes
    to the same dtype, shape and bits, and the JSON holds no array data."""
    message = {"value": codec.encode((array, [array, 1.5]), raw=True)}
    sent = codec.frame(message)
    assert array.nbytes == 0 or array.tobytes() in sent
    back = codec.decode(crossed(message)["value"])
    for got in (back[0], back[1][0]):
        assert got.dtype == array.dtype and got.shape == array.shape and got.tobytes() == array.tobytes()
    assert back[1][1] == 1.5


@pytest.mark.parametrize("where", [[0, 99], [-1, 1], [0], ["0", 1], [0, 1.5], [5, 0]])
def test_bytes_a_frame_places_outside_itself_are_a_corrupt_frame(where):
    """A forged frame's byte references must lie within the frame: anything else fails the frame as a
    whole (its run reports a protocol error), never reads other memory or raises something else."""
    body = ('{"value": {"__ndarray__": "<f8", "shape": [1], "data": {"__bytes__": %s}}}'
            % str(where).replace("'", '"')).encode()
    frame = codec._HEADER.pack(4 + len(body) + 4) + codec._JSON_SIZE.pack(len(body)) + body + b"abcd"
    with pytest.raises(codec.CodecError, match="corrupt frame"):
        codec.FrameReader().feed(frame)


def test_a_frame_whose_json_length_overruns_it_is_corrupt():
    body = b'{"a": 1}'
    with pytest.raises(codec.CodecError, match="longer than the frame"):
        codec.FrameReader().feed(codec._HEADER.pack(4 + len(body)) + codec._JSON_SIZE.pack(len(body) + 1) + body)


def test_a_dict_of_the_students_keyed_like_a_byte_reference_stays_data():
    """Only a bare [offset, size] list is a reference: a value the student returned, encoded, never is one."""
    value = {"__bytes__": [0, 4]}
    assert codec.decode(crossed({"value": codec.encode(value, raw=True)})["value"]) == value


def test_same_data_tells_types_and_signed_zeros_apart():
    """What the child compares to tell whether a case's arguments changed: equal data of another type
    (0, 0.0, False; an int pad the code turned into a float) or -0.0 for 0.0 is a change; NaN is itself."""
    encoded = codec.encode(({"stride": 1, "pad": 0}, np.arange(4.0), 0.0, float("nan")))
    assert codec.same_data(encoded, codec.encode(({"stride": 1, "pad": 0}, np.arange(4.0), 0.0, float("nan"))))
    for changed in [({"stride": 1, "pad": 0.0}, np.arange(4.0), 0.0, float("nan")),
                    ({"stride": True, "pad": 0}, np.arange(4.0), 0.0, float("nan")),
                    ({"stride": 1, "pad": 0}, np.arange(4.0), -0.0, float("nan")),
                    ({"stride": 1, "pad": 0}, np.arange(4.0) + 1, 0.0, float("nan")),
                    ({"stride": 1, "pad": 0}, np.arange(4), 0.0, float("nan")),
                    ({"stride": 1, "pad": 0, "f": 2}, np.arange(4.0), 0.0, float("nan")),
                    [{"stride": 1, "pad": 0}, np.arange(4.0), 0.0, float("nan")]]:
        assert not codec.same_data(encoded, codec.encode(changed))


call_args = st.one_of(
    hnp.arrays(st.sampled_from([np.float64, np.float32, np.float16, np.int64, np.bool_]),
               st.sampled_from([(), (2,), (2, 3), (1, 1, 1)]), elements=None),
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-2**63, 2**63 - 1), st.booleans(),
    st.sampled_from([np.float64(-0.0), np.float64("nan"), np.float32(1.5), np.int64(-7), np.bool_(True)]),
    st.tuples(st.integers(-5, 5), st.integers(-5, 5)),
    st.lists(st.integers(0, 3), max_size=2))  # a list never stacks: such a call is a record
call_values = st.one_of(call_args, st.none(), st.dictionaries(st.sampled_from("ab"), st.integers(0, 3), max_size=2))


@given(st.lists(st.tuples(st.sampled_from(["f", "g"]), st.lists(call_args, min_size=0, max_size=3).map(tuple),
                          call_values), max_size=30))
def test_stacked_calls_decode_to_each_call_exactly(calls):
    """Every finished call is found again, bit for bit (NaN payloads, -0.0, dtypes and types kept), as a row of
    its stack, or as a record when its arguments do not stack; nothing else is recorded."""
    from autograder.compare import identical
    from autograder.sandbox.child import Speculated
    from autograder.sandbox.helper_calls import _decoded_calls, _decoded_stacks
    import json
    import time

    speculated = Speculated()
    for name, args, value in calls:
        speculated.finish(speculated.start(name, args), args, value)
    message = crossed(speculated.to_message())
    stacks = _decoded_stacks(message["stacks"], time.monotonic() + 60)
    records = _decoded_calls(message, time.monotonic() + 60)
    found = [(stack.name, stack.args(row), stack.values[row]) for stack in stacks for row in range(stack.count)]
    found += [(call.name, call.args, call.value) for call in records]
    assert len(found) == len(calls)
    for name, args, value in calls:
        want = (name, *(codec.decode(json.loads(json.dumps(codec.encode(v)))) for v in (args, value)))
        assert any(got[0] == want[0] and identical(got[1], want[1]) and identical(got[2], want[2]) for got in found)


@given(st.lists(call_args, max_size=4).map(tuple))
def test_a_call_key_is_the_same_after_the_arguments_crossed_the_channel(args):
    """The child keys a call by its live arguments, the parent by the ones it decoded: the keys agree."""
    received = codec.decode(crossed({"args": codec.encode(args, raw=True)})["args"])
    assert codec.call_key("f", received) == codec.call_key("f", args)


@given(st.lists(st.one_of(call_values, hnp.arrays(np.float64, (3, 4)).map(lambda a: a[:, ::2])), max_size=4).map(tuple))
def test_a_call_key_hashes_the_arguments_exactly_as_encode_gives_them(args):
    """The key's fast path for arrays and tuples feeds the hash the bytes ``_feed`` makes of ``encode``'s raw form."""
    import hashlib

    parts = []
    codec._feed(parts.append, codec.encode(args, raw=True))
    assert codec.call_key("f", args) == hashlib.sha256(b"f\0" + b"".join(parts)).hexdigest()


def test_call_keys_tell_apart_what_encodes_apart():
    """Equal data of other types, other dtypes or shapes of the same bytes, signed zeros, another helper."""
    grid = np.arange(6.0)
    calls = [("f", (0,)), ("f", (0.0,)), ("f", (False,)), ("f", (-0.0,)), ("f", (None,)), ("f", ("0",)),
             ("f", (np.float64(0.0),)), ("f", (np.float32(0.0),)), ("f", (grid.reshape(2, 3),)),
             ("f", (grid.reshape(3, 2),)), ("f", (grid.view(np.int64).reshape(2, 3),)), ("f", ([0],)),
             ("f", ((0,),)), ("f", ({"a": 0},)), ("f", (0, 0)), ("g", (0,)), ("f", ("a", "b")), ("f", ("ab", ""))]
    keys = [codec.call_key(name, args) for name, args in calls]
    assert len(set(keys)) == len(keys)
