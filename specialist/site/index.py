"""The book's index pages, generated from the results the book shows: the overview of
artefacts, the computed findings the static pages quote and the claims table. Which page quotes
which sentences, and which results of the Theory page each artefact tests, is book metadata in
``book/index_pages.yml``.
"""

from __future__ import annotations

from pathlib import Path

from specialist import claims
from specialist.io import write_text
from specialist.paths import Workspace
from specialist.pipeline.plan import discover
from specialist.site import pages

_short = pages.short_commit
fmt_seconds = pages.fmt_seconds
#: the book's metadata of the index pages
INDEX_FILE = "index_pages.yml"


def index_metadata(book: Path) -> tuple[dict[str, dict[str, str]], dict[str, tuple[str, ...]]]:
    """``(findings, theory)`` from ``book/index_pages.yml``: page -> artefact -> key of the
    sentences it quotes, and artefact -> the Theory page's labels it tests (both empty for a
    book without the file)."""
    import yaml

    path = Path(book) / INDEX_FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    data = data or {}
    findings = {page: dict(sources) for page, sources in (data.get("findings") or {}).items()}
    theory = {name: tuple(labels) for name, labels in (data.get("theory") or {}).items()}
    return findings, theory


def write_overview(ws: Workspace) -> Path:
    """``book/generated/artefacts.md``: one row per artefact from the notebooks in the book."""
    import json

    lines = [
        "| Artefact | Profile | Wall time | Peak memory | Commit | Generated |",
        "|---|---|---|---|---|---|",
    ]
    for name, art in discover(ws).items():
        nb_path = ws.generated / f"{name}.ipynb"
        rec = None
        if nb_path.exists():
            meta = json.loads(nb_path.read_text(encoding="utf-8")).get("metadata", {})
            rec = meta.get("specialist", {}).get("provenance")
        if rec is None:
            lines.append(f"| {art.title} | not generated | | | | |")
            continue
        mem = f"{rec['peak_memory_mb']:.0f} MB" if rec.get("peak_memory_mb") else "n/a"
        lines.append(
            f"| {{doc}}`{art.title} </generated/{name}>` | `{rec['profile']}` | "
            f"{fmt_seconds(rec['wall_time_s'])} | {mem} | `{_short(rec['git_commit'])}` | "
            f"{rec['finished_at'][:10]} |"
        )
    return write_text(ws.generated / "artefacts.md", "\n".join(lines) + "\n")


def _shown_run(ws: Workspace, name: str) -> tuple[dict | None, dict | None]:
    """Provenance and ``metrics.json`` of the run whose notebook the book shows for ``name``.

    The book's copy of the notebook names the profile that produced it; ``(None, None)`` if the
    book has no page for it yet or its metrics are gone.
    """
    import json

    nb_path = ws.generated / f"{name}.ipynb"
    if not nb_path.exists():
        return None, None
    meta = json.loads(nb_path.read_text(encoding="utf-8")).get("metadata", {})
    rec = meta.get("specialist", {}).get("provenance")
    if rec is None:
        return None, None
    metrics_path = ws.artefact_dir(rec["profile"], name) / "metrics.json"
    if not metrics_path.exists():
        return rec, None
    return rec, json.loads(metrics_path.read_text(encoding="utf-8"))


def write_findings(ws: Workspace) -> list[Path]:
    """``book/generated/<page>.md`` for every page of the ``findings`` of
    ``book/index_pages.yml`` (:func:`index_metadata`): the computed sentences.

    Each artefact's sentences come from the ``metrics.json`` of the run whose notebook the
    book shows (its profile is in the notebook's provenance), so the static pages can quote
    verdicts without typing a number by hand.
    """
    written = []
    findings, _ = index_metadata(ws.book)
    for page, sources in findings.items():
        parts = []
        for name, key in sources.items():
            rec, metrics = _shown_run(ws, name)
            if metrics is None:
                parts.append(f"*{{doc}}`/generated/{name}`: not generated in this build.*\n")
                continue
            sentences = metrics.get(key, [])
            head = (
                f"From {{doc}}`/generated/{name}` ({rec['profile']} profile, commit "
                f"`{_short(rec['git_commit'])}`):\n\n"
            )
            parts.append(head + "\n".join(f"- {s}" for s in sentences) + "\n")
        written.append(write_text(ws.generated / f"{page}.md", "\n".join(parts)))
    return written


#: the verdicts a ``claims`` entry of ``metrics.json`` may give, and its fields: defined once,
#: in the leaf module :mod:`specialist.claims`, whose constructor every entry goes through
VERDICTS = claims.VERDICTS


CLAIM_FIELDS = claims.FIELDS


def _cell(text: str) -> str:
    return str(text).replace("\n", " ").strip()


def _claim_rows(entry: claims.Claim, link: str, theory: str) -> list[str]:
    """The cells of one claims-table row (a ``list-table``: Markdown in every cell)."""
    verdict = f"**{entry.verdict}**"
    if entry.tally:
        verdict += f"<br>{entry.tally}"
    if entry.reason:
        verdict += f"<br>*why:* {entry.reason}"
    runs = (
        "exact check, no runs"
        if entry.n_runs is None
        else f"{entry.n_runs} run{'s' if entry.n_runs != 1 else ''}"
        + (
            f" (fewer than {claims.MIN_RUNS}: no comparison counts)"
            if entry.n_runs < claims.MIN_RUNS
            else ""
        )
    )
    key = f"{entry.key_number}<br>*{entry.kind}, {runs}*<br>*chance:* {entry.chance}"
    given = "<br>".join(f"{name}: {what}" for name, what in entry.given.items())
    if entry.attacks:
        robust = "<br>".join(
            ("**moved** " if a in entry.moved else "") + f"{a.choice}: {a.verdict}"
            for a in entry.attacks
        )
    else:
        robust = (
            "no attack: nothing was tested"
            if entry.verdict == claims.NOT_TESTABLE
            else "no attack: a study beyond the paper"
        )
    text = f"{entry.claim}<br>*holds under:* {entry.conditions}"
    return [_cell(c) for c in (text, verdict, key, given, robust, link, theory)]


def write_claims(ws: Workspace) -> Path:
    """``book/generated/claims_table.md``: one row per ``claims`` entry of every artefact.

    Rows come from the ``metrics.json`` of the run each page shows, in the order of the
    artefacts; paper claims first, then the beyond-the-paper studies. Each entry is read back
    through :meth:`specialist.claims.Claim.from_dict`; an entry that fails (hand-built, a
    missing field, an unknown verdict) is shown as invalid with the reason, not dropped.
    Nothing is typed by hand.
    """
    paper, beyond, missing = [], [], []
    numbers = pages.figure_numbers(ws.book)
    _, theory_map = index_metadata(ws.book)
    for name in discover(ws):
        rec, metrics = _shown_run(ws, name)
        if metrics is None:
            missing.append(name)
            continue
        for raw in metrics.get("claims", []):
            shown = numbers.get(f"fig-{name}", {}).get("number", name)
            link = f"{{doc}}`{shown} </generated/{name}>` ({rec['profile']})"
            try:
                entry = claims.Claim.from_dict(raw)
            except ValueError as err:
                text = raw.get("claim", "?") if isinstance(raw, dict) else "?"
                paper.append([_cell(text), f"**invalid entry**: {err}", "", "", "", link, ""])
                continue
            labels = entry.theory or theory_map.get(name, ())  # an entry may name its own
            theory = ", ".join(f"{{prf:ref}}`{label}`" for label in labels)
            row = _claim_rows(entry, link, theory)
            (paper if entry.is_paper_claim else beyond).append(row)
    head = [
        "Claim",
        "Verdict",
        "Key number",
        "What each method is given",
        "Robust to (our alternative choices)",
        "Artefact",
        "Theory",
    ]
    if paper or beyond:
        out = [
            "```{list-table}\n:header-rows: 1\n:class: claims-list\n:widths: 22 10 22 14 20 7 5\n\n"
        ]
        for row in [head, *paper, *beyond]:
            out.append("* - " + "\n  - ".join(c if c else "–" for c in row) + "\n")
        out.append("```\n")
        lines = ["".join(out)]
    else:
        lines = ["*No artefact with claims has been generated in this build.*\n"]
    if missing:
        lines.append(f"\nNot generated in this build: {', '.join(f'`{m}`' for m in missing)}.\n")
    return write_text(ws.generated / "claims_table.md", "".join(lines))
