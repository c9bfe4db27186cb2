"""Learned representations: ``SparseTaskVAE`` (Layer 2, the specialist), ``TaskMaskGAN`` (the
VAE-GAN with task masks of Figs. 6–7) and ``SequentialVAE`` (a LEAP-style sequential
generalist). Their shared plumbing, including the one support rule, is in ``_common``.

Each model is loaded on first access (PEP 562), so that importing one model, e.g.
``specialist.models.gan``, does not import the others (and an artefact's cache key holds the
model it uses, not all three).

Backs
-----
fig5_l1_ablation, fig5_l1_path, fig6_gan_edits, tab_edit_specificity
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from specialist._extras import require

# every model is a torch network: without the models extra, say which extra to install
require("torch", "models", "specialist.models (SparseTaskVAE, SequentialVAE, TaskMaskGAN)")

#: public name -> the module it is imported from on first access
_LAZY = {
    "SequentialVAE": "specialist.models.seqvae",
    "SparseTaskVAE": "specialist.models.vae",
    "TaskMaskGAN": "specialist.models.gan",
}

__all__ = ["SequentialVAE", "SparseTaskVAE", "TaskMaskGAN"]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'specialist.models' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


if TYPE_CHECKING:
    from specialist.models.gan import TaskMaskGAN
    from specialist.models.seqvae import SequentialVAE
    from specialist.models.vae import SparseTaskVAE
