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


def write_changelog(ws: Workspace) -> Path:
    """``book/generated/changelog.md``: the repository's ``CHANGELOG.md`` without its title,
    for the book's "What changed between versions" page (a book built in another folder, as
    the tests do, still finds it)."""
    from specialist.paths import REPO_ROOT

    source = REPO_ROOT / "CHANGELOG.md"
    text = source.read_text(encoding="utf-8") if source.exists() else ""
    body = text.split("\n", 1)[1] if text.startswith("# ") else text
    return write_text(ws.generated / "changelog.md", body or "*No change log in this checkout.*\n")


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


def write_claims(ws: Workspace) -> Path:
    """The claims page's generated parts (:mod:`specialist.site.claims_page`): one entry per
    ``claims`` item of every artefact; returns ``book/generated/claims_table.md``.

    Rows come from the ``metrics.json`` of the run each page shows, in the order of the
    artefacts; paper claims first, then the beyond-the-paper studies. Each entry is read back
    through :meth:`specialist.claims.Claim.from_dict`; an entry that fails (hand-built, a
    missing field, an unknown verdict) is shown as invalid with the reason, not dropped.
    Nothing is typed by hand.
    """
    from specialist.site import claims_page

    paper, beyond, missing = [], [], []
    numbers = pages.figure_numbers(ws.book)
    _, theory_map = index_metadata(ws.book)
    for name in discover(ws):
        rec, metrics = _shown_run(ws, name)
        if metrics is None:
            missing.append(name)
            continue
        shown = numbers.get(f"fig-{name}", {}).get("number", name)
        for k, raw in enumerate(metrics.get("claims", []), start=1):
            commit = _short(rec["git_commit"]) + (" +uncommitted" if rec.get("git_dirty") else "")
            where = dict(
                artefact=name, figure=shown, profile=rec["profile"], number=k, commit=commit
            )
            try:
                entry = claims.Claim.from_dict(raw)
            except ValueError as err:
                text = raw.get("claim", "?") if isinstance(raw, dict) else "?"
                row = claims_page.Row(None, theory=(), raw_text=str(text), error=str(err), **where)
                paper.append(row)
                continue
            labels = entry.theory or theory_map.get(name, ())  # an entry may name its own
            row = claims_page.Row(entry, theory=tuple(labels), **where)
            (paper if entry.is_paper_claim else beyond).append(row)

    def theory_of(row) -> str:
        return ", ".join(f"{{prf:ref}}`{label}`" for label in row.theory)

    claims_page.write_page(ws, [*paper, *beyond], missing, theory_of)
    return ws.generated / claims_page.TABLE_MD
