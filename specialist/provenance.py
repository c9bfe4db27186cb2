"""Provenance of a run (commit, versions, platform) and the content hashes behind the cache."""

from __future__ import annotations

import hashlib
import json
import platform
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

#: packages whose versions every provenance record lists
TRACKED_PACKAGES = (
    "numpy",
    "scipy",
    "pandas",
    "scikit-learn",
    "networkx",
    "torch",
    "matplotlib",
    "papermill",
    "jupytext",
)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def hash_json(obj: Any) -> str:
    return sha256_bytes(json.dumps(obj, sort_keys=True, default=str).encode())


def hash_tree(root: Path) -> str:
    """Hash every file below ``root`` (names and contents), ignoring byte-code caches."""
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_dir() or "__pycache__" in path.parts or path.suffix in {".pyc", ".pyo"}:
            continue
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


def hash_path(path: Path) -> str:
    return hash_tree(path) if path.is_dir() else sha256_bytes(path.read_bytes())


def git_state(repo: Path) -> dict[str, Any]:
    """Commit and dirty flag of the checkout (``None`` outside a git repository)."""

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(
                ["git", *args], cwd=repo, capture_output=True, text=True, timeout=10, check=True
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.strip()

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": None if status is None else bool(status)}


def package_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in TRACKED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def installed_distributions() -> dict[str, str]:
    """Every distribution installed in the running environment: normalised name → version.

    Names are normalised as in PEP 503 (lower case, runs of ``-``, ``_`` and ``.`` become one
    ``-``) and sorted. A distribution found twice on ``sys.path`` (say an editable install and a
    stray ``*.egg-info`` in the working directory) is listed once, with the version of the first
    copy, the one that ``import`` would use.
    """
    found: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if not name:  # broken metadata: nothing to report
            continue
        found.setdefault(re.sub(r"[-_.]+", "-", name).lower(), dist.version)
    return dict(sorted(found.items()))


def platform_info() -> dict[str, Any]:
    import os

    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }
