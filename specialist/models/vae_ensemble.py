"""The batched ensemble behind :class:`~specialist.models.vae.SparseTaskVAE`: ``E`` VAEs with
task heads and masks evaluated together with batched matrix products, and the Adam loop that
trains them (each member follows exactly the updates it would follow alone).

:meth:`~specialist.models.vae.SparseTaskVAE.fit_path` trains models that differ only in their penalty side by side as
one batched ensemble (every layer is a batched matrix product over members). Members share the
initialisation, the mini-batches and the noise draws of ``seed``, and their losses are summed,
so each member follows exactly the updates it would follow if trained alone (Adam acts element
by element); only the wall time is shared.

Backs
-----
fig4_sportshhi, fig5_l1_ablation, fig5_l1_path
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from specialist.models._common import mean_and_scale, resolve_device, rng_devices, torch_threads

#: the loss terms of ``loss_history_``
LOSS_TERMS = ("total", "recon", "kl", "task", "penalty")

_GAMMA, _ZETA, _TEMP = -0.1, 1.1, 2.0 / 3.0  # hard-concrete stretch interval and temperature


#: the networks' floating-point type, single precision (these networks are small and well scaled)
DTYPE = torch.float32


def as_tensor(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))


def linear_init(gen: torch.Generator, d_in: int, d_out: int, lead=()) -> tuple:
    """PyTorch's default ``Linear`` initialisation, U(-1/sqrt(d_in), 1/sqrt(d_in)), drawn from
    ``gen`` with extra leading dimensions ``lead``."""
    bound = 1.0 / math.sqrt(d_in)
    w = (torch.rand((*lead, d_in, d_out), generator=gen, dtype=DTYPE) * 2 - 1) * bound
    b = (torch.rand((*lead, 1, d_out), generator=gen, dtype=DTYPE) * 2 - 1) * bound
    return w, b


class VAEEnsemble(nn.Module):
    """``E`` VAEs with task heads and masks, evaluated together with batched matrix products.

    Parameters have a leading member axis ``E``; the heads also fold the task axis into it
    (``E * M`` heads). Every member starts from the same initialisation (drawn once from
    ``gen``), so members differ only through their penalties.
    """

    def __init__(self, n_members, n_obs, n_latent, n_tasks, d_task, hidden, steps, gens, gates):
        super().__init__()
        # members come in groups, one per generator in ``gens`` (one data set each); every
        # member of a group starts from the group's initialisation, drawn from its generator
        # in the order a one-group ensemble draws it
        n_groups = len(gens)
        if n_members % n_groups:
            raise ValueError(f"{n_members} members do not split into {n_groups} equal groups")
        per = n_members // n_groups
        self.n_members, self.n_latent, self.n_tasks = n_members, n_latent, n_tasks
        shapes = (
            (n_obs, hidden), (hidden, hidden), (hidden, 2 * n_latent),  # encoder
            (n_latent, hidden), (hidden, hidden), (hidden, n_obs),  # decoder
        )  # fmt: skip
        draws = []
        for gen in gens:
            layers = [t for d_in, d_out in shapes for t in linear_init(gen, d_in, d_out)]
            w1, _ = linear_init(gen, n_latent * steps, hidden, (n_tasks,))
            w2, _ = linear_init(gen, hidden, d_task, (n_tasks,))
            draws.append((*layers, w1, w2))

        def stacked(j: int) -> torch.Tensor:  # (E, ...): each group's draw, once per member
            return torch.stack([d[j] for d in draws]).repeat_interleave(per, dim=0)

        self.layers = nn.ParameterList([nn.Parameter(stacked(j)) for j in range(2 * len(shapes))])
        self.w1 = nn.Parameter(stacked(2 * len(shapes)).flatten(0, 1))
        self.b1 = nn.Parameter(torch.zeros(n_members * n_tasks, 1, hidden, dtype=DTYPE))
        self.w2 = nn.Parameter(stacked(2 * len(shapes) + 1).flatten(0, 1))
        self.b2 = nn.Parameter(torch.zeros(n_members * n_tasks, 1, d_task, dtype=DTYPE))
        self.register_buffer("gates", torch.as_tensor(gates, dtype=torch.bool))
        # l1: the mask itself (theta >= 0, kept there by the proximal step of ``optimise``);
        # l0: the gates' log-alpha (open with p ~ 0.95 at start)
        start = torch.where(self.gates, 2.0, 1.0).to(DTYPE)
        self.theta = nn.Parameter(start[:, None, None].expand(-1, n_tasks, n_latent).clone())

    def _mlp(self, x: torch.Tensor, first: int) -> torch.Tensor:
        # x (E, ..., d) -> (E, ..., d_out) through layers first..first+2 (SiLU between)
        shape = x.shape
        h = x.reshape(shape[0], -1, shape[-1])
        for j in range(3):
            w, b = self.layers[2 * (first + j)], self.layers[2 * (first + j) + 1]
            h = torch.baddbmm(b, h, w)
            if j < 2:
                h = nn.functional.silu(h)
        return h.reshape(*shape[:-1], h.shape[-1])

    def encode(
        self, o: torch.Tensor, per_member: bool = False
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``o`` (B, ..., n_obs), shared by all members, or with ``per_member`` one batch per
        member (E, B, ..., n_obs) -> mu, logvar (E, B, ..., L)."""
        x = o if per_member else o.unsqueeze(0).expand(self.n_members, *o.shape)
        return self._mlp(x, 0).chunk(2, dim=-1)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self._mlp(z, 3)

    def mask(self, sample: bool = False, generator=None, batch: int = 1) -> torch.Tensor:
        """``(E, M, 1, L)``; while training with gates, ``(E, M, batch, L)`` (one draw per sample)."""
        # the mask entries are non-negative (``optimise``'s proximal step keeps them so); the
        # clamp passes the gradient at exactly 0, so an entry set to 0 can reopen when the
        # smooth loss's gradient outweighs the penalty
        plain = self.theta.clamp(min=0.0).unsqueeze(2)
        if not bool(self.gates.any()):
            return plain
        if sample:  # one draw per group (a generator each), shared by the group's members
            gens = generator if isinstance(generator, list | tuple) else [generator]
            shape = (self.n_tasks, batch, self.n_latent)
            u = torch.stack([torch.rand(shape, generator=g, dtype=self.theta.dtype) for g in gens])
            u = u.to(self.theta.device)  # drawn on the CPU by the group's generator
            u = u.repeat_interleave(self.n_members // len(gens), dim=0).clamp(1e-6, 1 - 1e-6)
            s = torch.sigmoid((u.log() - (-u).log1p() + self.theta.unsqueeze(2)) / _TEMP)
        else:
            s = torch.sigmoid(self.theta).unsqueeze(2)
        gate = (s * (_ZETA - _GAMMA) + _GAMMA).clamp(0.0, 1.0)
        return torch.where(self.gates[:, None, None, None], gate, plain)

    def open_probability(self) -> torch.Tensor:
        """P(gate > 0) of every hard-concrete gate, ``(E, M, L)``."""
        return torch.sigmoid(self.theta - _TEMP * math.log(-_GAMMA / _ZETA))

    def head_inputs(self, z: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Masked latents ``(E * M, B, steps * L)`` from ``z`` (E, B, [T,] L), ``mask`` (E, M, B|1, L)."""
        if z.dim() == 4:  # sequences: the same mask on every step
            x = z.unsqueeze(1) * mask.unsqueeze(3)  # (E, M, B, T, L)
            x = x.flatten(start_dim=3)
        else:
            x = z.unsqueeze(1) * mask  # (E, M, B, L)
        return x.flatten(0, 1)

    def heads(self, z: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Task outputs ``(E, M, B, d_task)``."""
        h = torch.baddbmm(self.b1, self.head_inputs(z, mask), self.w1)
        out = torch.baddbmm(self.b2, nn.functional.silu(h), self.w2)
        return out.reshape(self.n_members, self.n_tasks, *out.shape[1:])

    def sensitivity(self, z: torch.Tensor, task_dims) -> torch.Tensor:
        """Mean ``|d y_hat_k / d z_j| * sd(z_j)`` over rows and task outputs: ``(E, M, L)``.

        Analytic for the two-layer heads: ``dy_o / dx_i = sum_h w2[h, o] silu'(a_h) w1[i, h]``
        and ``dx_i / dz_j = m_j`` for the inputs ``x_i`` that carry latent ``j`` (one per step).
        """
        mask = self.mask()
        x = self.head_inputs(z, mask)  # (E*M, B, I)
        a = torch.baddbmm(self.b1, x, self.w1)  # (E*M, B, H)
        sig = torch.sigmoid(a)
        slope = sig * (1 + a * (1 - sig))
        jac = torch.einsum("nbh,nih,nho->nboi", slope, self.w1, self.w2)  # (E*M, B, O, I)
        jac = jac.reshape(self.n_members, self.n_tasks, *jac.shape[1:3], -1, self.n_latent)
        jac = jac * mask.squeeze(2)[:, :, None, None, None, :]  # chain rule through the mask
        spread = z.reshape(self.n_members, -1, self.n_latent).std(dim=1)  # (E, L)
        out = []
        for k, d in enumerate(task_dims):  # padded outputs are not part of the task
            per_latent = jac[:, k, :, :d].abs().sum(dim=3)  # summed over steps: (E, B, d, L)
            out.append(per_latent.mean(dim=(1, 2)) * spread)
        return torch.stack(out, dim=1)

    def member(self, e: int) -> VAEEnsemble:
        """A one-member ensemble holding a copy of member ``e``'s parameters."""
        one = VAEEnsemble.__new__(VAEEnsemble)
        nn.Module.__init__(one)
        one.n_members, one.n_latent, one.n_tasks = 1, self.n_latent, self.n_tasks
        one.layers = nn.ParameterList(
            [nn.Parameter(p.detach()[e : e + 1].clone(), requires_grad=False) for p in self.layers]
        )
        m = self.n_tasks
        for name in ("w1", "b1", "w2", "b2"):
            value = getattr(self, name).detach()[e * m : (e + 1) * m].clone()
            setattr(one, name, nn.Parameter(value, requires_grad=False))
        one.register_buffer("gates", self.gates[e : e + 1].clone())
        one.theta = nn.Parameter(self.theta.detach()[e : e + 1].clone(), requires_grad=False)
        return one.eval()


def optimise(model, net, o, y_t, valid_t, l1s, l0s, gens) -> np.ndarray:
    """Adam on the summed member losses of ``model``'s settings (a :class:`~specialist.models.vae.SparseTaskVAE`). ``o`` (G, n, ...) and ``y_t`` (G, M, n, d) hold
    one data set per group, ``gens`` each group's three generators."""
    n_groups, n = o.shape[0], o.shape[1]
    per = net.n_members // n_groups
    learn = (l1s > 0) | (l0s > 0)
    gated = bool((l0s > 0).any())
    proximal = bool((l1s > 0).any())
    # the mask (or gate) parameters travel far (from open to 0) and are few: a larger step
    rest = [p for p in net.parameters() if p is not net.theta]
    opt = torch.optim.Adam(
        [{"params": rest}, {"params": [net.theta], "lr": model.lr * model.mask_lr_scale}],
        lr=model.lr,
        foreach=True,  # one update of all parameters per step (the same Adam, fewer calls)
    )
    batch = min(model.batch_size, n)
    steps_per_epoch = max(1, n // batch)
    total = model.epochs * steps_per_epoch
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total, eta_min=0.1 * model.lr)
    inv2var = 1.0 / (2.0 * model.noise_var)
    n_members = net.n_members
    history = np.zeros((model.epochs, n_members, len(LOSS_TERMS)))
    warmup = model.l1_warmup * total  # the ℓ1 weight ramps up linearly over these steps
    # the random draws are made on the CPU by the seeded generators, then moved to the device
    device = o.device
    group_rows = torch.arange(n_groups, device=device)[:, None]
    for epoch in range(model.epochs):
        orders = torch.stack([torch.randperm(n, generator=g[0]) for g in gens]).to(device)
        for step in range(steps_per_epoch):
            done = epoch * steps_per_epoch + step
            l1_now = l1s * (min(1.0, done / warmup) if warmup > 0 else 1.0)
            idx = orders[:, step * batch : (step + 1) * batch]  # (G, B)
            ob = o[group_rows, idx].repeat_interleave(per, dim=0)  # (E, B, [T,] d)
            yb = torch.stack([y_t[j][:, rows] for j, rows in enumerate(idx)])  # (G, M, B, d)
            yb = yb.repeat_interleave(per, dim=0)  # (E, M, B, d)
            mu, logvar = net.encode(ob, per_member=True)  # (E, B, [T,] L)
            eps = torch.stack(
                [torch.randn(mu.shape[1:], generator=g[1], dtype=mu.dtype) for g in gens]
            )
            eps = eps.to(device).repeat_interleave(per, dim=0)  # the same for a group's members
            z = mu + torch.exp(0.5 * logvar) * eps
            dims = tuple(range(2, mu.dim()))  # feature (and step) axes
            recon = ((net.decode(z) - ob) ** 2).sum(dim=dims).mean(dim=1) * inv2var
            kl = (0.5 * (mu**2 + logvar.exp() - 1.0 - logvar)).sum(dim=dims).mean(dim=1)
            gate_gens = [g[2] for g in gens]
            pred = net.heads(z, net.mask(sample=True, generator=gate_gens, batch=idx.shape[1]))
            task = (((pred - yb) ** 2) * valid_t).sum(dim=(1, 3)).mean(dim=1) * inv2var
            # the ℓ1 term is not differentiated: the proximal step below applies it
            penalty = l1_now * net.theta.detach().clamp(min=0.0).sum(dim=(1, 2))
            if gated:
                penalty = penalty + l0s * net.open_probability().sum(dim=(1, 2))
            heads = net.w1.reshape(n_members, -1).pow(2).sum(1) + net.w2.reshape(n_members, -1).pow(
                2
            ).sum(1)
            loss = recon + model.beta * kl + model.task_weight * task + penalty
            loss = loss + model.head_decay * heads
            opt.zero_grad(set_to_none=True)
            loss.sum().backward()  # members share no parameter: each gets its own gradient
            net.theta.grad[~learn] = 0.0  # the generalist's mask stays at 1
            opt.step()
            if proximal:
                proximal_l1(opt, net.theta, l1_now, l1s > 0)
            sched.step()
            terms = torch.stack([loss, recon, kl, task, penalty], dim=1).detach().cpu().numpy()
            history[epoch] += terms / steps_per_epoch
    return history


def proximal_l1(
    opt: torch.optim.Adam, theta: torch.Tensor, l1s: torch.Tensor, members: torch.Tensor
) -> None:
    """The ℓ1 penalty ``l1 * sum(theta)`` on the non-negative mask ``theta`` (E, M, L) as a
    proximal step after an Adam step, preconditioned like Adam:
    ``theta <- max(theta - eta * l1 / (sqrt(v_hat) + eps), 0)`` with the mask's current learning
    rate ``eta`` and Adam's bias-corrected second moment ``v_hat`` of the smooth loss's
    gradient, for the members flagged in ``members`` (E,) (the others are left alone; a
    flagged member with ``l1 = 0``, during the warm-up, is only kept non-negative). Unlike a (sub)gradient step on the
    penalty, which leaves unused entries small and oscillating, it sets them exactly to 0; an
    entry stays open only where the smooth loss's gradient outweighs ``l1``."""
    group = next(g for g in opt.param_groups if any(p is theta for p in g["params"]))
    state = opt.state[theta]
    beta2, eps = group["betas"][1], group["eps"]
    v_hat = state["exp_avg_sq"] / (1.0 - beta2 ** float(state["step"]))
    with torch.no_grad():
        tau = group["lr"] * l1s[:, None, None] / (v_hat.sqrt() + eps)
        shrunk = (theta - tau).clamp(min=0.0)
        theta.copy_(torch.where(members[:, None, None], shrunk, theta))


#: rows of the codes on which the heads' Jacobians are averaged
JACOBIAN_ROWS = 2048


@dataclass(frozen=True)
class TrainedEnsemble:
    """What :func:`train_groups` returns: the trained ensemble, its loss history ``(epochs, E,
    terms)``, every member's mask ``(E, M, L)`` and head sensitivities ``(E, M, L)``, and the
    shapes and standardisation of each group's data (``stats[j] = (obs_mean, obs_std,
    [(task_mean, task_std), ...])``)."""

    network: VAEEnsemble
    history: np.ndarray
    masks: np.ndarray
    sensitivity: np.ndarray
    n_steps: int | None
    task_dims: tuple[int, ...]
    stats: list


def train_groups(model, groups, penalties) -> TrainedEnsemble:
    """Train one ensemble for ``model``'s settings (a
    :class:`~specialist.models.vae.SparseTaskVAE`): per ``(observations, task blocks, seed)``
    group, one member per ``(l1, l0)`` pair of ``penalties``, members ordered group by group.
    Each group's data are standardised on their own, and each group draws its
    initialisation, mini-batches and noise from its own seed exactly as a one-group ensemble
    does, so a group's members do not depend on the other groups."""
    obs0, blocks0, _ = groups[0]
    n, n_tasks = obs0.shape[0], len(blocks0)
    d_task = max(b.shape[1] for b in blocks0)
    steps = obs0.shape[1] if obs0.ndim == 3 else None
    task_dims = tuple(b.shape[1] for b in blocks0)
    for obs, blocks, _ in groups[1:]:
        if obs.shape != obs0.shape or tuple(b.shape[1] for b in blocks) != task_dims:
            raise ValueError(
                "data sets trained together need the same shapes: observations "
                f"{obs0.shape} and task sizes {task_dims}, got {obs.shape} and "
                f"{tuple(b.shape[1] for b in blocks)}"
            )
    o_all, y_all, stats = [], [], []
    for obs, blocks, _ in groups:
        obs_mean, obs_std = mean_and_scale(obs.reshape(-1, obs.shape[-1]))
        y = np.zeros((n_tasks, n, d_task))
        task_stats = []
        for k, b in enumerate(blocks):
            mean, std = mean_and_scale(b)
            task_stats.append((mean, std))
            y[k, :, : b.shape[1]] = (b - mean) / std
        o_all.append(as_tensor((obs - obs_mean) / obs_std))
        y_all.append(as_tensor(y))
        stats.append((obs_mean, obs_std, task_stats))
    valid = np.zeros((n_tasks, 1, d_task))
    for k, d in enumerate(task_dims):
        valid[k, 0, :d] = 1.0
    per = len(penalties)
    l1s = torch.tensor([p[0] for p in penalties] * len(groups), dtype=DTYPE)
    l0s = torch.tensor([p[1] for p in penalties] * len(groups), dtype=DTYPE)
    o, y_t = torch.stack(o_all), torch.stack(y_all)  # (G, n, ...), (G, M, n, d)
    device = resolve_device(model.device)
    with torch_threads(model.n_threads), torch.random.fork_rng(devices=rng_devices(device)):
        torch.manual_seed(groups[0][2])
        gens = [[torch.Generator().manual_seed(s) for s in generator_seeds(g[2])] for g in groups]
        net = VAEEnsemble(
            per * len(groups), obs0.shape[-1], model.n_latent, n_tasks, d_task, model.hidden,
            steps or 1, [g[0] for g in gens], gates=(l0s > 0).tolist(),
        ).to(device)  # fmt: skip
        o, y_t, valid_t, l1s, l0s = (t.to(device) for t in (o, y_t, as_tensor(valid), l1s, l0s))
        history = optimise(model, net, o, y_t, valid_t, l1s, l0s, gens)
        net.eval()
        with torch.no_grad():
            picks = [torch.randperm(n, generator=g[0])[:JACOBIAN_ROWS] for g in gens]
            rows = torch.stack([o[j, pick.to(device)] for j, pick in enumerate(picks)])
            mu, _ = net.encode(rows.repeat_interleave(per, dim=0), per_member=True)
            sensitivity = net.sensitivity(mu, task_dims).cpu().numpy().astype(float)
            masks = net.mask().squeeze(2).cpu().numpy().astype(float)
    net.to("cpu")  # the fitted model predicts on the CPU (module docstring of ``_common``)
    return TrainedEnsemble(net, history, masks, sensitivity, steps, task_dims, stats)


def generator_seeds(seed: int) -> list[int]:
    """Three independent torch seeds (mini-batch order, latent noise, gate noise) from ``seed``."""
    return [int(s) for s in np.random.SeedSequence(seed).generate_state(3)]


def task_blocks(tasks, n: int) -> list[np.ndarray]:
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
