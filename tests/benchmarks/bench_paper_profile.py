"""Wall time of artefacts at the paper profile, against their time budgets.

Run: ``.venv/bin/python tests/benchmarks/bench_paper_profile.py [ARTEFACT ...]`` (default: the
artefacts that have a budget; ``layer1`` for the Layer 1 group, ``layer2`` for Layer 2 and the
edits). Each artefact runs with ``--force`` into a temporary results
folder, so the repository's results and cache are untouched. Prints the ratio of the measured
time to the budget (below 1 is within budget).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from specialist.paths import BOOK_DIR, Workspace
from specialist.pipeline import cli

#: seconds on 2 cores, from the issues that introduced each artefact
BUDGETS = {
    # issue "Layer 1 verdicts": every Layer 1 artefact together within 10 minutes
    "fig2_band_set": 30.0,
    "fig3_structure": 180.0,
    "fig3_conditions": 240.0,
    "tab2_runtime": 180.0,
    "fig_colliders": 30.0,
    "fig_finite_sample": 60.0,
    "fig3_nonlinear": 180.0,
    # issue 20: 10 plays instead of 5, with a random-evidence chance row and attacks
    "fig4_sportshhi": 720.0,
    # issue "Layer 2 and the edits": these four together within 14 minutes
    "fig5_l1_ablation": 180.0,
    "fig5_l1_path": 300.0,
    "fig6_gan_edits": 90.0,
    "tab_edit_specificity": 270.0,
}

#: groups of artefacts with a budget for their sum (seconds on 2 cores)
GROUPS = {
    "Layer 1": (
        [
            "fig2_band_set",
            "fig3_structure",
            "fig3_conditions",
            "tab2_runtime",
            "fig_colliders",
            "fig_finite_sample",
            "fig3_nonlinear",
        ],
        600.0,
    ),
    "Layer 2 and edits": (
        ["fig5_l1_ablation", "fig5_l1_path", "fig6_gan_edits", "tab_edit_specificity"],
        840.0,
    ),
}
# issue 20: every artefact, with the attacks and 10 runs behind each verdict, within 35 minutes
GROUPS["All artefacts"] = (list(BUDGETS), 2100.0)


def main(names: list[str]) -> None:
    names = names or list(BUDGETS)
    if names == ["layer1"]:
        names = GROUPS["Layer 1"][0]
    elif names == ["layer2"]:
        names = GROUPS["Layer 2 and edits"][0]
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "book"
        shutil.copytree(BOOK_DIR, book, ignore=shutil.ignore_patterns("_build", "generated"))
        ws = Workspace(results=Path(tmp) / "results", book=book)
        measured = {}
        for name in names:
            start = time.perf_counter()
            (outcome,) = cli.reproduce(ws, "paper", only=[name], force=True)
            seconds = measured[name] = time.perf_counter() - start
            budget = BUDGETS.get(name)
            ratio = f"{seconds / budget:.2f} x the {budget:.0f} s budget" if budget else "no budget"
            print(f"{name}: {outcome.status} in {seconds:.1f} s = {ratio}", flush=True)
        for group, (members, budget) in GROUPS.items():
            if all(m in measured for m in members):
                total = sum(measured[m] for m in members)
                print(
                    f"{group} in total: {total:.1f} s = {total / budget:.2f} x the {budget:.0f} s budget"
                )


if __name__ == "__main__":
    main(sys.argv[1:])
