"""The parent's answers to an exercise's helper calls, and its check of the calls a speculating child answered
with the student's own helper (see ``Sandbox.run``).

A check holds when every recorded call got from the student's helper exactly (type, dtype, shape, bits) what
``answer_call`` gives. Calls of one helper with one signature (argument types, dtypes, shapes) are checked
together where the answer is a ``checks.StackedAnswer``: one stacked reference computation and one
comparison of bytes for all of them. A call that does not agree there is checked alone, as every call
of a helper without a stacked answer is, so stacking only ever saves work: it decides nothing on its own.
"""
from __future__ import annotations

import time
from collections import defaultdict
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
    if type(name) is not str or name not in helpers:
        return {"error": {"type": "RuntimeError", "message": f"{str(name)[:50]} cannot be called here"}}
    try:
        if not isinstance(args, tuple):
            raise codec.CodecError("the arguments are not a tuple")
        return {"value": codec.encode(helpers[name](*args))}
    except AnswerWithOwn:
        return {"own": True}
    except Exception as error:  # the reference rejected the input, or the call was refused
        return {"error": {"type": type(error).__name__, "message": str(error)[:300]}}


@dataclass(frozen=True)
class Checked:
    """How a run's speculated helper calls checked: ``held`` when every one got exactly the parent's answer;
    else ``corrections``, the parent's answer to each call that did not (by ``codec.call_key``), or None when
    they cannot be corrected (malformed records, too many, out of time, a run that did not end normally);
    ``distrusted``: helpers whose corrected call was the last before a case raised (the calls that case
    would have made next are not known: the next run asks the parent for them)."""

    held: bool
    corrections: dict[str, dict] | None
    distrusted: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Call:
    """One recorded call, decoded: the helper's name, its arguments, and the record as the child sent it."""

    name: str
    args: tuple
    record: dict


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
    """How the calls the child recorded ({"arrays", "calls"}) check: each must have got from the student's own
    helper exactly (same type, dtype, shape and bits) what ``answer_call`` gives, or be one it answers with the
    student's own anyway; one that got another value is corrected with the parent's answer (a call that
    raised was asked of the parent, and is not among them). When the case ``raised`` right after a call that
    needs correcting, that call's helper is distrusted (see ``Checked``)."""
    corrections: dict[str, dict] = {}
    last = None
    try:
        calls = _decoded_calls(speculated, deadline)
        if calls is None:
            return Checked(False, None)
        agreed = _agreeing_stacked(calls, helpers, deadline)
        for index, call in enumerate(calls):
            last = None
            if index in agreed:
                continue
            if time.monotonic() > deadline:
                return Checked(False, None)
            answer = answer_call(call.name, call.args, helpers)
            if answer.get("own"):
                continue
            if "raised" in call.record or "value" not in call.record or "value" not in answer or (
                    codec.canonical(answer["value"]) != codec.canonical(call.record["value"])):
                corrections[codec.call_key(call.name, call.args)] = answer
                last = call.name
        distrusted = frozenset([last] if raised and type(last) is str and last in helpers else [])
        return Checked(not corrections, corrections, distrusted)
    except (codec.CodecError, KeyError, TypeError, ValueError, OverflowError, RecursionError):
        return Checked(False, None)


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
        decoded.append(Call(call["name"], codec.decode(call["args"], arrays), call))
    return decoded


def _agreeing_stacked(calls: list[Call], helpers: Helpers, deadline: float) -> set[int]:
    """The indices of calls whose recorded value is, bit for bit, their stacked answer's (see the module);
    past ``deadline``, no more stacks are tried."""
    stackable = {name for name, answer in helpers.items() if isinstance(answer, StackedAnswer)}
    groups: dict[tuple, list[int]] = defaultdict(list)
    for index, call in enumerate(calls):
        if type(call.name) is str and call.name in stackable and "value" in call.record and "raised" not in call.record:
            signature = _signature(call.args)
            if signature is not None:
                groups[(call.name, signature)].append(index)
    agreed: set[int] = set()
    for indices in groups.values():
        if time.monotonic() > deadline:
            break
        if len(indices) >= MIN_STACK:
            agreed.update(_agreeing_group(calls, indices, helpers))
    return agreed


def _signature(args) -> tuple | None:
    """What calls must share to be stacked: each argument's type, and an array's dtype and shape, a tuple's
    value; None for arguments that are never stacked."""
    if type(args) is not tuple:
        return None
    signature = []
    for arg in args:
        if type(arg) is np.ndarray:
            signature.append((arg.dtype.str, arg.shape))
        elif type(arg) in (bool, int, float) or isinstance(arg, np.generic):
            signature.append(type(arg))
        elif type(arg) is tuple and all(type(item) is int for item in arg):
            signature.append(arg)
        else:
            return None
    return tuple(signature)


def _agreeing_group(calls: list[Call], indices: list[int], helpers: Helpers) -> list[int]:
    """The indices among ``indices`` (calls of one helper with one signature) whose recorded value, decoded, is
    the stacked answer's row in type, dtype, shape and bits. The first call is answered alone too: when it is
    refused, or the stacked answer's first row is not its answer, none agree here."""
    group = [calls[index] for index in indices]
    name = group[0].name
    if len(group) * sum(arg.nbytes for arg in group[0].args if type(arg) is np.ndarray) > MAX_STACK_BYTES:
        return []
    alone = answer_call(name, group[0].args, helpers)
    if "value" not in alone:
        return []
    try:
        first = codec.decode(alone["value"])
        columns = [np.stack([call.args[k] for call in group]) if type(group[0].args[k]) is np.ndarray
                   else [call.args[k] for call in group] for k in range(len(group[0].args))]
        expected = helpers[name].stacked(columns)
        if not (isinstance(expected, np.ndarray) and expected.shape[:1] == (len(group),) and expected.size
                and identical(expected[0], first)):
            return []
        values = [codec.decode(call.record["value"]) for call in group]
        alike = [k for k, value in enumerate(values) if _same_kind(value, first)]
        if not alike:
            return []
        found = np.asarray([values[k] for k in alike], dtype=expected.dtype)
        rows = (found.view(np.uint8).reshape(len(alike), -1)
                == expected[alike].view(np.uint8).reshape(len(alike), -1)).all(axis=1)
    except Exception:  # no stacked answer for these calls: each is checked alone
        return []
    return [indices[k] for k, equal in zip(alike, rows) if equal]


def _same_kind(value, first) -> bool:
    """Same type, and for arrays the same dtype and shape."""
    return type(value) is type(first) and (
        type(first) is not np.ndarray or (value.dtype == first.dtype and value.shape == first.shape))

