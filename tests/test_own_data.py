"""The "Use it on your own data" page: its Python blocks run, in order, as a reader would run
them, and give what the page says (names carried through, the KCI adapter answering)."""

import re

import pytest

from specialist.paths import BOOK_DIR

PAGE = BOOK_DIR / "api" / "own_data.md"


def test_the_tutorial_runs_as_written(capsys):
    pytest.importorskip("causallearn")
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 3
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(PAGE), "exec"), namespace)  # noqa: S102 - the page's own code
    printed = capsys.readouterr().out
    assert "(400, 8) (400, 2)" in printed
    assert "pass:" in printed and "shoot:" in printed  # the user's task names are kept
    table, kci = namespace["table"], namespace["kci"]
    assert {"segment", "task", "pvalue", "relevant"} <= set(table.columns)
    assert set(table["task"]) == {"pass", "shoot"}
    assert kci.segment_tasks.shape == (4, 2)
    assert namespace["CausalLearnKCI"]().name == "kci"
