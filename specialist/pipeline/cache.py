"""Is a stored result current? The cache key of an artefact's result: its notebook, its
resolved parameters, its data inputs and the ``specialist`` modules its kernel imported, with
everything they import (:mod:`specialist.pipeline.dependencies`, the one import analysis).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from specialist.paths import Workspace
from specialist.pipeline import dependencies
from specialist.pipeline.plan import Plan

_CACHE_PARTS = {
    "notebook": "notebook changed",
    "parameters": "parameters changed",
    "data": "data inputs changed",
}


def module_hashes(package: Path, modules) -> dict[str, str]:
    """``{relative path: sha256}`` of ``modules`` and every ``specialist`` module they import
    (:func:`specialist.pipeline.dependencies.closure_hashes`).

    ``modules`` are the names a kernel had imported; the static closure adds what is imported
    only inside functions (e.g. code that runs only in worker processes).
    """
    return dependencies.closure_hashes(modules, package)


def read_provenance(ws: Workspace, profile: str, artefact: str) -> dict[str, Any] | None:
    import json

    path = ws.artefact_dir(profile, artefact) / "provenance.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def cache_state(ws: Workspace, p: Plan) -> tuple[bool, str]:
    """``(hit, reason)``: is the stored result of this plan current, and why (not)?"""
    old = read_provenance(ws, p.profile, p.name)
    if old is None:
        return False, "no previous result"
    reasons = []
    for part, message in _CACHE_PARTS.items():
        if old.get("cache", {}).get(part) != p.cache[part]:
            if part == "parameters":
                message += _param_diff(old.get("parameters", {}), p.params)
            reasons.append(message)
    recorded = old.get("cache", {}).get("modules")
    if not isinstance(recorded, dict):
        reasons.append("no record of the specialist modules it imported (an older result)")
    else:
        now = module_hashes(ws.package, _module_names(recorded))
        changed = sorted(f for f in set(recorded) | set(now) if recorded.get(f) != now.get(f))
        if changed:
            reasons.append(f"specialist module(s) changed: {', '.join(changed)}")
    if reasons:
        return False, "; ".join(reasons)
    folder = ws.artefact_dir(p.profile, p.name)
    missing = [f for f in [*old.get("outputs", []), "notebook.ipynb"] if not (folder / f).exists()]
    if missing:
        return False, f"outputs missing: {', '.join(missing)}"
    return True, f"up to date (from {old.get('finished_at', '?')})"


def _module_names(files: dict[str, str]) -> list[str]:
    """``{"experiments/layer2.py": …}`` → ``["specialist.experiments.layer2"]``."""
    names = []
    for rel in files:
        parts = rel.removesuffix(".py").split("/")
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(["specialist", *parts]))
    return names


def _param_diff(old: dict[str, Any], new: dict[str, Any]) -> str:
    changes = [
        f"{k}: {old.get(k, '∅')!r} → {new.get(k, '∅')!r}"
        for k in sorted(set(old) | set(new))
        if old.get(k) != new.get(k)
    ]
    return f" ({', '.join(changes)})" if changes else ""
