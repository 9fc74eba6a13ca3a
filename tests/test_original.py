from pathlib import Path

import pytest

from linreg.original import REFERENCE, compare, comparison_table, original_log

SHARED = Path(__file__).resolve().parents[2] / "shared" / "reference" / "lab02-original-outputs.md"


def test_reads_both_logs(logs):
    assert original_log("lecture") == logs["lecture"]
    assert original_log("module") == logs["module"]


@pytest.mark.skipif(not SHARED.exists(), reason="the course's shared/ folder is not beside this clone")
def test_in_repo_copy_equals_the_shared_reference():
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
