"""Learned representations: ``SparseTaskVAE`` (Layer 2)."""

from specialist.models.vae import SparseTaskVAE

__all__ = ["SparseTaskVAE"]
