"""The same profile gives byte-identical tables with a process pool and on a 2-worker Dask
LocalCluster: one Layer 1 artefact and one torch artefact at the quick profile (slow, ~1 min).

The process-pool results are those of the session's quick run of every artefact (the
``quick_outcomes`` fixture, whose notebooks run with their default ``n_jobs = 2``), so only the
Dask runs are extra. Serial runs equal pooled ones at the level of the sweep itself
(``tests/test_sweep.py``: one process against two, batched seeds against single ones)."""

from __future__ import annotations

from pathlib import Path

import pytest

from specialist.paths import Workspace
from specialist.pipeline import cache, cli

pytestmark = pytest.mark.pipeline

ARTEFACTS = ("fig3_conditions", "fig5_l1_ablation")  # Layer 1 (numpy), Layer 2 (torch)
#: measured or run-specific files: everything else must match byte for byte
VARYING = {"timings.csv", "provenance.json", "notebook.ipynb", "run.log"}


def tables(folder: Path) -> dict[str, bytes]:
    return {
        p.name: p.read_bytes()
        for p in sorted(folder.iterdir())
        if p.suffix in {".csv", ".json"} and p.name not in VARYING
    }


def test_tables_are_byte_identical_in_a_process_pool_and_on_dask(
    tmp_path, quick_workspace, quick_outcomes
):
    pool = quick_workspace
    for a in ARTEFACTS:
        rec = cache.read_provenance(pool, "quick", a)
        assert rec["parameters"]["n_jobs"] == 2 and rec["executor"] == "local processes", rec
    seen = {"pool": {a: tables(pool.artefact_dir("quick", a)) for a in ARTEFACTS}}
    ws = Workspace(results=tmp_path / "results", book=tmp_path / "book")  # real notebooks
    (ws.book / "generated").mkdir(parents=True)
    overrides = [f"{a}.n_jobs=2" for a in ARTEFACTS]
    outcomes = cli.reproduce(
        ws, "quick", only=list(ARTEFACTS), overrides=overrides, force=True, scheduler="local:2"
    )
    assert all(o.status == "ok" for o in outcomes), [o.error for o in outcomes]
    seen["dask"] = {a: tables(ws.artefact_dir("quick", a)) for a in ARTEFACTS}
    for a in ARTEFACTS:
        assert cache.read_provenance(ws, "quick", a)["executor"].startswith("dask scheduler tcp://")
    for a in ARTEFACTS:
        assert seen["pool"][a], f"{a} wrote no tables"
        differ = [
            name
            for name in seen["pool"][a].keys() | seen["dask"][a].keys()
            if seen["pool"][a].get(name) != seen["dask"][a].get(name)
        ]
        assert not differ, f"{a}: {differ} differ between the process pool and Dask"
