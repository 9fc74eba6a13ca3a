import re
from pathlib import Path

import pytest
import torch

import linreg
from linreg import blog_data, train_lecture
from linreg.original import REFERENCE, StepRecorder, compare, comparison_table, original_log, summary

SHARED = Path(__file__).resolve().parents[2] / "shared" / "reference" / "lab02-original-outputs.md"
LECTURE = Path(__file__).resolve().parents[2] / "shared" / "lecture" / "000_5d26df0e3fa299ed.txt"
PAGE = Path(__file__).resolve().parent.parent / "docs" / "lessons" / "06-full-implementation.md"


def lecture_code_on_the_page() -> str:
    """The block titled 강의 글의 코드 on the full-implementation page."""
    text = PAGE.read_text(encoding="utf-8")
    return re.search(r'^```python [^\n]*title="강의 글의 코드"[^\n]*\n(.*?)^```', text, re.S | re.M).group(1)


def test_reads_both_logs(logs):
    assert original_log("lecture") == logs["lecture"]
    assert original_log("module") == logs["module"]


@pytest.mark.skipif(not SHARED.exists(), reason="the course's shared/ folder is not beside this clone")
def test_in_package_copy_equals_the_shared_reference():
    assert REFERENCE.read_bytes() == SHARED.read_bytes()


def test_compare_marks_each_line():
    rows = compare(["a", "b"], ["a", "c", "d"])
    assert [r.ok for r in rows] == [True, False, False]
    assert rows[2].ours == ""


def test_unknown_model_and_missing_section(tmp_path):
    with pytest.raises(ValueError, match="no original log for model 'manual'"):
        original_log("manual")
    empty = tmp_path / "empty.md"
    empty.write_text("# nothing\n")
    with pytest.raises(ValueError, match="no log block"):
        original_log("lecture", empty)


def test_comparison_table_has_a_row_and_a_mark_per_line():
    table = comparison_table(compare(["x", "y"], ["x", "z"])).splitlines()
    assert len(table) == 4
    assert "✔ 일치" in table[2] and "`x`" in table[2]
    assert "✘ 다름" in table[3] and "`z`" in table[3]


def test_reference_is_package_data():
    assert Path(str(REFERENCE)).is_relative_to(Path(linreg.__file__).parent)


def test_summary_marks_all_or_not():
    assert summary(compare(["a"], ["a"])) == "**1줄 중 1줄 일치** ✔"
    assert summary(compare(["a", "b"], ["a", "c"])) == "**2줄 중 1줄 일치** ✘"


@pytest.mark.skipif(not LECTURE.exists(), reason="the course's shared/ folder is not beside this clone")
def test_page_shows_the_lecture_code_verbatim():
    lecture = LECTURE.read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", lecture[lecture.index("## python 구현"):], re.S).group(1)
    assert lecture_code_on_the_page().rstrip("\n") == code.rstrip("\n")


def test_step_recorder_logs_the_lecture_code_as_train_lecture_does():
    namespace: dict = {}
    recorder = StepRecorder(namespace, every=100)
    try:
        exec(lecture_code_on_the_page(), namespace)
        train_lecture(blog_data().x, blog_data().y, nb_epochs=5)  # another optimizer: not recorded
    finally:
        lines = recorder.stop()
    history = train_lecture(blog_data().x, blog_data().y, lr=0.01, nb_epochs=999)  # 1000 updates
    # the lecture counts epochs from 1: its epoch e is linreg's epoch e - 1
    assert lines == [history.line(e - 1).replace(f"{e - 1:4d}/999", f"{e:4d}/1000") for e in range(100, 1001, 100)]


def test_step_recorder_stops_observing():
    namespace = {"W": torch.zeros(1, requires_grad=True), "b": torch.zeros(1, requires_grad=True), "epoch": 0,
                 "nb_epochs": 1, "cost": torch.tensor(1.0)}
    recorder = StepRecorder(namespace, every=1)
    optimizer = torch.optim.SGD([namespace["W"], namespace["b"]], lr=0.1)
    optimizer.step()
    assert recorder.stop() == ["Epoch    0/1 W: 0.000, b: 0.000 Cost: 1.000000"]
    optimizer.step()
    assert len(recorder.lines) == 1
