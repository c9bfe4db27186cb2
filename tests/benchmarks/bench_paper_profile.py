"""Wall time of artefacts at the paper profile, against their time budgets.

Run: ``.venv/bin/python tests/benchmarks/bench_paper_profile.py [ARTEFACT ...]`` (default: the
artefacts that have a budget). Each artefact runs with ``--force`` into a temporary results
folder, so the repository's results and cache are untouched. Prints the ratio of the measured
time to the budget (below 1 is within budget).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from specialist import runner
from specialist.paths import BOOK_DIR, Workspace

#: seconds on 2 cores, from the issues that introduced each artefact
BUDGETS = {
    "fig3_structure": 300.0,
    "fig5_l1_ablation": 300.0,
    "fig4_sportshhi": 480.0,
    # issue "GAN edits": both artefacts together within 10 minutes
    "fig6_gan_edits": 300.0,
    "tab_edit_specificity": 300.0,
}


def main(names: list[str]) -> None:
    names = names or list(BUDGETS)
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "book"
        shutil.copytree(BOOK_DIR, book, ignore=shutil.ignore_patterns("_build", "generated"))
        ws = Workspace(results=Path(tmp) / "results", book=book)
        for name in names:
            start = time.perf_counter()
            (outcome,) = runner.reproduce(ws, "paper", only=[name], force=True)
            seconds = time.perf_counter() - start
            budget = BUDGETS.get(name)
            ratio = f"{seconds / budget:.2f} x the {budget:.0f} s budget" if budget else "no budget"
            print(f"{name}: {outcome.status} in {seconds:.1f} s = {ratio}")


if __name__ == "__main__":
    main(sys.argv[1:])
