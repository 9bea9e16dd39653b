"""The parent's answers to an exercise's helper calls, and its check of the calls a speculating child answered
with the student's own helper (see ``Sandbox.run``).

A check holds when every recorded call got from the student's helper exactly (type, dtype, shape, bits) what
``answer_call`` gives. The child records the calls of one helper with one signature (argument types,
dtypes, shapes) in columns, a stack; where the answer is a ``checks.StackedAnswer`` a stack is checked with
one stacked reference computation and one comparison of bytes for all its calls. A call that does not agree
there is checked alone, as every call of a helper without a stacked answer is, so stacking only ever saves
work: it decides nothing on its own.
"""
from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from ..checks import AnswerWithOwn, Helpers, StackedAnswer
from ..compare import identical
from . import codec

MAX_CHECKED_CALLS = 50_000  # speculated helper calls checked per case (the child records no more)
RECORD = {"name", "args", "value", "raised"}  # what a record of a speculated call may hold
MIN_STACK = 4  # calls of one signature worth checking together
MAX_STACK_BYTES = 32 << 20  # a larger stack (many calls on one large array) is checked call by call


def answer_helper(message: dict, helpers: Helpers) -> dict:
    """The parent's answer to one helper call: {"value"}, {"own": True} (call the student's own helper) or
    {"error": {"type", "message"}}."""
    try:
        args = codec.decode(message.get("args"))
    except Exception as error:  # malformed
        return {"error": {"type": type(error).__name__, "message": str(error)[:300]}}
    return answer_call(message.get("name"), args, helpers)


def answer_call(name, args, helpers: Helpers) -> dict:
    """``answer_helper`` for a call whose arguments are decoded."""
    return reference_answer(name, args, helpers).message()


@dataclass(frozen=True)
class Answer:
    """The parent's answer to one helper call: its ``value``, ``own`` (the student's own helper answers it), or
    an ``error`` {"type", "message"}."""

    value: object = None
    own: bool = False
    error: dict | None = None

    def message(self) -> dict:
        if self.own:
            return {"own": True}
        if self.error is not None:
            return {"error": self.error}
        return {"value": codec.encode(self.value, raw=True)}


def reference_answer(name, args, helpers: Helpers) -> Answer:
    """The parent's answer to ``name`` called on ``args`` (decoded), not yet encoded."""
    if type(name) is not str or name not in helpers:
        return Answer(error={"type": "RuntimeError", "message": f"{str(name)[:50]} cannot be called here"})
    try:
        if not isinstance(args, tuple):
            raise codec.CodecError("the arguments are not a tuple")
        return Answer(helpers[name](*args))
    except AnswerWithOwn:
        return Answer(own=True)
    except Exception as error:  # the reference rejected the input, or the call was refused
        return Answer(error={"type": type(error).__name__, "message": str(error)[:300]})


@dataclass(frozen=True)
class Checked:
    """How a run's speculated helper calls checked: ``held`` when every one got exactly the parent's answer;
    else ``corrections``, the parent's answer to each call that did not (by ``codec.call_key``), or None when
    they cannot be corrected (malformed records, too many, out of time, a run that did not end normally);
    ``distrusted``: helpers whose corrected call was the last before a case raised (the calls that case
    would have made next are not known: see ``Sandbox.run`` for when the parent is asked for them)."""

    held: bool
    corrections: dict[str, dict] | None
    distrusted: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Call:
    """One recorded call, decoded: the helper's name, its arguments, and its value (``NO_VALUE`` when it raised,
    or its record holds none that decodes)."""

    name: str
    args: tuple
    value: object


NO_VALUE = object()  # never identical to an answer: a call recorded without a value always needs correcting


class SpeculationChecks:
    """``check_speculated`` for each case's records, in a thread, while the child runs the next cases."""

    def __init__(self, helpers: Helpers, deadline: float):
        self._helpers, self._deadline = helpers, deadline
        self._pool: ThreadPoolExecutor | None = None
        self._results: list[Future] = []

    def add(self, speculated, raised: bool) -> None:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="convgrade-checks")
        self._results.append(self._pool.submit(check_speculated, speculated, self._helpers, self._deadline, raised))

    def result(self) -> Checked:
        """Every case's checks together (waits for them); a check that broke cannot be corrected."""
        if self._pool is None:
            return Checked(True, {})
        try:
            found = [result.result() if result.exception() is None else Checked(False, None)
                     for result in self._results]
        finally:
            self._pool.shutdown(cancel_futures=True)
        if any(checked.corrections is None for checked in found):
            return Checked(False, None)
        return Checked(all(checked.held for checked in found),
                       {key: answer for checked in found for key, answer in checked.corrections.items()},
                       frozenset().union(*(checked.distrusted for checked in found)))


def check_speculated(speculated, helpers: Helpers, deadline: float, raised: bool = False) -> Checked:
    """How the calls the child recorded ({"arrays", "calls", "stacks", "last"}, see ``child.Speculated``) check:
    each must have got from the student's own helper exactly (same type, dtype, shape and bits) what
    ``answer_call`` gives, or be one it answers with the student's own anyway; one that got another value is
    corrected with the parent's answer (a call that raised was asked of the parent, and is not among them).
    When the case ``raised`` right after a call that needs correcting, that call's helper is distrusted (see
    ``Checked``)."""
    try:
        calls = _decoded_calls(speculated, deadline)
        stacks = _decoded_stacks(speculated.get("stacks", []), deadline)
        if calls is None or stacks is None or len(calls) + sum(stack.count for stack in stacks) > MAX_CHECKED_CALLS:
            return Checked(False, None)
        corrections: dict[str, dict] = {}
        wrong_calls = _check_calls([(call.name, call.args, call.value) for call in calls], helpers, deadline,
                                   corrections)
        wrong_rows = [_check_stack(stack, helpers, deadline, corrections) for stack in stacks]
        if wrong_calls is None or any(rows is None for rows in wrong_rows):
            return Checked(False, None)
        last = _last_name(speculated.get("last"), calls, wrong_calls, stacks, wrong_rows) if raised else None
        distrusted = frozenset([last] if last in helpers else [])
        return Checked(not corrections, corrections, distrusted)
    except (codec.CodecError, KeyError, TypeError, ValueError, OverflowError, RecursionError, AttributeError):
        return Checked(False, None)


def _check_calls(calls, helpers: Helpers, deadline: float, corrections: dict) -> set[int] | None:
    """The indices of the (name, args, value) calls that needed correcting, each checked alone: its value must be
    ``identical`` to the parent's answer, or the parent answers it with the student's own anyway; the others'
    answers go into ``corrections``. None past ``deadline``."""
    wrong = set()
    for index, (name, args, value) in enumerate(calls):
        if time.monotonic() > deadline:
            return None
        answer = reference_answer(name, args, helpers)
        if answer.own or (answer.error is None and identical(answer.value, value)):
            continue
        corrections[codec.call_key(name, args)] = answer.message()
        wrong.add(index)
    return wrong


def _check_stack(stack: CallStack, helpers: Helpers, deadline: float, corrections: dict) -> set[int] | None:
    """The rows of ``stack`` that needed correcting (added to ``corrections``): those that do not agree with a
    stacked answer are checked alone (``_check_calls``); None past ``deadline``."""
    agreed = set(_agreeing_rows(stack, helpers)) if time.monotonic() <= deadline else set()
    rows = [row for row in range(stack.count) if row not in agreed]
    wrong = _check_calls([(stack.name, stack.args(row), stack.values[row]) for row in rows], helpers, deadline,
                         corrections)
    return None if wrong is None else {rows[index] for index in wrong}


def _last_name(last, calls: list[Call], wrong_calls: set[int], stacks: list[CallStack],
               wrong_rows: list[set[int]]) -> str | None:
    """The helper of the last call answered before the case raised, when that call needed correcting."""
    if last is None:
        return None
    if type(last) is list and len(last) == 2 and last[0] == "calls" and last[1] in wrong_calls:
        return calls[last[1]].name
    if type(last) is list and len(last) == 3 and last[0] == "stacks" and type(last[1]) is int and (
            0 <= last[1] < len(stacks) and last[2] in wrong_rows[last[1]]):
        return stacks[last[1]].name
    return None


def _decoded_calls(speculated, deadline: float) -> list[Call] | None:
    """The records' calls with their arguments decoded; None when the records are malformed, too many, or
    out of time. Every reference to a stored array decodes to that one array, read-only: a record that
    names one large array in each of thousands of calls costs no copies."""
    calls, arrays = speculated["calls"], [codec.decode(array) for array in speculated["arrays"]]
    if type(calls) is not list or len(calls) > MAX_CHECKED_CALLS:
        return None
    for array in arrays:
        if isinstance(array, np.ndarray):
            array.flags.writeable = False
    decoded = []
    for call in calls:
        if time.monotonic() > deadline or type(call) is not dict or not {"name", "args"} <= call.keys() <= RECORD:
            return None
        decoded.append(Call(call["name"], codec.decode(call["args"], arrays), _recorded_value(call, arrays)))
    return decoded


def _recorded_value(record: dict, arrays: list):
    """A record's value, decoded; ``NO_VALUE`` when it raised, holds none, or holds one that does not decode."""
    if "raised" in record or "value" not in record:
        return NO_VALUE
    try:
        return codec.decode(record["value"], arrays)
    except (codec.CodecError, KeyError, TypeError, ValueError, OverflowError, RecursionError):
        return NO_VALUE


@dataclass(frozen=True)
class Column:
    """N calls' values of one argument, or what the calls returned (see ``codec.values_column``): "rows", an
    (N, ...) array whose rows are the values; "scalars", an (N,) array of numpy scalars; "each", a list."""

    kind: str
    data: np.ndarray | list

    def __getitem__(self, row: int):
        return self.data[row, ...] if self.kind == "rows" else self.data[row]


@dataclass(frozen=True)
class CallStack:
    """The calls of one helper the child recorded in columns (see ``codec.CallStacks``), decoded and read-only."""

    name: str
    count: int
    columns: tuple[Column, ...]
    values: Column

    def args(self, row: int) -> tuple:
        return tuple(column[row] for column in self.columns)


def _decoded_stacks(stacks, deadline: float) -> list[CallStack] | None:
    """The stacks decoded and checked for size; None when malformed or out of time."""
    if type(stacks) is not list:
        return None
    decoded = []
    for stack in stacks:
        if time.monotonic() > deadline or type(stack) is not dict or type(stack.get("name")) is not str:
            return None
        count = stack["count"]
        if type(count) is not int or not 0 <= count <= MAX_CHECKED_CALLS or type(stack["args"]) is not list:
            return None
        columns = tuple(_column(column, count) for column in stack["args"])
        values = _column(stack["values"], count)
        if any(column is None for column in columns) or values is None:
            return None
        decoded.append(CallStack(stack["name"], count, columns, values))
    return decoded


def _column(column, count: int) -> Column | None:
    """One column of ``count`` rows decoded (arrays read-only); None when it is not one."""
    if type(column) is not dict or len(column) != 1:
        return None
    (kind, data), = column.items()
    data = codec.decode(data)
    if kind == "each":
        return Column(kind, data) if type(data) is list and len(data) == count else None
    if kind not in ("rows", "scalars") or type(data) is not np.ndarray or data.ndim == 0 or len(data) != count or (
            kind == "scalars" and data.ndim != 1):
        return None
    data.flags.writeable = False
    return Column(kind, data)


def _agreeing_rows(stack: CallStack, helpers: Helpers) -> list[int]:
    """The rows of ``stack`` whose value is, in type, dtype, shape and bits, the row of the helper's stacked
    answer (when it has one, and the stack holds at least ``MIN_STACK`` calls of one signature). The first call
    is answered alone too: when it is refused, or the stacked answer's first row is not its answer, none agree."""
    answer = helpers.get(stack.name)
    if not isinstance(answer, StackedAnswer) or stack.count < MIN_STACK or not _uniform(stack.columns):
        return []
    if sum(column.data.nbytes for column in stack.columns if column.kind != "each") > MAX_STACK_BYTES:
        return []
    alone = reference_answer(stack.name, stack.args(0), helpers)
    if alone.own or alone.error is not None:
        return []
    try:
        first = alone.value
        expected = answer.stacked([column.data for column in stack.columns])
        if not (isinstance(expected, np.ndarray) and expected.shape[:1] == (stack.count,) and expected.size
                and identical(expected[0], first)):
            return []
        rows, found = _comparable_values(stack, first, expected.dtype)
        if not rows:
            return []
        equal = (_bytes_by_row(found) == _bytes_by_row(expected[rows])).all(axis=1)
    except Exception:  # no stacked answer for these calls: each is checked alone
        return []
    return [row for row, same in zip(rows, equal) if same]


def _uniform(columns: tuple[Column, ...]) -> bool:
    """Whether the calls share a signature (``codec.call_signature``): array columns do by their making; a
    list must hold numbers of one type, or one tuple of ints."""
    for column in columns:
        if column.kind == "each" and column.data:
            first = column.data[0]
            if type(first) is tuple:
                if not all(type(item) is int for item in first) or any(value != first for value in column.data):
                    return False
            elif not (type(first) in (bool, int, float) or isinstance(first, np.generic)) or any(
                    type(value) is not type(first) for value in column.data):
                return False
    return True


def _comparable_values(stack: CallStack, first, dtype: np.dtype) -> tuple[list[int], np.ndarray | None]:
    """The rows whose value has the type (and for arrays the dtype and shape) of ``first``, and those values as
    one array of ``dtype``."""
    values = stack.values.data
    if stack.values.kind == "rows":
        same = type(first) is np.ndarray and values.dtype == first.dtype and values.shape[1:] == first.shape
        return (list(range(stack.count)), values) if same else ([], None)
    if stack.values.kind == "scalars":
        same = type(first) is values.dtype.type and values.dtype == dtype
        return (list(range(stack.count)), values) if same else ([], None)
    rows = [row for row, value in enumerate(values) if _same_kind(value, first)]
    return rows, np.asarray([values[row] for row in rows], dtype=dtype) if rows else None


def _bytes_by_row(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values).view(np.uint8).reshape(len(values), -1)


def _same_kind(value, first) -> bool:
    """Same type, and for arrays the same dtype and shape."""
    return type(value) is type(first) and (
        type(first) is not np.ndarray or (value.dtype == first.dtype and value.shape == first.shape))
