"""The class report a teacher reads and the feedback pages students get back: who scored what and who made
which mistake, with links; timeouts, crashes and unreadable files by student; the text report on each page
and no hidden inputs; student text escaped; files the group can read; both pages in a real headless browser."""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote

import numpy as np
import pytest
from matplotlib.image import imread

from autograder import files
from autograder.batch import charts, classreport, feedback_pages, results
from autograder.batch.discover import Submission
from autograder.judging import score_exercise
from autograder.model import CaseResult, ExerciseResult, Report
from autograder.reports import text
from conftest import EXAMPLES, SUBMISSIONS
from test_batch import put, reports_in

CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                                    "(apt-get install chromium); CI installs it")
HOSTILE = '<img src=x onerror=alert(1)> & "zoë" #1'  # a student name, from a file name
STRIDE = "You ignore the stride."
BAR_RGB = np.array([0x4c, 0x72, 0xb0]) / 255  # the charts' bars


# -- a class, made by hand ----------------------------------------------------------------------------------

def case(status: str = "passed", message: str = "", diagnosis: str = "", public: bool = True,
         description: str = "public case: A_prev (2, 4, 4, 3)") -> CaseResult:
    return CaseResult("public:1" if public else "hidden:stride3:1", description, public, status, message, diagnosis)


def exercise(name: str, *cases: CaseResult, feedback: tuple[str, ...] = ()) -> ExerciseResult:
    score, status = score_exercise(10.0, list(cases))
    return ExerciseResult(name, score, 10.0, status, list(cases), list(feedback))


def not_read(submission: str, error: str) -> Report:
    """A report like the batch writes for a file it did not read: 0 points, every exercise an error."""
    exercises = [ExerciseResult(name, 0.0, 10.0, "error", [], [f"Your submission was not read: {error}"])
                 for name in ("conv_forward", "pool_forward")]
    return Report(submission, exercises, [error], assignment="ps")


def a_class() -> list[classreport.Entry]:
    stride = case("failed", "Z differs at [0, 1, 1, 0]", STRIDE)
    return [
        ("alice", Report("alice.py", [exercise("conv_forward", case(), stride),
                                      exercise("pool_forward", case())], assignment="ps")),
        (HOSTILE, Report(f"{HOSTILE}.py", [exercise("conv_forward", case(), stride),
                                           exercise("pool_forward", case("error", "TypeError: bad operand (cell 2)"))],
                         assignment="ps")),
        ("bob", Report("bob.py", [exercise("conv_forward", case(), case("timeout", "did not finish within 2 s")),
                                  exercise("pool_forward", case())], assignment="ps")),
        ("carol", not_read("carol.ipynb", "unreadable submission: carol.ipynb is not UTF-8")),
        ("dave", not_read("dave.py", "refused submission: a link to another submission (alice.py)")),
        ("erin", Report("erin.py", [exercise("conv_forward", case("missing", "not defined")),
                                    exercise("pool_forward", case("missing", "not defined"))],
                        ["SyntaxError: '(' was never closed (cell 2, line 6)"], assignment="ps")),
    ]


FRANK = results.NotGraded(Submission(Path("/course/frank.py"), PurePosixPath("frank.py"), "frank", None),
                          "RuntimeError: the sandbox could not start")


class Dom(HTMLParser):
    """A page's elements (tag, attributes), its text (not its style sheet), the text within <pre>, its table
    rows (the text of each cell) and its links (href, text)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.pre = ""
        self.rows: list[list[str]] = []
        self.links: list[tuple[str, str]] = []
        self.svg_titles: list[str] = []  # the <title>s within <svg>: the charts', their bars'
        self._open: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag in ("meta", "img"):  # void elements: never closed
            return
        self._open.append(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.rows[-1].append("")
        elif tag == "a":
            self.links.append((dict(attrs)["href"], ""))
        elif tag == "title" and "svg" in self._open:
            self.svg_titles.append("")

    def handle_endtag(self, tag):
        if tag in self._open:
            while self._open.pop() != tag:
                pass

    def handle_data(self, data):
        if "style" in self._open:
            return
        self.text.append(data)
        if "pre" in self._open:
            self.pre += data
        if "td" in self._open or "th" in self._open:
            self.rows[-1][-1] += data
        if "a" in self._open:
            self.links[-1] = (self.links[-1][0], self.links[-1][1] + data)
        if "title" in self._open and "svg" in self._open:
            self.svg_titles[-1] += data

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.elements if name == tag]


def assert_nothing_injected(dom: Dom) -> None:
    """No element or attribute came from a student's text: no script, no event handler, no image, no link
    but ours."""
    assert not dom.all("script") and not dom.all("img") and not dom.all("foreignobject")
    assert not [attrs for _, attrs in dom.elements if any(name.startswith("on") for name in attrs)]
    assert not [attrs for _, attrs in dom.elements if "xlink:href" in attrs]


# -- what the class report says -------------------------------------------------------------------------------

def test_problems_list_timeouts_errors_load_failures_and_files_not_read_by_student():
    found = [(p.student, p.what, p.where, p.detail, p.page) for p in classreport.problems(a_class(), [FRANK])]
    assert found == [
        (HOSTILE, "error", "pool_forward", "TypeError", quote(f"feedback/{HOSTILE}.py.html")),
        ("bob", "timeout", "conv_forward", "did not finish within 2 s", "feedback/bob.py.html"),
        ("carol", "unreadable", "", "carol.ipynb is not UTF-8", "feedback/carol.ipynb.html"),
        ("dave", "refused", "", "a link to another submission (alice.py)", "feedback/dave.py.html"),
        ("erin", "loading", "", "SyntaxError: '(' was never closed (cell 2, line 6)", "feedback/erin.py.html"),
        ("frank", "not graded", "", "RuntimeError: the sandbox could not start", ""),  # no report, no page
    ]


def test_mistakes_name_the_students_who_made_them():
    assert classreport.ranked_mistakes(a_class()) == [classreport.Mistake("conv_forward", STRIDE, (HOSTILE, "alice"))]


def test_a_section_has_each_functions_pass_count_and_mean_and_the_totals_mean_and_median():
    section = classreport.section("ps", a_class())
    assert section.functions == [classreport.Function("conv_forward", 10.0, 2.5, 0, 6),
                                 classreport.Function("pool_forward", 10.0, pytest.approx(20 / 6), 2, 6)]
    assert (section.max_score, section.mean, section.median) == (20.0, pytest.approx(35 / 6), 2.5)  # 0 0 0 5 15 15
    assert [(row.student, row.scores, row.total, row.status) for row in section.rows] == [
        (HOSTILE, (5.0, 0.0), 5.0, "failed"),
        ("alice", (5.0, 10.0), 15.0, "failed"),
        ("bob", (5.0, 10.0), 15.0, "failed"),
        ("carol", (0.0, 0.0), 0.0, "unreadable"),
        ("dave", (0.0, 0.0), 0.0, "refused"),
        ("erin", (0.0, 0.0), 0.0, "failed"),
    ]
    alice = section.rows[1]
    assert (alice.page, alice.report) == ("feedback/alice.py.html", "reports/alice.py.json")


def test_the_class_report_names_and_links_every_student_and_escapes_what_they_control():
    dom = Dom(classreport.render(a_class(), [FRANK]))
    assert_nothing_injected(dom)
    assert "6 students, 6 submissions, and 1 the grader failed on" in "".join(dom.text)
    assert "Total out of 20: mean 5.83, median 2.5." in "".join(dom.text)
    rows = dom.rows
    assert ["conv_forward", "0/6 (0%)", "2.5", "10"] in rows and ["pool_forward", "2/6 (33%)", "3.33", "10"] in rows
    assert [HOSTILE, "5/20", "failed", "5", "0", f"{HOSTILE}.py (report)"] in rows  # the students' table
    assert ["carol", "0/20", "unreadable", "0", "0", "carol.ipynb (report)"] in rows
    assert ["2 (33%)", "conv_forward", STRIDE, f"{HOSTILE}, alice"] in rows  # the mistake and who made it
    assert ["bob", "timeout", "conv_forward", "did not finish within 2 s", "bob.py"] in rows
    assert ["frank", "not graded", "", "RuntimeError: the sandbox could not start", "frank.py"] in rows
    students = {(href, name) for href, name in dom.links if href.startswith("feedback/")}
    assert students == {(f"feedback/{quote(name)}.html", student) for student, name in [
        ("alice", "alice.py"), (HOSTILE, f"{HOSTILE}.py"), ("bob", "bob.py"), ("carol", "carol.ipynb"),
        ("dave", "dave.py"), ("erin", "erin.py")]}
    assert "feedback/%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E%20%26%20%22zo%C3%AB%22%20%231.py.html" in dict(
        dom.links)  # every character a browser reads as URL syntax (#, %, ?) escaped


def test_the_class_report_is_self_contained():
    page = classreport.render(a_class())
    dom = Dom(page)
    assert not dom.all("link") and not dom.all("script")
    assert len(dom.all("svg")) == 2 and not dom.all("img")  # the distribution and the pass rates, inline
    assert "http://" not in page and "https://" not in page
    assert {attrs.get("http-equiv") for attrs in dom.all("meta")} >= {"Content-Security-Policy"}


def test_an_empty_class_still_gets_a_report():
    page = Dom(classreport.render([]))
    assert "0 students, 0 submissions." in "".join(page.text) and not page.all("svg") and not page.all("img")


# -- the charts: geometry, then SVG -------------------------------------------------------------------------------

@pytest.mark.parametrize("maximum", [20, 100, 7.3, 0.3])
def test_the_histogram_counts_what_numpy_histogram_counts_in_20_bins_over_0_to_the_maximum(maximum):
    rng = np.random.default_rng(7)
    edges = np.linspace(0, maximum, 21)
    scores = [*rng.uniform(0, maximum, 200), *edges, *np.nextafter(edges, -1), 0.0, maximum, -1.0, maximum * 1.5]
    expected, expected_edges = np.histogram(scores, bins=20, range=(0, maximum))
    assert charts.histogram(scores, maximum) == expected.tolist()
    chart = charts.distribution(scores, maximum, 1.0, 1.0)
    assert [b.count for b in chart.bins] == expected.tolist()
    assert [b.low for b in chart.bins] + [chart.bins[-1].high] == expected_edges.tolist()  # numpy's edges, exactly


def test_the_histograms_bars_are_as_tall_as_their_counts_side_by_side_on_the_x_axis():
    chart = charts.distribution([0, 0, 0, 5, 15, 15, 19.99, 20], 20, 8.75, 10)
    plot = chart.plot
    assert [b.count for b in chart.bins] == [3] + [0] * 4 + [1] + [0] * 9 + [2] + [0] * 3 + [2]
    unit = chart.bins[0].height / 3
    assert unit > 0
    for b in chart.bins:
        assert b.height == pytest.approx(b.count * unit) and b.y + b.height == pytest.approx(plot.bottom)
        assert b.width == pytest.approx(plot.width / 20) and b.x == pytest.approx(plot.x + plot.width * b.low / 20)
    assert chart.bins[-1].x + chart.bins[-1].width == pytest.approx(plot.right)
    assert 3 * unit <= plot.height
    assert [t.label for t in chart.y_ticks] == ["0", "1", "2", "3"]  # whole numbers of submissions
    assert [t.position for t in chart.y_ticks] == pytest.approx([plot.bottom - k * unit for k in range(4)])
    assert chart.x_ticks[0] == charts.Tick(plot.x, "0") and chart.x_ticks[-1] == charts.Tick(plot.right, "20")
    assert (chart.x_label, chart.y_label, chart.colour) == ("total points", "submissions", "#4c72b0")
    assert [b.title for b in chart.bins if b.count] == [
        "0-1 points: 3 submissions", "5-6 points: 1 submission", "15-16 points: 2 submissions",
        "19-20 points: 2 submissions"]


def test_the_histograms_y_ticks_are_whole_numbers_above_the_tallest_bar():
    for scores in ([5.0] * 37, [5.0] * 7, [5.0], list(range(100))):
        chart = charts.distribution(scores, 100, 0, 0)
        values = [int(t.label) for t in chart.y_ticks]  # raises if not a whole number
        assert values[0] == 0 and values == sorted(values) and len(values) <= 7
        assert values[-1] >= max(b.count for b in chart.bins)
        assert chart.y_ticks[-1].position == pytest.approx(chart.plot.y)  # the top tick is the top of the plot


def test_the_mean_and_the_median_are_marked_where_they_are_on_the_x_axis():
    chart = charts.distribution([0, 5, 15, 15], 20, 8.75, 10)
    plot = chart.plot
    mean, median = chart.markers
    assert (mean.label, mean.colour, mean.dashed) == ("mean 8.75", "#dd8452", False)
    assert (median.label, median.colour, median.dashed) == ("median 10", "#55a868", True)
    assert mean.x == pytest.approx(plot.x + plot.width * 8.75 / 20)
    assert median.x == pytest.approx(plot.x + plot.width / 2)
    assert [(e.label, e.colour, e.dashed) for e in chart.legend] == [
        ("mean 8.75", "#dd8452", False), ("median 10", "#55a868", True)]
    assert all(e.y < plot.y and plot.x < e.x < plot.right for e in chart.legend)  # above the bars, not on them


def test_pass_rate_bars_are_as_long_as_their_rates_first_function_at_the_top():
    chart = charts.pass_rates([("conv_forward", 18, 24), ("pool_forward", 6, 6), ("zero_pad", 0, 5)])
    plot = chart.plot
    assert [b.name for b in chart.bars] == ["conv_forward", "pool_forward", "zero_pad"]
    assert [b.width for b in chart.bars] == pytest.approx([0.75 * plot.width, plot.width, 0])
    assert all(b.x == plot.x for b in chart.bars)
    tops = [b.y for b in chart.bars]
    assert tops == sorted(tops) and plot.y <= tops[0] and tops[-1] + chart.bars[-1].height <= plot.bottom
    assert [b.percent for b in chart.bars] == ["75%", "100%", "0%"]
    assert [b.title for b in chart.bars] == ["conv_forward: 18 of 24 passed (75%)",
                                             "pool_forward: 6 of 6 passed (100%)", "zero_pad: 0 of 5 passed (0%)"]
    assert [t.label for t in chart.x_ticks] == ["0", "20", "40", "60", "80", "100"]
    assert [t.position for t in chart.x_ticks] == pytest.approx([plot.x + plot.width * k / 5 for k in range(6)])
    assert plot.right + 40 <= chart.width  # room for "100%" after a full bar
    assert plot.x >= 16 + 7 * len("conv_forward")  # room for the names on the left


def test_a_name_too_long_for_the_left_of_the_pass_rates_is_shortened_but_whole_in_its_title():
    name = "f" * 100
    (bar,) = charts.pass_rates([(name, 1, 2)]).bars
    assert bar.shown_name.endswith("…") and len(bar.shown_name) < 50 and bar.title.startswith(name + ":")


def test_charts_of_nothing_are_empty_not_errors():
    chart = charts.distribution([], 0, 0, 0)
    assert [b.count for b in chart.bins] == [0] * 20 and [t.label for t in chart.y_ticks] == ["0", "1"]
    assert charts.pass_rates([]).bars == ()


def test_the_charts_are_inline_svg_images_with_a_title_for_each_bar():
    dom = Dom(classreport.render(a_class()))
    svgs = dom.all("svg")
    assert [attrs["role"] for attrs in svgs] == ["img", "img"]
    assert svgs[0]["aria-label"] == "Histogram of the total scores of ps: mean 5.83, median 2.5 out of 20."
    assert svgs[1]["aria-label"].startswith("Bar chart of the share of submissions that passed each function of ps")
    assert dom.svg_titles == [
        svgs[0]["aria-label"], "0-1 points: 3 submissions", "5-6 points: 1 submission",
        "15-16 points: 2 submissions", "mean 5.83", "median 2.5",
        svgs[1]["aria-label"], "conv_forward: 0 of 6 passed (0%)", "pool_forward: 2 of 6 passed (33%)"]
    bars = [attrs for attrs in dom.all("rect")]
    assert len(bars) == 5 and all(attrs["fill"] == "#4c72b0" for attrs in bars[3:])
    assert {"mean 5.83", "median 2.5", "total points", "submissions", "33%", "conv_forward",
            "submissions that passed (%)"} <= set(dom.text)
    lines = {attrs.get("stroke"): attrs for attrs in dom.all("line")}
    assert "stroke-dasharray" in lines["#55a868"] and "stroke-dasharray" not in lines["#dd8452"]


def test_a_function_name_that_is_markup_is_text_in_the_charts():
    report = Report("alice.py", [exercise(HOSTILE, case()), exercise("pool_forward", case("failed"))],
                    assignment=HOSTILE)
    page = classreport.render([("alice", report)])
    dom = Dom(page)
    assert_nothing_injected(dom)
    assert f"{HOSTILE}: 1 of 1 passed (100%)" in dom.svg_titles and HOSTILE in dom.text
    assert f"Histogram of the total scores of {HOSTILE}: " in dom.all("svg")[0]["aria-label"]
    assert "<img src=x" not in page


def test_rendering_the_class_report_imports_no_matplotlib():
    """In a fresh interpreter (this one has matplotlib loaded for reading screenshots)."""
    program = """
import sys
from autograder.batch import classreport
from autograder.model import CaseResult, ExerciseResult, Report
case = CaseResult("public:1", "public case", True, "passed", "", "")
entries = [(f"s{k}", Report(f"s{k}.py", [ExerciseResult(name, 10.0 * (k % 3 > 0), 10.0, "passed", [case], [])
                                          for name in ("conv_forward", "pool_forward")], assignment="ps"))
           for k in range(9)]
page = classreport.render(entries)
assert page.count("<svg") == 2 and page.count("<rect") > 2, page
print(sorted(name for name in sys.modules if name.split(".")[0] in ("matplotlib", "PIL")))
"""
    run = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).parent.parent, check=True)
    assert run.stdout.strip() == "[]"

def _near(image: np.ndarray, rgb: np.ndarray) -> int:
    """How many pixels of ``image`` are within a few levels of ``rgb``."""
    return int((np.abs(image[..., :3] - rgb) < 3 / 255).all(axis=-1).sum())


# -- feedback pages ------------------------------------------------------------------------------------------

def test_a_feedback_page_holds_the_text_report_and_no_more_of_a_hidden_case():
    secret = case("failed", "Z[0, 1]: expected 0.123456, got 0.5", public=False,
                  description="stride 3 and odd sizes: A_prev (3, 7, 9, 2), stride=3")
    report = Report(f"{HOSTILE}.py", [exercise("conv_forward", case(), secret, feedback=("Wrong <b>values</b>.",)),
                                      exercise("pool_forward", case())], assignment="ps")
    page = feedback_pages.render(HOSTILE, report)
    dom = Dom(page)
    assert_nothing_injected(dom)
    assert dom.pre == text.render(report)  # the text report, exactly, escaped
    assert "Wrong <b>values</b>." in dom.pre
    assert "0.123456" not in page and "stride 3 and odd sizes" not in page and "A_prev (3, 7, 9, 2)" not in page
    outside = "".join(dom.text).replace(dom.pre, "")
    assert [line for line in outside.splitlines() if line.strip()] == [
        f"Feedback: {HOSTILE}", f"Feedback for {HOSTILE}", "ps: 15/20 points."]


def test_a_feedback_page_lives_beside_where_the_report_does_and_never_outside_the_feedback_folder():
    assert feedback_pages.page_path("late/alice.py") == PurePosixPath("feedback/late/alice.py.html")
    long_name = "frank_" + "f" * 241 + ".py"
    shortened = feedback_pages.page_path(long_name)
    assert len(shortened.name.encode()) <= results.NAME_MAX and shortened.name.endswith(".html")
    assert shortened.name.startswith(long_name[:200])
    for bad in ("../alice.py", "/etc/passwd", "a/../../b.py", ""):
        with pytest.raises(ValueError):
            feedback_pages.page_path(bad)


def test_write_pages_writes_each_reports_page_where_the_class_report_links_to(tmp_path):
    entries = a_class()
    feedback_pages.write_pages(tmp_path, entries)
    written = sorted(path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*") if path.is_file())
    assert written == sorted(unquote(row.page) for row in classreport.section("ps", entries).rows)
    for student, report in entries:
        page = Dom((tmp_path / feedback_pages.page_path(report.submission)).read_text())
        assert page.pre == text.render(report) and f"Feedback for {student}" in page.text


# -- permissions --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("umask, mode, folder_mode", [(0o022, 0o644, 0o755), (0o027, 0o640, 0o750),
                                                      (0o077, 0o600, 0o700)], ids=["022", "027", "077"])
def test_write_atomically_gives_the_mode_the_umask_allows(tmp_path, umask, mode, folder_mode):
    previous = os.umask(umask)
    try:
        files.write_atomically(tmp_path / "new" / "report.html", "page")
        files.write_atomically(tmp_path / "new" / "report.html", "page again")  # replacing keeps it so
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new" / "report.html").stat().st_mode) == mode
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == folder_mode


# -- a real batch, its files and its pages in a browser -----------------------------------------------------------

@pytest.fixture(scope="module")
def batch_output(tmp_path_factory) -> Path:
    """A small class graded by `convgrade batch` under umask 022: mistakes, a timeout, a crash, a syntax error,
    an unreadable notebook, a link, and a student whose name is markup."""
    root = tmp_path_factory.mktemp("class")
    folder = root / "subs"
    with_mistakes = (EXAMPLES / "with_mistakes.py").read_text()
    put(folder / "alice.py", with_mistakes)
    put(folder / "bob.py", (EXAMPLES / "course_loops.py").read_text())
    put(folder / f"{HOSTILE}.py", with_mistakes)
    for name in ("loops_forever.py", "crashes.py", "syntax_error.py"):
        shutil.copy(SUBMISSIONS / "hostile" / name, folder / name)
    (folder / "garbage.ipynb").write_bytes(b"\xff\xfe not a notebook")
    (folder / "copy.py").symlink_to("alice.py")
    out = root / "results"
    command = [sys.executable, "-m", "autograder.cli", "batch", str(folder), "--out", str(out), "--jobs", "2",
               "--timeout", "2", "--memory", "256", "--quiet"]
    env = {key: value for key, value in os.environ.items() if key != "CONVGRADE_HIDDEN_SEED"}
    result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=300, umask=0o022)
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.slow
def test_everything_the_batch_writes_is_readable_by_the_group_and_others_under_umask_022(batch_output):
    written = {path.relative_to(batch_output).as_posix(): stat.S_IMODE(path.stat().st_mode)
               for path in [batch_output, *batch_output.rglob("*")]}
    assert {"report.html", "scores.csv", "reports/alice.py.json", "feedback/alice.py.html"} <= set(written)
    for name, mode in written.items():
        assert mode == (0o755 if (batch_output / name).is_dir() else 0o644), name


@pytest.mark.slow
def test_every_student_has_a_feedback_page_the_class_report_links_to(batch_output):
    reports = reports_in(batch_output)
    page = (batch_output / "report.html").read_text()
    targets = {unquote(href) for href, _ in Dom(page).links if not href.startswith("#")}
    assert {f"feedback/{name.removesuffix('.json')}.html" for name in reports} <= targets
    assert {f"reports/{name}" for name in reports} <= targets
    for target in targets:
        assert (batch_output / target).is_file(), target
    for name, written in reports.items():
        feedback = Dom((batch_output / "feedback" / f"{name.removesuffix('.json')}.html").read_text())
        assert feedback.pre == text.render(Report.from_dict(written))
    found = {(row[0], row[1]) for row in Dom(page).rows}
    assert {("loops_forever", "timeout"), ("crashes", "error"), ("syntax_error", "loading"),
            ("garbage", "unreadable"), ("copy", "refused")} <= found


@pytest.mark.slow
@needs_chromium
def test_the_class_report_renders_in_a_headless_browser_without_console_errors(batch_output, tmp_path):
    page = batch_output / "report.html"
    dom = chromium(page, tmp_path, "--dump-dom")
    assert_clean_console(dom)
    rendered = Dom(dom.stdout)
    assert_nothing_injected(rendered)
    assert HOSTILE in "".join(rendered.text)  # the name shows as text
    assert len(rendered.all("svg")) == 2 and not rendered.all("img")  # the charts, inline

    screenshot = tmp_path / "report.png"
    shot = chromium(page, tmp_path, f"--screenshot={screenshot}", "--window-size=1200,2000")
    assert_clean_console(shot)
    image = imread(screenshot)
    assert image.shape[:2] == (2000, 1200)
    colours = np.unique((image[..., :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 50  # text, tables, charts: not a blank page
    assert (image[..., :3] < 0.9).any(axis=-1).mean() > 0.02  # something dark on a good part of it
    assert _near(image, BAR_RGB) > 2000  # the inline SVG charts were drawn: their bars are on screen


@pytest.mark.slow
@needs_chromium
def test_a_feedback_page_renders_in_a_headless_browser_with_the_text_report(batch_output, tmp_path):
    page = batch_output / "feedback" / f"{HOSTILE}.py.html"
    dom = chromium(page, tmp_path, "--dump-dom")
    assert_clean_console(dom)
    rendered = Dom(dom.stdout)
    assert_nothing_injected(rendered)
    report = Report.from_dict(reports_in(batch_output)[f"{HOSTILE}.py.json"])
    assert rendered.pre == text.render(report)
    pictured = [exercise for exercise in report.exercises if text.pictured_case(exercise)]
    assert pictured  # with_mistakes.py gets pictures: the heatmaps rendered without a console error
    assert [attrs["class"] for attrs in rendered.all("table")] == ["heatmap"] * 3 * len(pictured)
    assert not rendered.all("img")

    screenshot = tmp_path / "feedback.png"
    shot = chromium(page, tmp_path, f"--screenshot={screenshot}", "--window-size=1200,3000")
    assert_clean_console(shot)
    image = imread(screenshot)
    cells = [attrs["style"] for attrs in rendered.all("td") if attrs.get("title")]  # the heatmaps' values
    colours = {style.split(";")[0].removeprefix("background-color: #") for style in cells}
    assert len(colours) > 10
    drawn = [colour for colour in colours if _near(image, np.array(list(bytes.fromhex(colour))) / 255) > 50]
    assert set(drawn) == colours  # every cell's colour is on screen


@needs_chromium
def test_the_console_check_sees_a_page_that_fetches_anything(tmp_path):
    """The pages forbid fetching (Content-Security-Policy): a CDN stylesheet or a remote image would be
    refused, and the refusal logged on the console that the tests above find empty."""
    page = tmp_path / "fetches.html"
    page.write_text(classreport.render(a_class()).replace(
        "</body>", '<img src="https://cdn.example.invalid/x.png"><link rel="stylesheet" href="x.css"></body>'))
    run = chromium(page, tmp_path, "--dump-dom")
    refused = [line for line in run.stderr.splitlines() if ":CONSOLE" in line]
    assert len(refused) == 2 and all("Content Security Policy" in line for line in refused)


def chromium(page: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """Headless chromium on ``page`` with the page's console logged to stderr."""
    return subprocess.run([CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr",
                           "--v=0", f"--user-data-dir={tmp_path / 'chromium-profile'}", *args, page.as_uri()],
                          capture_output=True, text=True, timeout=120, check=True)


def assert_clean_console(run: subprocess.CompletedProcess) -> None:
    assert [line for line in run.stderr.splitlines() if ":CONSOLE" in line] == []
