"""Learned representations: ``SparseTaskVAE`` (Layer 2, the specialist) and ``SequentialVAE``
(a LEAP-style sequential generalist)."""

from specialist.models.seqvae import SequentialVAE
from specialist.models.vae import SparseTaskVAE

__all__ = ["SequentialVAE", "SparseTaskVAE"]
