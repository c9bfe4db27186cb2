"""The same profile gives byte-identical tables serial, with a process pool and on a 2-worker Dask
LocalCluster: one Layer 1 artefact and one torch artefact at the quick profile (slow, ~1 min).

The Layer 1 artefact's process-pool results are those of the session's quick run of every
artefact (the ``quick_outcomes`` fixture, whose notebooks run with their default
``n_jobs = 2``), so only its serial and Dask runs are extra. The torch artefact runs all three
ways at a smaller setting (fewer samples and epochs: what is compared is where the runs ran,
not how well they learned)."""

from __future__ import annotations

from pathlib import Path

import pytest

from specialist import runner
from specialist.paths import Workspace

pytestmark = pytest.mark.pipeline

ARTEFACTS = ("fig3_conditions", "fig5_l1_ablation")  # Layer 1 (numpy), Layer 2 (torch)
#: the torch artefact's smaller setting, the same for every executor
SMALL = ["fig5_l1_ablation.n_samples=800", "fig5_l1_ablation.n_test=600",
         "fig5_l1_ablation.epochs=6"]  # fmt: skip
#: measured or run-specific files: everything else must match byte for byte
VARYING = {"timings.csv", "provenance.json", "notebook.ipynb", "run.log"}


def tables(folder: Path) -> dict[str, bytes]:
    return {
        p.name: p.read_bytes()
        for p in sorted(folder.iterdir())
        if p.suffix in {".csv", ".json"} and p.name not in VARYING
    }


def test_tables_are_byte_identical_on_every_executor(tmp_path, quick_workspace, quick_outcomes):
    session, torch_art = ARTEFACTS[0], ARTEFACTS[1]
    rec = runner.read_provenance(quick_workspace, "quick", session)
    assert rec["parameters"]["n_jobs"] == 2 and rec["executor"] == "local processes", rec
    seen = {"pool": {session: tables(quick_workspace.artefact_dir("quick", session))}}
    ws = Workspace(results=tmp_path / "results", book=tmp_path / "book")  # real notebooks
    (ws.book / "generated").mkdir(parents=True)
    for label, n_jobs, scheduler in (
        ("pool", 2, None),
        ("serial", 1, None),
        ("dask", 2, "local:2"),
    ):
        only = [torch_art] if label == "pool" else list(ARTEFACTS)
        overrides = [f"{a}.n_jobs={n_jobs}" for a in only] + SMALL
        outcomes = runner.reproduce(
            ws, "quick", only=only, overrides=overrides, force=True, scheduler=scheduler
        )
        assert all(o.status == "ok" for o in outcomes), [o.error for o in outcomes]
        seen.setdefault(label, {}).update({a: tables(ws.artefact_dir("quick", a)) for a in only})
        rec = runner.read_provenance(ws, "quick", only[-1])
        assert rec["executor"].startswith("dask scheduler tcp://" if scheduler else "local")
        assert rec["parameters"]["epochs"] == 6 and rec["parameters"]["n_jobs"] == n_jobs
    for a in ARTEFACTS:
        assert seen["serial"][a], f"{a} wrote no tables"
        for label in ("pool", "dask"):
            differ = [
                name
                for name in seen["serial"][a].keys() | seen[label][a].keys()
                if seen["serial"][a].get(name) != seen[label][a].get(name)
            ]
            assert not differ, f"{a}: {differ} differ between serial and {label}"
