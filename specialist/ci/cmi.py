"""Neural conditional-mutual-information (CMI) test: a MINE critic with a local-permutation null.

The paper names a neural CMI test without details; everything below is our reconstruction.
(Fig. 4 runs Algorithm 1 on learned latents with Fisher-z; it may use this test later.)

Estimator: Donsker–Varadhan (MINE), not InfoNCE
    For each query ``X ⟂ Y | Z`` a critic ``T(x, y, z)`` (one hidden ReLU layer) is trained on a
    *train* split to maximise the Donsker–Varadhan bound (Belghazi et al., 2018)

    ``KL(P ‖ Q) ≥ E_P[T] − log E_Q[e^T]``,

    with ``P`` the joint sample ``(x_i, y_i, z_i)`` and ``Q`` the same sample with ``x`` permuted
    *locally*, among samples with nearby ``z`` (see "Local permutations"). Under ``Q`` the
    blocks follow ``q(x | z) p(y, z)``, so ``KL(P ‖ Q)`` is the CMI ``I(X; Y | Z)`` plus a small
    bias from ``q(x | z) ≠ p(x | z)`` that vanishes as neighbourhoods shrink. Gradients use
    MINE's moving-average correction of ``log E_Q[e^T]`` (rate ``ema_rate``). We chose DV over
    InfoNCE because InfoNCE is capped at ``log(batch size)`` and needs ``batch²`` critic
    evaluations per step (every ``x`` against every ``(y, z)``) where DV needs ``2 × batch``,
    and because DV scores ``T`` on single samples, which makes the permutation null cheap: the
    first layer is linear, so permuting ``y`` only permutes the rows of ``y W_y`` and one null
    statistic costs one ReLU and one dot product per held-out sample.

Statistic and conditional null (a valid p-value)
    The critic is frozen after training. On the held-out split the statistic is the DV estimate
    ``mean_i T(x_i, y_i, z_i) − log mean exp T(x_ρ(i), y_i, z_i)`` (``ρ``: local permutations of
    ``x``). Its null: the same on ``B = n_permutations`` copies of the held-out split in which
    ``y`` is locally permuted among samples with nearby ``z`` (a fresh permutation each time);
    ``p = (1 + #{null ≥ observed}) / (1 + B)``. This is valid because (i) the critic never saw
    the held-out split, so given the critic the held-out samples are fresh draws scored by a
    fixed function; (ii) under ``H0: X ⟂ Y | Z``, permuting ``y`` among samples with
    (approximately) the same ``z`` leaves the distribution of the data set unchanged (exactly
    so if ``p(y | z)`` is constant within each neighbourhood), so the observed statistic is
    exchangeable with the null ones. The ``log E_Q`` term is computed once and shared by all
    of them, so the comparison is that of ``mean_i T``; sharing it removes noise, not validity.

    Two choices keep the approximation in (ii) from inflating false positives (measured on the
    collider data of :mod:`specialist.simulate.collider`, Algorithm 1 at T = 20, M = 4,
    n = 10,000):

    * *the critic is trained with x permuted, the null permutes y.* A local permutation leaves
      a small ``y``–``z`` mismatch; a critic trained against "``y`` permuted among neighbours"
      learns to spot it even under ``H0`` (its optimum is then a function of ``(y, z)``), and a
      null that permutes ``y`` again then rejects almost every true ``H0`` (false-positive rate
      ≈ 1 in our runs). Trained against permuted ``x``, the ``H0`` optimum is a function of
      ``(x, z)`` only, which permuting ``y`` does not change. Under the alternative the critic
      uses ``y`` to recognise the matched ``x``, and permuting ``y`` destroys that.
    * *x and y are residualised on z* (:func:`~specialist.ci.local_null.residualize`: ridge
      regression on random ReLU features of ``z``, fitted on the train split) before the
      critic sees them. A finite
      critic otherwise uses ``y`` as a cheap proxy for a nonlinear function of ``z``, which the
      local permutation degrades (false-positive rate ≈ 0.2 at ``p < 0.05`` in our runs).
      Permuting residuals among neighbours is a shift-corrected local permutation: the
      mismatch ``m(z_i) − m(z_j)`` shrinks to the regression error's ``e(z_i) − e(z_j)``.
      Because ``(y, z) ↦ (y − m(z), z)`` is invertible, the hypothesis is unchanged.

    With both, the defaults (``k_neighbors = 5``, tigramite's default) gave a false-positive
    rate of 0.047 over 654 truly independent pairs and a power of 0.60 over 426 dependent ones
    (6 data sets, 4 nonlinear and 2 linear; Fisher-z on the nonlinear ones: 0.13 false
    positives). Without the residualisation, and with ``k_neighbors = 10``, the rates were
    about 0.2 and 0.07.

Local permutations (our variant of tigramite's CMIknn shuffle)
    Tigramite permutes ``y`` among each sample's ``k`` nearest neighbours in ``z`` with a
    sequential greedy draw. We cut the standardised ``z`` of each split into cells of
    ``k_neighbors`` (or a few more) samples by balanced median splits on the coordinate of
    largest variance (the leaves of a balanced k-d tree,
    :func:`~specialist.ci.local_null.local_cells`) and permute within cells
    (:func:`~specialist.ci.local_null.local_permutations`). This gives true permutations (no
    duplicated ``y``), is vectorised (one sort of ``B × n`` random keys per query, no Python loop over samples), and
    is an exact stratified permutation test when ``p(y | z)`` is constant within cells. Without a
    conditioning variable there is one cell: a plain permutation, and the test is exact.

Batching and determinism
    :meth:`NeuralCMI.test_many` trains the critics of all its uncached queries together, one
    batched network per input layout (weights ``(Q, d, h)``, ``torch.bmm``); each query's loss
    enters a sum, so its gradient and Adam state are its own. Every random choice of a query
    (regression features, critic initialisation, minibatches, permutations) comes from a
    generator seeded by ``seed`` and a hash of the canonical query, so a query's result is the
    same, bit for bit, alone or in any batch (for a fixed ``n_threads``): training runs on one
    thread with the batch padded to a multiple of 32 critics, so that no query meets another
    kernel or SIMD tail than in any other batch (see ``NeuralCMI._run``). The subsample
    (``max_samples``) and the train/held-out split depend on ``seed`` only.

Backs
-----
fig3_nonlinear (Algorithm 1 on nonlinear data), tab2_runtime (cost of the CMI variant)
"""

from __future__ import annotations

import copy
import hashlib
import sys
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from specialist._extras import require
from specialist.ci.base import CIResult, CITest, Query, canonical_query
from specialist.ci.local_null import local_cells, local_permutations, residualize
from specialist.validate import check_int, check_real

#: local permutations of ``x`` averaged in the ``log E_Q[e^T]`` term of the held-out statistic
_N_MARGINAL = 10
#: training batches hold a multiple of this many critics (see NeuralCMI._run)
_ALIGN = 32
#: elements of the largest intermediate tensor of the held-out evaluation (float32, 16 MB)
_CHUNK_ELEMENTS = 1 << 22


def query_seed(seed: int, query: Query) -> np.random.SeedSequence:
    """The seed sequence of one canonical query: ``seed`` plus a stable hash of the query.

    Python's ``hash`` is salted per process, so the query's ``repr`` goes through BLAKE2b.
    """
    digest = hashlib.blake2b(repr(query).encode(), digest_size=16).digest()
    return np.random.SeedSequence([seed, *np.frombuffer(digest, dtype=np.uint32).tolist()])


@dataclass
class _Prepared:
    """Everything one query needs, built before any training (its own randomness included)."""

    query: Query
    width: int  # columns of x, y and z together
    p: int  # columns of x (first), then q columns of y, then z
    q: int
    rng: np.random.Generator
    train: np.ndarray  # (n_train, width) float32, x and y residualised on z
    test: np.ndarray  # (n_test, width) float32, likewise (with the train regression)
    train_cells: np.ndarray
    test_cells: np.ndarray


class NeuralCMI(CITest):
    """Conditional-independence test by a neural CMI estimate (MINE / Donsker–Varadhan).

    For nonlinear or higher-dimensional data where :class:`~specialist.ci.fisherz.FisherZ`'s linear
    model does not hold. See the module docstring for the estimator, why its p-values are
    valid, and the batching.

    Parameters
    ----------
    seed : int >= 0
        Fixes the subsample, the train/held-out split and, with each query's hash, every random
        choice of that query.
    hidden : int >= 1
        Width of the critic's hidden ReLU layer.
    n_steps : int >= 1
        Adam steps of every critic.
    lr : float > 0
        Adam learning rate.
    batch_size : int >= 2
        Joint samples per step (as many permuted ones are added); capped at the train split
        size.
    n_permutations : int >= 1
        Null statistics per query (``B``); the smallest attainable p-value is ``1 / (1 + B)``.
    k_neighbors : int >= 2
        Samples per local-permutation cell (k-d tree leaf) in ``z``.
    test_fraction : float in (0, 1)
        Share of the (subsampled) data held out for the statistic and its null.
    max_samples : int >= 4 or None
        Use a random subsample of at most this many rows (drawn once per
        :meth:`~specialist.ci.base.CITest.fit` from
        ``seed``), for speed; ``None`` uses all rows. The default is the paper's sample size:
        Algorithm 1's 180 queries at ``n = 10,000`` take about 20 s on 2 CPU cores
        (``tests/benchmarks/bench_cmi.py``); the held-out null costs ``O(B n hidden)`` per
        query.
    ema_rate : float in (0, 1]
        Rate of MINE's moving average of ``E_Q[e^T]`` (1 = no correction, plain DV gradient).
    n_threads : int >= 1 or None
        torch intra-op threads for the held-out evaluation (restored afterwards); ``None``
        keeps torch's current setting. Training always runs on one thread (see the module
        docstring, "Batching and determinism").
    progress : bool or None
        Show a tqdm bar over training steps; default only when stderr is a terminal.

    Backs
    -----
    fig3_nonlinear, tab2_runtime
    """

    name = "cmi"

    def __init__(
        self,
        seed: int = 0,
        hidden: int = 32,
        n_steps: int = 200,
        lr: float = 3e-3,
        batch_size: int = 256,
        n_permutations: int = 100,
        k_neighbors: int = 5,
        test_fraction: float = 0.5,
        max_samples: int | None = 10_000,
        ema_rate: float = 0.01,
        n_threads: int | None = None,
        progress: bool | None = None,
    ) -> None:
        super().__init__()
        self.seed = check_int("seed", seed, 0)
        self.hidden = check_int("hidden", hidden, 1)
        self.n_steps = check_int("n_steps", n_steps, 1)
        self.lr = check_real("lr", lr, 0.0, np.inf)
        self.batch_size = check_int("batch_size", batch_size, 2)
        self.n_permutations = check_int("n_permutations", n_permutations, 1)
        self.k_neighbors = check_int("k_neighbors", k_neighbors, 2)
        self.test_fraction = check_real("test_fraction", test_fraction, 0.0, 1.0)
        self.max_samples = None if max_samples is None else check_int("max_samples", max_samples, 4)
        self.ema_rate = check_real("ema_rate", ema_rate, 0.0, 1.0, closed_high=True)
        self.n_threads = None if n_threads is None else check_int("n_threads", n_threads, 1)
        if progress is not None and not isinstance(progress, bool):
            raise TypeError(f"progress must be True, False or None, got {progress!r}")
        self.progress = progress

    # -- resolution of the permutation null --------------------------------------------------
    @property
    def min_pvalue(self) -> float:
        """``1 / (1 + n_permutations)``, the smallest p-value the permutation null can give."""
        return 1.0 / (1 + self.n_permutations)

    def _resolution_error(self, threshold: float, context: str) -> ValueError:
        import math

        # 1 / (B + 1) < threshold  <=>  B > 1 / threshold - 1
        needed = math.floor(1.0 / threshold)
        if not 1.0 / (needed + 1) < threshold:  # rounding at an exact reciprocal
            needed += 1
        return ValueError(
            f"NeuralCMI: n_permutations={self.n_permutations} gives a smallest p-value of "
            f"1/(n_permutations + 1) = {self.min_pvalue:.4g}, which cannot fall below the "
            f"threshold {threshold:.4g}" + (f" of {context}" if context else "") + "; use "
            f"n_permutations >= {needed} (or a rule or correction with a larger threshold)"
        )

    # -- data ------------------------------------------------------------------------------
    def _fit(self, variables: Mapping[Hashable, np.ndarray]) -> None:
        require("torch", "models", "NeuralCMI")  # its critics are torch networks
        self._train: dict[Hashable, np.ndarray] = {}  # until fit succeeds, no query is served
        self._heldout: dict[Hashable, np.ndarray] = {}
        n = next(iter(variables.values())).shape[0]
        rng = np.random.default_rng(np.random.SeedSequence([self.seed, 0x5EED]))
        rows = np.arange(n)
        if self.max_samples is not None and n > self.max_samples:
            rows = np.sort(rng.choice(n, self.max_samples, replace=False))
        n_used = rows.size
        n_test = int(round(self.test_fraction * n_used))
        n_train = n_used - n_test
        need = 2 * self.k_neighbors
        if min(n_train, n_test) < need:
            raise ValueError(
                f"NeuralCMI: n = {n_used} samples give a train split of {n_train} and a held-out "
                f"split of {n_test} (test_fraction = {self.test_fraction}); each split needs at "
                f"least 2 * k_neighbors = {need} samples. Use more samples, a smaller "
                "k_neighbors, or a test_fraction closer to 0.5."
            )
        shuffled = rows[rng.permutation(n_used)]
        test_rows, train_rows = np.sort(shuffled[:n_test]), np.sort(shuffled[n_test:])
        for key, block in variables.items():
            used = block[rows]
            std = used.std(axis=0)
            # a constant column carries no information; leave it at 0 instead of dividing by 0
            scaled = (block - used.mean(axis=0)) / np.where(std > 0, std, 1.0)
            self._train[key] = scaled[train_rows].astype(np.float32)
            self._heldout[key] = scaled[test_rows].astype(np.float32)
        self._n_train, self._n_test = n_train, n_test

    def _check(self, query: Query) -> Query:
        x, y, z = query
        known = getattr(self, "_train", {})
        if x in known and y in known and all(v in known for v in z):
            return query
        return super()._check(query)

    # -- queries ---------------------------------------------------------------------------
    def _test(self, x: Hashable, y: Hashable, z: tuple[Hashable, ...]) -> CIResult:
        return self._run([(x, y, z)])[0]

    def test_many(
        self, queries: Sequence[tuple[Hashable, Hashable, Iterable[Hashable]]]
    ) -> list[CIResult]:
        """Answer ``queries`` in order; the critics of all uncached ones train as one batch."""
        canonical = [self._check(canonical_query(x, y, z)) for x, y, z in queries]
        todo = [q for q in dict.fromkeys(canonical) if q not in self._cache]
        if todo:
            self._cache.update(zip(todo, self._run(todo), strict=True))
        return [self._cache[q] for q in canonical]

    def _prepare(self, query: Query) -> _Prepared:
        x, y, z = query
        names = (x, y, *z)
        train = np.hstack([self._train[v] for v in names])
        test = np.hstack([self._heldout[v] for v in names])
        p, q = self._train[x].shape[1], self._train[y].shape[1]
        rng = np.random.default_rng(query_seed(self.seed, query))
        train, test = residualize(train, test, p + q, rng)
        return _Prepared(
            query=query,
            width=train.shape[1],
            p=p,
            q=q,
            rng=rng,
            train=train,
            test=test,
            train_cells=local_cells(train[:, p + q :], self.k_neighbors),
            test_cells=local_cells(test[:, p + q :], self.k_neighbors),
        )

    def _run(self, queries: list[Query]) -> list[CIResult]:
        import torch

        prepared = [self._prepare(q) for q in queries]
        groups: dict[tuple[int, int, int], list[int]] = {}
        for j, prep in enumerate(prepared):
            groups.setdefault((prep.width, prep.p, prep.q), []).append(j)
        results: list[CIResult | None] = [None] * len(queries)
        old_threads = torch.get_num_threads()
        try:
            for members in groups.values():
                group = [prepared[j] for j in members]
                # Bit-for-bit batch invariance. torch multiplies a batch of one matrix with
                # another kernel than a batch of several, and elementwise kernels treat the
                # last, partial SIMD block (and, with threads, each thread's) with scalar code
                # whose rounding can differ. So training runs on one thread (its small kernels
                # gain little from more) with the batch padded to a multiple of _ALIGN critics,
                # and evaluation sees at least 2; pads are twins (same data and random state,
                # results dropped).
                twins = [copy.deepcopy(group[0]) for _ in range(-len(group) % _ALIGN)]
                torch.set_num_threads(1)
                params = self._train_critics(group + twins)
                torch.set_num_threads(self.n_threads or old_threads)
                n_eval = max(2, len(group))
                evaluated = self._evaluate((group + twins)[:n_eval], [w[:n_eval] for w in params])
                for j, res in zip(members, evaluated, strict=False):
                    results[j] = res
        finally:
            torch.set_num_threads(old_threads)
        return results  # type: ignore[return-value]

    # -- training --------------------------------------------------------------------------
    def _init_params(self, group: list[_Prepared]):
        import torch

        d, h = group[0].width, self.hidden
        w1, b1 = [], []
        for prep in group:  # each query draws its own hidden layer (PyTorch's default scale)
            w1.append(prep.rng.uniform(-1, 1, (d, h)) / np.sqrt(d))
            b1.append(prep.rng.uniform(-1, 1, h) / np.sqrt(d))
        # The output layer starts at 0, i.e. T = 0, "no dependence": the bound gains almost
        # nothing from a part of T that depends on (y, z) only (P and Q share their (y, z)),
        # so training would hardly remove one drawn at random, and the y-permutation null
        # would see it.
        # No output bias: DV is invariant to shifting T, so its gradient would be rounding
        # noise, which Adam's normalisation would turn into full-size steps.
        w2 = np.zeros((len(group), h))
        return [
            torch.tensor(np.array(a), dtype=torch.float32).requires_grad_() for a in (w1, b1, w2)
        ]

    def _train_critics(self, group: list[_Prepared]):
        """Adam on the summed DV losses of the group's critics (weights stacked on dim 0)."""
        import torch
        from tqdm.auto import tqdm

        params = self._init_params(group)
        w1, b1, w2 = params
        opt = torch.optim.Adam(params, lr=self.lr, fused=True)
        data = torch.from_numpy(np.stack([prep.train for prep in group]))  # (Q, n, d)
        n_q, n, d = data.shape
        p = group[0].p
        bs = min(self.batch_size, n)
        per_epoch = n // bs
        rows = torch.arange(n_q)[:, None]
        log_ema = torch.zeros(n_q)  # log of MINE's moving average of E_Q[e^T]
        show = sys.stderr.isatty() if self.progress is None else self.progress
        for step in tqdm(range(self.n_steps), desc="cmi critics", disable=not show):
            if step % per_epoch == 0:
                order = torch.from_numpy(np.stack([prep.rng.permutation(n) for prep in group]))
                swap = torch.from_numpy(
                    np.concatenate(
                        [local_permutations(prep.train_cells, 1, prep.rng) for prep in group]
                    )
                )
            idx = order[:, (step % per_epoch) * bs : (step % per_epoch + 1) * bs]
            # rows 0..bs-1 the joint sample, rows bs..2bs-1 the same with x locally permuted
            inputs = data[rows, torch.cat([idx, idx], dim=1)]  # (Q, 2 bs, d)
            inputs[:, bs:, :p] = data[rows, torch.gather(swap, 1, idx), :p]
            t = torch.bmm(torch.relu(torch.baddbmm(b1[:, None, :], inputs, w1)), w2[:, :, None])
            t = t[:, :, 0]
            t_joint, t_marg = t[:, :bs], t[:, bs:]
            lse = torch.logsumexp(t_marg, dim=1) - np.log(bs)  # log of the batch's E_Q[e^T]
            with torch.no_grad():
                if step == 0 or self.ema_rate == 1:
                    log_ema = lse.detach().clone()
                else:
                    log_ema = torch.logaddexp(
                        log_ema + np.log1p(-self.ema_rate), lse + np.log(self.ema_rate)
                    )
            # the gradient of exp(lse - log_ema) is E_Q[e^T ∇T] / ema: MINE's corrected gradient
            loss = (torch.exp(lse - log_ema) - t_joint.mean(dim=1)).sum()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        return [w.detach() for w in params]

    # -- held-out statistic and null -------------------------------------------------------
    def _evaluate(self, group: list[_Prepared], params) -> list[CIResult]:
        """DV statistic on the held-out split and its local-permutation p-value, per query."""
        import torch

        w1, b1, w2 = params
        p, q = group[0].p, group[0].q
        data = torch.from_numpy(np.stack([prep.test for prep in group]))  # (Q, n, d)
        n_q, n, _ = data.shape
        with torch.no_grad():
            # the first layer split by block: permuting x or y permutes the rows of its term only
            ax = torch.bmm(data[:, :, :p], w1[:, :p])
            cy = torch.bmm(data[:, :, p : p + q], w1[:, p : p + q])
            azb = torch.bmm(data[:, :, p + q :], w1[:, p + q :]) + b1[:, None, :]
            rho = self._local_draws(group, _N_MARGINAL)  # local permutations of x
            pi = self._local_draws(group, self.n_permutations)  # local permutations of y
            # mean_i T on the data (draw 0, the identity) and on B copies with y permuted
            draws = torch.cat([torch.arange(n).expand(n_q, 1, n), pi], dim=1)
            mean_t = _critic_values(cy, draws, ax + azb, w2, mean=True)
            # log E_Q[e^T], x locally permuted; one query at a time, so that the rounding of
            # the reduction does not depend on the batch
            t_marg = _critic_values(ax, rho, azb + cy, w2).reshape(n_q, -1)
            log_marg = torch.stack([torch.logsumexp(row, dim=0) for row in t_marg])
            dv = mean_t[:, 0] - (log_marg - np.log(t_marg.shape[1]))
        # the shared log E_Q term cancels from the comparison: compare mean_i T directly
        exceed = (mean_t[:, 1:] >= mean_t[:, :1]).sum(dim=1).numpy()
        pvalues = (1 + exceed) / (1 + self.n_permutations)
        return [CIResult(float(s), float(pv)) for s, pv in zip(dv.numpy(), pvalues, strict=True)]

    @staticmethod
    def _local_draws(group: list[_Prepared], n_draws: int):
        """(Q, n_draws, n) local permutations of each query's held-out split, from its rng."""
        import torch

        draws = [local_permutations(prep.test_cells, n_draws, prep.rng) for prep in group]
        return torch.from_numpy(np.stack(draws))


def _critic_values(moved, perm, base, w2, mean: bool = False):
    """Critic outputs ``w2 · relu(moved[perm[b, i]] + base[i])`` as float64 (Q, B, n).

    With ``mean``, their average over the ``n`` samples instead (Q, B). ``moved`` and ``base``
    are first-layer terms (Q, n, h) of the permuted block and of the rest. Queries go two at a
    time (three in a last odd chunk), never one, and permutations in chunks whose size depends
    on ``n`` and ``h`` only, so that every query meets the same kernels in any batch.
    """
    import torch

    n_q, n, h = moved.shape
    n_b = perm.shape[1]
    out = torch.empty((n_q, n_b) if mean else (n_q, n_b, n), dtype=torch.float64)
    step_b = max(1, _CHUNK_ELEMENTS // (2 * n * h))
    starts = list(range(0, n_q - 1, 2))
    for s, e in zip(starts, [*starts[1:], n_q], strict=True):
        flat = moved[s:e].reshape(-1, h)
        offset = (torch.arange(e - s) * n)[:, None, None]
        for r in range(0, n_b, step_b):
            hidden = torch.relu(flat[perm[s:e, r : r + step_b] + offset] + base[s:e, None])
            t = (hidden @ w2[s:e, None, :, None])[..., 0].double()
            out[s:e, r : r + step_b] = t.mean(dim=2) if mean else t
    return out
