"""Pictures of wrong arrays: the slice and crop chosen, only for public cases, the same through JSON, the grid
in the text report, the PNG on feedback pages and inline in a notebook's grade cell."""
from __future__ import annotations

import base64
import io
import json

import IPython
import IPython.display
import numpy as np
import pytest
from matplotlib.image import imread

from autograder import notebook, pictures
from autograder.batch import feedback_pages
from autograder.model import CaseResult, ExerciseResult, Report
from autograder.pictures import Picture, first_wrong, grid, picture_of
from autograder.reports import text
from conftest import graded
from test_class_report import Dom, assert_nothing_injected

RTOL, ATOL = 1e-5, 1e-8
HOSTILE = '<img src=x onerror=alert(1)> & "zoë"'


def nhwc(shape=(2, 5, 6, 3)) -> np.ndarray:
    return np.random.default_rng(0).normal(size=shape)


def test_a_leftover_row_shows_as_the_last_row_of_the_first_wrong_example_and_channel():
    expected = nhwc()
    got = expected.copy()
    got[1, -1, :, 2] = 0  # the last row of example 1, channel 2, never computed
    picture = picture_of("Z", expected, got, RTOL, ATOL)
    assert picture.index == (1, None, None, 2) and (picture.top, picture.left) == (0, 0)
    assert picture.label == "Z[1, :, :, 2]" and picture.caption == "Z[1, :, :, 2] (rows 0-4, columns 0-5)"
    assert grid(picture) == [". . . . . ."] * 4 + ["x x x x x x"]
    assert np.array_equal(picture.expected, expected[1, :, :, 2]) and np.array_equal(picture.got, got[1, :, :, 2])


def test_a_large_slice_is_cropped_to_12_by_12_around_the_first_wrong_value():
    expected = nhwc((1, 20, 30, 2))
    got = expected + 0.5  # a constant offset everywhere but before (15, 25)
    got[0, :15] = expected[0, :15]
    got[0, 15, :25] = expected[0, 15, :25]
    picture = picture_of("Z", expected, got, RTOL, ATOL)
    assert (picture.top, picture.left) == (8, 18)  # 15 - 6 is 9, but 8 is the last start that fits 12 rows
    assert np.shape(picture.wrong) == (12, 12)
    assert picture.caption == "Z[0, :, :, 0] (rows 8-19, columns 18-29)"
    assert np.array_equal(picture.got, got[0, 8:20, 18:30, 0])
    rows = grid(picture)
    assert rows[:7] == [" ".join(["."] * 12)] * 7  # rows 8 to 14 are right
    assert rows[7] == " ".join(["."] * 7 + ["x"] * 5)  # row 15: wrong from column 25
    assert rows[8:] == [" ".join(["x"] * 12)] * 4


def test_a_2d_output_is_pictured_whole_and_a_3d_one_by_its_channel():
    mask = np.array([[True, False], [False, False]])
    picture = picture_of("mask", mask, np.array([[0, 1], [0, 0]]), RTOL, ATOL)
    assert picture.label == "mask" and picture.expected == ((1.0, 0.0), (0.0, 0.0)) and grid(picture) == ["x x", ". ."]
    image = nhwc((4, 4, 3))
    shifted = image.copy()
    shifted[:, :, 1] = np.roll(image[:, :, 1], 1, axis=1)
    assert picture_of("image", image, shifted, RTOL, ATOL).label == "image[:, :, 1]"


@pytest.mark.parametrize("expected, got", [
    (nhwc(), nhwc()[:, :4]),  # a shape the message already names
    (np.zeros((1, 1, 1, 8)), np.ones((1, 1, 1, 8))),  # db: one value per slice, nothing to see
    (np.zeros(5), np.ones(5)),  # a vector
    (np.zeros((2, 2)), [[1, 1], [1, 1]]),  # not an array
    (nhwc(), nhwc()),  # right
], ids=["shape", "one_value", "vector", "list", "right"])
def test_no_picture_where_there_is_nothing_to_see(expected, got):
    assert picture_of("Z", expected, got, RTOL, ATOL) is None


def test_the_first_wrong_output_is_pictured_as_compare_orders_them():
    dA, dW = nhwc(), nhwc((3, 3, 3, 4))
    wrong_dW = dW.copy()
    wrong_dW[0, 0, 0, 0] += 1
    assert first_wrong({"dA_prev": dA, "dW": dW}, {"dA_prev": dA, "dW": wrong_dW}, RTOL, ATOL).output == "dW"
    wrong_cache = {"Z": dA, "cache": {"A_prev": dW}}
    assert first_wrong(wrong_cache, {"Z": dA, "cache": {"A_prev": wrong_dW}}, RTOL, ATOL) is None


def test_a_picture_goes_through_json_with_plain_lists_and_nan_as_null():
    expected = nhwc((1, 3, 3, 1))
    got = expected.copy()
    got[0, 1, 1, 0] = np.nan
    picture = picture_of("Z", expected, got, RTOL, ATOL)
    data = json.loads(json.dumps(picture.to_dict(), allow_nan=False))
    assert data["got"][1][1] is None and data["index"] == [0, None, None, 0]
    assert Picture.from_dict(data) == picture
    case = CaseResult("public:1", "course example", True, "failed", "Z differs", "", picture)
    assert CaseResult.from_dict(json.loads(json.dumps(case.to_dict()))) == case
    assert CaseResult(**case.to_dict()) == case
    old = {key: value for key, value in case.to_dict().items() if key != "picture"}
    assert CaseResult.from_dict(old).picture is None


@pytest.mark.parametrize("spoil", [
    lambda data: data.pop("wrong"),
    lambda data: data["got"].pop(),
    lambda data: data["expected"][0].append(1.0),
    lambda data: data.update(top="0"),
    lambda data: data["wrong"][0].__setitem__(0, 1),
    lambda data: data["got"][0].__setitem__(0, "1.0"),
], ids=["missing", "short", "ragged", "top", "flag", "value"])
def test_a_malformed_picture_is_refused_with_the_case_that_holds_it(spoil):
    expected = nhwc((1, 3, 3, 1))
    picture = picture_of("Z", expected, expected + 1, RTOL, ATOL)
    report = Report("s.py", [ExerciseResult("conv_forward", 0, 10, "failed",
                                            [CaseResult("public:1", "d", True, "failed", "m", "", picture)])])
    data = report.to_dict()
    assert Report.from_dict(json.loads(json.dumps(data))) == report
    spoil(data["exercises"][0]["cases"][0]["picture"])
    with pytest.raises(ValueError, match=r"exercises\[0\]: cases\[0\]: not a picture"):
        Report.from_dict(data)


@pytest.fixture(scope="module")
def stride_ignored() -> Report:
    """The course's stride mistake, graded with hidden cases."""
    return graded("mistakes/conv_forward__stride_ignored.py")


def test_public_cases_get_a_picture_and_hidden_ones_never(stride_ignored):
    conv = next(e for e in stride_ignored.exercises if e.name == "conv_forward")
    failed = [case for case in conv.cases if case.status == "failed"]
    assert any(not case.public for case in failed) and any(case.public for case in failed)
    assert all(case.picture is None for case in failed if not case.public)
    assert all(case.picture is not None for case in failed if case.public)
    picture = text.pictured_case(conv).picture
    assert (picture.output, picture.index) == ("Z", (0, None, None, 0))
    assert grid(picture) == [". x x x", "x x x x", "x x x x"]  # only the first window is where it belongs


def test_the_text_report_shows_the_grid_under_the_exercises_feedback(stride_ignored):
    conv = next(e for e in stride_ignored.exercises if e.name == "conv_forward")
    for rendered, indent in ((text.render(stride_ignored), " " * 6), (text.render_exercise(conv), "  ")):
        lines = rendered.splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith(indent + "x = wrong, . = right in Z["))
        end = next(i for i in range(start, len(lines)) if lines[i].endswith("'stride': 2}:"))
        assert lines[start - 1].strip() in conv.feedback[-1]  # right under the feedback
        assert " ".join(line.strip() for line in lines[start:end + 1]) == (
            "x = wrong, . = right in Z[0, :, :, 0] (rows 0-2, columns 0-3) of public case course example: A_prev"
            " (2, 5, 7, 4), W (3, 3, 4, 8), b (1, 1, 1, 8), hparameters={'pad': 1, 'stride': 2}:")
        assert lines[end + 1:end + 4] == [indent + "  . x x x", indent + "  x x x x", indent + "  x x x x"]
        assert not any(line.startswith(indent + "  ") for line in lines[end + 4:end + 5])  # no fourth row
    assert text.picture_lines(next(e for e in stride_ignored.exercises if e.name == "zero_pad"), "  ") == []


def test_the_png_shows_expected_got_and_an_x_on_each_wrong_value():
    expected = nhwc((1, 4, 4, 1))
    one_wrong = expected.copy()
    one_wrong[0, 3, 3, 0] += 0.001  # too small to see in a heatmap: the x shows it
    drawn = pictures.png(picture_of("Z", expected, one_wrong, RTOL, ATOL))
    image = imread(io.BytesIO(drawn), format="png")
    assert drawn.startswith(b"\x89PNG\r\n\x1a\n") and image.shape[:2] == (272, 768)
    assert drawn == pictures.png(picture_of("Z", expected, one_wrong, RTOL, ATOL))  # reproducible
    all_wrong = pictures.png(picture_of("Z", expected, expected + 1, RTOL, ATOL))
    black = lambda png: int((imread(io.BytesIO(png), format="png")[..., :3] < 0.1).all(axis=-1).sum())  # noqa: E731
    assert black(all_wrong) > black(drawn) + 500  # 16 x's against 1


def test_a_feedback_page_embeds_each_exercises_picture_and_escapes_the_case(stride_ignored):
    report = Report.from_dict(stride_ignored.to_dict())
    conv = next(e for e in report.exercises if e.name == "conv_forward")
    case = text.pictured_case(conv)
    case.description = HOSTILE
    page = feedback_pages.render(HOSTILE, report)
    dom = Dom(page)
    assert_nothing_injected(dom)
    assert dom.pre == text.render(report)
    images = [attrs["src"] for attrs in dom.all("img")]
    assert len(images) == 1  # conv_forward's: the other exercises are missing
    assert base64.b64decode(images[0].removeprefix("data:image/png;base64,")) == pictures.png(
        case.picture, text.picture_title(case))
    assert f"conv_forward: Z[0, :, :, 0] (rows 0-2, columns 0-3) of public case {HOSTILE}." in "".join(dom.text)


def test_a_report_without_pictures_has_a_page_without_images():
    hidden = CaseResult("hidden:1", "hidden", False, "failed", "Z differs")
    page = feedback_pages.render("alice", Report("a.py", [ExerciseResult("conv_forward", 0, 10, "failed", [hidden])]))
    assert not Dom(page).all("img") and "<figure" not in page


@pytest.mark.parametrize("shell", [object(), None], ids=["kernel", "plain_python"])
def test_a_grade_cell_shows_the_picture_inline_only_in_a_kernel(stride_ignored, monkeypatch, capsys, shell):
    shown = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)  # the shell in a kernel, None outside one
    monkeypatch.setattr(IPython.display, "Image", lambda data, format: (format, data))
    monkeypatch.setattr(IPython.display, "display", shown.append)
    conv = next(e for e in stride_ignored.exercises if e.name == "conv_forward")
    notebook.show_picture(conv)
    case = text.pictured_case(conv)
    assert shown == ([("png", pictures.png(case.picture, text.picture_title(case)))] if shell else [])
    notebook.show_picture(next(e for e in stride_ignored.exercises if e.name == "zero_pad"))
    assert len(shown) == (1 if shell else 0)
    assert capsys.readouterr().err == ""
