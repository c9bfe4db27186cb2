"""A sequential VAE with a learned transition prior: our reconstruction of LEAP's idea.

LEAP (Yao et al., ICLR 2022) learns latent processes from sequences with a VAE whose prior is a
learned causal transition: ``z_t`` depends on ``z_{t-1}`` through a learned function and
*independent* noise components, which is what makes the latents identifiable. We keep that core
and simplify the rest (see the book's Reconstruction notes):

* encoder ``q(z_t | o_t) = N(mu(o_t), diag sigma^2(o_t))`` and decoder ``o_hat(z_t)``, MLPs shared
  over steps;
* prior ``p(z_1) = N(0, I)`` and ``p(z_t | z_{t-1}) = prod_j N(z_{t,j} | m_j(z_{t-1}),
  s_j^2(z_{t-1}))``: a learned (MLP) conditional mean and a diagonal conditional variance, i.e.
  conditionally independent components given the past (LEAP's flow-based inverse transition is
  replaced by this Gaussian special case);
* loss per sequence: ``sum_t ||o_t - o_hat_t||^2 / (2 s^2) + KL(q(z_t | o_t) || p(z_t | z_{t-1}))``
  with ``z_{t-1}`` a sample from the posterior (the KL is analytic given that sample).

There are no task labels: this is a generalist sequence model.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from sklearn.base import BaseEstimator
from torch import nn

from specialist.models._common import (
    check_fitted,
    gaussian_kl,
    loss_table,
    mlp,
    reparameterise,
    resolve_device,
    rng_devices,
    torch_threads,
)
from specialist.validate import check_int, check_real


class SequentialVAE(BaseEstimator):
    """Sequential VAE with a learned Gaussian transition prior (LEAP-style; see module docstring).

    Parameters
    ----------
    n_latent : latent dimension per step
    hidden : width of the hidden layers
    noise_var : variance of the Gaussian likelihood of the standardised observations
    epochs, batch_size, lr : Adam schedule over sequences
    seed : fixes initialisation, batches and noise (deterministic on CPU)
    n_threads : torch threads during ``fit`` and ``transform``
    device : where ``fit`` trains: ``"cpu"`` (the default) or ``"cuda"`` (``"cuda:N"``) where
        PyTorch sees a CUDA GPU; the fitted network is moved back to the CPU. See
        :mod:`specialist.models._common` (on a GPU, results differ by rounding; untested on a
        GPU so far)

    Settings are stored as given and checked by :meth:`check_params` when fitting (scikit-learn's
    contract: ``get_params``, ``set_params`` and ``sklearn.base.clone`` work).

    Attributes
    ----------
    n_features_in_ : features per step it was fitted on
    mean_, std_ : the standardisation of the features
    network_ : the trained encoder, decoder and transition prior
    loss_history_ : the loss per epoch (a DataFrame)
    """

    def __init__(
        self,
        n_latent: int = 4,
        *,
        hidden: int = 64,
        noise_var: float = 0.1,
        epochs: int = 30,
        batch_size: int = 64,
        lr: float = 2e-3,
        seed: int = 0,
        n_threads: int = 1,
        device: str = "cpu",
    ) -> None:
        self.n_latent = n_latent
        self.hidden = hidden
        self.noise_var = noise_var
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.seed = seed
        self.n_threads = n_threads
        self.device = device

    def check_params(self) -> SequentialVAE:
        """Check every setting (a clear error naming the parameter); ``fit`` calls it first."""
        check_int("n_latent", self.n_latent, 1)
        check_int("hidden", self.hidden, 1)
        check_real("noise_var", self.noise_var, 0.0, math.inf)
        check_int("epochs", self.epochs, 1)
        check_int("batch_size", self.batch_size, 1)
        check_real("lr", self.lr, 0.0, math.inf)
        check_int("seed", self.seed, 0)
        check_int("n_threads", self.n_threads, 1)
        resolve_device(self.device)
        return self

    def _check(self, sequences, fitted: bool) -> np.ndarray:
        x = np.asarray(sequences, dtype=np.float32)
        if x.ndim == 2:
            x = x[:, :, None]
        if x.ndim != 3 or x.shape[0] < 2 or x.shape[1] < 2:
            raise ValueError(
                "sequences must be an (n, T, d) array with n >= 2 sequences of T >= 2 steps, "
                f"got shape {np.shape(sequences)}"
            )
        if not np.all(np.isfinite(x)):
            raise ValueError("sequences contain NaN or infinite values")
        if fitted:
            check_fitted(self, "network_", ".fit(sequences)")
            if x.shape[2] != self.n_features_in_:
                raise ValueError(
                    f"sequences have {x.shape[2]} features per step, the model was fitted on "
                    f"{self.n_features_in_}"
                )
        return x

    def fit(self, sequences) -> SequentialVAE:
        """Train on ``sequences`` ``(n, T, d)`` (or ``(n, T)`` for ``d = 1``)."""
        self.check_params()
        x = self._check(sequences, fitted=False)
        n, steps, d = x.shape
        self.n_features_in_ = d
        self.mean_ = x.reshape(-1, d).mean(axis=0)
        std = x.reshape(-1, d).std(axis=0)
        self.std_ = np.where(std > 0, std, 1.0).astype(np.float32)
        device = resolve_device(self.device)
        data = torch.from_numpy((x - self.mean_) / self.std_).to(device)
        with torch_threads(self.n_threads), torch.random.fork_rng(devices=rng_devices(device)):
            torch.manual_seed(self.seed)
            gen = torch.Generator().manual_seed(self.seed)  # draws on the CPU, on any device
            net = nn.ModuleDict(
                {
                    "encoder": mlp(d, self.hidden, 2 * self.n_latent),
                    "decoder": mlp(self.n_latent, self.hidden, d),
                    "prior": mlp(self.n_latent, self.hidden, 2 * self.n_latent),
                }
            ).to(device)
            # foreach: one fused update of all parameters per step (the same Adam, faster)
            opt = torch.optim.Adam(net.parameters(), lr=self.lr, foreach=True)
            batch = min(self.batch_size, n)
            inv2var = 1.0 / (2.0 * self.noise_var)
            history = []
            for _ in range(self.epochs):
                order = torch.randperm(n, generator=gen).to(device)
                total = 0.0
                for start in range(0, n - batch + 1, batch):
                    xb = data[order[start : start + batch]]  # (B, T, d)
                    mu, logvar = net["encoder"](xb).chunk(2, dim=-1)
                    z = reparameterise(mu, logvar, gen)
                    recon = ((net["decoder"](z) - xb) ** 2).sum(dim=(1, 2)) * inv2var
                    # prior: N(0, I) at the first step, learned transition afterwards
                    p_mu, p_logvar = net["prior"](z[:, :-1]).chunk(2, dim=-1)
                    p_mu = torch.cat([torch.zeros_like(mu[:, :1]), p_mu], dim=1)
                    p_logvar = torch.cat([torch.zeros_like(mu[:, :1]), p_logvar], dim=1)
                    kl = gaussian_kl(mu, logvar, (1, 2), p_mu, p_logvar)
                    loss = (recon + kl).mean()
                    opt.zero_grad(set_to_none=True)
                    loss.backward()
                    opt.step()
                    total += loss.item()
                history.append(total / max(1, n // batch))
        self.network_ = net.to("cpu").eval()  # the fitted model encodes on the CPU
        self.loss_history_ = loss_table(history, ("total",))  # per epoch
        return self

    def transform(self, sequences) -> np.ndarray:
        """Posterior means, ``(n, T, n_latent)`` (deterministic)."""
        x = self._check(sequences, fitted=True)
        with torch_threads(self.n_threads), torch.no_grad():
            mu, _ = self.network_["encoder"](torch.from_numpy((x - self.mean_) / self.std_)).chunk(
                2, dim=-1
            )
        return mu.numpy().astype(float)
