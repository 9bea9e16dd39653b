"""Pictures of wrong arrays: the slice and crop chosen, only for public cases, the same through JSON, the grid
in the text report, the HTML heatmap on feedback pages and the PNG inline in a notebook's grade cell."""
from __future__ import annotations

import io
import json

import IPython
import IPython.display
import matplotlib
import numpy as np
import pytest
from matplotlib.colors import TwoSlopeNorm, to_hex, to_rgb
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


def cells(panel: pictures.Panel) -> np.ndarray:
    return np.array([[cell for cell in row] for row in panel.rows], dtype=object)


def test_the_heatmap_marks_exactly_the_wrong_values_with_an_x_in_the_difference_panel():
    expected = nhwc((1, 5, 6, 1))
    got = expected.copy()
    got[0, 1, 2, 0] += 0.001  # too small to see in colour: the x shows it
    got[0, 3:, 4:, 0] -= 2
    picture = picture_of("Z", expected, got, RTOL, ATOL)
    drawn = pictures.heatmap(picture)
    assert [panel.title for panel in drawn.panels] == ["expected", "got", "got - expected, x = wrong"]
    marks = np.vectorize(lambda cell: cell.mark)(cells(drawn.panels[2]))
    assert np.array_equal(marks == "x", np.array(picture.wrong)) and set(marks.flat) == {"x", ""}
    assert int((marks == "x").sum()) == 1 + 2 * 2
    right = [cell for row, flags in zip(drawn.panels[2].rows, picture.wrong) for cell, flag in zip(row, flags)
             if not flag]
    assert {(cell.background, cell.text) for cell in right} == {(pictures.BLANK, "right, 0.0")}  # blank: the PNG's
    assert drawn.panels[2].rows[1][2].text == f"wrong, {float(got[0, 1, 2, 0] - expected[0, 1, 2, 0])!r}"
    for panel in drawn.panels[:2]:
        assert {cell.mark for row in panel.rows for cell in row} == {""}
    assert [cell.text for cell in drawn.panels[1].rows[4]] == [repr(value) for value in got[0, 4, :, 0].tolist()]


def test_the_heatmap_colours_follow_the_pngs_scales():
    expected = nhwc((1, 6, 6, 1))
    got = expected.copy()
    got[0, 0, 0, 0] = 10.0  # the highest value of both
    got[0, 5, 5, 0] = expected[0, 5, 5, 0] - 20.0  # the largest wrong difference, and the lowest value
    got[0, 2, 3, 0] = expected[0, 2, 3, 0] + 1.0
    picture = picture_of("Z", expected, got, RTOL, ATOL)
    drawn = pictures.heatmap(picture)
    values = np.concatenate([expected[0, :, :, 0].ravel(), got[0, :, :, 0].ravel()])
    low, high = values.min(), values.max()
    viridis, rdbu = matplotlib.colormaps["viridis"], matplotlib.colormaps["RdBu_r"]
    for panel, array in zip(drawn.panels[:2], (expected, got)):
        for row, row_values in zip(panel.rows, array[0, :, :, 0]):
            for cell, value in zip(row, row_values):
                want = np.array(viridis((value - low) / (high - low))[:3])
                assert np.abs(np.array(to_rgb(cell.background)) * 255 - np.round(want * 255)).max() <= 1, (value, cell)
    by_value = {cell.text: cell.background for panel in drawn.panels[:2] for row in panel.rows for cell in row}
    assert by_value[repr(float(low))] == to_hex(viridis(0)) == "#440154"  # the colour map's first colour
    assert by_value[repr(10.0)] == to_hex(viridis(1.0)) == "#fde725"  # and its last
    assert drawn.panels[0].scale.low == pictures.Swatch(f"{low:.4g}", "#440154", "#ffffff")
    assert drawn.panels[1].scale.high == pictures.Swatch("10", "#fde725", "#000000")  # dark text on yellow

    difference = drawn.panels[2]
    reach = 20.0
    norm = TwoSlopeNorm(0.0, -reach, reach)
    for r, c in [(5, 5), (2, 3), (0, 0)]:
        d = got[0, r, c, 0] - expected[0, r, c, 0]
        assert difference.rows[r][c].background == to_hex(rdbu(norm(d))), (r, c)
    assert difference.rows[5][5].background == to_hex(rdbu(0.0)) == "#053061"  # -reach: the first colour
    assert difference.scale.low.value == "-20" and difference.scale.high.value == "20"
    assert difference.scale.high.background == to_hex(rdbu(1.0))
    assert difference.rows[5][5].foreground == "#ffffff" and difference.rows[2][3].foreground == "#000000"


def test_the_built_in_colour_maps_are_matplotlibs():
    for name in ("viridis", "RdBu_r"):
        levels = np.linspace(0, 1, 256)
        ours = np.array([to_rgb(code) for code in pictures._colour(levels[None, :], name, 0.0, 1.0)[0]])
        theirs = matplotlib.colormaps[name](levels)[:, :3]
        assert np.abs(np.round(ours * 255) - np.round(theirs * 255)).max() <= (1 if name == "viridis" else 0), name


def test_the_heatmap_shows_nan_and_inf_in_a_neutral_colour_and_scales_without_them():
    expected = np.arange(9, dtype=np.float64).reshape(3, 3)
    got = expected.copy()
    got[1, 1], got[2, 2] = np.nan, np.inf
    expected[0, 0] = -np.inf
    picture = picture_of("A", expected, got, RTOL, ATOL)
    drawn = pictures.heatmap(picture)
    assert drawn.panels[0].rows[0][0] == pictures.Cell(pictures.NOT_FINITE, "#000000", "", "nan/inf")
    assert drawn.panels[1].rows[1][1].text == drawn.panels[1].rows[2][2].text == "nan/inf"
    assert drawn.panels[1].rows[1][1].background == pictures.NOT_FINITE
    assert drawn.panels[1].scale.low.value == "0" and drawn.panels[1].scale.high.value == "8"  # finite only
    assert drawn.panels[1].rows[0][0].background == "#440154" and drawn.panels[0].rows[2][2].background == "#fde725"
    for r, c in [(0, 0), (1, 1), (2, 2)]:
        assert drawn.panels[2].rows[r][c] == pictures.Cell(pictures.NOT_FINITE, "#000000", "x", "wrong, nan/inf")
    assert drawn.not_finite == pictures.Swatch("nan/inf", pictures.NOT_FINITE, "#000000")
    assert pictures.heatmap(picture_of("A", expected + 1, expected, RTOL, ATOL)).not_finite is not None
    assert pictures.heatmap(picture_of("A", np.eye(3), np.zeros((3, 3)), RTOL, ATOL)).not_finite is None


def heatmap_tables(dom: Dom) -> list[list[list[str]]]:
    """The text of each heatmap table's rows, in page order (their tr elements are the page's only ones)."""
    assert len(dom.rows) % (len(dom.all("table"))) == 0
    per_table = len(dom.rows) // len(dom.all("table"))
    return [dom.rows[i:i + per_table] for i in range(0, len(dom.rows), per_table)]


def test_a_feedback_pages_heatmap_is_headed_by_the_crops_row_and_column_numbers():
    expected = nhwc((1, 20, 30, 2))
    got = expected.copy()
    got[0, 15, 25, 0] += 1
    case = CaseResult("public:1", "course example", True, "failed", "Z differs", "",
                      picture_of("Z", expected, got, RTOL, ATOL))
    page = feedback_pages.render("alice", Report("a.py", [ExerciseResult("conv_forward", 0, 10, "failed", [case])]))
    dom = Dom(page)
    tables = heatmap_tables(dom)
    assert [attrs["class"] for attrs in dom.all("table")] == ["heatmap"] * 3
    assert len(dom.all("caption")) == 3
    for table in tables:
        assert table[0] == [""] + [f"column {column}" for column in range(18, 30)]
        assert [row[0] for row in table[1:]] == [f"row {row}" for row in range(8, 20)]
    scopes = [attrs.get("scope") for attrs in dom.all("th")]
    assert scopes == (["col"] * 12 + ["row"] * 12) * 3
    difference = tables[2]
    assert difference[1 + 15 - 8][1 + 25 - 18] == "xwrong, 1.0"  # the visible x, then what a screen reader says
    assert sum(cell.startswith("x") for row in difference[1:] for cell in row[1:]) == 1
    titles = [attrs["title"] for attrs in dom.all("td") if attrs.get("title", "").endswith("wrong, 1.0")]
    assert titles == ["row 15, column 25: wrong, 1.0"]  # as the text report counts rows and columns
    assert f'title="row 15, column 25: {float(expected[0, 15, 25, 0])!r}"' in page  # the exact value


def test_a_feedback_page_shows_each_exercises_heatmap_and_escapes_what_the_student_controls(stride_ignored):
    report = Report.from_dict(stride_ignored.to_dict())
    conv = next(e for e in report.exercises if e.name == "conv_forward")
    case = text.pictured_case(conv)
    case.description = HOSTILE
    case.picture = Picture.from_dict({**case.picture.to_dict(), "output": HOSTILE})  # a report's JSON, altered
    page = feedback_pages.render(HOSTILE, report)
    dom = Dom(page)
    assert_nothing_injected(dom)
    assert dom.pre == text.render(report)
    assert not dom.all("img") and len(dom.all("figure")) == 1  # conv_forward's: the other exercises are missing
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt; &amp; &#34;zoë&#34;" in page
    assert f"conv_forward: {HOSTILE}[0, :, :, 0] (rows 0-2, columns 0-3) of public case {HOSTILE}." in "".join(
        dom.text)
    drawn = pictures.heatmap(case.picture)
    styles = [attrs["style"] for attrs in dom.all("td") if attrs.get("title")]
    assert styles == [f"background-color: {cell.background}; color: {cell.foreground}"
                      for panel in drawn.panels for row in panel.rows for cell in row]
    difference = heatmap_tables(dom)[2]
    assert [" ".join("x" if cell.startswith("x") else "." for cell in row[1:]) for row in difference[1:]] == grid(
        case.picture)


def test_a_report_without_pictures_has_a_page_without_images():
    hidden = CaseResult("hidden:1", "hidden", False, "failed", "Z differs")
    page = feedback_pages.render("alice", Report("a.py", [ExerciseResult("conv_forward", 0, 10, "failed", [hidden])]))
    assert not Dom(page).all("img") and "<figure" not in page and not Dom(page).all("table")


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
