"""The public checks a release ships beside its notebook (``<assignment>.checks.json``), and judging with them.

The instructor's tools write the file at release time (``release.py``): each exercise's spec, its public
cases with their right outcomes, the evidence of every catalogued mistake (and pair of mistakes) on them,
and the answers to the helper calls the course's algorithm makes on them. The student kit judges against
it exactly as the grader judges against the reference: the same ``judging.py`` on the same data, so the
verdicts and messages are the same. The file holds no implementation of anything: only values.

A helper call the file has no answer for is answered by the student's own helper (``AnswerWithOwn``).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from .checks import AnswerWithOwn, AssignmentChecks, ExerciseChecks, Helpers
from .diagnose import ErrorSigns, Evidence, Outputs, Shapes
from .sandbox import codec
from .spec import Case, ExerciseSpec, Expected

SUFFIX = ".checks.json"
FORMAT = "convgrade public checks"
VERSION = 1


class PublicChecksError(Exception):
    """A public checks file that cannot be used (unreadable, of another format or version)."""


def call_key(args: tuple) -> str:
    """A digest of a helper call's arguments by value (numpy scalars as the numbers they hold)."""
    return hashlib.sha256(_canonical(codec.encode(tuple(_plain(arg) for arg in args))).encode()).hexdigest()[:32]


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list | tuple):
        return tuple(_plain(item) for item in value)
    return value


def _canonical(data) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


# -- arrays stored once -------------------------------------------------------------------------------------
def pack(data, arrays: dict[str, dict]):
    """``data`` (encoded by the codec) with each array moved into ``arrays`` under a digest of its content:
    the same array (a cache, an input) appears in many cases and mistakes but is stored once."""
    if isinstance(data, dict) and "__ndarray__" in data:
        key = hashlib.sha256(_canonical(data).encode()).hexdigest()[:20]
        arrays[key] = data
        return {"__array__": key}
    if isinstance(data, dict):
        return {key: pack(value, arrays) for key, value in data.items()}
    if isinstance(data, list):
        return [pack(value, arrays) for value in data]
    return data


def unpack(data, arrays: dict[str, dict]):
    """Inverse of :func:`pack`."""
    if isinstance(data, dict) and "__array__" in data:
        return arrays[data["__array__"]]
    if isinstance(data, dict):
        return {key: unpack(value, arrays) for key, value in data.items()}
    if isinstance(data, list):
        return [unpack(value, arrays) for value in data]
    return data


# -- evidence as data -------------------------------------------------------------------------------------
def evidence_to_data(evidence: Evidence) -> dict:
    sign = evidence.sign
    if isinstance(sign, Outputs):
        return {"message": evidence.message, "outputs": codec.encode(sign.values)}
    if isinstance(sign, Shapes):
        return {"message": evidence.message, "shapes": {"output": sign.output,
                                                        "patterns": sorted(list(p) for p in sign.patterns)}}
    return {"message": evidence.message,
            "error": {"types": list(sign.types), "phrases": list(sign.phrases),
                      "windows": sorted(list(pair) for pair in sign.windows),
                      "broadcast": [list(shape) for shape in sign.broadcast] if sign.broadcast else None}}


def evidence_from_data(data: dict) -> Evidence:
    if "outputs" in data:
        return Evidence(data["message"], Outputs(codec.decode(data["outputs"])))
    if "shapes" in data:
        shapes = data["shapes"]
        return Evidence(data["message"], Shapes(shapes["output"], frozenset(tuple(p) for p in shapes["patterns"])))
    error = data["error"]
    broadcast = tuple(tuple(shape) for shape in error["broadcast"]) if error["broadcast"] else None
    return Evidence(data["message"], ErrorSigns(tuple(error["types"]), tuple(error["phrases"]),
                                                frozenset(tuple(pair) for pair in error["windows"]), broadcast))


# -- reading ------------------------------------------------------------------------------------------------
class ReleasedExerciseChecks(ExerciseChecks):
    """One exercise's public checks, read from a release."""

    def __init__(self, data: dict):
        self.spec = ExerciseSpec(**{key: tuple(value) if isinstance(value, list) else value
                                    for key, value in data["spec"].items()})
        self._cases = [(Case(case["id"], case["description"], codec.decode(case["args"]), public=True), case)
                       for case in data["cases"]]
        self._by_id = {case.id: raw for case, raw in self._cases}
        self._answers = {name: dict(calls) for name, calls in data["helper_answers"].items()}

    def cases(self) -> list[Case]:
        return [case for case, _ in self._cases]

    def expected(self, case: Case) -> Expected:
        expected = self._by_id[case.id]["expected"]
        if "rejection" in expected:
            return Expected(rejection=expected["rejection"])
        return Expected(outputs=codec.decode(expected["outputs"]))

    def evidence(self, case: Case) -> list[Evidence]:
        return [evidence_from_data(item) for item in self._by_id[case.id]["evidence"]]

    def error_evidence(self, case: Case) -> list[Evidence]:
        return [evidence_from_data(item) for item in self._by_id[case.id]["error_evidence"]]

    def pair_evidence(self, case: Case) -> list[Evidence]:
        return [evidence_from_data(item) for item in self._by_id[case.id]["pair_evidence"]]

    def helpers(self) -> Helpers:
        return {name: _recorded(name, self._answers.get(name, {})) for name in self.spec.helpers}


def _recorded(name: str, answers: dict):
    def answer(*args):
        found = answers.get(call_key(args))
        if found is None:
            raise AnswerWithOwn(name)
        if "error" in found:
            raise {"ValueError": ValueError, "TypeError": TypeError}.get(found["error"]["type"], RuntimeError)(
                found["error"]["message"])
        return codec.decode(found["value"])
    return answer


def read(path: Path) -> AssignmentChecks:
    """The public checks in ``path``; raises PublicChecksError when the file cannot be used."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError("not a public checks file")
        if data.get("version") != VERSION:
            raise ValueError(f"made for version {data.get('version')} of the checks, this kit reads version "
                             f"{VERSION}: install the kit your course gives with this release")
        exercises = tuple(ReleasedExerciseChecks(unpack(exercise, data["arrays"])) for exercise in data["exercises"])
        return AssignmentChecks(data["assignment"], exercises, public_only=True)
    except (OSError, ValueError, KeyError, TypeError, codec.CodecError) as error:
        raise PublicChecksError(f"{path.name}: {error}") from None


def beside(folder: Path) -> list[AssignmentChecks]:
    """The public checks of every release in ``folder`` (a student's assignment folder), by name."""
    return [read(path) for path in sorted(folder.glob("*" + SUFFIX))]


def file_name(assignment: str) -> str:
    return assignment + SUFFIX
