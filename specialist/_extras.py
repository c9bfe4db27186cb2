"""The optional parts of the package and the error that names the extra to install.

The core install (``pip install specialist-companion``) leaves out PyTorch and the notebooks'
runner; a part that needs one of them calls :func:`require` before importing it, so that its
absence is an error saying what to install rather than a bare ``ModuleNotFoundError``.
"""

from __future__ import annotations

from importlib.util import find_spec


def require(module: str, extra: str, what: str) -> None:
    """Raise ``ModuleNotFoundError`` naming the extra ``extra`` unless ``module`` is installed.

    ``what`` names the part of the package that needs it (for the message). The check finds the
    module without importing it.
    """
    if find_spec(module) is None:
        raise ModuleNotFoundError(
            f"{what} needs {module}, which the core install of specialist-companion leaves out; "
            f"install the {extra!r} extra: pip install 'specialist-companion[{extra}]'",
            name=module,
        )
