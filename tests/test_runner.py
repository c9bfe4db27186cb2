"""The runner on a throw-away workspace with two tiny notebooks: one that works, one that fails."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from specialist import provenance
from specialist.paths import Workspace
from specialist.pipeline import cache, cli, dependencies
from specialist.pipeline import plan as plans
from specialist.pipeline.params import ConfigError, parse_parameters_cell
from specialist.site import index

HEADER = """\
# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---
"""

OK_NOTEBOOK = HEADER + textwrap.dedent(
    """
    # %% [markdown]
    # # A working artefact

    # %% tags=["parameters"]
    profile = "quick"  # set by the runner
    output_dir = "."  # set by the runner
    seed = 0  # an integer
    scale = 1.0  # a number
    label = "x"  # a string
    data_file = ""  # a path, hashed as a data input

    # %%
    from specialist.outputs import Outputs

    out = Outputs(output_dir)
    out.metrics(seed=seed, value=seed * scale, label=label)
    """
)

FAIL_NOTEBOOK = HEADER + textwrap.dedent(
    """
    # %% [markdown]
    # # A failing artefact

    # %% tags=["parameters"]
    profile = "quick"
    output_dir = "."
    seed = 0

    # %%
    raise ValueError("boom from the notebook")
    """
)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    notebooks = tmp_path / "notebooks"
    (notebooks / "params").mkdir(parents=True)
    (notebooks / "ok.py").write_text(OK_NOTEBOOK)
    (notebooks / "fail.py").write_text(FAIL_NOTEBOOK)
    (notebooks / "params" / "quick.yaml").write_text("ok:\n  seed: 1\nfail: {}\n")
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "mod.py").write_text("x = 1\n")  # imported by no notebook
    (package / "outputs.py").write_text("# stands for specialist/outputs.py, which ok imports\n")
    return Workspace(
        notebooks=notebooks,
        profiles=notebooks / "params",
        results=tmp_path / "results",
        book=tmp_path / "book",
        package=package,
    )


def _status(outcomes) -> dict[str, str]:
    return {o.name: o.status for o in outcomes}


# -- validation (nothing runs) ----------------------------------------------------------------
def test_parameters_cell_parsing_reads_defaults_and_help():
    params = parse_parameters_cell('a = 1  # count\nb = [1, 2]\nc = "s"\n')
    assert params["a"].default == 1 and params["a"].help == "count"
    assert params["b"].default == [1, 2] and params["c"].default == "s"
    with pytest.raises(ConfigError, match="only simple assignments"):
        parse_parameters_cell("import os\n")
    with pytest.raises(ConfigError, match="must be a literal"):
        parse_parameters_cell("a = f(1)\n")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"only": ["nope"]}, r"unknown artefact 'nope'; artefacts: fail, ok"),
        ({"overrides": ["ok.sed=3"]}, r"unknown parameter 'sed'; accepted: seed, scale, label"),
        ({"overrides": ["ok.seed=abc"]}, r"seed must be an integer .* got a string 'abc'"),
        ({"overrides": ["ok.seed=1.5"]}, r"seed must be an integer"),
        ({"overrides": ["ok.scale=[1]"]}, r"scale must be a number"),
        ({"overrides": ["ok.output_dir=/tmp"]}, r"output_dir is set by the runner"),
        ({"overrides": ["ok.seed"]}, r"expected ARTEFACT\.KEY=VALUE"),
        ({"overrides": ["zzz.seed=1"]}, r"unknown artefact 'zzz'"),
        ({"only": ["fail"], "overrides": ["ok.seed=2"]}, r"not selected by --only"),
        ({"profile": "huge"}, r"unknown profile 'huge'; available profiles: quick"),
    ],
)
def test_bad_requests_are_refused_before_anything_runs(ws, kwargs, message):
    kwargs = {"profile": "quick", **kwargs}
    with pytest.raises(ConfigError, match=message):
        cli.reproduce(ws, **kwargs)
    assert not ws.results.exists(), "nothing may run or be written for a refused request"


def test_profile_naming_an_unknown_artefact_is_refused(ws):
    (ws.profiles / "quick.yaml").write_text("ok: {}\ntypo_artefact:\n  seed: 1\n")
    with pytest.raises(ConfigError, match="unknown artefact 'typo_artefact'"):
        plans.plan(ws, "quick")


def test_int_is_accepted_for_a_float_parameter(ws):
    (p,) = plans.plan(ws, "quick", only=["ok"], overrides=["ok.scale=2"])
    assert p.params["scale"] == 2.0 and isinstance(p.params["scale"], float)
    assert p.params["seed"] == 1  # from the profile


def test_cli_exit_codes(ws, capsys):
    assert cli.main(["reproduce", "--profile", "quick", "--only", "nope"], ws=ws) == 2
    assert "unknown artefact 'nope'" in capsys.readouterr().err
    assert cli.main(["reproduce", "--profile", "quick"], ws=ws) == 1  # "fail" fails
    assert cli.main(["reproduce", "--profile", "quick", "--only", "ok"], ws=ws) == 0
    assert cli.main(["list", "--profile", "quick"], ws=ws) == 0
    out = capsys.readouterr().out
    assert "ok" in out and "up to date" in out


def test_version_and_a_missing_checkout_are_said_plainly(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip().startswith("python -m specialist 0.")
    # run outside a checkout: no notebooks, no profiles: say so, not "unknown profile"
    empty = Workspace(
        notebooks=tmp_path / "nb", profiles=tmp_path / "nb" / "params",
        results=tmp_path / "r", book=tmp_path / "b",
    )  # fmt: skip
    assert cli.main(["list", "--profile", "quick"], ws=empty) == 2
    err = capsys.readouterr().err
    assert "notebooks and their profiles are not there" in err and "checkout" in err


# -- running, caching, failures -----------------------------------------------------------------
def test_run_cache_and_failure_isolation(ws, capsys):
    outcomes = cli.reproduce(ws, "quick")
    assert _status(outcomes) == {"fail": "failed", "ok": "ok"}
    printed = capsys.readouterr().out
    assert "cache miss — no previous result" in printed
    assert "FAILED" in printed and "boom from the notebook" in printed

    # the failure is reported with a log that holds the notebook's error
    failed = next(o for o in outcomes if o.name == "fail")
    assert failed.log.exists() and "boom from the notebook" in failed.log.read_text()
    assert not ws.artefact_dir("quick", "fail").exists()

    # the working artefact has all its outputs, provenance and a page for the book
    folder = ws.artefact_dir("quick", "ok")
    assert json.loads((folder / "metrics.json").read_text())["seed"] == 1
    rec = json.loads((folder / "provenance.json").read_text())
    assert rec["profile"] == "quick" and rec["parameters"]["seed"] == 1 and rec["seed"] == 1
    assert rec["wall_time_s"] > 0 and rec["peak_memory_mb"] > 10
    assert rec["versions"]["numpy"] and "git_commit" in rec and "git_dirty" in rec
    assert rec["command"] == "python -m specialist reproduce --profile quick --only ok"
    assert rec["outputs"] == ["metrics.json"]
    page = json.loads((ws.generated / "ok.ipynb").read_text())
    text = "".join("".join(c["source"]) for c in page["cells"])
    assert "**quick** profile" in text and "## Provenance" in text
    assert "_runtime.json" not in text, "the injected memory cell must not reach the page"
    assert ".staging" not in text, "the page shows the results folder, not the staging folder"
    overview = (ws.generated / "artefacts.md").read_text()
    assert "A working artefact" in overview and "not generated" in overview

    # second run: the working artefact is a cache hit, with its reason printed
    outcomes = cli.reproduce(ws, "quick", only=["ok"])
    assert _status(outcomes) == {"ok": "cached"}
    assert "cache hit — up to date" in capsys.readouterr().out

    # a parameter change is a miss that names the change
    cli.reproduce(ws, "quick", only=["ok"], overrides=["ok.seed=5"])
    assert "parameters changed (seed: 1 → 5)" in capsys.readouterr().out
    assert json.loads((folder / "metrics.json").read_text())["seed"] == 5
    # the recorded command regenerates this result: the --set is part of it
    rec = json.loads((folder / "provenance.json").read_text())
    assert (
        rec["command"] == "python -m specialist reproduce --profile quick --only ok --set ok.seed=5"
    )

    # the modules the kernel imported are part of the key, and only those
    rec = json.loads((folder / "provenance.json").read_text())
    assert rec["cache"]["modules"] == {
        "outputs.py": provenance.sha256_bytes((ws.package / "outputs.py").read_bytes())
    }
    assert rec["executor"] == "local processes"
    (ws.package / "mod.py").write_text("x = 2\n")
    cli.reproduce(ws, "quick", only=["ok"], overrides=["ok.seed=5"])
    assert "cache hit" in capsys.readouterr().out
    (ws.package / "outputs.py").write_text("# edited\n")
    cli.reproduce(ws, "quick", only=["ok"], overrides=["ok.seed=5"])
    assert "specialist module(s) changed: outputs.py" in capsys.readouterr().out

    # notebook text and data inputs are part of the key too

    data = ws.results.parent / "data.txt"
    data.write_text("one")
    args = {"only": ["ok"], "overrides": ["ok.seed=5", f"ok.data_file={data}"]}
    cli.reproduce(ws, "quick", **args)
    capsys.readouterr()
    data.write_text("two")
    cli.reproduce(ws, "quick", **args)
    assert "data inputs changed" in capsys.readouterr().out

    nb = ws.notebooks / "ok.py"
    nb.write_text(nb.read_text() + "\nprint('changed')\n")
    cli.reproduce(ws, "quick", only=["ok"], overrides=args["overrides"])
    assert "notebook changed" in capsys.readouterr().out

    # --force re-runs a current result; a missing output is a miss
    outcomes = cli.reproduce(ws, "quick", force=True, **args)
    assert _status(outcomes) == {"ok": "ok"}
    (folder / "metrics.json").unlink()
    cli.reproduce(ws, "quick", **args)
    assert "outputs missing: metrics.json" in capsys.readouterr().out


def test_a_failing_rerun_keeps_the_previous_result(ws):
    cli.reproduce(ws, "quick", only=["ok"])
    folder = ws.artefact_dir("quick", "ok")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    nb = ws.notebooks / "ok.py"
    nb.write_text(nb.read_text() + "\nraise RuntimeError('broken edit')\n")
    (outcome,) = cli.reproduce(ws, "quick", only=["ok"])
    assert outcome.status == "failed" and "broken edit" in outcome.error
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert (ws.generated / "ok.ipynb").exists()


def test_interrupt_leaves_previous_results_intact(ws, monkeypatch):
    cli.reproduce(ws, "quick", only=["ok"])
    folder = ws.artefact_dir("quick", "ok")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    import papermill

    def interrupted(input_path, output_path, **kwargs):
        Path(kwargs["parameters"]["output_dir"], "metrics.json").write_text("{half")
        raise KeyboardInterrupt

    monkeypatch.setattr(papermill, "execute_notebook", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cli.reproduce(ws, "quick", only=["ok"], force=True)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    monkeypatch.undo()
    # the next run clears the interrupted staging folder and finds the old result current
    (outcome,) = cli.reproduce(ws, "quick", only=["ok"])
    assert outcome.status == "cached"
    assert not ws.staging_root("quick").exists() or not any(ws.staging_root("quick").iterdir())


def test_findings_page_quotes_the_sentences_of_the_shown_run(ws):
    cli.reproduce(ws, "quick")
    # pretend the working artefact is one whose findings the Reconstruction notes quote
    ws.book.mkdir(parents=True, exist_ok=True)
    (ws.book / index.INDEX_FILE).write_text(
        "findings:\n  findings: {ok: comparison, absent: findings}\n"
    )
    metrics = ws.artefact_dir("quick", "ok") / "metrics.json"
    metrics.write_text(json.dumps({"comparison": ["Ours − CCA +0.10 [+0.05, +0.15] (better)."]}))
    (page,) = index.write_findings(ws)
    text = page.read_text()
    assert "- Ours − CCA +0.10 [+0.05, +0.15] (better)." in text
    assert "quick profile" in text and "{doc}`/generated/ok`" in text
    assert "{doc}`/generated/absent`: not generated in this build." in text


# -- scale-out, resumable sweeps, locks, the module-precise cache key -----------------------------
SWEEP_NOTEBOOK = HEADER + textwrap.dedent(
    """
    # %% [markdown]
    # # A sweep

    # %% tags=["parameters"]
    profile = "quick"
    output_dir = "."
    n = 4  # runs
    fail_at = -1  # a run that raises, or -1

    # %%
    from specialist.outputs import Outputs
    from specialist.sweep import run_grid


    def square(x, seed):
        if x == fail_at:
            raise ValueError(f"run {x} failed")
        return {"y": x * x}


    runs = run_grid(square, {"x": list(range(n))})
    Outputs(output_dir).table(runs, "runs")
    """
)


@pytest.mark.parametrize(
    "text, expected",
    [
        (None, None),
        ("local:3", ("local", 3)),
        ("tcp://10.0.0.1:8786", ("tcp", "tcp://10.0.0.1:8786")),
    ],
)
def test_scheduler_specs(text, expected):
    assert cli.parse_scheduler(text) == expected


@pytest.mark.parametrize("text", ["local:0", "local:x", "dask", "tcp://host", "http://h:1"])
def test_bad_scheduler_specs_are_refused_before_anything_runs(ws, text, capsys):
    assert cli.main(["reproduce", "--profile", "quick", "--scheduler", text], ws=ws) == 2
    assert "--scheduler must be local:N" in capsys.readouterr().err
    assert not ws.artefact_dir("quick", "ok").exists()


def test_a_failed_sweep_resumes_from_its_run_store(ws, capsys):
    (ws.notebooks / "sweep.py").write_text(SWEEP_NOTEBOOK)
    (outcome,) = cli.reproduce(ws, "quick", only=["sweep"], overrides=["sweep.fail_at=2"])
    assert outcome.status == "failed"
    store = ws.run_store("quick", "sweep")
    assert len(list(store.glob("*.pkl"))) == 2  # runs 0 and 1 completed
    capsys.readouterr()
    (outcome,) = cli.reproduce(ws, "quick", only=["sweep"])
    assert outcome.status == "ok"
    assert "2 of 4 runs reused from the run store" in capsys.readouterr().out
    published = ws.artefact_dir("quick", "sweep")
    assert sorted(p.name for p in published.iterdir()) == [
        "notebook.ipynb", "provenance.json", "run.log", "runs.csv",
    ]  # fmt: skip
    assert not any(ws.results.glob("quick/**/*.pkl"))  # the store never reaches results/quick
    cli.reproduce(ws, "quick", only=["sweep"], force=True)
    assert "0 of 4 runs reused" in capsys.readouterr().out  # --force ignores the store


def test_a_second_command_waits_for_the_profile_lock(ws, capsys):
    import subprocess
    import sys

    script = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from specialist.pipeline import cache, cli, dependencies
        from specialist.pipeline import plan as plans
        from specialist.site import index
        from specialist import provenance
        from specialist.paths import Workspace
        ws = Workspace(results=Path({str(ws.results)!r}))
        with cli.profile_lock(ws, "quick"):
            print("held", flush=True)
            time.sleep(3)
        """
    )
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    import time

    start = time.perf_counter()
    with cli.profile_lock(ws, "quick"):
        waited = time.perf_counter() - start
    holder.wait(timeout=30)
    out = capsys.readouterr().out
    assert f"PID {holder.pid}" in out and "waiting for it to finish" in out
    assert waited > 1.0
    # another profile is not blocked
    with cli.profile_lock(ws, "paper"):
        pass


def test_module_hashes_follow_imports_inside_functions():
    from specialist.paths import PACKAGE_DIR

    layer1 = cache.module_hashes(PACKAGE_DIR, ["specialist.experiments.layer1"])
    assert "experiments/layer1.py" in layer1 and "structure.py" in layer1
    assert "__init__.py" in layer1 and "experiments/__init__.py" in layer1
    assert "models/gan.py" not in layer1 and "simulate/cats.py" not in layer1
    edits = cache.module_hashes(PACKAGE_DIR, ["specialist.experiments.edits"])
    assert "models/gan.py" in edits
    # sweep imports provenance only inside a function: the closure still finds it
    assert "provenance.py" in cache.module_hashes(PACKAGE_DIR, ["specialist.sweep"])


def test_changing_a_gan_only_module_leaves_layer1_artefacts_cached(tmp_path):
    import shutil

    from specialist.paths import PACKAGE_DIR

    package = tmp_path / "specialist"
    shutil.copytree(PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    # the real notebooks and profiles, a copy of the package that the test may edit
    real = Workspace(results=tmp_path / "results", book=tmp_path / "book", package=package)
    names = ["fig3_structure", "fig6_gan_edits"]
    for p in plans.plan(real, "quick", only=names):
        imported = dependencies.imports_of(p.artefact.notebook, package)  # the kernel's imports
        folder = real.artefact_dir("quick", p.name)
        folder.mkdir(parents=True)
        (folder / "notebook.ipynb").write_text("{}")
        record = {"cache": {**p.cache, "modules": cache.module_hashes(package, imported)}}
        (folder / "provenance.json").write_text(json.dumps({**record, "outputs": []}))
    state = {p.name: cache.cache_state(real, p) for p in plans.plan(real, "quick", only=names)}
    assert all(hit for hit, _ in state.values())
    with open(package / "models" / "gan.py", "a") as fh:
        fh.write("\n# an edit that only the GAN artefacts see\n")
    state = {p.name: cache.cache_state(real, p) for p in plans.plan(real, "quick", only=names)}
    assert state["fig3_structure"][0]
    assert not state["fig6_gan_edits"][0]
    assert "specialist module(s) changed: models/gan.py" in state["fig6_gan_edits"][1]


def test_the_run_store_keys_on_the_code_a_run_function_imports(tmp_path):
    import shutil

    from specialist.paths import PACKAGE_DIR

    package = tmp_path / "specialist"
    shutil.copytree(PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    layer1, edits = "specialist.experiments.layer1", "specialist.experiments.edits"
    before = {m: dependencies.code_hash(m, package) for m in (layer1, edits)}
    with open(package / "models" / "gan.py", "a") as fh:
        fh.write("\n# an edit that only the GAN's runs see\n")
    after = {m: dependencies.code_hash(m, package) for m in (layer1, edits)}
    assert after[layer1] == before[layer1] and after[edits] != before[edits]
    with open(package / "structure.py", "a") as fh:
        fh.write("\n# Algorithm 1's module\n")
    assert dependencies.code_hash(layer1, package) != before[layer1]
    # the sweep's key uses it for a package function, the package hash for any other
    from specialist import sweep
    from specialist.experiments.layer1 import structure_recovery

    assert sweep.code_of(structure_recovery) == dependencies.code_hash(layer1)
    assert sweep.code_of(len) == sweep.package_hash()


CLAIM_NOTEBOOK = HEADER + textwrap.dedent(
    """
    # %% [markdown]
    # # An artefact that tests a claim

    # %% tags=["parameters"]
    profile = "quick"
    output_dir = "."
    effect = 0.3  # the measured effect
    theory = []  # Theory-page labels the claim names itself

    # %%
    from specialist import claims
    from specialist.outputs import Outputs
    from specialist.stats import paired_interval

    diffs = [effect + d for d in (-0.05, 0.0, 0.05, -0.02, 0.02)]
    iv = paired_interval(diffs)
    verdict = claims.combine([claims.outcome(iv)])
    entry = claims.claim(
        "the effect is positive", verdict, f"{iv.estimate:+.2f}", n_runs=iv.n,
        chance="a coin: 0.50", given={"A": "the observations only"},
        conditions="a tiny test | with a bar", theory=theory,
        effect=claims.effect("A − coin", iv),
        attacks=[claims.attack("seed stream 1", verdict, "same"),
                 claims.attack("threshold 0.1", "inconclusive", "moved")],
    )
    beyond = claims.claim(
        "a study beyond the paper", claims.BEYOND, "mixed over 2 conditions", n_runs=5,
        chance="a coin: 0.50", given={"A": "the observations only"}, conditions="two",
        attacks=[claims.attack("margin 0", "disagrees", "k")],
    )
    Outputs(output_dir).metrics(claims=[entry, beyond])
    """
)


def _row(ws: Workspace, claim: str) -> str:
    """The compact table's row of ``claim`` (``claims_table.md``) and its section of the
    details (``claims_details.md``), joined."""
    table = (ws.generated / "claims_table.md").read_text()
    details = (ws.generated / "claims_details.md").read_text()
    rows = [r for r in table.split("\n* - ") if r.startswith(f"[{claim}]")]
    sections = [s for s in details.split("\n### ") if s.split("\n", 1)[0].endswith(claim)]
    assert len(rows) == 1 and len(sections) == 1, (claim, table, details)
    return rows[0] + "\n" + sections[0]


def test_the_claims_table_is_written_from_the_runs_and_follows_them(ws):
    (ws.notebooks / "claimer.py").write_text(CLAIM_NOTEBOOK)
    cli.reproduce(ws, "quick", only=["claimer", "ok"])
    table = (ws.generated / "claims_table.md").read_text()
    row = _row(ws, "the effect is positive")
    assert "verdict-agrees" in row and "+0.30" in row and "5 runs" in row
    assert "A − coin: +0.30 [" in row  # the one-line key number is the effect with its interval
    assert "**chance level:** a coin: 0.50" in row and "A: the observations only" in row
    assert "a tiny test | with a bar" in row  # a bar in a list-table cell is plain text
    assert "seed stream 1: agrees (same)" in row
    assert "**moved** threshold 0.1: inconclusive" in row
    assert "under threshold 0.1: inconclusive" in row  # the strongest counter-evidence
    beyond = _row(ws, "a study beyond the paper")  # no paper verdict: nothing to move
    assert "margin 0: disagrees" in beyond and "**moved**" not in beyond
    assert "{doc}`claimer </generated/claimer>`" in row and "`quick` profile" in row
    assert "Not generated in this build: `fail`" in table
    summary = (ws.generated / "claims_summary.md").read_text()
    assert summary.startswith("Of the paper's 1 claim examined here, 1 agrees;"), summary
    assert "move the verdict of 1 of the 1 claim with a decided verdict" in summary
    assert (ws.generated / "claims_summary.png").stat().st_size > 10_000
    cli.reproduce(ws, "quick", only=["claimer"], overrides=["claimer.effect=-0.2"])
    row = _row(ws, "the effect is positive")
    assert "verdict-disagrees" in row and "-0.20" in row and "verdict-agrees" not in row
    # an effect the runs cannot tell from zero: every comparison a tie
    cli.reproduce(ws, "quick", only=["claimer"], overrides=["claimer.effect=0.0"])
    row = _row(ws, "the effect is positive")
    assert "verdict-inconclusive" in row


def test_a_hand_built_claims_entry_is_shown_invalid_not_dropped(ws):
    (ws.notebooks / "claimer.py").write_text(CLAIM_NOTEBOOK)
    cli.reproduce(ws, "quick", only=["claimer"])
    folder = ws.artefact_dir("quick", "claimer")
    metrics = json.loads((folder / "metrics.json").read_text())
    metrics["claims"].append({"claim": "typed by hand", "verdict": "agrees",
                              "key_number": "1.0", "conditions": "none"})  # fmt: skip
    (folder / "metrics.json").write_text(json.dumps(metrics))
    index.write_claims(ws)
    row = _row(ws, "typed by hand")
    assert "**invalid entry**" in row and "specialist.claims.claim()" in row


def test_claims_link_the_theory_they_test():
    """Every artefact of the theory map exists, and an entry's own labels win over the map."""
    real = Workspace()
    assert set(index.index_metadata(Workspace().book)[1]) <= set(plans.discover(real))
    theory = (real.book / "theory.md").read_text()
    for labels in index.index_metadata(Workspace().book)[1].values():
        for label in labels:
            assert f":label: {label}\n" in theory, label


def test_a_claims_entry_may_name_its_own_theorem(ws):
    (ws.notebooks / "claimer.py").write_text(CLAIM_NOTEBOOK)
    cli.reproduce(ws, "quick", only=["claimer"], overrides=['claimer.theory=["thm-2"]'])
    row = _row(ws, "the effect is positive")
    assert "{prf:ref}`thm-2`" in row and "{prf:ref}`thm-1`" not in row


def test_imports_for_type_checkers_only_are_no_dependency(tmp_path):
    source = tmp_path / "mod.py"
    source.write_text(
        "from typing import TYPE_CHECKING\nimport typing\nfrom specialist import sweep\n"
        "if TYPE_CHECKING:\n    from specialist.models import gan\n"
        "if typing.TYPE_CHECKING:\n    import specialist.simulate.cats\n"
        "else:\n    import specialist.metrics\n"
        "def f():\n    if True:\n        from specialist.structure import band_set\n"
    )
    found = dependencies.imports_of(source)
    assert {"specialist.sweep", "specialist.metrics"} <= found  # parents join in the closure
    assert "specialist.structure" in found  # an import inside a function counts
    assert not {m for m in found if "gan" in m or "cats" in m}, found


def test_a_tagged_run_keeps_the_published_result_and_the_book(ws, capsys):
    """``--tag NAME`` writes its results and a book of its own under results/tags/NAME; the
    published folder and the book's page keep the untagged run, and the recorded command
    regenerates the tagged one."""
    ws.book.mkdir(parents=True, exist_ok=True)
    (ws.book / "_toc.yml").write_text("root: intro\n")
    assert cli.main(["reproduce", "--profile", "quick", "--only", "ok"], ws=ws) == 0
    published = json.loads((ws.artefact_dir("quick", "ok") / "metrics.json").read_text())
    page = (ws.generated / "ok.ipynb").read_text()
    argv = [
        "reproduce",
        "--profile",
        "quick",
        "--only",
        "ok",
        "--set",
        "ok.seed=7",
        "--tag",
        "mine",
    ]
    assert cli.main(argv, ws=ws) == 0
    assert "tagged run 'mine'" in capsys.readouterr().out
    tagged = ws.tagged("mine")
    assert tagged.results == ws.results / "tags" / "mine" and (tagged.book / "_toc.yml").exists()
    assert (
        json.loads((tagged.artefact_dir("quick", "ok") / "metrics.json").read_text())["seed"] == 7
    )
    rec = json.loads((tagged.artefact_dir("quick", "ok") / "provenance.json").read_text())
    assert rec["tag"] == "mine" and rec["command"].endswith("--set ok.seed=7 --tag mine")
    assert (tagged.generated / "ok.ipynb").exists()
    # the published result and the book's page are untouched
    assert json.loads((ws.artefact_dir("quick", "ok") / "metrics.json").read_text()) == published
    assert (ws.generated / "ok.ipynb").read_text() == page
    assert cli.main(argv[:-1] + ["../escape"], ws=ws) == 2
    assert "--tag must be lower-case letters" in capsys.readouterr().err
