"""Learned representations: ``SparseTaskVAE`` (Layer 2, the specialist), ``TaskMaskGAN`` (the
VAE-GAN with task masks of Figs. 6–7) and ``SequentialVAE`` (a LEAP-style sequential
generalist). Their shared plumbing, including the one support rule, is in ``_common``.

Backs
-----
fig5_l1_ablation, fig5_l1_path, fig6_gan_edits, tab_edit_specificity
"""

from specialist.models.gan import TaskMaskGAN
from specialist.models.seqvae import SequentialVAE
from specialist.models.vae import SparseTaskVAE

__all__ = ["SequentialVAE", "SparseTaskVAE", "TaskMaskGAN"]
