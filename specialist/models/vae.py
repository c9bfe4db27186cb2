"""A VAE with a sparse task–latent mask: the paper's Layer-2 learner (Section 4, Theorem 2).

Model
-----
An encoder ``q(z | o) = N(mu(o), diag sigma^2(o))`` and a decoder ``o_hat(z)`` (MLPs), and one
task head per task. Head ``k`` sees the latents only through row ``k`` of a non-negative mask,
``h_k(m_k * z)``, so a latent with ``m_kj = 0`` cannot influence task ``k``: the mask's support
is the estimated support of the task Jacobian, ``supp(J_u)`` of Theorem 2. Per sample, with
observations and tasks standardised,

``loss = ||o - o_hat||^2 / (2 s_o^2) + beta KL(q || N(0, I)) + sum_k ||y_k - y_hat_k||^2 / (2 s_y^2)
+ penalty(m)``,

``s_o^2 = s_y^2 = noise_var``. ``l1 = 0`` and ``l0 = 0`` give the *generalist*: a VAE with task
heads whose mask is fixed at 1 (every task reads every latent; without a penalty a learned mask
would only rescale the heads' inputs).

Mask parameterisations
----------------------
``l1 > 0``
    ``m = |theta|`` with ``theta`` initialised at 1 and ``penalty = l1 * sum |theta|`` (the
    paper's convex proxy of the support size). The heads' weights carry an L2 penalty
    (``head_decay``); without it a head could undo any shrinkage of ``m`` by growing its own
    weights, and the ℓ1 term would only rescale.
``l0 > 0``
    hard-concrete gates (Louizos, Welling & Kingma 2018): during training ``m`` is a stretched,
    clipped binary-concrete sample with location ``log alpha``, and ``penalty = l0 * sum P(m > 0)``
    is the expected number of open gates, a differentiable surrogate of ``||m||_0``; at
    prediction time the gate is deterministic and can be exactly 0.

Support
-------
``relevant_latents()[k]`` is ``{j : m_kj >= threshold * max_j m_kj}`` (``threshold = 0.1``), a
rule relative to the row's largest entry, because the overall scale of ``m`` trades off against
the head's weights. A row whose largest entry is below 5 % of the whole mask's largest entry
was switched off by the penalty and has an empty support.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from contextlib import contextmanager

import numpy as np
import torch
from torch import nn

from specialist.validate import check_int, check_real

_GAMMA, _ZETA, _TEMP = -0.1, 1.1, 2.0 / 3.0  # hard-concrete stretch interval and temperature


@contextmanager
def _torch_threads(n: int):
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _mlp(d_in: int, hidden: int, d_out: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(d_in, hidden), nn.SiLU(), nn.Linear(hidden, hidden), nn.SiLU(),
        nn.Linear(hidden, d_out),
    )  # fmt: skip


class _Heads(nn.Module):
    """``M`` two-layer task heads evaluated together with batched matrix products.

    Task outputs of different sizes are padded to the largest; padded outputs are masked out of
    the loss by the caller.
    """

    def __init__(self, n_tasks: int, n_latent: int, hidden: int, d_out: int) -> None:
        super().__init__()
        self.w1 = nn.Parameter(torch.empty(n_tasks, n_latent, hidden))
        self.b1 = nn.Parameter(torch.zeros(n_tasks, 1, hidden))
        self.w2 = nn.Parameter(torch.empty(n_tasks, hidden, d_out))
        self.b2 = nn.Parameter(torch.zeros(n_tasks, 1, d_out))
        for w in (self.w1, self.w2):  # PyTorch's default for Linear: U(-1/sqrt(fan_in), ...)
            bound = 1.0 / math.sqrt(w.shape[1])
            nn.init.uniform_(w, -bound, bound)

    def forward(self, z: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        # z (B, L), mask (M, L) or per sample (M, B, L) -> inputs (M, B, L) -> (M, B, d_out);
        # sequences z (B, T, L): the same mask on every step, inputs (M, B, T * L)
        if mask.dim() == 2:
            mask = mask.unsqueeze(1)
        if z.dim() == 3:
            masked = (z.unsqueeze(0) * mask.unsqueeze(2)).flatten(start_dim=2)
        else:
            masked = z.unsqueeze(0) * mask
        h = torch.baddbmm(self.b1, masked, self.w1)
        return torch.baddbmm(self.b2, nn.functional.silu(h), self.w2)


class _Network(nn.Module):
    def __init__(
        self, n_obs, n_latent, n_tasks, d_task, hidden, gates: bool, learn_mask: bool, steps=1
    ):
        super().__init__()
        self.encoder = _mlp(n_obs, hidden, 2 * n_latent)
        self.decoder = _mlp(n_latent, hidden, n_obs)
        self.heads = _Heads(n_tasks, n_latent * steps, hidden, d_task)
        self.gates = gates
        # l1: the mask itself (|theta|); l0: the gates' log-alpha (open with p ~ 0.95 at start)
        self.theta = nn.Parameter(torch.full((n_tasks, n_latent), 2.0 if gates else 1.0))
        self.theta.requires_grad_(learn_mask)

    def mask(
        self, sample: bool, generator: torch.Generator | None = None, batch: int = 1
    ) -> torch.Tensor:
        """``(M, L)`` mask; while training with gates, ``(M, batch, L)``: one draw per sample."""
        if not self.gates:
            return self.theta.abs()
        if sample:
            shape = (self.theta.shape[0], batch, self.theta.shape[1])
            u = torch.rand(shape, generator=generator, dtype=self.theta.dtype).clamp(1e-6, 1 - 1e-6)
            s = torch.sigmoid((u.log() - (-u).log1p() + self.theta.unsqueeze(1)) / _TEMP)
        else:
            s = torch.sigmoid(self.theta)
        return (s * (_ZETA - _GAMMA) + _GAMMA).clamp(0.0, 1.0)

    def open_probability(self) -> torch.Tensor:
        """P(gate > 0) of every hard-concrete gate (the expected ℓ0 norm, summed)."""
        return torch.sigmoid(self.theta - _TEMP * math.log(-_GAMMA / _ZETA))


#: a mask row whose largest entry is below this share of the whole mask's largest entry has
#: collapsed: the penalty switched the task off and it reads no latent
COLLAPSED = 0.05


def mask_support(mask: np.ndarray, threshold: float) -> list[np.ndarray]:
    """Per row of a non-negative task × latent mask, ``{j : m_j >= threshold * max m}``.

    The rule is relative to the row's largest entry, because the mask's overall scale trades
    off against the heads' weights. A row whose largest entry is below :data:`COLLAPSED` times
    the largest entry of the whole mask was switched off by the penalty (what remains is the
    optimiser's jitter around zero) and has an empty support.
    """
    mask = np.asarray(mask, dtype=float)
    top = mask.max() if mask.size else 0.0
    return [
        np.flatnonzero(row >= threshold * row.max())
        if top > 0 and row.max() >= COLLAPSED * top
        else np.array([], int)
        for row in mask
    ]


def _as_tasks(tasks, n: int) -> list[np.ndarray]:
    """Tasks as a list of ``(n, d_k)`` float arrays, from the accepted input forms."""
    if isinstance(tasks, np.ndarray) or not isinstance(tasks, Sequence):
        arr = np.asarray(tasks, dtype=float)
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.ndim == 2:
            blocks = [arr[:, [k]] for k in range(arr.shape[1])]
        elif arr.ndim == 3:
            blocks = [arr[:, k, :] for k in range(arr.shape[1])]
        else:
            raise ValueError(
                "tasks must be an (n, M) or (n, M, d) array or a list of M (n, d_k) arrays, "
                f"got an array of shape {arr.shape}"
            )
    else:
        blocks = []
        for k, block in enumerate(tasks):
            arr = np.asarray(block, dtype=float)
            arr = arr[:, None] if arr.ndim == 1 else arr
            if arr.ndim != 2:
                raise ValueError(f"tasks[{k}] must be an (n,) or (n, d_k) array, got {arr.shape}")
            blocks.append(arr)
    if not blocks or any(b.shape[1] == 0 for b in blocks):
        raise ValueError("tasks must contain at least one task with at least one column")
    for k, b in enumerate(blocks):
        if b.shape[0] != n:
            raise ValueError(f"task {k} has {b.shape[0]} samples, observations have {n}")
        if not np.all(np.isfinite(b)):
            raise ValueError(f"task {k} contains NaN or infinite values")
    return blocks


def _standardise(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean, std = a.mean(axis=0), a.std(axis=0)
    return mean, np.where(std > 0, std, 1.0)


class SparseTaskVAE:
    """VAE whose task heads read the latents through a sparse task–latent mask.

    scikit-learn style: settings in ``__init__``, learned attributes end in ``_``. See the module
    docstring for the loss, the two mask parameterisations and the support rule.
    Backs: fig5_l1_ablation, fig5_l1_path.

    Parameters
    ----------
    n_latent : latent dimension (>= 1)
    l1 : weight of the ℓ1 penalty on the mask (>= 0); 0 with ``l0 = 0`` is the generalist. The
        default 3.0 is the weight of our Fig. 5 (the loss is a per-sample sum over standardised
        dimensions, so useful weights are of order 1; see the λ path artefact)
    l0 : weight of the hard-concrete ℓ0 penalty (>= 0); set at most one of ``l1``, ``l0``
    hidden : width of every hidden layer
    beta : weight of the KL term
    task_weight : weight of the task-prediction term; raise it when the observations have many
        more dimensions than the tasks, so that reconstruction does not drown the tasks
    noise_var : the variance ``s^2`` of the Gaussian likelihoods of observations and tasks
        (in standardised units); smaller values weigh the data terms more against the KL
    head_decay : L2 penalty on the task heads' weights (keeps the mask's scale meaningful)
    epochs, batch_size, lr : Adam training schedule (the learning rate decays to 10 % along a
        cosine)
    mask_lr_scale : the mask (or gate) parameters learn ``mask_lr_scale`` times faster than the
        networks: they are few and must travel from open to 0
    threshold : relative support threshold in (0, 1)
    seed : fixes initialisation, mini-batches and noise; results are deterministic on CPU
    n_threads : torch threads during ``fit`` and ``transform`` (restored afterwards)
    """

    def __init__(
        self,
        n_latent: int = 8,
        l1: float = 3.0,
        l0: float = 0.0,
        *,
        hidden: int = 64,
        beta: float = 1.0,
        task_weight: float = 1.0,
        noise_var: float = 0.05,
        head_decay: float = 1e-3,
        epochs: int = 60,
        batch_size: int = 256,
        lr: float = 3e-3,
        mask_lr_scale: float = 10.0,
        threshold: float = 0.1,
        seed: int = 0,
        n_threads: int = 1,
    ) -> None:
        self.n_latent = check_int("n_latent", n_latent, 1)
        self.l1 = check_real("l1", l1, 0.0, math.inf, closed_low=True)
        self.l0 = check_real("l0", l0, 0.0, math.inf, closed_low=True)
        if self.l1 > 0 and self.l0 > 0:
            raise ValueError(
                f"set at most one of l1 and l0 (got l1={l1!r}, l0={l0!r}): "
                "l1 penalises the mask's magnitude, l0 its gates"
            )
        self.hidden = check_int("hidden", hidden, 1)
        self.beta = check_real("beta", beta, 0.0, math.inf, closed_low=True)
        self.task_weight = check_real("task_weight", task_weight, 0.0, math.inf)
        self.noise_var = check_real("noise_var", noise_var, 0.0, math.inf)
        self.head_decay = check_real("head_decay", head_decay, 0.0, math.inf, closed_low=True)
        self.epochs = check_int("epochs", epochs, 1)
        self.batch_size = check_int("batch_size", batch_size, 1)
        self.lr = check_real("lr", lr, 0.0, math.inf)
        self.mask_lr_scale = check_real("mask_lr_scale", mask_lr_scale, 0.0, math.inf)
        self.threshold = check_real("threshold", threshold, 0.0, 1.0)
        self.seed = check_int("seed", seed, 0)
        self.n_threads = check_int("n_threads", n_threads, 1)

    # -- fitting ---------------------------------------------------------------------------
    def fit(self, observations, tasks) -> SparseTaskVAE:
        """Train on ``observations`` ``(n, n_obs)`` and ``tasks``.

        ``observations`` may also be sequences ``(n, T, n_obs)``: the encoder and decoder act on
        every step, the mask is shared by all steps, and each task head reads the masked
        latents of all ``T`` steps (a task of the whole sequence).

        ``tasks``: an ``(n, M)`` array (one scalar task per column), an ``(n, M, d)`` array, or
        a list of ``M`` arrays ``(n, d_k)`` (vector tasks of different sizes).
        """
        obs = self._check_observations(observations, fitted=False)
        blocks = _as_tasks(tasks, obs.shape[0])
        n, n_tasks = obs.shape[0], len(blocks)
        d_task = max(b.shape[1] for b in blocks)
        self.n_features_in_ = obs.shape[-1]
        self.n_steps_ = obs.shape[1] if obs.ndim == 3 else None
        self.task_dims_ = tuple(b.shape[1] for b in blocks)

        self._obs_mean, self._obs_std = _standardise(obs.reshape(-1, obs.shape[-1]))
        y = np.zeros((n_tasks, n, d_task))
        valid = np.zeros((n_tasks, 1, d_task))
        self._task_stats = []
        for k, b in enumerate(blocks):
            mean, std = _standardise(b)
            self._task_stats.append((mean, std))
            y[k, :, : b.shape[1]] = (b - mean) / std
            valid[k, 0, : b.shape[1]] = 1.0

        with _torch_threads(self.n_threads), torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.seed)
            gen = torch.Generator().manual_seed(self.seed)
            net = _Network(
                obs.shape[-1],
                self.n_latent,
                n_tasks,
                d_task,
                self.hidden,
                gates=self.l0 > 0,
                learn_mask=self.l1 > 0 or self.l0 > 0,
                steps=self.n_steps_ or 1,
            ).double()
            self._train(net, obs, y, valid, gen)
        self.network_ = net.eval()
        with torch.no_grad():
            self.task_mask_ = net.mask(sample=False).numpy().copy()
        return self

    def _train(self, net, obs, y, valid, gen) -> None:
        o = torch.from_numpy((obs - self._obs_mean) / self._obs_std)
        y_t, valid_t = torch.from_numpy(y), torch.from_numpy(valid)
        n = o.shape[0]
        heads = [net.heads.w1, net.heads.w2]
        # the mask (or gate) parameters travel far (from open to 0) and are few: a larger step
        rest = [p for p in net.parameters() if p is not net.theta]
        groups = [{"params": rest}]
        if net.theta.requires_grad:  # the generalist's mask stays at 1
            groups.append({"params": [net.theta], "lr": self.lr * self.mask_lr_scale})
        opt = torch.optim.Adam(groups, lr=self.lr)
        batch = min(self.batch_size, n)
        steps_per_epoch = max(1, n // batch)
        total = self.epochs * steps_per_epoch
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total, eta_min=0.1 * self.lr)
        inv2var = 1.0 / (2.0 * self.noise_var)
        history = []
        for _ in range(self.epochs):
            order = torch.randperm(n, generator=gen)
            sums = np.zeros(5)
            for step in range(steps_per_epoch):
                idx = order[step * batch : (step + 1) * batch]
                ob, yb = o[idx], y_t[:, idx]
                stats = net.encoder(ob)
                mu, logvar = stats.chunk(2, dim=-1)
                z = mu + torch.exp(0.5 * logvar) * torch.randn(
                    mu.shape, generator=gen, dtype=mu.dtype
                )
                per_sample = tuple(range(1, ob.dim()))  # feature (and step) axes
                recon = ((net.decoder(z) - ob) ** 2).sum(dim=per_sample).mean() * inv2var
                kl = 0.5 * (mu**2 + logvar.exp() - 1.0 - logvar).sum(dim=per_sample).mean()
                mask = net.mask(sample=True, generator=gen, batch=ob.shape[0])
                pred = net.heads(z, mask)
                task = (((pred - yb) ** 2) * valid_t).sum(dim=(0, 2)).mean() * inv2var
                if net.gates:
                    penalty = self.l0 * net.open_probability().sum()
                else:
                    penalty = self.l1 * net.theta.abs().sum()
                decay = self.head_decay * sum((w**2).sum() for w in heads)
                loss = recon + self.beta * kl + self.task_weight * task + penalty + decay
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                sched.step()
                sums += [loss.item(), recon.item(), kl.item(), task.item(), penalty.item()]
            history.append(sums / steps_per_epoch)
        self.loss_history_ = np.array(history)  # per epoch: total, recon, KL, task, penalty

    # -- after fitting ---------------------------------------------------------------------
    def _check_observations(self, observations, fitted: bool) -> np.ndarray:
        obs = np.asarray(observations, dtype=float)
        if obs.ndim not in (2, 3) or obs.shape[0] < 2 or 0 in obs.shape:
            raise ValueError(
                "observations must be a 2-D (n, n_obs) array (or 3-D (n, T, n_obs) sequences) "
                f"with n >= 2, got shape {obs.shape}"
            )
        if not np.all(np.isfinite(obs)):
            raise ValueError("observations contain NaN or infinite values")
        if fitted:
            if not hasattr(self, "network_"):
                raise RuntimeError("SparseTaskVAE is not fitted: call .fit(observations, tasks)")
            if obs.shape[-1] != self.n_features_in_:
                raise ValueError(
                    f"observations have {obs.shape[-1]} columns, the model was fitted on "
                    f"{self.n_features_in_}"
                )
        return obs

    def transform(self, observations) -> np.ndarray:
        """Posterior means ``mu(o)``: ``(n, n_latent)``, or ``(n, T, n_latent)`` for sequences
        (deterministic). The encoder acts on single steps, so either shape is accepted whatever
        the model was fitted on."""
        obs = self._check_observations(observations, fitted=True)
        o = torch.from_numpy((obs - self._obs_mean) / self._obs_std)
        with _torch_threads(self.n_threads), torch.no_grad():
            mu, _ = self.network_.encoder(o).chunk(2, dim=-1)
        return mu.numpy().copy()

    def predict_tasks(self, observations) -> list[np.ndarray]:
        """Task predictions from the posterior means, one ``(n, d_k)`` array per task.

        ``observations`` must have the fitted shape (sequences of the same length, or steps).
        """
        z_np = self.transform(observations)
        steps = z_np.shape[1] if z_np.ndim == 3 else None
        if steps != self.n_steps_:
            fitted = f"sequences of {self.n_steps_} steps" if self.n_steps_ else "single steps"
            raise ValueError(f"predict_tasks needs observations shaped like the fit ({fitted})")
        z = torch.from_numpy(z_np)
        with _torch_threads(self.n_threads), torch.no_grad():
            pred = self.network_.heads(z, torch.from_numpy(self.task_mask_)).numpy()
        return [
            pred[k, :, :d] * std + mean
            for k, (d, (mean, std)) in enumerate(
                zip(self.task_dims_, self._task_stats, strict=True)
            )
        ]

    def relevant_latents(self) -> list[np.ndarray]:
        """Per task, the latent indices in the mask's support (see the module docstring)."""
        if not hasattr(self, "task_mask_"):
            raise RuntimeError("SparseTaskVAE is not fitted: call .fit(observations, tasks)")
        return mask_support(self.task_mask_, self.threshold)

    def support_matrix(self) -> np.ndarray:
        """Boolean ``(M, n_latent)`` matrix of :meth:`relevant_latents`."""
        support = np.zeros(self.task_mask_.shape, dtype=bool)
        for k, idx in enumerate(self.relevant_latents()):
            support[k, idx] = True
        return support
