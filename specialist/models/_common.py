"""Plumbing shared by the package's models (SparseTaskVAE, SequentialVAE, TaskMaskGAN).

Thread settings, the ``device`` setting, MLP builders, standardisation, the Gaussian
reparameterisation and KL, the fitted-state check, the loss-history table and the one support
rule every model uses.

Device
------
Every model takes ``device="cpu"`` (the default) or ``"cuda"`` (``"cuda:N"``) where PyTorch sees
a CUDA GPU, checked when fitting (:func:`resolve_device`). Only training runs there: the random
draws (initialisation, mini-batches, noise) are still made on the CPU by the model's seeded
generators and moved, and the fitted networks are moved back to the CPU, so a fitted model
predicts, pickles and loads anywhere. On the CPU the results are exactly those of a model without
the setting; on a GPU they differ from the CPU's by floating-point rounding (and, with cuDNN's
convolutions, between runs).

Support rule
------------
Every model reports, per task ``k``, the latents its task head actually reads. The evidence is
the head's *sensitivity* to each latent,

``S_kj = mean over samples and task outputs of |d y_hat_k / d z_j| * sd(z_j)``,

the mean absolute Jacobian of the head with respect to the latents, evaluated at the fitted
codes, times the spread of latent ``j`` (so rescaling a latent does not change its score). Task
outputs are in standardised units (logits for binary tasks), so ``S_kj`` is "how much the
prediction moves, in task standard deviations, when latent ``j`` moves by one of its standard
deviations". The support of row ``k`` is ``{j : S_kj >= threshold * max_j S_kj}``, a rule
relative to the row's own largest entry. A row whose largest entry is below :data:`COLLAPSED`
reads no latent at all (the penalty switched the task off) and has an empty support. Both parts
of the rule look at one row only: how strongly *other* tasks read their latents does not matter.

A mask entry of exactly 0 gives a sensitivity of exactly 0, so for a sparse model the rule
returns the mask's support, whatever the mask's scale; for the generalist (mask fixed at 1) it
returns whatever its heads use, which Proposition 2 predicts to be a superset of the truth.

Backs
-----
fig5_l1_ablation
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pandas as pd
import torch
from torch import nn

#: a task head whose largest sensitivity (see the module docstring) is below this value moves
#: its standardised prediction by less than 0.05 standard deviations per latent standard
#: deviation: it reads no latent, and its support is empty
COLLAPSED = 0.05


def resolve_device(device) -> torch.device:
    """The torch device of a model's ``device`` setting, or a ``ValueError`` naming ``device``.

    Accepted: ``"cpu"``; ``"cuda"`` or ``"cuda:N"`` (or a ``torch.device``) where PyTorch sees
    that CUDA GPU.
    """
    accepted = "'cpu', or 'cuda' / 'cuda:N' where PyTorch sees a CUDA GPU"
    dev = None
    if isinstance(device, torch.device):
        dev = device
    elif isinstance(device, str):
        try:
            dev = torch.device(device)
        except (RuntimeError, ValueError):
            dev = None
    if dev is None or dev.type not in ("cpu", "cuda"):
        raise ValueError(f"device must be {accepted}, got {device!r}")
    if dev.type == "cpu":
        return torch.device("cpu")
    if not torch.cuda.is_available():
        why = "this PyTorch has no CUDA support" if torch.version.cuda is None else "no CUDA GPU"
        raise ValueError(
            f"device={device!r} asks for a CUDA GPU, but {why} is available here: "
            "use device='cpu' (the default)"
        )
    index = torch.cuda.current_device() if dev.index is None else dev.index
    if index >= torch.cuda.device_count():
        raise ValueError(
            f"device={device!r}: there is no CUDA GPU {index} (PyTorch sees "
            f"{torch.cuda.device_count()}); accepted: {accepted}"
        )
    return torch.device("cuda", index)


def rng_devices(device: torch.device) -> list[int]:
    """The CUDA devices whose random state ``torch.random.fork_rng`` must save and restore
    around a fit on ``device`` (none on the CPU)."""
    return [device.index] if device.type == "cuda" else []


@contextmanager
def torch_threads(n: int):
    """Run the block with ``n`` torch threads, restoring the previous setting afterwards."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def mlp(d_in: int, hidden: int, d_out: int) -> nn.Sequential:
    """Two hidden SiLU layers of width ``hidden``."""
    return nn.Sequential(
        nn.Linear(d_in, hidden), nn.SiLU(), nn.Linear(hidden, hidden), nn.SiLU(),
        nn.Linear(hidden, d_out),
    )  # fmt: skip


def mean_and_scale(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column means and standard deviations of ``a`` (a zero deviation is replaced by 1)."""
    mean, std = a.mean(axis=0), a.std(axis=0)
    return mean, np.where(std > 0, std, 1.0)


def reparameterise(
    mu: torch.Tensor, logvar: torch.Tensor, generator: torch.Generator
) -> torch.Tensor:
    """A sample of ``N(mu, exp(logvar))`` drawn with ``generator`` (a CPU generator: the noise
    is drawn on the CPU and moved to ``mu``'s device)."""
    noise = torch.randn(mu.shape, generator=generator, dtype=mu.dtype).to(mu.device)
    return mu + torch.exp(0.5 * logvar) * noise


def gaussian_kl(
    mu: torch.Tensor,
    logvar: torch.Tensor,
    dims: tuple[int, ...],
    prior_mu: torch.Tensor | None = None,
    prior_logvar: torch.Tensor | None = None,
) -> torch.Tensor:
    """``KL(N(mu, e^logvar) || N(prior_mu, e^prior_logvar))`` summed over ``dims`` (diagonal
    Gaussians; the prior defaults to ``N(0, I)``)."""
    if prior_mu is None:
        return 0.5 * (mu**2 + logvar.exp() - 1.0 - logvar).sum(dim=dims)
    ratio = (logvar.exp() + (mu - prior_mu) ** 2) / prior_logvar.exp()
    return 0.5 * (prior_logvar - logvar + ratio - 1.0).sum(dim=dims)


def check_fitted(model, attribute: str, how: str) -> None:
    """Raise scikit-learn's ``NotFittedError`` naming the model and ``how`` to fit it, unless
    it has ``attribute``."""
    from sklearn.exceptions import NotFittedError

    if not hasattr(model, attribute):
        raise NotFittedError(f"{type(model).__name__} is not fitted: call {how}")


def loss_table(history, terms: tuple[str, ...]) -> pd.DataFrame:
    """Per-epoch loss terms as a table: one row per epoch (index ``epoch``), one column per term."""
    table = pd.DataFrame(np.asarray(history, dtype=float).reshape(-1, len(terms)), columns=terms)
    table.index.name = "epoch"
    return table


def support_from_sensitivity(sensitivity: np.ndarray, threshold: float) -> list[np.ndarray]:
    """Per row of a task × latent sensitivity matrix, the support under the package's rule.

    ``{j : S_kj >= threshold * max_j S_kj}`` for a row whose largest entry reaches
    :data:`COLLAPSED`, else the empty set (see the module docstring).

    Backs
    -----
    fig5_l1_ablation
    """
    s = np.asarray(sensitivity, dtype=float)
    if s.ndim != 2:
        raise ValueError(f"sensitivity must be a (tasks, latents) matrix, got shape {s.shape}")
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must be a number in (0, 1), got {threshold!r}")
    out = []
    for row in s:
        top = row.max() if row.size else 0.0
        out.append(
            np.flatnonzero(row >= threshold * top) if top >= COLLAPSED else np.array([], int)
        )
    return out


def support_matrix(supports: list[np.ndarray], n_latent: int) -> np.ndarray:
    """Boolean ``(M, n_latent)`` matrix of a list of index arrays.

    Backs
    -----
    fig5_l1_ablation
    """
    matrix = np.zeros((len(supports), n_latent), dtype=bool)
    for k, idx in enumerate(supports):
        matrix[k, idx] = True
    return matrix
