"""A VAE with a sparse task–latent mask: the paper's Layer-2 learner (Section 4, Theorem 2).

Model
-----
An encoder ``q(z | o) = N(mu(o), diag sigma^2(o))`` and a decoder ``o_hat(z)`` (MLPs), and one
task head per task. Head ``k`` sees the latents only through row ``k`` of a non-negative mask,
``h_k(m_k * z)``, so a latent with ``m_kj = 0`` cannot influence task ``k``. Per sample, with
observations and tasks standardised,

``loss = ||o - o_hat||^2 / (2 s_o^2) + beta KL(q || N(0, I)) + sum_k ||y_k - y_hat_k||^2 / (2 s_y^2)
+ penalty(m)``,

``s_o^2 = s_y^2 = noise_var``. ``l1 = 0`` and ``l0 = 0`` give the *generalist*: a VAE with task
heads whose mask is fixed at 1 (every task may read every latent; without a penalty a learned
mask would only rescale the heads' inputs).

Mask parameterisations
----------------------
``l1 > 0``
    ``m = theta >= 0`` with ``theta`` initialised at 1 and ``penalty = l1 * sum theta`` (the
    paper's convex proxy of the support size). The penalty is applied as a *proximal* step
    after each Adam step, preconditioned like Adam (``theta <- max(theta - eta * l1 /
    sqrt(v_hat), 0)``; :func:`~specialist.models.vae_ensemble.proximal_l1`), as the GAN does:
    unused entries become exactly 0 instead of small, so the support does not hinge on the
    threshold, and an entry stays open only where the smooth loss's gradient outweighs
    ``l1``. The weight ramps up linearly over the first ``l1_warmup`` of training. The heads'
    weights carry an L2 penalty (``head_decay``); without it a head could undo any shrinkage
    of ``m`` by growing its own weights, and the ℓ1 term would only rescale.
``l1 = "auto"``
    λ is chosen from the data alone (see *Choosing λ* below).
``l0 > 0``
    hard-concrete gates (Louizos, Welling & Kingma 2018): during training ``m`` is a stretched,
    clipped binary-concrete sample with location ``log alpha``, and ``penalty = l0 * sum P(m > 0)``
    is the expected number of open gates, a differentiable surrogate of ``||m||_0``; at
    prediction time the gate is deterministic and can be exactly 0.

Support
-------
``relevant_latents()[k]`` is the support of task head ``k``'s mean absolute Jacobian with
respect to the latents (scaled by each latent's spread), under the one relative rule of
:mod:`specialist.models._common` that every model of the package uses; ``task_sensitivity_``
holds the matrix it is read from. For a sparse model it is the mask's support (a zero mask entry
zeroes the Jacobian); for the generalist it is whatever its heads actually read.

Choosing λ (``l1="auto"``)
--------------------------
A path of models, the dense one (λ = 0) and one per λ in ``auto_path``, is trained on a random
``1 - validation_fraction`` of the rows, all from the same initialisation. On the held-out rows
each model's *task loss* (per task, the mean squared error of the standardised task outputs,
about ``1 - R²``) and *reconstruction loss* (the same for the observations, decoded from the
posterior means) are computed. The chosen λ is the largest one whose held-out loss is within
``auto_tolerance`` of the dense model's for every task and for the reconstruction: the
strongest sparsity that costs no prediction and no reconstruction. If no λ qualifies, the dense
model is kept (``l1_ = 0``). The truth is never consulted. The path's table is ``path_`` and
its fitted models ``path_models_``.

Training several models at once
-------------------------------
See :mod:`specialist.models.vae_ensemble`.

Backs
-----
fig4_sportshhi, fig5_l1_ablation, fig5_l1_path
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator, clone

from specialist.models._common import (
    check_fitted,
    loss_table,
    resolve_device,
    support_from_sensitivity,
    support_matrix,
    torch_threads,
)
from specialist.models.vae_ensemble import (
    LOSS_TERMS,
    as_tensor,
    task_blocks,
    train_groups,
)
from specialist.validate import check_int, check_real

#: λ values tried by ``l1="auto"`` (besides the dense model, λ = 0); the path reaches weights
#: that close every mask on the easy instance of tests/test_vae.py (where 100 is refused and 300
#: closes all), so that the rule can meet a λ it refuses
AUTO_PATH = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0)
#: rows of the codes on which the heads' Jacobians are averaged
_JACOBIAN_ROWS = 2048


class SparseTaskVAE(BaseEstimator):
    """VAE whose task heads read the latents through a sparse task–latent mask.

    scikit-learn style: settings in ``__init__``, learned attributes end in ``_``. See the module
    docstring for the loss, the mask parameterisations, the support rule and how ``l1="auto"``
    chooses λ.

    Parameters
    ----------
    n_latent : latent dimension (>= 1)
    l1 : weight λ of the ℓ1 penalty on the mask (>= 0), or ``"auto"`` (the default): λ chosen
        from the data alone along ``auto_path``. ``0`` with ``l0 = 0`` is the generalist
    l0 : weight of the hard-concrete ℓ0 penalty (>= 0); set at most one of ``l1``, ``l0``
        (``l0 > 0`` needs a numeric ``l1 = 0``)
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
    l1_warmup : share of training over which the ℓ1 weight ramps up linearly from 0 (as in
        :class:`~specialist.models.gan.TaskMaskGAN`), so that the heads learn what to read
        before the proximal step can close an entry
    threshold : relative support threshold in (0, 1) (:mod:`specialist.models._common`)
    auto_path : the λ values ``l1="auto"`` chooses from (positive, any order)
    auto_tolerance : how much larger than the dense model's a held-out loss may be, in
        standardised mean squared error (about R²), for a λ to qualify; in (0, 1)
    validation_fraction : share of rows ``l1="auto"`` holds out to compare the path, in (0, 1)
    seed : fixes initialisation, mini-batches, noise and the validation split; results are
        deterministic on CPU
    n_threads : torch threads during ``fit`` and ``transform`` (restored afterwards)
    device : where ``fit`` trains: ``"cpu"`` (the default) or ``"cuda"`` (``"cuda:N"``) where
        PyTorch sees a CUDA GPU; the fitted model predicts on the CPU. See
        :mod:`specialist.models._common` (on a GPU, results differ by rounding; untested on a
        GPU so far)

    Settings are stored as given and checked by :meth:`check_params` when fitting (the
    scikit-learn contract: ``get_params``, ``set_params`` and ``sklearn.base.clone`` work).

    Attributes
    ----------
    l1_ : the λ the model was trained with (the chosen one for ``l1="auto"``)
    task_mask_ : ``(M, n_latent)`` non-negative mask magnitudes
    task_sensitivity_ : ``(M, n_latent)`` each head's mean absolute Jacobian, scaled by each
        latent's spread (what the support rule reads)
    loss_history_ : the loss terms per epoch (a DataFrame)
    network_ : the trained network (a one-member :class:`~specialist.models.vae_ensemble.VAEEnsemble`)
    n_features_in_, n_steps_, task_dims_ : the shapes it was fitted on (``n_steps_`` is ``None``
        for non-sequence observations)
    obs_mean_, obs_std_, task_stats_ : the standardisation of observations and tasks
    path_, path_models_ : with ``l1="auto"``, the path's held-out table and its fitted models

    Backs
    -----
    fig5_l1_ablation, fig5_l1_path, fig4_sportshhi
    """

    def __init__(
        self,
        n_latent: int = 8,
        l1: float | str = "auto",
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
        l1_warmup: float = 0.5,
        threshold: float = 0.1,
        auto_path: Sequence[float] = AUTO_PATH,
        auto_tolerance: float = 0.05,
        validation_fraction: float = 0.2,
        seed: int = 0,
        n_threads: int = 1,
        device: str = "cpu",
    ) -> None:
        self.n_latent = n_latent
        self.l1 = l1
        self.l0 = l0
        self.hidden = hidden
        self.beta = beta
        self.task_weight = task_weight
        self.noise_var = noise_var
        self.head_decay = head_decay
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.mask_lr_scale = mask_lr_scale
        self.l1_warmup = l1_warmup
        self.threshold = threshold
        self.auto_path = auto_path
        self.auto_tolerance = auto_tolerance
        self.validation_fraction = validation_fraction
        self.seed = seed
        self.n_threads = n_threads
        self.device = device

    def check_params(self) -> SparseTaskVAE:
        """Check every setting (a clear error naming the parameter and what it accepts);
        ``fit`` calls it first. Returns ``self``."""
        check_int("n_latent", self.n_latent, 1)
        l1, l0 = self.l1, self.l0
        if isinstance(l1, str):
            if l1 != "auto":
                raise ValueError(f"l1 must be a number >= 0 or 'auto', got {l1!r}")
        else:
            check_real("l1", l1, 0.0, math.inf, closed_low=True)
        check_real("l0", l0, 0.0, math.inf, closed_low=True)
        if l0 > 0 and l1 != 0:
            raise ValueError(
                f"set at most one of l1 and l0 (got l1={l1!r}, l0={l0!r}): "
                "l1 penalises the mask's magnitude, l0 its gates; use l1=0 with l0 > 0"
            )
        check_int("hidden", self.hidden, 1)
        check_real("beta", self.beta, 0.0, math.inf, closed_low=True)
        check_real("task_weight", self.task_weight, 0.0, math.inf)
        check_real("noise_var", self.noise_var, 0.0, math.inf)
        check_real("head_decay", self.head_decay, 0.0, math.inf, closed_low=True)
        check_int("epochs", self.epochs, 1)
        check_int("batch_size", self.batch_size, 1)
        check_real("lr", self.lr, 0.0, math.inf)
        check_real("mask_lr_scale", self.mask_lr_scale, 0.0, math.inf)
        check_real("l1_warmup", self.l1_warmup, 0.0, 1.0, closed_low=True)
        check_real("threshold", self.threshold, 0.0, 1.0)
        auto_path = self.auto_path
        path = tuple(auto_path) if isinstance(auto_path, Sequence) else None
        if not path or any(isinstance(v, bool | str) for v in path):
            raise ValueError(
                f"auto_path must be a non-empty list of positive numbers, got {auto_path!r}"
            )
        for v in path:
            check_real("auto_path", v, 0.0, math.inf)
        check_real("auto_tolerance", self.auto_tolerance, 0.0, 1.0)
        check_real("validation_fraction", self.validation_fraction, 0.0, 1.0)
        check_int("seed", self.seed, 0)
        check_int("n_threads", self.n_threads, 1)
        resolve_device(self.device)
        return self

    def _with(self, **changes) -> SparseTaskVAE:
        return clone(self).set_params(**changes)

    def _adopt(self, member: SparseTaskVAE) -> None:
        """Take over a fitted member's learned attributes (those ending in ``_``)."""
        for name, value in vars(member).items():
            if name.endswith("_") and not name.startswith("_"):
                setattr(self, name, value)

    # -- fitting ---------------------------------------------------------------------------
    def fit(self, observations, tasks) -> SparseTaskVAE:
        """Train on ``observations`` ``(n, n_obs)`` and ``tasks``.

        ``observations`` may also be sequences ``(n, T, n_obs)``: the encoder and decoder act on
        every step, the mask is shared by all steps, and each task head reads the masked
        latents of all ``T`` steps (a task of the whole sequence).

        ``tasks``: an ``(n, M)`` array (one scalar task per column), an ``(n, M, d)`` array, or
        a list of ``M`` arrays ``(n, d_k)`` (vector tasks of different sizes).

        With ``l1="auto"`` the path is trained on part of the rows (module docstring) and the
        chosen model is kept: ``l1_`` is its λ, ``path_`` the path's table.
        """
        self.check_params()
        obs = self._check_observations(observations, fitted=False)
        blocks = task_blocks(tasks, obs.shape[0])
        if self.l1 != "auto":
            (member,) = self._train(obs, blocks, [(self.l1, self.l0)])
            self._adopt(member)
            self.l1_ = float(self.l1)
            return self
        fit_rows, val_rows = self.validation_split(obs.shape[0])
        lambdas = (0.0, *sorted(set(self.auto_path)))
        members = self._train(
            obs[fit_rows], [b[fit_rows] for b in blocks], [(v, 0.0) for v in lambdas]
        )
        table = self.path_table(members, obs[val_rows], [b[val_rows] for b in blocks])
        chosen = int(table["chosen"].to_numpy().argmax())
        self._adopt(members[chosen])
        self.l1_ = float(lambdas[chosen])
        self.path_ = table
        self.path_models_ = members
        return self

    def validation_split(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The rows ``l1="auto"`` trains the path on and the rows it compares it on (sorted
        index arrays; random, fixed by ``seed``)."""
        n_val = int(round(self.validation_fraction * n))
        if n_val < 2 or n - n_val < 2:
            raise ValueError(
                f"l1='auto' needs at least 2 training and 2 validation rows: n={n} with "
                f"validation_fraction={self.validation_fraction} gives {n_val} validation rows"
            )
        rows = np.random.default_rng(self.seed).permutation(n)
        return np.sort(rows[n_val:]), np.sort(rows[:n_val])

    def fit_path(self, observations, tasks, l1=(), l0=(), dense: bool = True) -> list:
        """Models that differ only in their penalty, trained side by side as one ensemble.

        Returns fitted copies of this model (same settings and seed), in the order: the dense
        model (if ``dense``), one per weight of ``l1``, one per weight of ``l0``. Each equals,
        up to floating-point rounding, the model ``fit`` trains with that weight alone.
        """
        self.check_params()
        obs = self._check_observations(observations, fitted=False)
        blocks = task_blocks(tasks, obs.shape[0])
        members = self._train(obs, blocks, self._penalties(l1, l0, dense))
        for m in members:
            m.l1_ = m.l1
        return members

    def fit_paths(self, datasets, seeds, l1=(), l0=(), dense: bool = True) -> list[list]:
        """:meth:`fit_path` on several data sets at once, one ensemble for all of them.

        ``datasets``: a list of ``(observations, tasks)`` pairs of equal shapes; ``seeds``: one
        seed per data set (replacing this model's ``seed``). Returns, per data set, the list
        :meth:`fit_path` returns for it with that seed: each data set draws its initialisation,
        mini-batches and noise from its own seed, so its models are the same (up to
        floating-point rounding) whichever data sets it is trained beside. Training many small
        models together costs far less than one by one (one batched product per layer).
        """
        self.check_params()
        if len(datasets) != len(seeds) or not datasets:
            raise ValueError(
                f"fit_paths needs one seed per data set, got {len(datasets)} data sets and "
                f"{len(seeds)} seeds"
            )
        groups = []
        for (observations, tasks), seed in zip(datasets, seeds, strict=True):
            obs = self._check_observations(observations, fitted=False)
            groups.append((obs, task_blocks(tasks, obs.shape[0]), check_int("seeds", seed, 0)))
        fitted = self._train_groups(groups, self._penalties(l1, l0, dense))
        for members in fitted:
            for m in members:
                m.l1_ = m.l1
        return fitted

    def _penalties(self, l1, l0, dense: bool) -> list[tuple[float, float]]:
        penalties = [(0.0, 0.0)] if dense else []
        for name, values, pos in (("l1", l1, 0), ("l0", l0, 1)):
            for v in values:
                weight = check_real(name, v, 0.0, math.inf)
                penalties.append((weight, 0.0) if pos == 0 else (0.0, weight))
        if not penalties:
            raise ValueError("fit_path needs dense=True or at least one l1 or l0 weight")
        return penalties

    def _train(self, obs, blocks, penalties) -> list[SparseTaskVAE]:
        """Train one member per ``(l1, l0)`` pair on the same data; return fitted models."""
        return self._train_groups([(obs, blocks, self.seed)], penalties)[0]

    def _train_groups(self, groups, penalties) -> list[list[SparseTaskVAE]]:
        """One ensemble for several data sets: per ``(observations, task blocks, seed)`` group,
        one member per ``(l1, l0)`` pair. Each group draws its initialisation, mini-batches and
        noise from its own seed exactly as a one-group ensemble does, so a group's models do
        not depend on the other groups. Returns the fitted models per group."""
        trained = train_groups(self, groups, penalties)
        net, history = trained.network, trained.history
        steps, task_dims, stats = trained.n_steps, trained.task_dims, trained.stats
        per = len(penalties)
        fitted = []
        for j, (obs, _, seed) in enumerate(groups):
            obs_mean, obs_std, task_stats = stats[j]
            members = []
            for i, (w1, w0) in enumerate(penalties):
                e = j * per + i
                m = self._with(l1=float(w1), l0=float(w0), seed=int(seed))
                m.n_features_in_, m.n_steps_, m.task_dims_ = obs.shape[-1], steps, task_dims
                m.obs_mean_, m.obs_std_, m.task_stats_ = obs_mean, obs_std, task_stats
                m.network_ = net.member(e)
                m.task_mask_ = trained.masks[e].copy()
                m.task_sensitivity_ = trained.sensitivity[e].copy()
                m.loss_history_ = loss_table(history[:, e], LOSS_TERMS)
                members.append(m)
            fitted.append(members)
        return fitted

    def path_table(self, members, observations, tasks) -> pd.DataFrame:
        """Held-out losses of a path of fitted models (the dense one first) and the λ choice.

        One row per model: ``l1``, ``recon_loss`` and ``task_loss_<k>`` (standardised mean
        squared errors on ``observations`` / ``tasks``, rows the path was not trained on),
        ``block_size`` (mean over tasks), ``closed`` (the mask keeps no latent for any task:
        the model has no block, so it is no specialist whatever its losses), ``worst_excess``
        (the largest excess over the dense model's losses), ``within_tolerance``
        (``worst_excess <= auto_tolerance``), ``qualifies`` (within tolerance and not closed)
        and ``chosen`` (the largest qualifying λ; the rule of ``l1="auto"``). A closed model
        can be within tolerance only where the held-out losses do not depend on the latents
        (tasks the observations cannot predict); the rule does not take it then.
        """
        obs = self._check_observations(observations, fitted=False)
        blocks = task_blocks(tasks, obs.shape[0])
        if not members or members[0].l1 != 0 or members[0].l0 != 0:
            raise ValueError("path_table needs a list of fitted models whose first is dense (l1=0)")
        rows = []
        for m in members:
            z = m.transform(obs)
            o = (obs - m.obs_mean_) / m.obs_std_
            with torch_threads(self.n_threads), torch.no_grad():
                recon = m.network_.decode(as_tensor(z).unsqueeze(0))[0].numpy()
            pred = m.predict_tasks(obs)
            task = [
                float(np.mean(((p - b) / std) ** 2))
                for p, b, (_, std) in zip(pred, blocks, m.task_stats_, strict=True)
            ]
            rows.append(
                {
                    "l1": m.l1,
                    "recon_loss": float(np.mean((recon - o) ** 2)),
                    **{f"task_loss_{k}": v for k, v in enumerate(task)},
                    "block_size": float(np.mean([b.size for b in m.relevant_latents()])),
                }
            )
        table = pd.DataFrame(rows)
        task_cols = [c for c in table.columns if c.startswith("task_loss_")]
        excess = table[task_cols + ["recon_loss"]] - table.loc[0, task_cols + ["recon_loss"]]
        table["worst_excess"] = excess.max(axis=1)
        table["closed"] = table["block_size"] == 0
        table["within_tolerance"] = table["worst_excess"] <= self.auto_tolerance
        table["qualifies"] = table["within_tolerance"] & ~table["closed"]
        table.loc[0, "qualifies"] = True  # the dense model is the fallback
        best = table.loc[table["qualifies"], "l1"].max()
        table["chosen"] = table["l1"] == best
        return table

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
            check_fitted(self, "network_", ".fit(observations, tasks)")
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
        o = as_tensor((obs - self.obs_mean_) / self.obs_std_)
        with torch_threads(self.n_threads), torch.no_grad():
            mu, _ = self.network_.encode(o)
        return mu[0].numpy().astype(float)

    def predict_tasks(self, observations) -> list[np.ndarray]:
        """Task predictions from the posterior means, one ``(n, d_k)`` array per task.

        ``observations`` must have the fitted shape (sequences of the same length, or steps).
        """
        z_np = self.transform(observations)
        steps = z_np.shape[1] if z_np.ndim == 3 else None
        if steps != self.n_steps_:
            fitted = f"sequences of {self.n_steps_} steps" if self.n_steps_ else "single steps"
            raise ValueError(f"predict_tasks needs observations shaped like the fit ({fitted})")
        z = as_tensor(z_np).unsqueeze(0)
        with torch_threads(self.n_threads), torch.no_grad():
            pred = self.network_.heads(z, self.network_.mask())[0].numpy()
        return [
            pred[k, :, :d] * std + mean
            for k, (d, (mean, std)) in enumerate(
                zip(self.task_dims_, self.task_stats_, strict=True)
            )
        ]

    def relevant_latents(self) -> list[np.ndarray]:
        """Per task, the latents its head reads: the support of ``task_sensitivity_`` (the mean
        absolute head Jacobian) under the package's rule (:mod:`specialist.models._common`)."""
        check_fitted(self, "task_sensitivity_", ".fit(observations, tasks)")
        return support_from_sensitivity(self.task_sensitivity_, self.threshold)

    def support_matrix(self) -> np.ndarray:
        """Boolean ``(M, n_latent)`` matrix of :meth:`relevant_latents`."""
        return support_matrix(self.relevant_latents(), self.n_latent)
