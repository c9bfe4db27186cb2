"""A VAE-GAN with sparse task–latent masks, for attribute edits (the paper's Figs. 6–7).

The paper edits images through "a GAN whose latents are edited via task-specific masks". Editing
real images needs their latents, so we use a GAN with an encoder: a VAE-GAN (Larsen et al.,
2016). The decoder is the GAN's generator and an image discriminator sharpens its samples. On
top sit the masks of the Layer-2 model (:class:`~specialist.models.vae.SparseTaskVAE`):

* encoder ``q(z | x) = N(mu(x), diag sigma^2(x))`` and generator ``G(z)``: small convolutional
  networks for ``32 x 32`` or ``64 x 64`` RGB images, with batch normalisation (it roughly
  halved the reconstruction loss reached in a fixed number of steps);
* discriminator ``D(x)``: a convolutional classifier, trained with the non-saturating logistic
  GAN loss against reconstructions ``G(z)`` of real images;
* one *linear* head per task ``k``, reading the posterior mean through the task's mask
  ``m_k >= 0`` over latent dimensions: ``y_hat_k = W_k (m_k * mu) + b_k``. A task is a
  *vector*: output 0 is the logit of the task's presence (logistic loss) and outputs
  ``1..a_k`` are the task's attributes, standardised, with a squared loss on the images where
  the task is present (an attribute of an absent accessory is not defined);
* loss = ``||x - G(z)||^2 / (2 s^2)`` + ``beta KL`` + ``adv_weight`` · generator GAN loss +
  ``task_weight`` · task loss + ``l1 sum m`` + ``head_decay ||W||^2``.

With ``l1 > 0`` the masks become sparse, which (Theorem 2) pushes each task into a small block
of latents of its own; ``l1 = 0`` fixes the masks at 1 (the *dense* model: every head may read
every latent). The ℓ1 term is applied as a *proximal* step after each Adam step, preconditioned
like Adam (``m <- max(m - eta * l1 / sqrt(v_hat), 0)``, with the masks' learning rate ``eta``
and Adam's second-moment estimate ``v_hat`` of the smooth loss's gradient): unlike a
subgradient step, which leaves unused entries oscillating around 0, it sets them exactly to 0,
and an entry stays nonzero only where the smooth loss's gradient outweighs ``l1``. The
penalty's weight ramps up linearly over the first ``l1_warmup`` of training, so that the heads
first learn what to read.

Support (:meth:`TaskMaskGAN.relevant_latents`)
----------------------------------------------
The rule every model of the package uses (:mod:`specialist.models._common`): the support of
task ``k``'s mean absolute Jacobian with respect to the latents, each latent scaled by its
standard deviation over the training codes. The heads are linear, so the Jacobian is constant:
``task_sensitivity_[k, j] = mean_o |W_k[o, j]| m_kj sd(z_j)`` over the task's outputs (the
presence logit and the standardised attributes). For the sparse model the support is the
mask's support; for the dense model it is whatever its heads read, not all latents by
definition.

Speed
-----
On a CPU a training step costs nearly as much for 32 images as for 128 (measured in
``tests/benchmarks/bench_gan.py``: about 1,400, 1,700 and 1,800 images per second at
mini-batches of 32, 64 and 128 on one thread), and in a fixed wall time more, smaller steps
reached a lower reconstruction loss in our pilots: the default mini-batch is 64. Training the
sparse and the dense model of a seed as one batched ensemble with grouped convolutions was
measured *slower* than one after the other (0.85x: grouped and transposed convolutions are
poorly optimised on CPUs), so the experiments run separate fits in worker processes instead:
the two models at once for the figure (1.9x), two seeds at once for the table.

Edits
-----
The edit experiments (``specialist.experiments.edits``) intervene on coordinates: they
transplant a task's block of latents from a donor image. A second edit operator, the
*direction edit* :meth:`TaskMaskGAN.edit_latents`, moves a code along the head's presence
direction restricted to the support (no donor).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from sklearn.base import BaseEstimator
from torch import nn
from torch.nn import functional as F

from specialist.models._common import (
    check_fitted,
    gaussian_kl,
    loss_table,
    mean_and_scale,
    resolve_device,
    rng_devices,
    support_from_sensitivity,
    support_matrix,
    torch_threads,
)
from specialist.models.gan_networks import (
    ENCODE_CHUNK,
    Generator,
    as_images,
    conv_net,
    encode_in_chunks,
    image_tasks,
)
from specialist.validate import check_int, check_real

#: the terms of ``loss_history_`` (per epoch, mean over the epoch's mini-batches)
LOSS_TERMS = ("reconstruction", "kl", "adversarial", "task", "l1", "discriminator")
_HOW = ".fit(images, tasks)"


# --------------------------------------------------------------------------- networks


# --------------------------------------------------------------------------- the estimator


class TaskMaskGAN(BaseEstimator):
    """VAE-GAN whose task heads read the latents through sparse masks (module docstring).

    Parameters
    ----------
    n_latent : latent dimension
    l1 : ℓ1 weight on the masks (0: dense masks fixed at 1)
    width : channels of the first convolution of the encoder and the generator's last one
        (the others are 2x and 4x); disc_width : the same for the discriminator
    beta : KL weight; noise_var : variance of the pixel likelihood
    adv_weight : weight of the generator's GAN loss; task_weight : weight of the task loss
    head_decay : L2 penalty on the heads' weights
    epochs, batch_size, lr : Adam schedule; mask_lr_scale : the masks learn this much faster
    l1_warmup : share of training over which the ℓ1 weight ramps up linearly from 0
    threshold : relative support threshold of :meth:`relevant_latents`, in (0, 1)
    seed, n_threads : determinism and torch threads
    device : where ``fit`` trains: ``"cpu"`` (the default) or ``"cuda"`` (``"cuda:N"``) where
        PyTorch sees a CUDA GPU; the fitted networks are moved back to the CPU. See
        :mod:`specialist.models._common` (on a GPU, results differ by rounding; untested on a
        GPU so far)

    Models with the same seed and data see the same initialisation, mini-batches and noise
    draws, whatever their ``l1``: a sparse and a dense model of one seed are paired. Settings
    are stored as given and checked by :meth:`check_params` when fitting (scikit-learn's
    contract: ``get_params``, ``set_params`` and ``sklearn.base.clone`` work).

    Attributes
    ----------
    encoder_, generator_, discriminator_ : the trained networks
    image_size_, n_tasks_, output_dims_ : the image side, the number of tasks (accessories) and
        each head's output size (presence and attributes)
    head_weights_, head_bias_, task_mask_ : the linear heads and their masks
    value_mean_, value_scale_ : the standardisation of each task's attributes
    latent_sd_ : each latent's spread over the training codes
    task_sensitivity_ : ``(K, n_latent)`` each head's mean absolute Jacobian, scaled by each
        latent's spread (what :meth:`relevant_latents` reads)
    target_logits_ : the presence logits a head-direction edit aims at
    loss_history_ : the loss terms per epoch (a DataFrame)

    Backs
    -----
    fig6_gan_edits, tab_edit_specificity
    """

    def __init__(
        self,
        n_latent: int = 16,
        l1: float = 1.0,
        *,
        width: int = 16,
        disc_width: int = 8,
        beta: float = 1.0,
        noise_var: float = 0.01,
        adv_weight: float = 1.0,
        task_weight: float = 100.0,
        head_decay: float = 1e-3,
        epochs: int = 20,
        batch_size: int = 64,
        lr: float = 2e-3,
        mask_lr_scale: float = 10.0,
        head_lr_scale: float = 10.0,
        l1_warmup: float = 0.5,
        threshold: float = 0.1,
        seed: int = 0,
        n_threads: int = 1,
        device: str = "cpu",
    ) -> None:
        self.n_latent = n_latent
        self.l1 = l1
        self.width = width
        self.disc_width = disc_width
        self.beta = beta
        self.noise_var = noise_var
        self.adv_weight = adv_weight
        self.task_weight = task_weight
        self.head_decay = head_decay
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.mask_lr_scale = mask_lr_scale
        self.head_lr_scale = head_lr_scale
        self.l1_warmup = l1_warmup
        self.threshold = threshold
        self.seed = seed
        self.n_threads = n_threads
        self.device = device

    def check_params(self) -> TaskMaskGAN:
        """Check every setting (a clear error naming the parameter); ``fit`` calls it first.
        Returns ``self``."""
        check_int("n_latent", self.n_latent, 1)
        check_real("l1", self.l1, 0.0, math.inf, closed_low=True)
        check_int("width", self.width, 1)
        check_int("disc_width", self.disc_width, 1)
        check_real("beta", self.beta, 0.0, math.inf, closed_low=True)
        check_real("noise_var", self.noise_var, 0.0, math.inf)
        check_real("adv_weight", self.adv_weight, 0.0, math.inf, closed_low=True)
        check_real("task_weight", self.task_weight, 0.0, math.inf)
        check_real("head_decay", self.head_decay, 0.0, math.inf, closed_low=True)
        check_int("epochs", self.epochs, 1)
        check_int("batch_size", self.batch_size, 2)
        check_real("lr", self.lr, 0.0, math.inf)
        check_real("mask_lr_scale", self.mask_lr_scale, 0.0, math.inf)
        check_real("head_lr_scale", self.head_lr_scale, 0.0, math.inf)
        check_real("l1_warmup", self.l1_warmup, 0.0, 1.0, closed_low=True)
        check_real("threshold", self.threshold, 0.0, 1.0)
        check_int("seed", self.seed, 0)
        check_int("n_threads", self.n_threads, 1)
        resolve_device(self.device)
        return self

    # -- input checks ----------------------------------------------------------------------
    def _latents(self, latents, name: str = "latents") -> np.ndarray:
        z = np.asarray(latents, dtype=float)
        if z.ndim != 2 or z.shape[1] != self.n_latent:
            raise ValueError(f"{name} must be (n, {self.n_latent}), got shape {z.shape}")
        if not np.isfinite(z).all():
            raise ValueError(f"{name} must be finite")
        return z

    def _task(self, task) -> int:
        if isinstance(task, bool) or not isinstance(task, int | np.integer):
            raise TypeError(f"task must be an integer index, got {task!r}")
        if not 0 <= task < self.n_tasks_:
            raise ValueError(f"task must be an index in 0..{self.n_tasks_ - 1}, got {task!r}")
        return int(task)

    # -- fitting ---------------------------------------------------------------------------
    def fit(self, images, tasks, values=None) -> TaskMaskGAN:
        """Train on ``images`` ``(n, S, S, 3)`` in [0, 1] and boolean ``tasks`` ``(n, K)``.

        ``values`` (optional): a list of ``K`` arrays ``(n, a_k)``, the attributes of task
        ``k``, regressed on the images where task ``k`` is present (``None`` or an ``(n, 0)``
        array for a task without attributes). Values of images without the task are ignored.
        """
        self.check_params()
        x = as_images(images, None)
        n, size = x.shape[0], x.shape[2]
        y, blocks = image_tasks(tasks, values, n)
        n_tasks = y.shape[1]
        dims = np.array([1 + b.shape[1] for b in blocks])
        n_out = int(dims.max())
        # attributes standardised over the images where the task is present
        means, scales = [], []
        v = np.zeros((n, n_tasks, n_out - 1), dtype=np.float32)
        valid = np.zeros((n, n_tasks, n_out - 1), dtype=bool)
        for k, b in enumerate(blocks):
            a = b.shape[1]
            mean, scale = mean_and_scale(b[y[:, k]]) if a else (np.zeros(0), np.ones(0))
            means.append(mean)
            scales.append(scale)
            if a:
                v[:, k, :a] = np.where(y[:, k, None], (b - mean) / scale, 0.0)
                valid[:, k, :a] = y[:, k, None]

        device = resolve_device(self.device)
        with torch_threads(self.n_threads), torch.random.fork_rng(devices=rng_devices(device)):
            torch.manual_seed(self.seed)
            gen = torch.Generator().manual_seed(self.seed)  # draws on the CPU, on any device
            enc = conv_net(size, 2 * self.n_latent, self.width, batch_norm=True).to(device)
            dec = Generator(size, self.n_latent, self.width).to(device)
            disc = conv_net(size, 1, self.disc_width, batch_norm=False).to(device)
            w0 = torch.randn(n_tasks, n_out, self.n_latent, generator=gen) * 0.1
            head_w = nn.Parameter(w0.to(device))
            head_b = nn.Parameter(torch.zeros(n_tasks, n_out, device=device))
            theta = nn.Parameter(torch.ones(n_tasks, self.n_latent, device=device))
            history = self._train((enc, dec, disc), (head_w, head_b, theta), x, y, v, valid, gen)
        for net in (enc, dec, disc):  # the fitted model encodes and decodes on the CPU
            net.to("cpu")

        self.encoder_, self.generator_, self.discriminator_ = enc.eval(), dec.eval(), disc.eval()
        self.image_size_, self.n_tasks_ = size, n_tasks
        self.output_dims_ = dims
        out_valid = np.arange(n_out)[None, :] < dims[:, None]  # (K, O)
        self.head_weights_ = head_w.detach().cpu().numpy().astype(float) * out_valid[:, :, None]
        self.head_bias_ = head_b.detach().cpu().numpy().astype(float) * out_valid
        self.task_mask_ = (
            theta.detach().cpu().numpy().astype(float)
            if self.l1 > 0
            else np.ones((n_tasks, self.n_latent))
        )
        self.value_mean_, self.value_scale_ = means, scales
        codes = encode_in_chunks(enc, x, self.n_threads)
        self.latent_sd_ = codes.std(axis=0)
        # linear heads: the Jacobian of task k's outputs is W_k * m_k, the same at every code
        jac = np.abs(self.head_weights_) * self.task_mask_[:, None, :]  # (K, O, L)
        self.task_sensitivity_ = jac.sum(axis=1) / dims[:, None] * self.latent_sd_[None]
        logits = self.task_logits(codes)
        self.target_logits_ = np.array(
            [np.median(logits[y[:, k], k]) if y[:, k].any() else 0.0 for k in range(n_tasks)]
        )
        self.loss_history_ = loss_table(history, LOSS_TERMS)
        return self

    def _train(self, nets, heads, x, y, v, valid, gen) -> np.ndarray:
        """The optimisation; returns the loss history ``(epochs, len(LOSS_TERMS))``."""
        enc, dec, disc = nets
        head_w, head_b, theta = heads
        device = head_w.device  # the random draws are made on the CPU by ``gen``, then moved
        x = x.to(device)
        n = x.shape[0]
        learn = self.l1 > 0  # the dense model keeps its masks at 1
        theta.requires_grad_(learn)
        y_t = torch.from_numpy(y.astype(np.float32)).to(device)
        v_t = torch.from_numpy(v).to(device)
        valid_t = torch.from_numpy(valid.astype(np.float32)).to(device)
        groups = [
            {"params": [*enc.parameters(), *dec.parameters()]},
            {"params": [head_w, head_b], "lr": self.lr * self.head_lr_scale},
        ]
        if learn:
            groups.append({"params": [theta], "lr": self.lr * self.mask_lr_scale})
        # foreach: one fused update of all parameters per step (the same Adam, fewer calls)
        opt = torch.optim.Adam(groups, lr=self.lr, betas=(0.5, 0.999), foreach=True)
        main_params = [p for g in groups for p in g["params"]]
        d_params = list(disc.parameters())
        opt_d = torch.optim.Adam(d_params, lr=self.lr, betas=(0.5, 0.999), foreach=True)
        mask_lr = self.lr * self.mask_lr_scale
        bce = F.binary_cross_entropy_with_logits
        inv2var = 1.0 / (2.0 * self.noise_var)
        batch = min(self.batch_size, n)
        steps = max(1, n // batch)
        warmup = self.l1_warmup * self.epochs * steps
        real = torch.ones(batch, 1, device=device)
        fake_label = torch.zeros(batch, 1, device=device)
        history = np.zeros((self.epochs, len(LOSS_TERMS)))
        for epoch in range(self.epochs):
            order = torch.randperm(n, generator=gen).to(device)
            for step in range(steps):
                # the penalty ramps up linearly (module docstring)
                done = epoch * steps + step
                ramp = min(1.0, done / warmup) if warmup > 0 else 1.0
                idx = order[step * batch : (step + 1) * batch]
                xb = x[idx]
                mu, logvar = enc(xb).chunk(2, dim=1)
                z = mu + torch.exp(0.5 * logvar) * torch.randn(mu.shape, generator=gen).to(device)
                rec = dec(z)
                # one discriminator pass over real images and reconstructions serves both
                # players: the discriminator's loss (its gradient taken for its parameters
                # only) and the generator's non-saturating loss
                d_real, d_fake = disc(torch.cat([xb, rec])).split(batch)
                d_loss = bce(d_real, real) + bce(d_fake, fake_label)
                d_grads = torch.autograd.grad(d_loss, d_params, retain_graph=True)
                recon = ((rec - xb) ** 2).sum(dim=(1, 2, 3)).mean() * inv2var
                kl = gaussian_kl(mu, logvar, dims=(1,)).mean()
                adv = bce(d_fake, real)
                mask = theta if learn else theta.detach()
                out = torch.einsum("bl,kol->bko", mu, mask[:, None, :] * head_w) + head_b
                presence = bce(out[..., 0], y_t[idx], reduction="none").mean(0).sum()
                w_valid = valid_t[idx]
                count = w_valid.sum(0).clamp(min=1.0)  # (K, O - 1)
                sq = 0.5 * (out[..., 1:] - v_t[idx]) ** 2 * w_valid
                task = presence + (sq.sum(0) / count).sum()
                loss = (
                    recon + self.beta * kl + self.adv_weight * adv + self.task_weight * task
                    + self.head_decay * (head_w**2).sum()
                )  # fmt: skip
                opt.zero_grad(set_to_none=True)
                loss.backward(inputs=main_params)
                opt.step()
                penalty = torch.zeros(())
                if learn:  # the ℓ1 penalty: a proximal step (module docstring)
                    with torch.no_grad():
                        penalty = ramp * self.l1 * theta.sum()
                        state = opt.state[theta]
                        v_hat = state["exp_avg_sq"] / (1 - 0.999 ** float(state["step"]))
                        tau = mask_lr * ramp * self.l1 / (v_hat.sqrt() + 1e-8)
                        theta.sub_(tau).clamp_(min=0.0)
                for p, g in zip(d_params, d_grads, strict=True):
                    p.grad = g
                opt_d.step()
                terms = (recon, kl, adv, task, penalty, d_loss)
                history[epoch] += np.array([float(t.detach()) for t in terms]) / steps
        return history

    # -- after fitting ---------------------------------------------------------------------
    def encode(self, images) -> np.ndarray:
        """Posterior means ``(n, n_latent)`` of ``images`` (deterministic)."""
        check_fitted(self, "encoder_", _HOW)
        return encode_in_chunks(self.encoder_, as_images(images, self.image_size_), self.n_threads)

    def decode(self, latents) -> np.ndarray:
        """Images ``(n, S, S, 3)`` in [0, 1] from latent codes ``(n, n_latent)``."""
        check_fitted(self, "generator_", _HOW)
        z = torch.from_numpy(self._latents(latents).astype(np.float32))
        with torch_threads(self.n_threads), torch.no_grad():
            parts = [
                self.generator_(z[i : i + ENCODE_CHUNK]) for i in range(0, z.shape[0], ENCODE_CHUNK)
            ]
        size = self.image_size_
        x = torch.cat(parts).numpy() if parts else np.zeros((0, 3, size, size), np.float32)
        return x.transpose(0, 2, 3, 1).astype(np.float32)

    def task_outputs(self, latents) -> np.ndarray:
        """The heads' outputs ``(n, K, O)`` of latent codes: presence logit, then standardised
        attributes (padded with 0 beyond each task's ``output_dims_[k]``)."""
        check_fitted(self, "head_weights_", _HOW)
        z = self._latents(latents)
        w = self.head_weights_ * self.task_mask_[:, None, :]  # (K, O, L)
        return np.einsum("nl,kol->nko", z, w) + self.head_bias_

    def task_logits(self, latents) -> np.ndarray:
        """The heads' presence logits ``(n, K)`` of latent codes."""
        return self.task_outputs(latents)[:, :, 0]

    def predict_values(self, latents) -> list[np.ndarray]:
        """The heads' attribute predictions in the units of ``values``: ``[(n, a_k)]``."""
        out = self.task_outputs(latents)
        return [
            out[:, k, 1:d] * self.value_scale_[k] + self.value_mean_[k]
            for k, d in enumerate(self.output_dims_)
        ]

    def relevant_latents(self) -> list[np.ndarray]:
        """Per task, the support of its head's mean absolute Jacobian (``task_sensitivity_``)
        under the package's rule (:func:`specialist.models._common.support_from_sensitivity`)."""
        check_fitted(self, "task_sensitivity_", _HOW)
        return support_from_sensitivity(self.task_sensitivity_, self.threshold)

    def support_matrix(self) -> np.ndarray:
        """Boolean ``(K, n_latent)``: :meth:`relevant_latents` as a matrix."""
        return support_matrix(self.relevant_latents(), self.n_latent)

    def edit_latents(
        self, latents, task: int, target_logit: float | None = None, max_step: float = 5.0
    ) -> np.ndarray:
        """The *direction edit* (no donor): move each code along the head's presence
        direction restricted to the support, ``d_k = m_k * W_k[0]`` on
        :meth:`relevant_latents`, until the presence logit reaches ``target_logit``.

        ``target_logit`` defaults to the median logit of the training images that have the
        task (``target_logits_``). The move is at most ``max_step`` long (latents have unit
        prior scale). Codes whose logit already exceeds the target are left unchanged, and
        coordinates outside the support never move.
        """
        check_fitted(self, "task_mask_", _HOW)
        task = self._task(task)
        max_step = check_real("max_step", max_step, 0.0, math.inf)
        if target_logit is None:
            target_logit = float(self.target_logits_[task])
        z = self._latents(latents)
        support = np.zeros(self.n_latent, dtype=bool)
        support[self.relevant_latents()[task]] = True
        full = self.task_mask_[task] * self.head_weights_[task, 0]
        direction = np.where(support, full, 0.0)
        norm = float(np.linalg.norm(direction))
        gain = float(direction @ full)  # logit change per unit step along `direction`
        if norm == 0 or gain <= 0:
            return z.copy()  # the head reads no latent: nothing to move
        logit = self.task_logits(z)[:, task]
        step = np.minimum(np.maximum(target_logit - logit, 0.0) / gain, max_step / norm)
        return z + step[:, None] * direction[None]


# --------------------------------------------------------------------------- helpers
