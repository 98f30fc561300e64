"""A floating-point environment of its own: every random float perturbed in its last bits.

Loaded by Python at start-up when this folder is on PYTHONPATH and NNLAB_FP_PERTURB is set (the
floating-point matrix of `make test`, see tools/fp_matrix.py). Another CPU, BLAS or numpy rounds
differently; what that does to a computation is what a tiny change of its inputs does. So here
every float that a seeded numpy Generator draws (random, uniform, normal, standard_normal, …) is
multiplied by 1 + ε·u with ε = NNLAB_FP_PERTURB (e.g. 1e-13) and u uniform in [-1, 1] from a
stream of its own (NNLAB_FP_PERTURB="1e-13:7" picks that stream's seed, 7; the default is 0): the
draws of the seeded stream itself, integers and permutations are unchanged.

A printed output that survives this survives rounding differences; one that changes depends on the
last bits of a float (a rounding residual printed with its digits, a chaotic run quoted too
precisely) and must be said robustly (chapters/AUTHORING.md).
"""

import os

_EPS = os.environ.get("NNLAB_FP_PERTURB")


def _install(eps: float, seed_stream: int = 0) -> None:
    import numpy as np

    _default_rng = np.random.default_rng

    def perturbed(method):
        def draw(self, *args, **kwargs):
            out = method(self, *args, **kwargs)
            noise = self._perturbation
            if isinstance(out, np.ndarray):
                if out.dtype.kind != "f":
                    return out
                factor = 1.0 + eps * noise.uniform(-1.0, 1.0, size=out.shape)
                return (out * factor).astype(out.dtype, copy=False)
            if isinstance(out, float):
                return type(out)(out * (1.0 + eps * noise.uniform(-1.0, 1.0)))
            return out
        draw.__name__ = method.__name__
        draw.__doc__ = method.__doc__
        return draw

    namespace = {name: perturbed(getattr(np.random.Generator, name))
                 for name in ("random", "uniform", "normal", "standard_normal", "exponential",
                              "standard_exponential", "beta", "gamma", "standard_gamma",
                              "laplace", "lognormal", "logistic", "multivariate_normal")}
    PerturbedGenerator = type("Generator", (np.random.Generator,), namespace)
    PerturbedGenerator.__module__ = "numpy.random"

    def default_rng(seed=None):
        # Two generators made from the same seed draw the same numbers, perturbed the same way: the
        # perturbation's own stream is seeded from the seed too.
        if isinstance(seed, np.random.Generator):
            return seed
        rng = PerturbedGenerator(_default_rng(seed).bit_generator)
        try:
            entropy = [seed_stream, *(int(k) for k in np.atleast_1d(seed))]
        except (TypeError, ValueError):      # a SeedSequence or a bit generator: a fresh stream
            entropy = None
        rng._perturbation = np.random.Generator(np.random.PCG64(entropy))
        return rng

    default_rng.__doc__ = _default_rng.__doc__
    np.random.default_rng = default_rng


if _EPS:
    _eps, _, _seed = _EPS.partition(":")
    _install(float(_eps), int(_seed or 0))
